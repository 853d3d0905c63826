/** @module auth — bearer tokens (RFC 6750, as Hono's bearer-auth parses them) to a principal, and scope checks. */
import { ANONYMOUS, authenticate, openRegistry, type Scope } from '@hepml/models/registry';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors.ts';

/** RFC 6750 `b64token` (what Hono's bearer-auth accepts): URL-safe and standard base64 characters, `=` padding. */
const TOKEN_RE = /^[A-Za-z0-9._~+/-]+=*$/;
const SCHEME = 'bearer';
const REALM = 'Bearer realm="hepml-edge"';

/**
 * The token of an `Authorization` header, parsed as Hono's bearer-auth does: the scheme `Bearer`
 * in any case, one space, then (after any further spaces) a b64token and nothing else. Anything
 * else is `undefined` (a malformed header).
 */
export function bearerToken(header: string): string | undefined {
  if (!header.toLowerCase().startsWith(SCHEME) || header[SCHEME.length] !== ' ') return undefined;
  const token = header.slice(SCHEME.length).trimStart();
  return TOKEN_RE.test(token) ? token : undefined;
}

/**
 * Resolves `Authorization: Bearer <token>` to a principal. No header means anonymous (public
 * models only). A malformed header is 400 with `WWW-Authenticate: Bearer error="invalid_request"`;
 * an unknown, expired or revoked token is 401 with `error="invalid_token"` — all three look alike,
 * so a caller cannot learn which tokens exist.
 */
export const authenticateRequest = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  if (header === undefined) {
    c.set('principal', ANONYMOUS);
    return next();
  }
  const token = bearerToken(header);
  if (token === undefined) {
    throw new ApiError(400, 'invalid_request', 'Authorization must be "Bearer <token>"', 'authorization', {
      'WWW-Authenticate': `${REALM}, error="invalid_request"`,
    });
  }
  const principal = await authenticate(openRegistry(c.env.DB), token);
  if (!principal) {
    throw new ApiError(401, 'invalid_token', 'token is invalid, expired or revoked', 'authorization', {
      'WWW-Authenticate': `${REALM}, error="invalid_token"`,
    });
  }
  c.set('principal', principal);
  return next();
});

/** Refuses the request unless its token carries `scope` (admin implies every scope). */
export function requireScope(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    if (p.userId === null)
      throw new ApiError(401, 'unauthenticated', `this route needs a token with the ${scope} scope`, 'authorization', {
        'WWW-Authenticate': REALM,
      });
    if (!p.scopes.includes(scope) && !p.scopes.includes('admin')) {
      throw new ApiError(403, 'insufficient_scope', `this token lacks the ${scope} scope`, 'authorization', {
        'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"`,
      });
    }
    return next();
  });
}
