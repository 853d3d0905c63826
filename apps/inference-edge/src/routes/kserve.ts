import { listModels, listVersions, openRegistry } from '@hepml/models/registry';
import { at } from '@hepml/physics';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { decodeUtf8, parseJsonText, readBodyBytes } from '../lib/body.ts';
import { endpoint, type ResponseSpec, validate } from '../lib/endpoint.ts';
import { derivedEnergy, prepareImage } from '../lib/inference.ts';
import { type LoadedModel, requestedModel } from '../lib/model-cache.ts';
import {
  binaryBody,
  binaryTensorValues,
  ELEMENT_BYTES,
  elementCount,
  float32Bytes,
  jsonTensorValues,
} from '../lib/tensors.ts';
import { timed } from '../middleware/request-context/index.ts';
import {
  InferRequestSchema,
  InferResponseSchema,
  KServeErrorSchema,
  KServeModelMetadataSchema,
  NameParams,
  NameVersionParams,
  RepositoryIndexEntrySchema,
  RepositoryIndexRequestSchema,
} from '../schemas.ts';

/**
 * KServe v2 / open inference protocol (https://kserve.github.io/website/docs/concepts/architecture/data-plane/v2-protocol)
 * beside the v1 API, so Triton-style clients (the CMS SONIC approach) can call the models.
 *
 * Tensors: one input per scalar model input, named as in the manifest, shape [n] or [n, 1]; the
 * CNN image as one input of shape [n, height, width, channels]; any numeric datatype or BOOL
 * (values reach the model as float32); `data` flat or nested row-major, or binary tensor data
 * (Triton's extension, `lib/tensors.ts`). Outputs: one FP32 tensor of shape [n] per manifest
 * output, and `energy` (GeV) for a regression whose output is a factor on an input; as JSON or,
 * when asked, as binary data. Errors are the protocol's `{"error": "<message>"}`, with `code` and
 * `field` beside it.
 */
export const kserveRoute = new OpenAPIHono<AppEnv>();

const PLATFORM = 'hepml_runtime';

/** Protocol extensions this server implements, listed in `GET /v2`. */
export const KSERVE_EXTENSIONS = ['binary_tensor_data'] as const;

const TAGS = ['kserve v2'];
const errorSchema = KServeErrorSchema;
const MODEL_UNAVAILABLE: ResponseSpec = {
  description: 'The version failed verification (hash mismatch) and is not served',
  schema: KServeErrorSchema,
};
const TOO_LARGE: ResponseSpec = { description: 'Body or batch over the limit', schema: KServeErrorSchema };

endpoint(
  kserveRoute,
  {
    method: 'get',
    path: '/',
    summary: 'KServe v2 server metadata',
    tags: TAGS,
    errorSchema,
    responses: {
      200: {
        description: 'Server name, version and protocol extensions',
        schema: z
          .object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })
          .openapi('KServeServerMetadata'),
      },
    },
  },
  (c) => c.json({ name: 'hepml-edge', version: '1', extensions: [...KSERVE_EXTENSIONS] }),
);

/** The versions of a model as strings, newest first (404 when the caller may not see it). */
async function versionsOf(c: Context<AppEnv>, name: string): Promise<string[]> {
  const rows = await listVersions(openRegistry(c.env.DB), name, c.get('principal'));
  return rows.filter((r) => r.status === 'active').map((r) => String(r.version));
}

/**
 * The output tensors a model answers with: its manifest outputs, then `energy` (GeV) when it
 * is derived from a correction factor (E = correction × raw base input).
 */
function outputNames(model: LoadedModel): string[] {
  const names = model.manifest.outputs.map((o) => o.name);
  if (model.energyFromCorrection && !names.includes(DERIVED_ENERGY)) names.push(DERIVED_ENERGY);
  return names;
}

/** The name of the derived energy output (GeV). */
const DERIVED_ENERGY = 'energy';

function metadata(model: LoadedModel, versions: string[]) {
  const inputs = model.manifest.inputs.map((i) => ({ name: i.name, datatype: 'FP32', shape: [-1] }));
  if (model.image) inputs.push({ name: model.image.name, datatype: 'FP32', shape: [-1, ...model.image.shape] });
  return {
    name: model.name,
    versions,
    platform: PLATFORM,
    inputs,
    outputs: outputNames(model).map((name) => ({ name, datatype: 'FP32', shape: [-1] })),
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
    tags: TAGS,
    errorSchema,
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
    tags: TAGS,
    errorSchema,
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
    tags: TAGS,
    errorSchema,
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
    tags: TAGS,
    errorSchema,
    params: NameVersionParams,
    responses: { 200: { description: 'Ready', schema: ReadyResponse }, 503: MODEL_UNAVAILABLE },
  },
  (c, { params }) => readyHandler(c, params),
);

type InferRequest = z.infer<typeof InferRequestSchema>;
type InferInput = InferRequest['inputs'][number];

const HEADER_LENGTH = 'inference-header-content-length';

/** An infer request as read from the body: its JSON part and the binary tensor data after it. */
export interface ReadInfer {
  req: InferRequest;
  /** The whole body; binary tensor data starts at `binaryStart`. */
  bytes: Uint8Array;
  binaryStart: number;
  /**
   * The bytes after the header, 8-byte aligned: a view of the body when the header's length
   * leaves them aligned, else one copy, so that every tensor can be read as a typed-array view
   * (one copy of the region rather than one per misaligned tensor).
   */
  binary: Uint8Array;
}

/**
 * Reads an infer body: JSON alone, or (binary tensor data extension) the JSON header of
 * `Inference-Header-Content-Length` bytes followed by the inputs' binary data. The header length
 * must be a non-negative integer no larger than the body; the JSON part is validated against
 * the request schema.
 */
export async function readInfer(c: Context<AppEnv>): Promise<ReadInfer> {
  const bytes = await readBodyBytes(c.req.raw, Number(c.env.MAX_BODY_BYTES));
  const declared = c.req.header(HEADER_LENGTH);
  let headerLength = bytes.byteLength;
  if (declared !== undefined) {
    const text = declared.trim();
    if (!/^[0-9]{1,10}$/.test(text)) {
      throw new ApiError(
        400,
        'invalid_input',
        `${HEADER_LENGTH} must be a byte count, got "${declared.slice(0, 32)}"`,
        HEADER_LENGTH,
      );
    }
    headerLength = Number(text);
    if (headerLength > bytes.byteLength) {
      throw new ApiError(
        400,
        'invalid_input',
        `${HEADER_LENGTH} is ${headerLength} but the body has only ${bytes.byteLength} bytes`,
        HEADER_LENGTH,
      );
    }
  }
  const json = parseJsonText(decodeUtf8(bytes.subarray(0, headerLength)));
  const req = validate(InferRequestSchema, json);
  const rest = bytes.subarray(headerLength);
  const binary = rest.byteOffset % 8 === 0 ? rest : rest.slice();
  return { req, bytes, binaryStart: headerLength, binary };
}

/**
 * Where each input's binary data lies in `read.binary` (undefined for a JSON input): consecutive
 * after the header in input order, each `parameters.binary_data_size` bytes, which must equal
 * shape × element size; together they must fill the body exactly. An input with both `data` and
 * a binary size, or with neither, is refused.
 */
export function binaryLayout(read: ReadInfer): (number | undefined)[] {
  const { req, bytes, binaryStart } = read;
  const available = bytes.byteLength - binaryStart;
  // Offsets into `read.binary`.
  let offset = 0;
  const layout = req.inputs.map((t, i) => {
    const size = t.parameters?.binary_data_size;
    if (size === undefined) {
      if (t.data === undefined) {
        throw new ApiError(
          400,
          'invalid_input',
          `inputs[${i}].data is missing (send data, or parameters.binary_data_size and the bytes after the header)`,
          `inputs[${i}].data`,
        );
      }
      return undefined;
    }
    if (t.data !== undefined) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}] has both data and parameters.binary_data_size; send one`,
        `inputs[${i}].data`,
      );
    }
    const count = elementCount(t.shape);
    const need = count * ELEMENT_BYTES[t.datatype];
    if (size !== need) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}].parameters.binary_data_size is ${size} bytes, shape [${t.shape.join(', ')}] of ${t.datatype} needs ${need}`,
        `inputs[${i}].parameters.binary_data_size`,
      );
    }
    const at = offset;
    offset += size;
    return at;
  });
  const declared = offset;
  if (declared > 0 && binaryStart === bytes.byteLength && available === 0) {
    throw new ApiError(
      400,
      'invalid_input',
      `the inputs declare ${declared} bytes of binary data but the body has none after its JSON (send the ${HEADER_LENGTH} header)`,
      HEADER_LENGTH,
    );
  }
  if (declared !== available) {
    throw new ApiError(
      400,
      'invalid_input',
      `the body has ${available} bytes after its ${binaryStart}-byte JSON header, the inputs' binary_data_size add up to ${declared}`,
      'body',
    );
  }
  return layout;
}

/** An input's values as float32, row-major: from its binary data or its JSON `data`. */
function tensorValues(
  read: ReadInfer,
  layout: readonly (number | undefined)[],
  t: InferInput,
  i: number,
): Float32Array {
  const offset = layout[i];
  const field = `inputs[${i}].data`;
  if (offset !== undefined) return binaryTensorValues(read.binary, offset, elementCount(t.shape), t.datatype, field);
  return jsonTensorValues(t.data ?? [], t.shape, t.datatype, field);
}

/**
 * Packs the request tensors into the runner's layout: every scalar input once, shape [n] or
 * [n, 1] with one n for all, the image (if the model takes one) [n, H, W, C]; each tensor's
 * values (JSON, flat or nested, or binary) must fill its shape exactly. Errors name the tensor
 * (`inputs[2].shape`).
 */
export function kserveBatch(model: LoadedModel, read: ReadInfer, maxRows: number) {
  const { req } = read;
  const layout = binaryLayout(read);
  const byName = new Map<string, number>();
  req.inputs.forEach((t, i) => {
    if (byName.has(t.name))
      throw new ApiError(400, 'invalid_input', `inputs[${i}]: duplicate input "${t.name}"`, `inputs[${i}].name`);
    byName.set(t.name, i);
  });
  const scalar = model.manifest.inputs;
  const imageName = model.image?.name;
  const values = req.inputs.map((t, i) => {
    if (!scalar.some((s) => s.name === t.name) && t.name !== imageName) {
      throw new ApiError(
        400,
        'invalid_input',
        `inputs[${i}]: "${t.name}" is not an input of this model`,
        `inputs[${i}].name`,
      );
    }
    return tensorValues(read, layout, t, i);
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
    const column = values[byName.get((scalar[j] as { name: string }).name) as number] as Float32Array;
    for (let r = 0; r < n; r++) features[r * k + j] = column[r] as number;
  }
  const imageIndex = imageName === undefined ? undefined : byName.get(imageName);
  const imageTensor = imageIndex === undefined ? undefined : req.inputs[imageIndex];
  const image = prepareImage(
    model,
    n,
    imageTensor?.shape,
    imageIndex === undefined ? undefined : values[imageIndex],
    imageIndex === undefined ? `inputs.${imageName ?? 'image'}` : `inputs[${imageIndex}]`,
  );
  return { n, features, image };
}

/** The outputs asked for, by index into {@link outputNames}, each with whether it goes as binary data. */
function wantedOutputs(names: readonly string[], req: InferRequest): { index: number; binary: boolean }[] {
  const all = req.parameters?.binary_data_output === true;
  if (req.outputs === undefined) return names.map((_, index) => ({ index, binary: all }));
  return req.outputs.map((o, i) => {
    const index = names.indexOf(o.name);
    if (index < 0) {
      throw new ApiError(
        400,
        'invalid_input',
        `outputs[${i}]: "${o.name}" is not an output of this model (${names.join(', ')})`,
        `outputs[${i}].name`,
      );
    }
    if (o.parameters?.classification !== undefined) {
      throw new ApiError(
        400,
        'invalid_input',
        `outputs[${i}].parameters.classification: the classification extension is not supported`,
        `outputs[${i}].parameters.classification`,
      );
    }
    return { index, binary: o.parameters?.binary_data ?? all };
  });
}

const inferHandler = async (c: Context<AppEnv>, params: { name: string; version?: string }) => {
  // Parse time: reading and checking the body and packing the tensors, not resolving the model.
  let start = performance.now();
  const read = await readInfer(c);
  c.get('timing').parseMs += performance.now() - start;
  const model = await requestedModel(c, params);
  start = performance.now();
  if (read.req.model_name !== undefined && read.req.model_name !== model.name) {
    throw new ApiError(
      400,
      'invalid_input',
      `model_name "${read.req.model_name}" differs from the path's "${model.name}"`,
      'model_name',
    );
  }
  const { n, features, image } = kserveBatch(model, read, Number(c.env.MAX_BATCH_ROWS));
  const names = outputNames(model);
  const wanted = wantedOutputs(names, read.req);
  c.get('timing').parseMs += performance.now() - start;
  const out = timed(c, 'modelMs', () => model.runner.predict(features, n, image));
  const energy = derivedEnergy(model, features, out, n);
  c.set('served', { model: model.name, version: model.version, rows: n });
  const k = model.manifest.outputs.length;
  /** Output `j` (an index into `names`) as a float32 column. */
  const column = (j: number): Float32Array => {
    if (j >= k) return energy as Float32Array;
    if (k === 1) return out.subarray(0, n);
    const col = new Float32Array(n);
    for (let r = 0; r < n; r++) col[r] = out[r * k + j] as number;
    return col;
  };
  const parts: Uint8Array[] = [];
  const outputs = wanted.map(({ index, binary }) => {
    const values = column(index);
    const tensor = { name: at(names, index), shape: [n], datatype: 'FP32' as const };
    if (binary) {
      const bytes = float32Bytes(values);
      parts.push(bytes);
      return { ...tensor, parameters: { binary_data_size: bytes.byteLength } };
    }
    return { ...tensor, data: Array.from(values) };
  });
  c.header('x-hepml-version', String(model.version));
  const answer: z.infer<typeof InferResponseSchema> = {
    model_name: model.name,
    model_version: String(model.version),
    ...(read.req.id !== undefined ? { id: read.req.id } : {}),
    outputs,
  };
  if (parts.length === 0) return c.json(answer);
  const { body, headerLength } = binaryBody(answer, parts);
  return c.body(body, 200, {
    'content-type': 'application/octet-stream',
    'inference-header-content-length': String(headerLength),
  });
};

const inferDescription =
  'JSON tensors (`data` flat or nested row-major as `shape`), or binary tensor data (Triton’s extension): the JSON header of `Inference-Header-Content-Length` bytes, then each input with `parameters.binary_data_size` as raw little-endian row-major bytes in input order. Datatypes: BOOL, UINT8–UINT64, INT8–INT64, FP16, FP32, FP64 (BYTES is refused). Outputs come as JSON, or as binary data after the JSON header (`Content-Type: application/octet-stream` with `Inference-Header-Content-Length`) when the request sets `parameters.binary_data_output` or an output’s `parameters.binary_data`. A regression whose output is a correction factor also answers `energy` (GeV).';

const inferUpload = {
  'application/json': InferRequestSchema,
  'application/octet-stream': z.string().openapi({
    format: 'binary',
    description: 'binary tensor data extension: the InferRequest JSON, then the inputs’ bytes',
  }),
};

const inferResponses = {
  200: {
    description:
      'Output tensors (FP32, shape [n]); with binary outputs the body is this JSON followed by their bytes (application/octet-stream)',
    schema: InferResponseSchema,
  },
  413: TOO_LARGE,
  503: MODEL_UNAVAILABLE,
};

endpoint(
  kserveRoute,
  {
    method: 'post',
    path: '/models/{name}/infer',
    summary: 'KServe v2 inference with the newest active version',
    description: inferDescription,
    tags: TAGS,
    errorSchema,
    params: NameParams,
    upload: inferUpload,
    responses: inferResponses,
  },
  (c, { params }) => inferHandler(c, params),
);

endpoint(
  kserveRoute,
  {
    method: 'post',
    path: '/models/{name}/versions/{version}/infer',
    summary: 'KServe v2 inference with one version',
    description: inferDescription,
    tags: TAGS,
    errorSchema,
    params: NameVersionParams,
    upload: inferUpload,
    responses: inferResponses,
  },
  (c, { params }) => inferHandler(c, params),
);

/**
 * Triton's model-repository index: every version of every model the caller may see (the same
 * visibility as the other routes: public, or the token's own and its collaborations'). Every
 * version listed serves (bundles load on first use; a deprecated one by its number, with reason
 * `deprecated`), so its state is READY; `ready: true` keeps only READY entries.
 */
endpoint(
  kserveRoute,
  {
    method: 'post',
    path: '/repository/index',
    summary: 'Triton model-repository index: the model versions the caller may use',
    tags: TAGS,
    errorSchema,
    body: RepositoryIndexRequestSchema,
    responses: {
      200: { description: 'One entry per model version', schema: z.array(RepositoryIndexEntrySchema) },
    },
  },
  async (c, { body }) => {
    const db = openRegistry(c.env.DB);
    const viewer = c.get('principal');
    const entries: z.infer<typeof RepositoryIndexEntrySchema>[] = [];
    for (const m of await listModels(db, { viewer })) {
      for (const v of await listVersions(db, m.name, viewer)) {
        entries.push({
          name: m.name,
          version: String(v.version),
          state: 'READY',
          reason: v.status === 'deprecated' ? 'deprecated: served by its number, not as latest' : '',
        });
      }
    }
    return c.json(body.ready === true ? entries.filter((e) => e.state === 'READY') : entries);
  },
);
