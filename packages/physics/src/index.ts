/** @module @hepml/physics — physics, statistics and simulation of hepml-edge (pure TypeScript). */
export * from './correctionlib/evaluate.ts';
export * from './correctionlib/from-scale-factors.ts';
export * from './correctionlib/schema-v2.ts';
export * from './correctionlib/validate.ts';
export * from './errors.ts';
export * from './sim/b-tagging.ts';
export * from './sim/boosted-jets.ts';
export * from './sim/detector.ts';
export * from './sim/electron-id.ts';
export * from './sim/rng.ts';
export type { ColumnarSample } from './sim/sample.ts';
export * from './sim/sample-stats.ts';
export * from './sim/tag-and-probe.ts';
export * from './sim/z-boson.ts';
export * from './stats/roc.ts';
export * from './units.ts';
