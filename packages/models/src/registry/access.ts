import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { models } from './schema.ts';

/** Scopes a token can carry. */
export type Scope = 'read' | 'publish' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'publish', 'admin'];

/** Whether a value is one of the {@link SCOPES}. */
export function isScope(s: unknown): s is Scope {
  return (SCOPES as readonly unknown[]).includes(s);
}

/** Who is asking: anonymous, or a user authenticated by a token with its scopes. */
export interface Principal {
  userId: number | null;
  userName: string | null;
  isAdmin: boolean;
  scopes: readonly Scope[];
  collaborationIds: readonly number[];
}

/** The anonymous visitor: sees public models only and may not write. */
export const ANONYMOUS: Principal = {
  userId: null,
  userName: null,
  isAdmin: false,
  scopes: [],
  collaborationIds: [],
};

/**
 * SQL condition for the models a principal may read: public ones, its own, those of its
 * collaborations, and all of them for an admin.
 */
export function visibleTo(p: Principal): SQL | undefined {
  if (p.isAdmin) return undefined;
  const conditions: SQL[] = [eq(models.visibility, 'public')];
  if (p.userId !== null) conditions.push(eq(models.ownerId, p.userId));
  if (p.collaborationIds.length > 0) {
    const inCollab = and(
      eq(models.visibility, 'collaboration'),
      inArray(models.collaborationId, [...p.collaborationIds]),
    );
    if (inCollab) conditions.push(inCollab);
  }
  return or(...conditions) ?? sql`0`;
}

/** Whether a principal may read a given model row. */
export function canRead(
  p: Principal,
  m: { visibility: string; ownerId: number | null; collaborationId: number | null },
): boolean {
  if (p.isAdmin || m.visibility === 'public') return true;
  if (p.userId !== null && m.ownerId === p.userId) return true;
  return (
    m.visibility === 'collaboration' && m.collaborationId !== null && p.collaborationIds.includes(m.collaborationId)
  );
}

/** Whether a principal may change a model (publish versions, deprecate, promote, change visibility). */
export function canWrite(p: Principal, m: { ownerId: number | null }): boolean {
  if (!p.scopes.includes('publish') && !p.scopes.includes('admin')) return false;
  return p.isAdmin || (p.userId !== null && m.ownerId === p.userId);
}
