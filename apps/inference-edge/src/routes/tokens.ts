import {
  addMember,
  createToken,
  ensureCollaboration,
  ensureUser,
  isScope,
  openRegistry,
  revokeToken,
  SCOPES,
  tokenOwner,
} from '@hepml/models/registry';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { endpoint } from '../lib/endpoint.ts';
import { ErrorEnvelopeSchema } from '../schemas.ts';

/** `/v1/me`, `/v1/tokens` and `/v1/collaborations`: who am I, token life cycle, collaborations (admin). */
export const accountRoute = new OpenAPIHono<AppEnv>();

/** Account bodies are small; anything larger is refused before it is read whole. */
const MAX_ACCOUNT_BODY_BYTES = 4096;

const USER_RULE = 'must match [a-z0-9][a-z0-9._-]{0,63}';
/** A user or collaboration name. */
const AccountName = z
  .string({ error: USER_RULE })
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, USER_RULE)
  .openapi({ example: 'cms-egamma' });

const SCOPES_RULE = `must be a non-empty array of ${SCOPES.join(', ')}`;
/** Token scopes; an unknown one is named, the field being `scopes` itself. */
const ScopeList = z
  .array(z.unknown(), { error: SCOPES_RULE })
  .min(1, SCOPES_RULE)
  .superRefine((scopes, ctx) => {
    const unknown = scopes.find((s) => !isScope(s));
    if (unknown !== undefined) ctx.addIssue({ code: 'custom', message: `unknown scope ${JSON.stringify(unknown)}` });
  })
  .transform((scopes) => scopes.filter(isScope))
  .openapi({ type: 'array', items: { type: 'string', enum: [...SCOPES] }, minItems: 1 });

const NAME_RULE = 'must be a string of 1 to 100 characters';
const CreateTokenRequest = z
  .object(
    {
      name: z.string({ error: NAME_RULE }).min(1, NAME_RULE).max(100, NAME_RULE),
      scopes: ScopeList,
      expiresAt: z
        .string({ error: 'must be an ISO date-time' })
        .refine((t) => Number.isFinite(Date.parse(t)), 'must be an ISO date-time')
        .optional()
        .openapi({ example: '2027-01-01T00:00:00Z' }),
      user: AccountName.optional().openapi({ description: 'an admin mints tokens for others (created if new)' }),
    },
    { error: 'must be a JSON object' },
  )
  .strict()
  .openapi('CreateTokenRequest');

const TokenCreated = z
  .object({
    id: z.number().int(),
    token: z.string().openapi({ description: 'the plaintext token: shown in this answer only' }),
    user: z.string(),
    scopes: z.array(z.enum(['read', 'publish', 'admin'])),
    expiresAt: z.string().nullable(),
  })
  .openapi('TokenCreated');

const TokenIdParams = z.object({
  id: z
    .string()
    .refine((s) => Number.isInteger(Number(s)) && Number(s) > 0, 'token id must be a positive integer')
    .openapi({ param: { name: 'id', in: 'path' }, example: '12' }),
});

const Me = z
  .object({
    user: z.string().nullable(),
    isAdmin: z.boolean(),
    scopes: z.array(z.string()),
    collaborationIds: z.array(z.number().int()),
  })
  .openapi('Me');

const CollaborationRequest = z
  .object({ name: AccountName }, { error: 'must be a JSON object' })
  .strict()
  .openapi('CollaborationRequest');
const MemberRequest = z
  .object({ user: AccountName }, { error: 'must be a JSON object' })
  .strict()
  .openapi('MemberRequest');
const CollaborationParams = z.object({ name: AccountName.openapi({ param: { name: 'name', in: 'path' } }) });

endpoint(
  accountRoute,
  {
    method: 'get',
    path: '/me',
    summary: 'Who the token belongs to: user, scopes, collaborations',
    tags: ['account'],
    responses: {
      200: { description: 'The token’s principal', schema: Me },
      401: { description: 'No token, or an invalid one', schema: ErrorEnvelopeSchema },
    },
  },
  (c) => {
    const p = c.get('principal');
    if (p.userId === null) {
      throw new ApiError(401, 'unauthenticated', 'send a token to see who you are', 'authorization');
    }
    return c.json({ user: p.userName, isAdmin: p.isAdmin, scopes: p.scopes, collaborationIds: p.collaborationIds });
  },
);

/**
 * Creates a token. A user mints tokens for itself with at most its own scopes; an admin may mint
 * one for any user (created if new). The plaintext token is in this response only.
 */
endpoint(
  accountRoute,
  {
    method: 'post',
    path: '/tokens',
    summary: 'Mint a token (with at most one’s own scopes; an admin for any user)',
    tags: ['account'],
    scope: 'read',
    body: CreateTokenRequest,
    maxBodyBytes: MAX_ACCOUNT_BODY_BYTES,
    responses: { 201: { description: 'The token, in this answer only', schema: TokenCreated } },
  },
  async (c, { body }) => {
    const p = c.get('principal');
    for (const s of body.scopes) {
      if (!p.isAdmin && !p.scopes.includes(s)) {
        throw new ApiError(403, 'insufficient_scope', `you cannot grant the ${s} scope`, 'scopes');
      }
    }
    const expiresAt = body.expiresAt === undefined ? undefined : new Date(Date.parse(body.expiresAt)).toISOString();
    const db = openRegistry(c.env.DB);
    let userId = p.userId ?? 0;
    let user = p.userName ?? '';
    if (body.user !== undefined && body.user !== p.userName) {
      if (!p.isAdmin) throw new ApiError(403, 'insufficient_scope', 'only an admin mints tokens for others', 'user');
      user = body.user;
      userId = await ensureUser(db, user);
    }
    const created = await createToken(db, {
      userId,
      name: body.name,
      scopes: body.scopes,
      actorId: p.userId,
      ...(expiresAt ? { expiresAt } : {}),
    });
    return c.json(
      { id: created.id, token: created.token, user, scopes: body.scopes, expiresAt: expiresAt ?? null },
      201,
    );
  },
);

endpoint(
  accountRoute,
  {
    method: 'delete',
    path: '/tokens/{id}',
    summary: 'Revoke a token (one’s own; an admin any)',
    tags: ['account'],
    scope: 'read',
    params: TokenIdParams,
    responses: {
      200: {
        description: 'Revoked (false: it already was)',
        schema: z.object({ id: z.number().int(), revoked: z.boolean() }).openapi('TokenRevoked'),
      },
    },
  },
  async (c, { params }) => {
    const p = c.get('principal');
    const id = Number(params.id);
    const db = openRegistry(c.env.DB);
    const owner = await tokenOwner(db, id);
    // Someone else's token looks like a missing one.
    if (owner === null || (owner !== p.userId && !p.isAdmin)) throw new ApiError(404, 'not_found', `no token ${id}`);
    const revoked = await revokeToken(db, id, p.userId);
    return c.json({ id, revoked });
  },
);

endpoint(
  accountRoute,
  {
    method: 'post',
    path: '/collaborations',
    summary: 'Create a collaboration (admin)',
    tags: ['account'],
    scope: 'admin',
    body: CollaborationRequest,
    maxBodyBytes: MAX_ACCOUNT_BODY_BYTES,
    responses: {
      201: {
        description: 'The collaboration (also when it existed)',
        schema: z.object({ id: z.number().int(), name: z.string() }).openapi('Collaboration'),
      },
    },
  },
  async (c, { body }) => {
    const id = await ensureCollaboration(openRegistry(c.env.DB), body.name);
    return c.json({ id, name: body.name }, 201);
  },
);

endpoint(
  accountRoute,
  {
    method: 'post',
    path: '/collaborations/{name}/members',
    summary: 'Add a user to a collaboration (admin; both created if new)',
    tags: ['account'],
    scope: 'admin',
    params: CollaborationParams,
    body: MemberRequest,
    maxBodyBytes: MAX_ACCOUNT_BODY_BYTES,
    responses: {
      201: {
        description: 'The membership',
        schema: z.object({ collaboration: z.string(), user: z.string() }).openapi('CollaborationMember'),
      },
    },
  },
  async (c, { params, body }) => {
    const db = openRegistry(c.env.DB);
    const collaborationId = await ensureCollaboration(db, params.name);
    const userId = await ensureUser(db, body.user);
    await addMember(db, collaborationId, userId);
    return c.json({ collaboration: params.name, user: body.user }, 201);
  },
);
