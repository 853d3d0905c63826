/** @module @hepml/models — model zoo, training, evaluation, bundles and registry; subpaths: runtime (Workers-safe inference), baselines (fits), bundle (zod file formats), registry (the one door to D1 + R2), api (HTTP answers), node (Node-only helpers), training, export. */
export * from './baselines/index.ts';
export * from './bundle/index.ts';
export * from './errors.ts';
export * from './evaluation/classifier.ts';
export * from './export/index.ts';
export * from './registry/index.ts';
export * from './runtime/index.ts';
export * from './tasks.ts';
