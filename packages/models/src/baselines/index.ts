/** @module baselines — cut-based selection, ATLAS projective likelihood, histogram GBDT and the standard energy calibration (Workers-safe). */
export * from './binning.ts';
export * from './bundle.ts';
export * from './cuts.ts';
export * from './dispatch.ts';
export * from './gbdt.ts';
export * from './likelihood.ts';
export * from './matrix.ts';
export * from './standard-calibration.ts';
export * from './suite.ts';
