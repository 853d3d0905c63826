import {
  findReadableModel,
  listModels,
  listVersions,
  openRegistry,
  type ResolvedVersion,
  resolveVersion,
} from '@hepml/models/registry';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { endpoint, MODEL_UNAVAILABLE, TOO_LARGE } from '../lib/endpoint.ts';
import { type PredictRequest, predictV1, prepareV1 } from '../lib/inference.ts';
import { imageOf, scaleFactorsPathOf } from '../lib/manifest-view.ts';
import { requestedModel } from '../lib/model-cache.ts';
import { versionOf } from '../lib/resolve.ts';
import { type ScaleFactorGrid, scaleFactorLookups, tabulateScaleFactors } from '../lib/scale-factors.ts';
import { timed } from '../middleware/request-context/index.ts';
import {
  ListModelsQuery,
  ModelDetailSchema,
  ModelListSchema,
  NameParams,
  NameVersionParams,
  PredictRequestSchema,
  PredictResponseSchema,
  ScaleFactorsQuery,
  ScaleFactorTableSchema,
  VersionDetailSchema,
} from '../schemas.ts';

/** `/v1/models`: listing, model and version descriptions, prediction and scale factors. */
export const modelsRoute = new OpenAPIHono<AppEnv>();

endpoint(
  modelsRoute,
  {
    method: 'get',
    path: '/',
    summary: 'List the models the caller may see',
    tags: ['models'],
    query: ListModelsQuery,
    responses: {
      200: { description: 'Models with their newest active version and its metrics', schema: ModelListSchema },
    },
  },
  async (c, { query }) => {
    const viewer = c.get('principal');
    const models = await listModels(openRegistry(c.env.DB), query.task ? { task: query.task, viewer } : { viewer });
    return c.json({ models });
  },
);

/** The description of one version: manifest inputs (with units), outputs, working points, metrics, files. */
function versionDetail(resolved: ResolvedVersion) {
  const m = resolved.manifest;
  const base = `/v1/models/${resolved.name}/versions/${resolved.version}`;
  const image = imageOf(m);
  return {
    name: resolved.name,
    task: resolved.task,
    version: resolved.version,
    status: resolved.status,
    createdAt: resolved.createdAt,
    description: m.description,
    architecture: m.architecture.kind,
    parameters: m.architecture.parameters,
    inputs: m.inputs,
    ...(image ? { image } : {}),
    outputs: m.outputs,
    workingPoints: m.workingPoints,
    metrics: m.metrics,
    scaleFactors: scaleFactorsPathOf(m) !== undefined,
    lineage: m.lineage,
    files: m.files,
    links: {
      self: base,
      predict: `${base}/predict`,
      bundle: `${base}/bundle`,
      scaleFactors: `/v1/models/${resolved.name}/scale-factors?version=${resolved.version}`,
      kserve: `/v2/models/${resolved.name}/versions/${resolved.version}`,
    },
  };
}

endpoint(
  modelsRoute,
  {
    method: 'get',
    path: '/{name}',
    summary:
      'Describe a model: its newest version (manifest, inputs with units, outputs, working points, metrics) and all versions',
    tags: ['models'],
    params: NameParams,
    responses: { 200: { description: 'The model', schema: ModelDetailSchema } },
  },
  async (c, { params }) => {
    const db = openRegistry(c.env.DB);
    const viewer = c.get('principal');
    const model = await findReadableModel(db, params.name, viewer);
    const resolved = await resolveVersion(db, params.name, 'latest', viewer);
    const versions = await listVersions(db, params.name, viewer);
    c.header('x-hepml-version', String(resolved.version));
    return c.json({
      ...versionDetail(resolved),
      visibility: model.visibility,
      latestVersion: resolved.version,
      versions: versions.map((v) => ({
        version: v.version,
        status: v.status,
        parameters: v.parameters,
        createdAt: v.createdAt,
        parentVersion: v.parentVersion,
        publishedBy: v.publishedBy,
      })),
    });
  },
);

endpoint(
  modelsRoute,
  {
    method: 'get',
    path: '/{name}/versions/{version}',
    summary: 'Describe one version (`latest`: the newest active one)',
    tags: ['models'],
    params: NameVersionParams,
    responses: { 200: { description: 'The version', schema: VersionDetailSchema } },
  },
  async (c, { params }) => {
    const resolved = await resolveVersion(
      openRegistry(c.env.DB),
      params.name,
      versionOf(params.version),
      c.get('principal'),
    );
    c.header('x-hepml-version', String(resolved.version));
    return c.json(versionDetail(resolved));
  },
);

const predictDescription =
  'Rows as objects keyed by input name, or columns. Taggers answer per row the score, the decision at each working point and, when the row gives `pt` (GeV) and `eta` and the model has scale factors, the scale factor with its uncertainty at `workingPoint` (default medium). Energy regressions answer the calibrated energy (GeV) and, for Crystal-Ball models, its resolution σ (GeV). CNN images come as `image: {shape: [n, height, width, channels], data: [...]}` (flat, row-major). Over `MAX_BATCH_ROWS` rows is 413.';

const predictHandler = async (
  c: Context<AppEnv>,
  { params, body }: { params: { name: string; version?: string }; body: PredictRequest },
) => {
  const model = await requestedModel(c, params);
  const batch = timed(c, 'parseMs', () => prepareV1(model, body, Number(c.env.MAX_BATCH_ROWS)));
  const result = predictV1(model, batch, body.workingPoint, (f) => timed(c, 'modelMs', f));
  c.set('served', { model: model.name, version: model.version, rows: batch.n });
  c.header('x-hepml-version', String(model.version));
  return c.json(result);
};

const predictResponses = {
  200: { description: 'Predictions; `version` says which version answered', schema: PredictResponseSchema },
  413: TOO_LARGE,
  503: MODEL_UNAVAILABLE,
};

endpoint(
  modelsRoute,
  {
    method: 'post',
    path: '/{name}/predict',
    summary: 'Predict with the newest active version',
    description: predictDescription,
    tags: ['predict'],
    params: NameParams,
    body: PredictRequestSchema,
    responses: predictResponses,
  },
  predictHandler,
);

endpoint(
  modelsRoute,
  {
    method: 'post',
    path: '/{name}/versions/{version}/predict',
    summary: 'Predict with one version (`latest` allowed)',
    description: predictDescription,
    tags: ['predict'],
    params: NameVersionParams,
    body: PredictRequestSchema,
    responses: predictResponses,
  },
  predictHandler,
);

endpoint(
  modelsRoute,
  {
    method: 'get',
    path: '/{name}/scale-factors',
    summary: 'Scale factors of a version as pT × |η| tables (json) or the correctionlib v2 file',
    tags: ['scale factors'],
    params: NameParams,
    query: ScaleFactorsQuery,
    responses: {
      200: {
        description: 'Tables (format=json) or the correctionlib schema-v2 document',
        schema: ScaleFactorTableSchema,
      },
      503: MODEL_UNAVAILABLE,
    },
  },
  async (c, { params, query }) => {
    const model = await requestedModel(c, { name: params.name, version: query.version });
    c.header('x-hepml-version', String(model.version));
    const sf = model.scaleFactors;
    if (!sf) {
      throw new ApiError(404, 'no_scale_factors', `${model.name} v${model.version} has no scale factors`, 'name');
    }
    if (query.format === 'correctionlib') {
      return c.body(sf.bytes.slice().buffer, 200, {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="${model.name}-v${model.version}-${sf.path}"`,
      });
    }
    // Every correction usable per working point is tabulated, including working points the
    // manifest does not list (a correction named after them).
    const wps = new Set(model.manifest.workingPoints.map((w) => w.name));
    for (const name of ['loose', 'medium', 'tight']) wps.add(name);
    const tables: ScaleFactorGrid[] = [];
    for (const lookup of scaleFactorLookups(sf.set, [...wps]).values()) {
      const grid = tabulateScaleFactors(lookup);
      if (grid) tables.push(grid);
    }
    return c.json({ model: model.name, version: model.version, tables });
  },
);
