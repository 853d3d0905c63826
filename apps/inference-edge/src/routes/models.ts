import { listModels, openRegistry, resolveVersion } from '@hepml/models/registry';
import { type InputRows, rowsToMatrix } from '@hepml/models/runtime';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { loadModel } from '../lib/model-cache.ts';

/** `/v1/models`: listing and prediction. */
export const modelsRoute = new Hono<AppEnv>();

modelsRoute.get('/', async (c) => {
  const task = c.req.query('task');
  const viewer = c.get('principal');
  const models = await listModels(openRegistry(c.env.DB), task ? { task, viewer } : { viewer });
  return c.json({ models });
});

export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const length = Number(req.headers.get('content-length') ?? '0');
  if (length > maxBytes) throw new ApiError(413, 'payload_too_large', `body exceeds ${maxBytes} bytes`, 'body');
  const text = await req.text();
  if (text.length > maxBytes) throw new ApiError(413, 'payload_too_large', `body exceeds ${maxBytes} bytes`, 'body');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'body is not valid JSON', 'body');
  }
}

export function parseVersion(raw: string | undefined): number | 'latest' {
  if (raw === undefined || raw === 'latest') return 'latest';
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0)
    throw new ApiError(400, 'invalid_version', 'version must be a positive integer or "latest"', 'version');
  return v;
}

const predict = async (c: import('hono').Context<AppEnv>) => {
  const name = c.req.param('name') ?? '';
  const version = parseVersion(c.req.param('version'));
  const body = await readJson(c.req.raw, Number(c.env.MAX_BODY_BYTES));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_body', 'body must be a JSON object with "rows"', 'body');
  }
  const rows = (body as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new ApiError(400, 'invalid_body', '"rows" must be an array of objects', 'rows');
  if (rows.length === 0) throw new ApiError(400, 'invalid_body', '"rows" must not be empty', 'rows');
  const maxRows = Number(c.env.MAX_BATCH_ROWS);
  if (rows.length > maxRows) throw new ApiError(413, 'batch_too_large', `at most ${maxRows} rows per request`, 'rows');

  const resolved = await resolveVersion(openRegistry(c.env.DB), name, version, c.get('principal'));
  const model = await loadModel(c.env.MODELS, resolved);
  const matrix = rowsToMatrix(model.manifest.inputs, rows as InputRows);
  const out = model.runner.predict(matrix, rows.length);
  const scores = Array.from(out, (v) => v);
  return c.json({ model: model.name, version: model.version, scores });
};

modelsRoute.post('/:name/predict', predict);
modelsRoute.post('/:name/versions/:version/predict', predict);
