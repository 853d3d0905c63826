import { and, eq, isNull } from 'drizzle-orm';
import { sha256Hex } from '../bundle/hash.ts';
import { RegistryError } from '../errors.ts';
import { isScope, type Principal, SCOPES, type Scope } from './access.ts';
import type { RegistryDb } from './db.ts';
import { apiTokens, auditLog, collaborationMembers, users } from './schema.ts';

const TOKEN_RE = /^hepml_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function randomString(bytes: number, alphabet?: string): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  if (alphabet) return Array.from(buf, (b) => alphabet[b % alphabet.length]).join('');
  let bin = '';
  for (const b of buf) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Compares two equal-length strings in time independent of where they differ, so a token's hash
 * cannot be found byte by byte from response times.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Creates a user (or returns the existing one of that name). */
export async function ensureUser(db: RegistryDb, name: string, options: { isAdmin?: boolean } = {}): Promise<number> {
  await db
    .insert(users)
    .values({ name, isAdmin: options.isAdmin ?? false })
    .onConflictDoNothing({ target: users.name });
  const row = await db.select({ id: users.id }).from(users).where(eq(users.name, name)).get();
  if (!row) throw new RegistryError(`user "${name}" could not be created`, { code: 'conflict' });
  return row.id;
}

/** Options of {@link createToken}. */
export interface CreateTokenOptions {
  userId: number;
  name: string;
  scopes: readonly Scope[];
  /** Expiry as an ISO date-time; none means it never expires. */
  expiresAt?: string;
  actorId?: number | null;
}

/**
 * Creates an API token and returns its plaintext once: `hepml_<publicId>_<secret>`. Only
 * sha256(secret) is stored.
 */
export async function createToken(db: RegistryDb, options: CreateTokenOptions): Promise<{ id: number; token: string }> {
  for (const s of options.scopes) {
    if (!isScope(s)) throw new RegistryError(`unknown scope "${s}"`, { code: 'invalid' });
  }
  if (options.scopes.length === 0) throw new RegistryError('a token needs at least one scope', { code: 'invalid' });
  const publicId = randomString(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const secret = randomString(32);
  const [row] = await db.batch([
    db
      .insert(apiTokens)
      .values({
        publicId,
        secretSha256: await sha256Hex(new TextEncoder().encode(secret)),
        userId: options.userId,
        name: options.name,
        scopes: [...new Set(options.scopes)].join(','),
        expiresAt: options.expiresAt ?? null,
      })
      .returning({ id: apiTokens.id }),
    db.insert(auditLog).values({
      actorId: options.actorId ?? null,
      action: 'token.create',
      details: JSON.stringify({ userId: options.userId, name: options.name, scopes: options.scopes, publicId }),
    }),
  ]);
  const id = row[0]?.id;
  if (id === undefined) throw new RegistryError('token insert returned no id', { code: 'conflict' });
  return { id, token: `hepml_${publicId}_${secret}` };
}

/** Revokes a token; later requests with it fail as if it never existed. */
export async function revokeToken(db: RegistryDb, tokenId: number, actorId: number | null): Promise<boolean> {
  const res = await db.batch([
    db
      .update(apiTokens)
      .set({ revokedAt: new Date().toISOString() })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id }),
    db.insert(auditLog).values({ actorId, action: 'token.revoke', details: JSON.stringify({ tokenId }) }),
  ]);
  return res[0].length > 0;
}

/**
 * The principal of a bearer token, or null when the token is malformed, unknown, revoked or
 * expired (all four look the same to the caller).
 */
export async function authenticate(db: RegistryDb, token: string, now = new Date()): Promise<Principal | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const [, publicId, secret] = m as unknown as [string, string, string];
  const row = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.publicId, publicId))
    .get();
  const hash = await sha256Hex(new TextEncoder().encode(secret));
  // Compare even when no row matched, so unknown and wrong tokens take the same time.
  const ok = timingSafeEqual(hash, row?.token.secretSha256 ?? '0'.repeat(64));
  if (!row || !ok || row.token.revokedAt) return null;
  if (row.token.expiresAt && Date.parse(row.token.expiresAt) <= now.getTime()) return null;
  const collabs = await db
    .select({ id: collaborationMembers.collaborationId })
    .from(collaborationMembers)
    .where(eq(collaborationMembers.userId, row.user.id));
  const scopes = row.token.scopes.split(',').filter(isScope);
  return {
    userId: row.user.id,
    userName: row.user.name,
    isAdmin: row.user.isAdmin && scopes.includes('admin'),
    scopes,
    collaborationIds: collabs.map((c) => c.id),
  };
}

/**
 * The local administrator `hepml` as a principal with every scope, created if missing. Used by
 * the start command and the offline tools that seed the local registry; never reachable over HTTP.
 */
export async function systemPrincipal(db: RegistryDb): Promise<Principal> {
  const userId = await ensureUser(db, 'hepml', { isAdmin: true });
  return { userId, userName: 'hepml', isAdmin: true, scopes: [...SCOPES], collaborationIds: [] };
}

/** The user id owning a token, or null when no such token exists. */
export async function tokenOwner(db: RegistryDb, tokenId: number): Promise<number | null> {
  const row = await db.select({ userId: apiTokens.userId }).from(apiTokens).where(eq(apiTokens.id, tokenId)).get();
  return row?.userId ?? null;
}
