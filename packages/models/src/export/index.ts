/** @module export — the networks for the experiments' own software: ONNX and lwtnn JSON. */

export * from './bundle-export.ts';
export * from './dense-chain.ts';
export * from './lwtnn.ts';
export * from './onnx.ts';
export * from './onnx-graph.ts';
