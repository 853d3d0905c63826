import { eq } from 'drizzle-orm';
import { RegistryError } from '../errors.ts';
import type { RegistryDb } from './db.ts';
import * as schema from './schema.ts';

/** The id of a collaboration by name; an unknown name is an `invalid` RegistryError naming it. */
export async function collaborationId(db: RegistryDb, name: string): Promise<number> {
  const row = await db
    .select({ id: schema.collaborations.id })
    .from(schema.collaborations)
    .where(eq(schema.collaborations.name, name))
    .get();
  if (!row) throw new RegistryError(`collaboration "${name}" not found`, { code: 'invalid', field: 'collaboration' });
  return row.id;
}

/** Creates a collaboration (admin) and returns its id. */
export async function ensureCollaboration(db: RegistryDb, name: string): Promise<number> {
  await db.insert(schema.collaborations).values({ name }).onConflictDoNothing({ target: schema.collaborations.name });
  const row = await db
    .select({ id: schema.collaborations.id })
    .from(schema.collaborations)
    .where(eq(schema.collaborations.name, name))
    .get();
  if (!row) throw new RegistryError(`collaboration "${name}" could not be created`, { code: 'conflict' });
  return row.id;
}

/** Adds a user to a collaboration. */
export async function addMember(db: RegistryDb, collaborationId: number, userId: number): Promise<void> {
  await db.insert(schema.collaborationMembers).values({ collaborationId, userId }).onConflictDoNothing();
}
