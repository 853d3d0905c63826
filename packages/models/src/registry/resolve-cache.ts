import { Lru } from '../runtime/lru.ts';
import type { Principal } from './access.ts';
import type { RegistryDb } from './db.ts';
import { lookupVersion, type VersionLookup, type VersionRef, versionRefOf } from './versions.ts';

/** Options of {@link VersionResolver}. */
export interface VersionResolverOptions {
  /** How long a lookup is reused, in ms. */
  ttlMs: number;
  /** Lookups kept at most; the least recently used goes first. */
  maxEntries: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
}

/**
 * Resolves version references with the lookups of the last `ttlMs` kept in memory (per Workers
 * isolate), so that a warm request resolves its model without a database round trip. What may be
 * this old is a model's visibility and which version `latest` is; the access check itself runs on
 * every call (the principal differs). Only complete answers are kept: a model or version
 * published a moment later is seen at once. A writer that changes a model calls
 * {@link VersionResolver.invalidate}, which takes effect at once in this isolate.
 */
export class VersionResolver {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #lookups: Lru<string, { row: VersionLookup; expires: number }>;

  constructor(options: VersionResolverOptions) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#lookups = new Lru(options.maxEntries);
  }

  /**
   * `name` at `version` (a number, or `latest`: the newest active version) as `viewer` may see
   * it; not_found as {@link versionRefOf} (an invisible model looks like a missing one).
   */
  async resolve(db: RegistryDb, name: string, version: number | 'latest', viewer: Principal): Promise<VersionRef> {
    const key = `${name}\u0000${version}`;
    const now = this.#now();
    const hit = this.#lookups.get(key);
    let row: VersionLookup | null;
    if (hit && hit.expires > now) row = hit.row;
    else {
      row = await lookupVersion(db, name, version);
      if (row && row.versionId !== null) this.#lookups.set(key, { row, expires: now + this.#ttlMs });
      else this.#lookups.delete(key);
    }
    return versionRefOf(row, name, version, viewer);
  }

  /** Forgets every kept lookup of a model (after a write that changes it). */
  invalidate(name: string): void {
    for (const key of [...this.#lookups.keys()]) {
      if (key.slice(0, key.lastIndexOf('\u0000')) === name) this.#lookups.delete(key);
    }
  }
}
