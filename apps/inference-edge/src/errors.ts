import { RegistryError } from '@hepml/models/registry';
import { BundleError, ModelInputError } from '@hepml/models/runtime';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The JSON error envelope every failing `/v1` (and other non-`/v2`) request answers with. */
export interface ErrorEnvelope {
  error: { code: string; message: string; field?: string };
}

/**
 * The open inference protocol's error body, which `/v2` answers with: `error` is the message as
 * a string (tritonclient and the KServe client read `body["error"]` as text); `code` and `field`
 * stay beside it so a client can still tell the cases apart and find the field at fault.
 */
export interface KServeError {
  error: string;
  code: string;
  field?: string;
}

/** An error with its HTTP status, machine-readable code and, for bad input, the field at fault. */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly field: string | undefined;
  /** Extra response headers (e.g. `WWW-Authenticate` with the RFC 6750 error code). */
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    field?: string,
    headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.code = code;
    this.field = field;
    this.headers = headers;
  }
}

/** Whether a path is under the KServe v2 prefix (`/v2`, `/v2/...`). */
export function isKServePath(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}

/**
 * Turns any thrown error into the JSON error answer with the right status: the envelope on `/v1`,
 * the protocol's `{"error": "<message>", "code", "field"}` on `/v2`; unknown errors become 500
 * without internals (logged).
 */
export function errorResponse(err: unknown, c: Context): Response {
  let status: ContentfulStatusCode = 500;
  let e: ErrorEnvelope['error'];
  if (err instanceof ApiError) {
    status = err.status;
    e = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  } else if (err instanceof ModelInputError) {
    status = 400;
    e = { code: 'invalid_input', message: err.message, ...(err.field ? { field: err.field } : {}) };
  } else if (err instanceof RegistryError) {
    status = err.status;
    e = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  } else if (err instanceof BundleError) {
    // A bundle that fails verification is never served; the reason goes to the logs only.
    console.error('bundle refused:', err.message);
    status = 503;
    e = { code: 'model_unavailable', message: 'this model version is unavailable' };
  } else if (err instanceof HTTPException) {
    status = err.status;
    e = { code: 'http_error', message: err.message || 'request failed' };
  } else {
    console.error('unhandled error:', err);
    e = { code: 'internal', message: 'internal error' };
  }
  if (status === 401 && !(err instanceof ApiError && 'WWW-Authenticate' in err.headers)) {
    c.header('WWW-Authenticate', 'Bearer realm="hepml-edge"');
  }
  if (isKServePath(c.req.path)) {
    const body: KServeError = { error: e.message, code: e.code, ...(e.field ? { field: e.field } : {}) };
    return c.json(body, status);
  }
  return c.json({ error: e } satisfies ErrorEnvelope, status);
}
