import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import app from '../src/index.ts';

/**
 * Sends a request to the worker under test, inside workerd, with the bindings of wrangler.toml.
 * It calls the worker's fetch handler directly: going through `exports.default.fetch` costs time
 * that grows with every request in the same isolate under vitest-pool-workers (measured: 6 ms a
 * request over the first 100, 39 ms at 300, 127 ms at 600, ~570 ms after ~1,300), which made the
 * fuzz suite take 15 min;
 * the handler itself answers in ~0.1 ms. `src/routes/tokens.test.ts` keeps the entry-point path.
 */
export async function api(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://edge${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** POSTs a JSON body, with an optional bearer token. */
export const post = (path: string, body: unknown, token?: string) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** GETs a path, with an optional bearer token. */
export const get = (path: string, token?: string) =>
  api(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});

/**
 * The error of a failed answer as `{code, message, field}`: the `/v1` envelope's `error` object, or
 * the `/v2` protocol form (`error` the message string, `code` and `field` beside it).
 */
export async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  const body = (await res.json()) as
    | { error: { code: string; message: string; field?: string } }
    | { error: string; code: string; field?: string };
  if (typeof body.error !== 'string') return body.error;
  const v2 = body as { error: string; code: string; field?: string };
  return { code: v2.code, message: v2.error, ...(v2.field !== undefined ? { field: v2.field } : {}) };
}
