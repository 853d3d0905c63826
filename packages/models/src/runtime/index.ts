/** @module @hepml/models/runtime — Workers-safe inference on Float32Array (no tfjs, no Node APIs, no training code): the runners of networks and baselines, the baselines' evaluators and file formats, the wasm kernels' loader, the one LRU. */
export type {
  ArchitectureV1,
  BundleDiscriminantV1,
  BundleImageV1,
  BundleInputV1,
  BundleManifestV1,
  BundleOutputV1,
  WorkingPointV1,
} from '../bundle/manifest.ts';
export { modelOutputs, parseManifest } from '../bundle/manifest.ts';
export { verifyBundleFile, weightsFromBytes } from '../bundle/verify.ts';
export { BundleError, ModelInputError, OnnxImportError, OnnxUnsupportedError } from '../errors.ts';
export * from './baselines/index.ts';
export { createCnnFilmRunner } from './cnn-film.ts';
export { scoreOutputIndex, withDiscriminants } from './discriminants.ts';
export * from './inputs.ts';
export { Lru } from './lru.ts';
export * from './mlp.ts';
export { type CompiledOnnxGraph, compileOnnxGraph, evaluateOnnx, runOnnx } from './onnx-graph/compile.ts';
export { createOnnxGraphRunner } from './onnx-graph/runner.ts';
export * from './runner.ts';
export { initWasmKernels, WasmKernels, wasmKernels } from './wasm-kernels.ts';
