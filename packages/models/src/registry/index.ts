/** @module @hepml/models/registry — the one door to the model registry (D1 + R2): schema, models, versions and their cached resolve, publishing, tokens, scale factors. */
export { RegistryError, type RegistryErrorCode } from '../errors.ts';
export * from './access.ts';
export * from './collaborations.ts';
export * from './db.ts';
export * from './models.ts';
export * from './publish.ts';
export * from './resolve-cache.ts';
export * from './scale-factor-tables.ts';
export * from './scale-factors.ts';
export * as schema from './schema.ts';
export type { BlobStore } from './store.ts';
export * from './tasks.ts';
export * from './tokens.ts';
export * from './versions.ts';
