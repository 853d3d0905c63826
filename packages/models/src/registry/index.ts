/** @module @hepml/models/registry — drizzle schema and queries of the model registry (D1 + R2). */
export { RegistryError } from '../errors.ts';
export * from './access.ts';
export * from './queries.ts';
export * from './scale-factor-tables.ts';
export * as schema from './schema.ts';
export type { BlobStore } from './store.ts';
export * from './tokens.ts';
