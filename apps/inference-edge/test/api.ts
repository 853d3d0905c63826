import { exports } from 'cloudflare:workers';

/** Sends a request to the worker under test (inside workerd). */
export const api = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://edge${path}`, init));

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

/** The error envelope of a failed answer. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  return ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;
}
