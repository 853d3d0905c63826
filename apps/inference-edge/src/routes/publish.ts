import { BundleError, readBundle, readTar } from '@hepml/models/bundle';
import { openRegistry, publishBundle } from '@hepml/models/registry';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { endpoint, validate } from '../lib/endpoint.ts';
import { invalidateModel } from '../lib/resolve.ts';
import { ErrorEnvelopeSchema } from '../schemas.ts';

/** The options of a publish: query parameters of a tar upload, or fields of a multipart one. */
const PublishOptions = z.object({
  visibility: z
    .enum(['private', 'collaboration', 'public'], { error: 'must be one of private, collaboration, public' })
    .optional()
    .openapi({ description: 'of a model published for the first time (default private)' }),
  collaboration: z.string().optional().openapi({ description: 'required with visibility collaboration' }),
  parentVersion: z
    .string()
    .refine((s) => Number.isInteger(Number(s)) && Number(s) > 0, 'must be a positive integer')
    .optional()
    .openapi({ description: 'the version this one derives from', example: '1' }),
});

const TAR = z.string().openapi({ format: 'binary', description: 'a tar of the bundle directory' });

const Published = z
  .object({
    name: z.string(),
    version: z.number().int(),
    task: z.string(),
    files: z.array(z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() })),
    links: z.record(z.string(), z.string()),
  })
  .openapi('Published');

/**
 * `POST /v1/models`: publishes a bundle as the next version of its model.
 *
 * The body is either `multipart/form-data` with a `bundle` file (a tar of the bundle directory)
 * and optional `visibility`, `collaboration`, `parentVersion` fields, or the tar itself as
 * `application/x-tar` with the same options as query parameters. The server re-reads every file,
 * validates the manifest strictly and recomputes each sha256 before anything is stored; the
 * version becomes visible in one D1 transaction (see `publishBundle`).
 */
export const publishRoute = new OpenAPIHono<AppEnv>();

endpoint(
  publishRoute,
  {
    method: 'post',
    path: '/',
    summary: 'Publish a bundle as the next version of its model',
    description:
      'A tar of the bundle directory as `application/x-tar` (options as query parameters) or as the `bundle` file of `multipart/form-data` (options as form fields). Every file is re-read and checked against the manifest before anything is stored; the version becomes visible in one transaction. Over `MAX_UPLOAD_BYTES` is 413.',
    tags: ['publishing'],
    scope: 'publish',
    query: PublishOptions,
    upload: {
      'application/x-tar': TAR,
      'multipart/form-data': PublishOptions.extend({ bundle: TAR }),
    },
    responses: {
      201: { description: 'The new version (Location: its URL)', schema: Published },
      403: { description: 'The token lacks the publish scope or does not own the model', schema: ErrorEnvelopeSchema },
      409: { description: 'The model belongs to another task, or storing failed', schema: ErrorEnvelopeSchema },
      413: { description: 'Upload over the limit', schema: ErrorEnvelopeSchema },
      415: { description: 'Neither multipart/form-data nor application/x-tar', schema: ErrorEnvelopeSchema },
      422: {
        description: 'The bundle is malformed; `error.field` names the file or field',
        schema: ErrorEnvelopeSchema,
      },
    },
  },
  async (c, { query }) => {
    const maxBytes = Number(c.env.MAX_UPLOAD_BYTES);
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > maxBytes) {
      throw new ApiError(413, 'payload_too_large', `upload exceeds ${maxBytes} bytes`, 'bundle');
    }
    const type = c.req.header('content-type') ?? '';
    let archive: Uint8Array;
    let options: z.infer<typeof PublishOptions>;
    if (type.startsWith('multipart/form-data')) {
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw new ApiError(400, 'invalid_input', 'body is not valid multipart/form-data', 'body');
      }
      const file: unknown = form.get('bundle');
      if (!(file instanceof Blob)) {
        throw new ApiError(400, 'invalid_input', 'multipart field "bundle" must be a file', 'bundle');
      }
      archive = new Uint8Array(await file.arrayBuffer());
      const fields: Record<string, unknown> = {};
      for (const name of Object.keys(PublishOptions.shape)) {
        const v = form.get(name);
        if (v !== null) fields[name] = v;
      }
      options = validate(PublishOptions, fields);
    } else if (type.startsWith('application/x-tar') || type.startsWith('application/octet-stream')) {
      archive = new Uint8Array(await c.req.arrayBuffer());
      options = query;
    } else {
      throw new ApiError(
        415,
        'unsupported_media_type',
        'send multipart/form-data or application/x-tar',
        'content-type',
      );
    }
    if (archive.byteLength > maxBytes) {
      throw new ApiError(413, 'payload_too_large', `upload exceeds ${maxBytes} bytes`, 'bundle');
    }
    if (archive.byteLength === 0) throw new ApiError(400, 'invalid_bundle', 'the bundle archive is empty', 'bundle');

    let bundle: Awaited<ReturnType<typeof readBundle>>;
    try {
      bundle = await readBundle(readTar(archive));
    } catch (err) {
      if (err instanceof BundleError) throw new ApiError(422, 'invalid_bundle', err.message, err.field ?? 'bundle');
      throw err;
    }
    const published = await publishBundle(openRegistry(c.env.DB), c.env.MODELS, bundle, {
      actor: c.get('principal'),
      ...(options.visibility ? { visibility: options.visibility } : {}),
      ...(options.collaboration ? { collaboration: options.collaboration } : {}),
      ...(options.parentVersion ? { parentVersion: Number(options.parentVersion) } : {}),
    });
    invalidateModel(published.name);
    const base = `/v1/models/${published.name}/versions/${published.version}`;
    return c.json(
      {
        name: published.name,
        version: published.version,
        task: bundle.manifest.task,
        files: published.files,
        links: { version: base, bundle: `${base}/bundle`, predict: `${base}/predict` },
      },
      201,
      { Location: base },
    );
  },
);
