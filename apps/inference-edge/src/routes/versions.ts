import { BundleError, writeTar } from '@hepml/models/bundle';
import {
  attachScaleFactors,
  auditTrail,
  deprecateVersion,
  listVersions,
  openRegistry,
  parseScaleFactorTables,
  promoteVersion,
  resolveVersion,
  SCALE_FACTOR_TABLES_FILE,
  setVisibility,
} from '@hepml/models/registry';
import { type CorrectionSetV2, DataFormatError, validateCorrectionSet } from '@hepml/physics';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { endpoint, MODEL_UNAVAILABLE } from '../lib/endpoint.ts';
import { fetchVerifiedFile } from '../lib/model-cache.ts';
import { invalidateModel, versionOf } from '../lib/resolve.ts';
import { scaleFactorLookups } from '../lib/scale-factors.ts';
import {
  AttachScaleFactorsSchema,
  AuditTrailSchema,
  ErrorEnvelopeSchema,
  NameParams,
  NameVersionParams,
  NumberedVersionParams,
  VersionListSchema,
  VisibilityRequestSchema,
} from '../schemas.ts';

/**
 * Versions, downloads and the life cycle of a model under `/v1/models/{name}`. Reads answer 404
 * for models the caller may not see (never 403, so private names do not leak); changes need a
 * token with the publish scope that owns the model.
 */
export const versionsRoute = new OpenAPIHono<AppEnv>();

/** Life-cycle changes need the publish scope and ownership of the model. */
const writeResponses = {
  403: { description: 'The token lacks the publish scope or does not own the model', schema: ErrorEnvelopeSchema },
};

endpoint(
  versionsRoute,
  {
    method: 'get',
    path: '/{name}/versions',
    summary: 'List the versions of a model, newest first, with status and lineage',
    tags: ['models'],
    params: NameParams,
    responses: { 200: { description: 'Versions', schema: VersionListSchema } },
  },
  async (c, { params }) => {
    const versions = await listVersions(openRegistry(c.env.DB), params.name, c.get('principal'));
    return c.json({ name: params.name, versions });
  },
);

endpoint(
  versionsRoute,
  {
    method: 'get',
    path: '/{name}/audit',
    summary: 'The audit trail of a model (publishes, deprecations, promotions, visibility changes)',
    tags: ['models'],
    params: NameParams,
    responses: { 200: { description: 'Entries, newest first', schema: AuditTrailSchema } },
  },
  async (c, { params }) => {
    const entries = await auditTrail(openRegistry(c.env.DB), params.name, c.get('principal'));
    return c.json({
      name: params.name,
      entries: entries.map((e) => ({ ...e, details: JSON.parse(e.details) as unknown })),
    });
  },
);

/**
 * One request gives a collaborator the whole version: a tar of `manifest.json` and every file it
 * lists, each checked against its sha256 before it is sent (the receiver can check them again).
 */
endpoint(
  versionsRoute,
  {
    method: 'get',
    path: '/{name}/versions/{version}/bundle',
    summary: 'Download a version as a tar of manifest.json and its files (hashes checked before sending)',
    tags: ['models'],
    params: NameVersionParams,
    responses: {
      200: { description: 'application/x-tar' },
      503: MODEL_UNAVAILABLE,
    },
  },
  async (c, { params }) => {
    const resolved = await resolveVersion(
      openRegistry(c.env.DB),
      params.name,
      versionOf(params.version),
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
  },
);

endpoint(
  versionsRoute,
  {
    method: 'post',
    path: '/{name}/versions/{version}/deprecate',
    summary: 'Deprecate a version (it stays downloadable by number; latest skips it)',
    tags: ['publishing'],
    scope: 'publish',
    params: NumberedVersionParams,
    responses: { 200: { description: 'Deprecated' }, ...writeResponses },
  },
  async (c, { params }) => {
    const version = Number(params.version);
    await deprecateVersion(openRegistry(c.env.DB), params.name, version, c.get('principal'));
    invalidateModel(params.name);
    return c.json({ name: params.name, version, status: 'deprecated' });
  },
);

endpoint(
  versionsRoute,
  {
    method: 'post',
    path: '/{name}/versions/{version}/promote',
    summary: 'Promote a version as the recommended model of its task',
    tags: ['publishing'],
    scope: 'publish',
    params: NumberedVersionParams,
    responses: {
      200: { description: 'Promoted' },
      409: { description: 'The version is deprecated' },
      ...writeResponses,
    },
  },
  async (c, { params }) => {
    const version = Number(params.version);
    await promoteVersion(openRegistry(c.env.DB), params.name, version, c.get('principal'));
    return c.json({ name: params.name, version, recommended: true });
  },
);

endpoint(
  versionsRoute,
  {
    method: 'patch',
    path: '/{name}',
    summary: 'Change who can see a model (private, collaboration, public)',
    tags: ['publishing'],
    scope: 'publish',
    params: NameParams,
    body: VisibilityRequestSchema,
    maxBodyBytes: 4096,
    responses: { 200: { description: 'The new visibility' }, ...writeResponses },
  },
  async (c, { params, body }) => {
    await setVisibility(openRegistry(c.env.DB), params.name, body.visibility, c.get('principal'), body.collaboration);
    invalidateModel(params.name);
    return c.json({
      name: params.name,
      visibility: body.visibility,
      ...(body.collaboration ? { collaboration: body.collaboration } : {}),
    });
  },
);

/**
 * Attaches (or replaces) the scale factors of a version. A published version never changes, so
 * this publishes the next version: the same files (each checked against its sha256), the given
 * correctionlib file and tables as its calibration, the old version as its parent. Both documents
 * are validated first; an error names the field and the JSON path inside it.
 */
endpoint(
  versionsRoute,
  {
    method: 'post',
    path: '/{name}/versions/{version}/scale-factors',
    summary: 'Attach or replace scale factors: publishes a new version with them (parent: this one)',
    tags: ['publishing'],
    scope: 'publish',
    params: NameVersionParams,
    body: AttachScaleFactorsSchema,
    responses: {
      201: { description: 'The new version' },
      409: { description: 'A file of the old version is missing or does not match its hash' },
      ...writeResponses,
    },
  },
  async (c, { params, body }) => {
    let set: CorrectionSetV2;
    try {
      set = validateCorrectionSet(body.correctionlib);
    } catch (err) {
      if (err instanceof DataFormatError) {
        throw new ApiError(
          400,
          'invalid_correctionlib',
          err.message,
          `correctionlib.${err.column ?? '$'}`.replace('.$', ''),
        );
      }
      throw err;
    }
    const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc, null, 1));
    const tables = body.tables === undefined ? undefined : encode(body.tables);
    if (tables) {
      try {
        parseScaleFactorTables(SCALE_FACTOR_TABLES_FILE, tables);
      } catch (err) {
        if (err instanceof BundleError) throw new ApiError(400, 'invalid_tables', err.message, 'tables');
        throw err;
      }
    }
    const db = openRegistry(c.env.DB);
    const parent = await resolveVersion(db, params.name, versionOf(params.version), c.get('principal'));
    // Scale factors belong to a tagger's working points: the file must give one for at least one
    // of them (by the naming convention the predictions look them up with).
    const workingPoints = parent.manifest.workingPoints.map((w) => w.name);
    if (workingPoints.length === 0) {
      throw new ApiError(400, 'no_working_points', `${params.name} has no working points to scale`, 'correctionlib');
    }
    if (scaleFactorLookups(set, workingPoints).size === 0) {
      throw new ApiError(
        400,
        'invalid_correctionlib',
        `no correction gives the scale factor of a working point of ${params.name} (${workingPoints.join(', ')}) from pt and |η|`,
        'correctionlib.corrections',
      );
    }
    const published = await attachScaleFactors(db, c.env.MODELS, params.name, parent.version, {
      actor: c.get('principal'),
      correctionlib: encode(body.correctionlib),
      ...(tables ? { tables } : {}),
    });
    invalidateModel(published.name);
    const base = `/v1/models/${published.name}/versions/${published.version}`;
    return c.json(
      {
        name: published.name,
        version: published.version,
        parentVersion: parent.version,
        files: published.files,
        links: {
          version: base,
          scaleFactors: `/v1/models/${published.name}/scale-factors`,
          predict: `${base}/predict`,
        },
      },
      201,
      { Location: base },
    );
  },
);
