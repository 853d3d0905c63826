/** @module runtime/baselines — the baselines' evaluators and file formats (zod schemas `XxxV1`) and the loader of a baseline bundle (Workers-safe; their fits are in baselines/). */
export * from './cuts.ts';
export * from './dispatch.ts';
export * from './et-eta-binning.ts';
export { InputsV1 } from './format.ts';
export { evaluateGbdt } from './gbdt.ts';
export * from './gbdt-format.ts';
export * from './likelihood.ts';
export * from './standard-calibration.ts';
