import { ANONYMOUS, authenticate, openRegistry, type Scope } from '@hepml/models/registry';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors.ts';

const BEARER_RE = /^Bearer +([!-~]+)$/;

/**
 * Resolves `Authorization: Bearer <token>` to a principal. No header means anonymous (public
 * models only); a malformed, unknown, expired or revoked token is a 401 — all four look alike,
 * so a caller cannot learn which tokens exist.
 */
export const authenticateRequest = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  if (header === undefined) {
    c.set('principal', ANONYMOUS);
    return next();
  }
  const match = BEARER_RE.exec(header);
  const token = match?.[1];
  if (!token) throw new ApiError(401, 'invalid_token', 'Authorization must be "Bearer <token>"', 'authorization');
  const principal = await authenticate(openRegistry(c.env.DB), token);
  if (!principal) throw new ApiError(401, 'invalid_token', 'token is invalid, expired or revoked', 'authorization');
  c.set('principal', principal);
  return next();
});

/** Refuses the request unless its token carries `scope` (admin implies every scope). */
export function requireScope(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    if (p.userId === null)
      throw new ApiError(401, 'unauthenticated', `this route needs a token with the ${scope} scope`, 'authorization');
    if (!p.scopes.includes(scope) && !p.scopes.includes('admin')) {
      throw new ApiError(403, 'insufficient_scope', `this token lacks the ${scope} scope`, 'authorization');
    }
    return next();
  });
}
