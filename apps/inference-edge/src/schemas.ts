/**
 * The zod schemas of the API: the routes validate their input with them and `/v1/openapi.json` is
 * generated from them (one source, so the document cannot drift from what the server accepts).
 * Units: energies and momenta in GeV, angles in radians, η dimensionless.
 */
import {
  ErrorEnvelopeSchema as ApiErrorEnvelopeSchema,
  PredictResponseSchema as ApiPredictResponseSchema,
} from '@hepml/models/api';
import { z } from '@hono/zod-openapi';
import { TENSOR_DATATYPES } from './lib/tensors.ts';

/** The error envelope (shared with the dashboard: `@hepml/models/api`). */
export const ErrorEnvelopeSchema = ApiErrorEnvelopeSchema.openapi('Error', {
  example: { error: { code: 'invalid_input', message: 'rows[0].et: must be a finite number', field: 'rows[0].et' } },
});

const Visibility = z.enum(['private', 'collaboration', 'public']);
const VersionStatus = z.enum(['active', 'deprecated']);

// ---- path and query parameters -------------------------------------------------------------

const modelName = z
  .string()
  .min(1)
  .max(128)
  .openapi({ param: { name: 'name', in: 'path' }, example: 'electron-id-mlp' });

/** A version: a positive integer, or `latest` (the newest active version). */
export const VersionParam = z
  .string()
  .regex(/^(latest|[1-9][0-9]{0,8})$/, 'must be a positive integer or "latest"')
  .openapi({ param: { name: 'version', in: 'path' }, example: 'latest' });

export const NameParams = z.object({ name: modelName });

/** An explicit version number (life-cycle changes name the version they change). */
export const NumberedVersionParams = z.object({
  name: modelName,
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'name an explicit version number')
    .openapi({ param: { name: 'version', in: 'path' }, example: '1' }),
});

/** Scale factors to attach to a version (a new version is published with them). */
export const AttachScaleFactorsSchema = z
  .object({
    correctionlib: z.record(z.string(), z.unknown()).openapi({
      description:
        'a correctionlib schema-v2 CorrectionSet: one correction per working point, inputs pt (GeV) and abseta or eta',
    }),
    tables: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        'the full tables (hepml-scale-factors/1: values, stat and syst per bin, efficiencies in data and MC, provenance)',
    }),
  })
  .strict()
  .openapi('AttachScaleFactorsRequest');

export const VisibilityRequestSchema = z
  .object({
    visibility: Visibility,
    collaboration: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'required with visibility collaboration' }),
  })
  .strict()
  .openapi('VisibilityRequest');

/** One version in a list: status, lineage and who published it. */
const VersionSummarySchema = z.object({
  version: z.number().int(),
  status: VersionStatus,
  parameters: z.number().int(),
  datasetHash: z.string(),
  codeVersion: z.string(),
  parentVersion: z.number().int().nullable(),
  createdAt: z.string(),
  publishedBy: z.string().nullable(),
});

export const VersionListSchema = z
  .object({ name: z.string(), versions: z.array(VersionSummarySchema) })
  .openapi('VersionList');

export const AuditTrailSchema = z
  .object({
    name: z.string(),
    entries: z.array(
      z.object({
        at: z.string(),
        action: z.string(),
        version: z.number().int().nullable(),
        actor: z.string().nullable(),
        details: z.unknown(),
      }),
    ),
  })
  .openapi('AuditTrail');
export const NameVersionParams = z.object({ name: modelName, version: VersionParam });

export const ListModelsQuery = z
  .object({ task: z.string().min(1).max(64).optional().openapi({ example: 'electron-id' }) })
  .strict();

export const ScaleFactorsQuery = z
  .object({
    format: z.enum(['json', 'correctionlib']).default('json').openapi({ example: 'json' }),
    version: VersionParam.optional().openapi({ param: { name: 'version', in: 'query' } }),
  })
  .strict();

// ---- v1 predict ----------------------------------------------------------------------------

/**
 * A flat array of finite numbers (tensor data, a column, image pixels), checked in one loop
 * (`z.array(z.number())` costs ~0.1 µs per value); the issue path names the index.
 */
export const FiniteNumbersSchema = z
  .custom<number[]>((v) => Array.isArray(v), { message: 'must be an array of numbers' })
  .superRefine((values, ctx) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as unknown;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a finite number', path: [i] });
        return;
      }
    }
  })
  .openapi({ type: 'array', items: { type: 'number', description: 'a finite number (NaN and ±Inf are refused)' } });

/** A CNN image batch: row-major float data of shape [n, height, width, channels] (HWC), in GeV. */
export const ImageBatchSchema = z
  .object({
    shape: z
      .array(z.number().int().nonnegative())
      .min(1)
      .max(4)
      .openapi({ example: [1, 16, 16, 1] }),
    data: FiniteNumbersSchema,
  })
  .strict()
  .openapi('ImageBatch');

/**
 * Rows: an array of objects whose every value is a finite number (which keys a model needs is
 * checked against its manifest afterwards). Written as one predicate over the array rather than
 * `z.array(z.record(...))`, which costs ~4 µs per row (4 ms at batch 1,000, more than the model);
 * issue paths still name the row and key (`rows[3].et`), and the OpenAPI form is stated explicitly.
 */
export const RowsSchema = z
  .custom<Record<string, number>[]>((v) => Array.isArray(v), { message: 'must be an array of objects' })
  .superRefine((rows, ctx) => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as unknown;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        ctx.addIssue({ code: 'custom', message: 'must be an object keyed by input name', path: [i] });
        return;
      }
      for (const key in row) {
        const v = (row as Record<string, unknown>)[key];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          ctx.addIssue({ code: 'custom', message: 'must be a finite number', path: [i, key] });
          return;
        }
      }
    }
  })
  .openapi({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: { type: 'number', description: 'a finite number (NaN and ±Inf are refused)' },
    },
  });

export const PredictRequestSchema = z
  .object({
    rows: RowsSchema.optional().openapi({
      description:
        'Rows as objects keyed by input name (units as in the manifest). A tagger with scale factors also accepts `pt` (GeV) and `eta` per row.',
      example: [{ et: 42.0, eta: 0.4, reta: 0.957 }],
    }),
    columns: z
      .record(z.string(), FiniteNumbersSchema)
      .optional()
      .openapi({ description: 'Columnar alternative to rows: one array per input, all of one length.' }),
    image: ImageBatchSchema.optional(),
    workingPoint: z
      .string()
      .min(1)
      .max(32)
      .optional()
      .openapi({ description: 'Working point for the scale factor (default medium)', example: 'medium' }),
  })
  .strict()
  .openapi('PredictRequest');

/** The predict answer (shared with the dashboard's try-it form: `@hepml/models/api`). */
export const PredictResponseSchema = ApiPredictResponseSchema.openapi('PredictResponse');

// ---- model description ---------------------------------------------------------------------

export const ModelSummarySchema = z
  .object({
    name: z.string(),
    task: z.string(),
    kind: z.enum(['network', 'baseline']),
    description: z.string(),
    author: z.string(),
    visibility: Visibility,
    latestVersion: z.number().int(),
    parameters: z.number().int(),
    createdAt: z.string(),
    recommended: z.boolean(),
    imported: z.boolean().openapi({ description: 'trained elsewhere and imported (pnpm import-model)' }),
    metrics: z.record(z.string(), z.number()),
    profile: z
      .string()
      .nullable()
      .openapi({ description: 'Training profile of the newest version (default, full, custom); null when none' }),
  })
  .openapi('ModelSummary');

export const ModelListSchema = z.object({ models: z.array(ModelSummarySchema) }).openapi('ModelList');

/** A task as `/v1/tasks` lists it (reference and user tasks alike). */
export const TaskSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['classifier', 'regression']),
    description: z.string(),
    headline: z.object({ metric: z.string(), label: z.string(), higherIsBetter: z.boolean() }),
    unit: z.string().optional().describe("regression: the unit of the target, hence of its MAE ('GeV', '1')"),
    reference: z.boolean().describe('one of the built-in reference tasks'),
  })
  .openapi('TaskSummary');

export const TaskListSchema = z.object({ tasks: z.array(TaskSummarySchema) }).openapi('TaskList');

export const VersionDetailSchema = z
  .object({
    name: z.string(),
    task: z.string(),
    version: z.number().int(),
    status: VersionStatus,
    createdAt: z.string(),
    description: z.string(),
    architecture: z.string(),
    parameters: z.number().int(),
    inputs: z.array(
      z.object({
        name: z.string(),
        unit: z.string(),
        offset: z.number(),
        scale: z.number(),
        description: z.string().optional(),
      }),
    ),
    image: z
      .object({
        name: z.string(),
        shape: z.array(z.number().int()),
        unit: z.string(),
        description: z.string().optional(),
      })
      .optional(),
    outputs: z.array(z.object({ name: z.string(), kind: z.string(), unit: z.string() })),
    workingPoints: z.array(
      z.object({
        name: z.string(),
        signalEfficiency: z.number(),
        threshold: z.number(),
        backgroundEfficiency: z.number(),
      }),
    ),
    metrics: z.record(z.string(), z.number()),
    scaleFactors: z.boolean().openapi({ description: 'whether the bundle carries correctionlib scale factors' }),
    lineage: z
      .object({
        datasetHash: z.string(),
        codeVersion: z.string(),
        seed: z.number(),
        createdAt: z.string(),
        backend: z.string(),
        source: z
          .object({
            format: z.string(),
            file: z.string(),
            sha256: z.string(),
            producer: z.string(),
            producerVersion: z.string().optional(),
          })
          .optional()
          .openapi({ description: 'an imported model: the original file, its sha256, format and producer' }),
      })
      .openapi({ description: 'how the version was made: data, code, seed, time, backend (and source when imported)' }),
    files: z.array(z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() })),
    links: z.record(z.string(), z.string()),
  })
  .openapi('VersionDetail');

export const ModelDetailSchema = VersionDetailSchema.extend({
  visibility: Visibility,
  latestVersion: z.number().int(),
  versions: z.array(VersionSummarySchema.omit({ datasetHash: true, codeVersion: true })),
}).openapi('ModelDetail');

export const ScaleFactorTableSchema = z
  .object({
    model: z.string(),
    version: z.number().int(),
    tables: z.array(
      z.object({
        correction: z.string(),
        workingPoint: z.string().nullable(),
        description: z.string().optional(),
        etaVariable: z.string().openapi({ description: 'abseta (|η|) or eta: what the absEta* edges are' }),
        ptEdges: z.array(z.number()).openapi({ description: 'GeV; the last may be Infinity, written as null' }),
        absEtaEdges: z.array(z.number()),
        bins: z.array(
          z.object({
            ptLo: z.number(),
            ptHi: z.number().nullable(),
            absEtaLo: z.number(),
            absEtaHi: z.number(),
            value: z.number(),
            up: z.number(),
            down: z.number(),
            uncertainty: z.number(),
          }),
        ),
      }),
    ),
  })
  .openapi('ScaleFactorTables');

// ---- KServe v2 (open inference protocol) ---------------------------------------------------

/**
 * Tensor datatypes accepted on input: every numeric type of the protocol and BOOL (values reach
 * the models as float32). BYTES is refused: no model here takes strings.
 */
export const KServeDatatype = z.enum(TENSOR_DATATYPES, {
  error: () => `must be one of ${TENSOR_DATATYPES.join(', ')} (BYTES is not supported: the models take numbers)`,
});

const Parameter = z.union([z.string(), z.number(), z.boolean()]);

/**
 * JSON tensor data: flat row-major values, or arrays nested row-major as the shape (`[[0.5],
 * [0.6]]` for shape [2, 1]). Checked element by element against shape and datatype by the route
 * (one pass, without a schema per element), which names the element at fault.
 */
export const TensorDataSchema = z
  .custom<unknown[]>((v) => Array.isArray(v), { message: 'must be an array (flat or nested as the shape)' })
  .openapi({
    type: 'array',
    items: {},
    description:
      'flat, row-major, or nested row-major as the shape; numbers (integers in range for the integer types), true/false for BOOL',
  });

export const InferInputSchema = z
  .object({
    name: z.string().min(1).max(64),
    shape: z.array(z.number().int().nonnegative()).min(1).max(4),
    datatype: KServeDatatype.openapi({ example: 'FP32' }),
    parameters: z
      .object({
        binary_data_size: z.number().int().nonnegative().optional().openapi({
          description:
            'binary tensor data extension: the tensor is sent as this many bytes after the JSON header (little-endian, row-major); `data` is then absent',
        }),
      })
      .catchall(Parameter)
      .optional(),
    data: TensorDataSchema.optional(),
  })
  .strict()
  .openapi('InferInputTensor');

export const InferRequestSchema = z
  .object({
    id: z.string().max(256).optional(),
    /** Some clients repeat the path's model in the body (the binary extension's own example does). */
    model_name: z.string().max(128).optional(),
    model_version: z.string().max(16).optional(),
    parameters: z
      .object({
        binary_data_output: z.boolean().optional().openapi({
          description: 'every output as binary tensor data unless its own `binary_data` says otherwise',
        }),
      })
      .catchall(Parameter)
      .optional(),
    inputs: z.array(InferInputSchema).min(1).max(64),
    outputs: z
      .array(
        z
          .object({
            name: z.string().min(1).max(64),
            parameters: z
              .object({
                binary_data: z.boolean().optional().openapi({ description: 'this output as binary tensor data' }),
              })
              .catchall(Parameter)
              .optional(),
          })
          .strict(),
      )
      .max(64)
      .optional(),
  })
  .strict()
  .openapi('InferRequest');

export const InferOutputSchema = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int()),
    datatype: z.literal('FP32'),
    parameters: z
      .object({ binary_data_size: z.number().int().openapi({ description: 'bytes of this output after the header' }) })
      .optional(),
    data: z.array(z.number()).optional().openapi({ description: 'absent when the output is sent as binary data' }),
  })
  .openapi('InferOutputTensor');

export const InferResponseSchema = z
  .object({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().optional(),
    outputs: z.array(InferOutputSchema),
  })
  .openapi('InferResponse');

/** The protocol's error body on `/v2`: the message as a string; `code` and `field` beside it. */
export const KServeErrorSchema = z
  .object({
    error: z.string(),
    code: z.string(),
    field: z.string().optional(),
  })
  .openapi('KServeError', {
    example: { error: 'inputs[0].data[1]: must be a finite number', code: 'invalid_input', field: 'inputs[0].data[1]' },
  });

/** One entry of the Triton model-repository index (`POST /v2/repository/index`). */
export const RepositoryIndexEntrySchema = z
  .object({
    name: z.string(),
    version: z.string(),
    state: z.enum(['READY', 'UNAVAILABLE']),
    reason: z.string(),
  })
  .openapi('RepositoryIndexEntry');

export const RepositoryIndexRequestSchema = z
  .object({
    ready: z.boolean().optional().openapi({ description: 'true: only the versions that can serve now' }),
  })
  .strict()
  .openapi('RepositoryIndexRequest');

const TensorMetadata = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });

export const KServeModelMetadataSchema = z
  .object({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.string(),
    inputs: z.array(TensorMetadata),
    outputs: z.array(TensorMetadata),
  })
  .openapi('KServeModelMetadata');
