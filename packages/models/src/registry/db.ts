import { sql } from 'drizzle-orm';
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import * as schema from './schema.ts';

/** The registry database (drizzle over D1). */
export type RegistryDb = DrizzleD1Database<typeof schema>;

/** A D1 binding: Cloudflare's `D1Database` or Miniflare's. */
export type D1Binding = Parameters<typeof drizzle>[0];

// One drizzle handle per binding: building one costs ~20 µs (its schema tables are indexed), a
// tenth of a warm predict, and the handle holds nothing but the binding, so it is reused.
const handles = new WeakMap<D1Binding, RegistryDb>();

/** Opens the registry on a D1 binding (the same handle for the same binding). */
export function openRegistry(d1: D1Binding): RegistryDb {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    handles.set(d1, db);
  }
  return db;
}

/** Whether the database answers a trivial query (the readiness probe); never throws. */
export async function registryReachable(db: RegistryDb): Promise<boolean> {
  try {
    await db.get(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
