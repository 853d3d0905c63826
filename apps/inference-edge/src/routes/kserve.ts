import { listVersions, openRegistry } from '@hepml/models/registry';
import { at } from '@hepml/physics';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { endpoint, MODEL_UNAVAILABLE, TOO_LARGE } from '../lib/endpoint.ts';
import { prepareImage } from '../lib/inference.ts';
import { type LoadedModel, requestedModel } from '../lib/model-cache.ts';
import {
  InferRequestSchema,
  InferResponseSchema,
  KServeModelMetadataSchema,
  NameParams,
  NameVersionParams,
} from '../schemas.ts';

/**
 * KServe v2 / open inference protocol (https://kserve.github.io/website/docs/concepts/architecture/data-plane/v2-protocol)
 * beside the v1 API, so Triton-style clients (the CMS SONIC approach) can call the models.
 *
 * Tensors: one input per scalar model input, named as in the manifest, shape [n] or [n, 1]; the
 * CNN image as one input of shape [n, height, width, channels]; datatype FP32 or FP64; `data` flat
 * and row-major. Outputs: one FP32 tensor of shape [n] per manifest output. Errors use the API's
 * envelope `{"error": {"code", "message", "field"}}` (its `error` member is where the protocol
 * puts its error string).
 */
export const kserveRoute = new OpenAPIHono<AppEnv>();

const PLATFORM = 'hepml_runtime';

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/',
    summary: 'KServe v2 server metadata',
    tags: ['kserve v2'],
    responses: {
      200: {
        description: 'Server name, version and protocol extensions',
        schema: z
          .object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })
          .openapi('KServeServerMetadata'),
      },
    },
  },
  (c) => c.json({ name: 'hepml-edge', version: '1', extensions: [] }),
);

/** The versions of a model as strings, newest first (404 when the caller may not see it). */
async function versionsOf(c: Context<AppEnv>, name: string): Promise<string[]> {
  const rows = await listVersions(openRegistry(c.env.DB), name, c.get('principal'));
  return rows.filter((r) => r.status === 'active').map((r) => String(r.version));
}

function metadata(model: LoadedModel, versions: string[]) {
  const inputs = model.manifest.inputs.map((i) => ({ name: i.name, datatype: 'FP32', shape: [-1] }));
  if (model.image) inputs.push({ name: model.image.name, datatype: 'FP32', shape: [-1, ...model.image.shape] });
  return {
    name: model.name,
    versions,
    platform: PLATFORM,
    inputs,
    outputs: model.manifest.outputs.map((o) => ({ name: o.name, datatype: 'FP32', shape: [-1] })),
  };
}

const metadataHandler = async (c: Context<AppEnv>, params: { name: string; version?: string }) => {
  const model = await requestedModel(c, params);
  return c.json(
    metadata(model, params.version === undefined ? await versionsOf(c, params.name) : [String(model.version)]),
  );
};

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/models/{name}',
    summary: 'KServe v2 model metadata (newest active version)',
    tags: ['kserve v2'],
    params: NameParams,
    responses: {
      200: { description: 'Inputs and outputs with datatypes and shapes', schema: KServeModelMetadataSchema },
    },
  },
  (c, { params }) => metadataHandler(c, params),
);

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/models/{name}/versions/{version}',
    summary: 'KServe v2 model metadata of one version',
    tags: ['kserve v2'],
    params: NameVersionParams,
    responses: {
      200: { description: 'Inputs and outputs with datatypes and shapes', schema: KServeModelMetadataSchema },
    },
  },
  (c, { params }) => metadataHandler(c, params),
);

const readyHandler = async (c: Context<AppEnv>, params: { name: string; version?: string }) => {
  const model = await requestedModel(c, params);
  return c.json({ name: model.name, version: String(model.version), ready: true });
};

const ReadyResponse = z.object({ name: z.string(), version: z.string(), ready: z.boolean() }).openapi('ModelReady');

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/models/{name}/ready',
    summary: 'KServe v2 model readiness (the bundle loads and verifies)',
    tags: ['kserve v2'],
    params: NameParams,
    responses: { 200: { description: 'Ready', schema: ReadyResponse }, 503: MODEL_UNAVAILABLE },
  },
  (c, { params }) => readyHandler(c, params),
);

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/models/{name}/versions/{version}/ready',
    summary: 'KServe v2 readiness of one version',
    tags: ['kserve v2'],
    params: NameVersionParams,
    responses: { 200: { description: 'Ready', schema: ReadyResponse }, 503: MODEL_UNAVAILABLE },
  },
  (c, { params }) => readyHandler(c, params),
);

type InferRequest = z.infer<typeof InferRequestSchema>;

/**
 * Packs the request tensors into the runner's layout: every scalar input once, shape [n] or
 * [n, 1] with one n for all, the image (if the model takes one) [n, H, W, C]; `data` must hold
 * exactly the shape's number of values. Errors name the tensor (`inputs[2].shape`).
 */
export function kserveBatch(model: LoadedModel, req: InferRequest, maxRows: number) {
  const byName = new Map<string, number>();
  req.inputs.forEach((t, i) => {
    if (byName.has(t.name))
      throw new ApiError(400, 'invalid_input', `inputs[${i}]: duplicate input "${t.name}"`, `inputs[${i}].name`);
    byName.set(t.name, i);
  });
  const scalar = model.manifest.inputs;
  const imageName = model.image?.name;
  req.inputs.forEach((t, i) => {
    if (!scalar.some((s) => s.name === t.name) && t.name !== imageName) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}]: "${t.name}" is not an input of this model`,
        `inputs[${i}].name`,
      );
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}].data has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${size}`,
        `inputs[${i}].data`,
      );
    }
  });
  let n = -1;
  const k = scalar.length;
  for (const s of scalar) {
    const i = byName.get(s.name);
    if (i === undefined) throw new ApiError(400, 'invalid_input', `input "${s.name}" is missing`, `inputs.${s.name}`);
    const t = at(req.inputs, i);
    const ok = t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1);
    if (!ok) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}].shape must be [n] or [n, 1], got [${t.shape.join(', ')}]`,
        `inputs[${i}].shape`,
      );
    }
    const rows = at(t.shape, 0);
    if (n === -1) n = rows;
    else if (rows !== n) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}] has ${rows} rows, earlier inputs have ${n}`,
        `inputs[${i}].shape`,
      );
    }
  }
  if (n === 0) throw new ApiError(400, 'invalid_input', 'the batch is empty', 'inputs');
  if (n > maxRows)
    throw new ApiError(413, 'batch_too_large', `at most ${maxRows} rows per request, got ${n}`, 'inputs');
  const features = new Float32Array(n * k);
  for (let j = 0; j < k; j++) {
    const data = (req.inputs[byName.get((scalar[j] as { name: string }).name) as number] as { data: number[] }).data;
    for (let r = 0; r < n; r++) features[r * k + j] = at(data, r);
  }
  const imageIndex = imageName === undefined ? undefined : byName.get(imageName);
  const imageTensor = imageIndex === undefined ? undefined : req.inputs[imageIndex];
  const image = prepareImage(
    model,
    n,
    imageTensor?.shape,
    imageTensor?.data,
    imageIndex === undefined ? `inputs.${imageName ?? 'image'}` : `inputs[${imageIndex}]`,
  );
  return { n, features, image };
}

const inferHandler = async (c: Context<AppEnv>, params: { name: string; version?: string }, body: InferRequest) => {
  const model = await requestedModel(c, params);
  const { n, features, image } = kserveBatch(model, body, Number(c.env.MAX_BATCH_ROWS));
  const out = model.runner.predict(features, n, image);
  const names = model.manifest.outputs.map((o) => o.name);
  let wanted = names.map((_, j) => j);
  if (body.outputs !== undefined) {
    wanted = body.outputs.map((o, i) => {
      const j = names.indexOf(o.name);
      if (j < 0)
        throw new ApiError(
          400,
          'invalid_input',
          `outputs[${i}]: "${o.name}" is not an output of this model`,
          `outputs[${i}].name`,
        );
      return j;
    });
  }
  const k = names.length;
  const outputs = wanted.map((j) => {
    const data = new Array<number>(n);
    for (let r = 0; r < n; r++) data[r] = at(out, r * k + j);
    return { name: at(names, j), shape: [n], datatype: 'FP32' as const, data };
  });
  c.header('x-hepml-version', String(model.version));
  return c.json({
    model_name: model.name,
    model_version: String(model.version),
    ...(body.id !== undefined ? { id: body.id } : {}),
    outputs,
  });
};

const inferResponses = {
  200: { description: 'Output tensors (FP32, shape [n], flat)', schema: InferResponseSchema },
  413: TOO_LARGE,
  503: MODEL_UNAVAILABLE,
};

endpoint(
  kserveRoute,
  {
    method: 'post',
    path: '/models/{name}/infer',
    summary: 'KServe v2 inference with the newest active version',
    tags: ['kserve v2'],
    params: NameParams,
    body: InferRequestSchema,
    responses: inferResponses,
  },
  (c, { params, body }) => inferHandler(c, params, body),
);

endpoint(
  kserveRoute,
  {
    method: 'post',
    path: '/models/{name}/versions/{version}/infer',
    summary: 'KServe v2 inference with one version',
    tags: ['kserve v2'],
    params: NameVersionParams,
    body: InferRequestSchema,
    responses: inferResponses,
  },
  (c, { params, body }) => inferHandler(c, params, body),
);
