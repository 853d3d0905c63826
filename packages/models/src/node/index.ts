/** @module @hepml/models/node — Node-only helpers (node:fs): bundles as directories on disk, for CLIs and tests. */

export * from './bundle-dir.ts';
export * from './task-data.ts';
