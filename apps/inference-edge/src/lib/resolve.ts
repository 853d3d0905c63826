import { type D1Binding, openRegistry, type Principal, type VersionRef, VersionResolver } from '@hepml/models/registry';

export type { VersionRef } from '@hepml/models/registry';

/**
 * How long a resolved version is reused in this isolate, in ms. The access check itself runs on
 * every request (the principal differs); what may be this old is the model's visibility and which
 * version `latest` is. Writes through this isolate (publish, deprecate, promote, visibility)
 * invalidate at once; other isolates see them within this time. It keeps a warm predict free of
 * any D1 round trip, which on Cloudflare costs more than the whole inference.
 */
export const RESOLVE_TTL_MS = 1000;

/** The isolate's resolver: the loaded bundle is then found in the model cache by version and hash. */
const resolver = new VersionResolver({ ttlMs: RESOLVE_TTL_MS, maxEntries: 1024 });

/**
 * Resolves `name` at `version` (a number, or `latest`) for a principal through the isolate's
 * cache; a model the principal may not read is not_found like a missing one (RegistryError, 404).
 */
export function resolveRef(
  db: D1Binding,
  name: string,
  version: number | 'latest',
  viewer: Principal,
): Promise<VersionRef> {
  return resolver.resolve(openRegistry(db), name, version, viewer);
}

/** Forgets every cached resolution of a model (after a write that changes it). */
export function invalidateModel(name: string): void {
  resolver.invalidate(name);
}

/** `latest` or a positive integer from a validated path parameter. */
export function versionOf(raw: string | undefined): number | 'latest' {
  return raw === undefined || raw === 'latest' ? 'latest' : Number(raw);
}
