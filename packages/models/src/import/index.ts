/** @module @hepml/models/import — models trained elsewhere: the ONNX decoder, XGBoost JSON, LightGBM text, ONNX-ML tree ensembles and lwtnn JSON as hepml bundles. */
export { OnnxImportError, OnnxUnsupportedError } from '../errors.ts';
export { type CompiledOnnxGraph, compileOnnxGraph, evaluateOnnx, runOnnx } from '../runtime/onnx-graph/compile.ts';
export { lightgbmTextToGbdt, xgboostJsonToGbdt } from './boosters.ts';
export * from './gbdt-bundle.ts';
export { type ImportProducer, importLineage } from './lineage.ts';
export { importLwtnnJson } from './lwtnn.ts';
export * from './model-file.ts';
export * from './onnx/bundle.ts';
export * from './onnx/conformance.ts';
export { decodeOnnxModel, decodeOnnxTensor } from './onnx/decode.ts';
export { encodeOnnxModel } from './onnx/encode.ts';
export type {
  OnnxAttributeValue,
  OnnxElementType,
  OnnxModel,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
} from './onnx/model.ts';
export * from './spec.ts';
export { treeEnsembleToGbdt } from './tree-ensemble.ts';
