/** @module @hepml/models/bundle — bundle format v1: the zod schemas of the manifest and its evaluation block (`BundleManifestV1`, `EvaluationV1`, …), build/read with strict validation, hashes, tar. */

export { BundleError } from '../errors.ts';
export * from './build.ts';
export * from './cnn-film.ts';
export * from './evaluation.ts';
export * from './hash.ts';
export * from './manifest.ts';
export * from './onnx-graph.ts';
export * from './study.ts';
export * from './tar.ts';
export * from './verify.ts';
