/** @module baselines — the fits of the baselines (cut-based selection, ATLAS projective likelihood, histogram GBDT, standard energy calibration), their bundles and task suite, and, re-exported from runtime/baselines, their evaluators and file formats (all Workers-safe). */
export * from '../runtime/baselines/index.ts';
export * from './binning.ts';
export * from './bundle.ts';
export * from './cuts.ts';
export * from './gbdt.ts';
export * from './likelihood.ts';
export * from './matrix.ts';
export * from './standard-calibration.ts';
export * from './suite.ts';
