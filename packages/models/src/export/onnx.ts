import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { type DenseChain, denseChainOf } from './dense-chain.ts';
import { cnnFilmOnnxGraph } from './onnx-cnn-film.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { denseNodes, ONNX_NAMES, ONNX_OPSET, standardiseNodes } from './onnx-nodes.ts';

export { ONNX_NAMES, ONNX_OPSET } from './onnx-nodes.ts';

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Graph name (the model's name). */
  name: string;
  /** Free-form metadata written into `metadata_props` (e.g. the bundle's sha256 and version). */
  metadata?: Record<string, string>;
}

/**
 * Writes a dense network as an ONNX model (protobuf bytes) that ONNX Runtime evaluates exactly as
 * the hepml runtime does: input `input` of shape [N, F] (raw values, features in manifest order),
 * standardisation (x − offset) / scale as Sub and Div nodes, then per layer MatMul, Add and the
 * activation (Relu, Sigmoid, Tanh, Elu with α = 1, Softmax over the last axis), output `output` of
 * shape [N, units of the last layer] — scores, softmax class probabilities or regression values
 * (the MLP runtime applies no transform after the last layer). The input names, units, offsets and
 * scales are also in `metadata_props` under `hepml.inputs` (JSON), so C++ code can feed inputs by name.
 * Reference: ONNX IR, https://onnx.ai/onnx/repo-docs/IR.html and onnx/onnx.proto (field numbers).
 */
export function exportOnnx(chain: DenseChain, options: OnnxExportOptions): Uint8Array {
  const g = new OnnxGraph(ONNX_OPSET);
  const nIn = chain.inputs.length;
  const units = chain.layers.at(-1)?.units ?? nIn;
  const input = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', nIn] });
  const x = standardiseNodes(g, input, chain.inputs);
  const out = chain.layers.length ? denseNodes(g, x, nIn, chain.layers, 'dense', ONNX_NAMES.output) : x;
  if (out !== ONNX_NAMES.output) g.node('Identity', [out], { output: ONNX_NAMES.output });
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', units] });
  return g.encode(options.name, {
    'hepml.inputs': JSON.stringify(chain.inputs),
    'hepml.outputs': JSON.stringify(chain.outputs),
    ...options.metadata,
  });
}

/**
 * Exports the network of a bundle as ONNX, dispatching on `architecture.kind`: `mlp` through
 * {@link exportOnnx}, `cnn-film` through the convolutional graph (inputs `input` [N, F] raw
 * scalars and `image` [N, H, W, C] in GeV, channels last as the runtime takes it; see
 * `onnx-cnn-film.ts`). Baselines (gbdt, likelihood, cuts, standard-calibration) are no networks:
 * a BundleError naming `architecture.kind`.
 */
export function exportBundleOnnx(
  manifest: BundleManifestV1,
  weights: Float32Array,
  options: OnnxExportOptions,
): Uint8Array {
  const kind = manifest.architecture.kind;
  const metadata = {
    'hepml.outputs': JSON.stringify(manifest.outputs),
    'hepml.architecture': kind,
    ...options.metadata,
  };
  if (kind === 'mlp') return exportOnnx(denseChainOf(manifest, weights), { name: options.name, metadata });
  if (kind === 'cnn-film') return cnnFilmOnnxGraph(manifest, weights).encode(options.name, metadata);
  throw new BundleError(`architecture.kind "${kind}": a baseline, not a network; it has no ONNX export here`, {
    field: 'architecture.kind',
  });
}
