/** @module @hepml/models — model zoo, training, evaluation, bundles and registry of hepml-edge. */
export * from './baselines/index.ts';
export * from './bundle/index.ts';
export * from './errors.ts';
export * from './evaluation/classifier.ts';
export * from './export/index.ts';
export * from './registry/index.ts';
export * from './runtime/index.ts';
export * from './tasks.ts';
