import { BundleError, readBundle, readTar } from '@hepml/models/bundle';
import { openRegistry, publishBundle, type Visibility } from '@hepml/models/registry';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { invalidateModel } from '../lib/resolve.ts';
import { requireScope } from '../middleware/auth/index.ts';

const VISIBILITIES: readonly Visibility[] = ['private', 'collaboration', 'public'];

/**
 * `POST /v1/models`: publishes a bundle as the next version of its model.
 *
 * The body is either `multipart/form-data` with a `bundle` file (a tar of the bundle directory)
 * and optional `visibility`, `collaboration`, `parentVersion` fields, or the tar itself as
 * `application/x-tar` with the same options as query parameters. The server re-reads every file,
 * validates the manifest strictly and recomputes each sha256 before anything is stored; the
 * version becomes visible in one D1 transaction (see `publishBundle`).
 */
export const publishRoute = new Hono<AppEnv>();

publishRoute.post('/', requireScope('publish'), async (c) => {
  const maxBytes = Number(c.env.MAX_UPLOAD_BYTES);
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw new ApiError(413, 'payload_too_large', `upload exceeds ${maxBytes} bytes`, 'bundle');
  const type = c.req.header('content-type') ?? '';
  let archive: Uint8Array;
  let field: (name: string) => string | undefined;
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw new ApiError(400, 'invalid_body', 'body is not valid multipart/form-data', 'body');
    }
    const file: unknown = form.get('bundle');
    if (!(file instanceof Blob))
      throw new ApiError(400, 'invalid_body', 'multipart field "bundle" must be a file', 'bundle');
    archive = new Uint8Array(await file.arrayBuffer());
    field = (name) => {
      const v = form.get(name);
      if (v !== null && typeof v !== 'string') throw new ApiError(400, 'invalid_body', `"${name}" must be text`, name);
      return v ?? undefined;
    };
  } else if (type.startsWith('application/x-tar') || type.startsWith('application/octet-stream')) {
    archive = new Uint8Array(await c.req.arrayBuffer());
    field = (name) => c.req.query(name);
  } else {
    throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data or application/x-tar', 'content-type');
  }
  if (archive.byteLength > maxBytes)
    throw new ApiError(413, 'payload_too_large', `upload exceeds ${maxBytes} bytes`, 'bundle');
  if (archive.byteLength === 0) throw new ApiError(400, 'invalid_bundle', 'the bundle archive is empty', 'bundle');

  const visibility = field('visibility');
  if (visibility !== undefined && !VISIBILITIES.includes(visibility as Visibility)) {
    throw new ApiError(400, 'invalid_body', `visibility must be one of ${VISIBILITIES.join(', ')}`, 'visibility');
  }
  const parentRaw = field('parentVersion');
  const parentVersion = parentRaw === undefined ? undefined : Number(parentRaw);
  if (parentVersion !== undefined && (!Number.isInteger(parentVersion) || parentVersion <= 0)) {
    throw new ApiError(400, 'invalid_body', 'parentVersion must be a positive integer', 'parentVersion');
  }

  let bundle: Awaited<ReturnType<typeof readBundle>>;
  try {
    bundle = await readBundle(readTar(archive));
  } catch (err) {
    if (err instanceof BundleError) throw new ApiError(422, 'invalid_bundle', err.message, err.field ?? 'bundle');
    throw err;
  }
  const collaboration = field('collaboration');
  const published = await publishBundle(openRegistry(c.env.DB), c.env.MODELS, bundle, {
    actor: c.get('principal'),
    ...(visibility ? { visibility: visibility as Visibility } : {}),
    ...(collaboration ? { collaboration } : {}),
    ...(parentVersion ? { parentVersion } : {}),
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
});
