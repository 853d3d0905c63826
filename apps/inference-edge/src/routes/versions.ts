import { writeTar } from '@hepml/models/bundle';
import {
  auditTrail,
  deprecateVersion,
  listVersions,
  openRegistry,
  promoteVersion,
  resolveVersion,
  setVisibility,
  type Visibility,
} from '@hepml/models/registry';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { fetchVerifiedFile } from '../lib/model-cache.ts';
import { invalidateModel } from '../lib/resolve.ts';
import { requireScope } from '../middleware/auth/index.ts';
import { parseVersion, readJson } from './models.ts';

/**
 * Versions, downloads and the life cycle of a model under `/v1/models/{name}`. Reads answer 404
 * for models the caller may not see (never 403, so private names do not leak); changes need a
 * token with the publish scope that owns the model.
 */
export const versionsRoute = new Hono<AppEnv>();

function positiveVersion(raw: string | undefined): number {
  const v = parseVersion(raw);
  if (v === 'latest') throw new ApiError(400, 'invalid_version', 'name an explicit version number', 'version');
  return v;
}

versionsRoute.get('/:name/versions', async (c) => {
  const versions = await listVersions(openRegistry(c.env.DB), c.req.param('name'), c.get('principal'));
  return c.json({ name: c.req.param('name'), versions });
});

versionsRoute.get('/:name/audit', async (c) => {
  const entries = await auditTrail(openRegistry(c.env.DB), c.req.param('name'), c.get('principal'));
  return c.json({
    name: c.req.param('name'),
    entries: entries.map((e) => ({ ...e, details: JSON.parse(e.details) as unknown })),
  });
});

/**
 * One request gives a collaborator the whole version: a tar of `manifest.json` and every file it
 * lists, each checked against its sha256 before it is sent (the receiver can check them again).
 */
versionsRoute.get('/:name/versions/:version/bundle', async (c) => {
  const resolved = await resolveVersion(
    openRegistry(c.env.DB),
    c.req.param('name'),
    parseVersion(c.req.param('version')),
    c.get('principal'),
  );
  const files = new Map<string, Uint8Array>();
  for (const path of Object.keys(resolved.files).sort()) {
    files.set(path, await fetchVerifiedFile(c.env.MODELS, resolved, path));
  }
  const tar = writeTar(files, {
    prefix: `${resolved.name}-v${resolved.version}`,
    mtime: Date.parse(resolved.createdAt),
  });
  return c.body(tar, 200, {
    'content-type': 'application/x-tar',
    'content-disposition': `attachment; filename="${resolved.name}-v${resolved.version}.tar"`,
    'x-hepml-version': String(resolved.version),
  });
});

versionsRoute.post('/:name/versions/:version/deprecate', requireScope('publish'), async (c) => {
  const version = positiveVersion(c.req.param('version'));
  await deprecateVersion(openRegistry(c.env.DB), c.req.param('name'), version, c.get('principal'));
  invalidateModel(c.req.param('name'));
  return c.json({ name: c.req.param('name'), version, status: 'deprecated' });
});

versionsRoute.post('/:name/versions/:version/promote', requireScope('publish'), async (c) => {
  const version = positiveVersion(c.req.param('version'));
  await promoteVersion(openRegistry(c.env.DB), c.req.param('name'), version, c.get('principal'));
  return c.json({ name: c.req.param('name'), version, recommended: true });
});

const VISIBILITIES: readonly string[] = ['private', 'collaboration', 'public'];

versionsRoute.patch('/:name', requireScope('publish'), async (c) => {
  const body = await readJson(c.req.raw, 4096);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_body', 'body must be a JSON object', 'body');
  }
  const { visibility, collaboration, ...extra } = body as Record<string, unknown>;
  const unknownKey = Object.keys(extra)[0];
  if (unknownKey !== undefined) throw new ApiError(400, 'invalid_body', `unknown field "${unknownKey}"`, unknownKey);
  if (typeof visibility !== 'string' || !VISIBILITIES.includes(visibility)) {
    throw new ApiError(400, 'invalid_body', `visibility must be one of ${VISIBILITIES.join(', ')}`, 'visibility');
  }
  if (collaboration !== undefined && typeof collaboration !== 'string') {
    throw new ApiError(400, 'invalid_body', 'collaboration must be a string', 'collaboration');
  }
  await setVisibility(
    openRegistry(c.env.DB),
    c.req.param('name'),
    visibility as Visibility,
    c.get('principal'),
    collaboration,
  );
  invalidateModel(c.req.param('name'));
  return c.json({ name: c.req.param('name'), visibility, ...(collaboration ? { collaboration } : {}) });
});
