import {
  addMember,
  createToken,
  ensureCollaboration,
  ensureUser,
  openRegistry,
  revokeToken,
  SCOPES,
  type Scope,
  tokenOwner,
} from '@hepml/models/registry';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { readJson } from '../lib/body.ts';
import { requireScope } from '../middleware/auth/index.ts';

const USER_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** `/v1/me`, `/v1/tokens` and `/v1/collaborations`: who am I, token life cycle, collaborations (admin). */
export const accountRoute = new Hono<AppEnv>();

async function objectBody(req: Request, allowed: readonly string[]): Promise<Record<string, unknown>> {
  const body = await readJson(req, 4096);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_body', 'body must be a JSON object', 'body');
  }
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw new ApiError(400, 'invalid_body', `unknown field "${k}"`, k);
  }
  return body as Record<string, unknown>;
}

function userName(v: unknown, field: string): string {
  if (typeof v !== 'string' || !USER_RE.test(v)) {
    throw new ApiError(400, 'invalid_body', `${field} must match [a-z0-9][a-z0-9._-]{0,63}`, field);
  }
  return v;
}

accountRoute.get('/me', (c) => {
  const p = c.get('principal');
  if (p.userId === null) throw new ApiError(401, 'unauthenticated', 'send a token to see who you are', 'authorization');
  return c.json({ user: p.userName, isAdmin: p.isAdmin, scopes: p.scopes, collaborationIds: p.collaborationIds });
});

/**
 * Creates a token. A user mints tokens for itself with at most its own scopes; an admin may mint
 * one for any user (created if new). The plaintext token is in this response only.
 */
accountRoute.post('/tokens', requireScope('read'), async (c) => {
  const p = c.get('principal');
  const body = await objectBody(c.req.raw, ['name', 'scopes', 'expiresAt', 'user']);
  if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 100) {
    throw new ApiError(400, 'invalid_body', 'name must be a string of 1 to 100 characters', 'name');
  }
  if (!Array.isArray(body.scopes) || body.scopes.length === 0) {
    throw new ApiError(400, 'invalid_body', `scopes must be a non-empty array of ${SCOPES.join(', ')}`, 'scopes');
  }
  const scopes: Scope[] = [];
  for (const s of body.scopes) {
    if (typeof s !== 'string' || !(SCOPES as readonly string[]).includes(s)) {
      throw new ApiError(400, 'invalid_body', `unknown scope ${JSON.stringify(s)}`, 'scopes');
    }
    if (!p.isAdmin && !p.scopes.includes(s as Scope)) {
      throw new ApiError(403, 'insufficient_scope', `you cannot grant the ${s} scope`, 'scopes');
    }
    scopes.push(s as Scope);
  }
  let expiresAt: string | undefined;
  if (body.expiresAt !== undefined) {
    const t = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
    if (!Number.isFinite(t)) throw new ApiError(400, 'invalid_body', 'expiresAt must be an ISO date-time', 'expiresAt');
    expiresAt = new Date(t).toISOString();
  }
  const db = openRegistry(c.env.DB);
  let userId = p.userId ?? 0;
  let user = p.userName ?? '';
  if (body.user !== undefined && body.user !== p.userName) {
    if (!p.isAdmin) throw new ApiError(403, 'insufficient_scope', 'only an admin mints tokens for others', 'user');
    user = userName(body.user, 'user');
    userId = await ensureUser(db, user);
  }
  const created = await createToken(db, {
    userId,
    name: body.name,
    scopes,
    actorId: p.userId,
    ...(expiresAt ? { expiresAt } : {}),
  });
  return c.json({ id: created.id, token: created.token, user, scopes, expiresAt: expiresAt ?? null }, 201);
});

accountRoute.delete('/tokens/:id', requireScope('read'), async (c) => {
  const p = c.get('principal');
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0)
    throw new ApiError(400, 'invalid_id', 'token id must be a positive integer', 'id');
  const db = openRegistry(c.env.DB);
  const owner = await tokenOwner(db, id);
  // Someone else's token looks like a missing one.
  if (owner === null || (owner !== p.userId && !p.isAdmin)) throw new ApiError(404, 'not_found', `no token ${id}`);
  const revoked = await revokeToken(db, id, p.userId);
  return c.json({ id, revoked });
});

accountRoute.post('/collaborations', requireScope('admin'), async (c) => {
  const body = await objectBody(c.req.raw, ['name']);
  const name = userName(body.name, 'name');
  const id = await ensureCollaboration(openRegistry(c.env.DB), name);
  return c.json({ id, name }, 201);
});

accountRoute.post('/collaborations/:name/members', requireScope('admin'), async (c) => {
  const body = await objectBody(c.req.raw, ['user']);
  const user = userName(body.user, 'user');
  const db = openRegistry(c.env.DB);
  const collaborationId = await ensureCollaboration(db, userName(c.req.param('name'), 'name'));
  const userId = await ensureUser(db, user);
  await addMember(db, collaborationId, userId);
  return c.json({ collaboration: c.req.param('name'), user }, 201);
});
