import type { RequestHandler } from '@sveltejs/kit';

/**
 * CORS for the widgets' JSON: any page may read it, without credentials. The endpoints answer as
 * the anonymous visitor whatever cookie comes along, so a private model can never leak to an
 * embedding page.
 */
export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '86400',
  vary: 'origin',
};

/** JSON with CORS and a short shared cache (leaderboards change when someone publishes). */
export function corsJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...CORS_HEADERS, 'content-type': 'application/json', 'cache-control': 'public, max-age=60' },
  });
}

/** The API's error envelope `{"error": {"code", "message", "field"?}}`, with CORS. */
export function corsError(status: number, code: string, message: string, field?: string): Response {
  return new Response(JSON.stringify({ error: { code, message, ...(field ? { field } : {}) } }), {
    status,
    headers: { ...CORS_HEADERS, 'content-type': 'application/json' },
  });
}

/** Preflight answer. */
export const preflight: RequestHandler = () => new Response(null, { status: 204, headers: CORS_HEADERS });
