import { RegistryError } from '@hepml/models/registry';
import { BundleError, ModelInputError } from '@hepml/models/runtime';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The JSON error envelope every failing request answers with. */
export interface ErrorEnvelope {
  error: { code: string; message: string; field?: string };
}

/** An error with its HTTP status, machine-readable code and, for bad input, the field at fault. */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: ContentfulStatusCode, code: string, message: string, field?: string) {
    super(status, { message });
    this.code = code;
    this.field = field;
  }
}

/** Turns any thrown error into the JSON envelope with the right status; unknown errors become 500. */
export function errorResponse(err: unknown, c: Context): Response {
  let status: ContentfulStatusCode = 500;
  let body: ErrorEnvelope;
  if (err instanceof ApiError) {
    status = err.status;
    body = { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
  } else if (err instanceof ModelInputError) {
    status = 400;
    body = { error: { code: 'invalid_input', message: err.message, ...(err.field ? { field: err.field } : {}) } };
  } else if (err instanceof RegistryError) {
    status = err.status;
    body = { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
  } else if (err instanceof BundleError) {
    // A bundle that fails verification is never served; the reason goes to the logs only.
    console.error('bundle refused:', err.message);
    status = 503;
    body = { error: { code: 'model_unavailable', message: 'this model version is unavailable' } };
  } else if (err instanceof HTTPException) {
    status = err.status;
    body = { error: { code: 'http_error', message: err.message || 'request failed' } };
  } else {
    console.error('unhandled error:', err);
    body = { error: { code: 'internal', message: 'internal error' } };
  }
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="hepml-edge"');
  return c.json(body, status);
}
