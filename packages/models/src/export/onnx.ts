import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { weightsFromBytes } from '../bundle/verify.ts';
import { BundleError } from '../errors.ts';
import { parseCuts } from '../runtime/baselines/cuts.ts';
import { loadBaselineFromManifest } from '../runtime/baselines/dispatch.ts';
import { parseGbdt } from '../runtime/baselines/gbdt-format.ts';
import { parseLikelihood } from '../runtime/baselines/likelihood.ts';
import { parseStandardCalibration } from '../runtime/baselines/standard-calibration.ts';
import { type DenseChain, denseChainOf } from './dense-chain.ts';
import { cnnFilmOnnxGraph } from './onnx-cnn-film.ts';
import { cutsOnnxGraph } from './onnx-cuts.ts';
import { gbdtOnnxGraph } from './onnx-gbdt.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { likelihoodOnnxGraph } from './onnx-likelihood.ts';
import { denseNodes, ONNX_NAMES, ONNX_OPSET, standardiseNodes } from './onnx-nodes.ts';
import { standardCalibrationOnnxGraph } from './onnx-standard-calibration.ts';

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
 * activation (Relu; σ as 1/(1 + Exp(−x)), since ONNX Runtime's Sigmoid clamps its tails; Tanh;
 * Elu with α = 1; Softmax over the last axis), output `output` of shape [N, units of the last
 * layer] — scores, softmax class probabilities or regression values (the MLP runtime applies no
 * transform after the last layer) — followed by the chain's discriminants (see {@link discriminantNodes}). The input names, units, offsets and
 * scales are also in `metadata_props` under `hepml.inputs` (JSON), so C++ code can feed inputs by name.
 * Reference: ONNX IR, https://onnx.ai/onnx/repo-docs/IR.html and onnx/onnx.proto (field numbers).
 */
export function exportOnnx(chain: DenseChain, options: OnnxExportOptions): Uint8Array {
  const g = new OnnxGraph(ONNX_OPSET);
  const nIn = chain.inputs.length;
  const units = chain.layers.at(-1)?.units ?? nIn;
  const input = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', nIn] });
  const x = standardiseNodes(g, input, chain.inputs);
  const derived = chain.discriminants;
  const last = derived.length ? undefined : ONNX_NAMES.output;
  let out = chain.layers.length ? denseNodes(g, x, nIn, chain.layers, 'dense', last) : x;
  if (derived.length) out = discriminantNodes(g, out, units, derived);
  if (out !== ONNX_NAMES.output) g.node('Identity', [out], { output: ONNX_NAMES.output });
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', units + derived.length] });
  return g.encode(options.name, {
    'hepml.inputs': JSON.stringify(chain.inputs),
    'hepml.outputs': JSON.stringify(chain.outputs),
    ...options.metadata,
  });
}

/**
 * Appends the discriminant columns D = Σ p[signal] / (Σ p[signal] + Σ p[background]) to the
 * [N, units] outputs `p`: numerator and denominator as MatMul with 0/1 column selectors, the
 * denominator floored at the smallest normal float (both sums 0 gives 0, as in the runtime),
 * Div, then Concat([p, D], axis 1).
 */
function discriminantNodes(g: OnnxGraph, p: string, units: number, derived: DenseChain['discriminants']): string {
  const d = derived.length;
  const numerator = new Float32Array(units * d);
  const denominator = new Float32Array(units * d);
  derived.forEach((x, j) => {
    for (const c of x.signal) {
      numerator[c * d + j] = 1;
      denominator[c * d + j] = 1;
    }
    for (const c of x.background) denominator[c * d + j] = 1;
  });
  const num = g.node('MatMul', [p, g.floats('discriminant_signal', [units, d], numerator)]);
  const den = g.node('MatMul', [p, g.floats('discriminant_all', [units, d], denominator)]);
  const floor = g.floats('discriminant_floor', [], [1.1754943508222875e-38]);
  const ratio = g.node('Div', [num, g.node('Max', [den, floor])]);
  return g.node('Concat', [p, ratio], { attributes: { axis: { int: 1 } } });
}

/** Architecture kinds {@link exportBundleOnnx} writes. */
export const ONNX_EXPORTABLE_KINDS = [
  'mlp',
  'cnn-film',
  'gbdt',
  'cuts',
  'likelihood',
  'standard-calibration',
  'onnx-graph',
] as const;

/**
 * Exports the model of a bundle as ONNX, dispatching on `architecture.kind`: `mlp` through
 * {@link exportOnnx}; `cnn-film` through the convolutional graph (inputs `input` [N, F] raw
 * scalars and `image` [N, H, W, C] in GeV, channels last as the runtime takes it; see
 * `onnx-cnn-film.ts`); `gbdt` as an `ai.onnx.ml` tree ensemble (`onnx-gbdt.ts`); `cuts` as
 * comparisons in float64 giving the number of levels passed (`onnx-cuts.ts`);
 * `likelihood` as binned log-ratio lookups in float64 (`onnx-likelihood.ts`);
 * `standard-calibration` as its linear form in float64 (`onnx-standard-calibration.ts`);
 * `onnx-graph` (an imported ONNX model) as the ONNX file it carries (the import, constant-folded), byte for byte. `files`
 * maps the bundle's paths to their bytes (hashes checked by the caller, as for `createRunner`).
 * Any other kind (none in format version 1): a BundleError naming `architecture.kind`.
 */
export function exportBundleOnnx(
  manifest: BundleManifestV1,
  files: Readonly<Record<string, Uint8Array>>,
  options: OnnxExportOptions,
): Uint8Array {
  const arch = manifest.architecture;
  const kind = arch.kind;
  const metadata = {
    'hepml.inputs': JSON.stringify(manifest.inputs),
    'hepml.outputs': JSON.stringify(manifest.outputs),
    'hepml.architecture': kind,
    ...options.metadata,
  };
  if (arch.kind !== 'mlp' && manifest.outputs.some((o) => o.discriminant)) {
    throw new BundleError(`outputs: discriminant outputs export to ONNX only for mlp, not ${kind}`, {
      field: 'outputs',
    });
  }
  const bytes = files[manifest.weights];
  if (!bytes) throw new BundleError(`${manifest.weights}: file missing from the bundle`, { field: manifest.weights });
  switch (arch.kind) {
    case 'mlp':
      return exportOnnx(denseChainOf(manifest, weightsFromBytes(bytes)), { name: options.name, metadata });
    case 'cnn-film':
      return cnnFilmOnnxGraph(manifest, weightsFromBytes(bytes)).encode(options.name, metadata);
    case 'gbdt': {
      // Validates the file against the manifest (inputs in order, raw; output count) first.
      loadBaselineFromManifest(manifest, bytes);
      const params = parseGbdt(JSON.parse(new TextDecoder().decode(bytes)));
      return gbdtOnnxGraph(params).encode(options.name, metadata);
    }
    case 'cuts':
      loadBaselineFromManifest(manifest, bytes);
      return cutsOnnxGraph(parseCuts(JSON.parse(new TextDecoder().decode(bytes)))).encode(options.name, metadata);
    case 'likelihood':
      loadBaselineFromManifest(manifest, bytes);
      return likelihoodOnnxGraph(parseLikelihood(JSON.parse(new TextDecoder().decode(bytes)))).encode(
        options.name,
        metadata,
      );
    case 'standard-calibration':
      loadBaselineFromManifest(manifest, bytes);
      return standardCalibrationOnnxGraph(parseStandardCalibration(JSON.parse(new TextDecoder().decode(bytes)))).encode(
        options.name,
        metadata,
      );
    case 'onnx-graph':
      // The bundle carries the imported ONNX model itself: hand back its bytes.
      return bytes;
    default:
      // Unreachable for a validated manifest; a kind added later must be given an export here.
      throw new BundleError(
        `architecture.kind "${kind}": no ONNX export (exported kinds: ${ONNX_EXPORTABLE_KINDS.join(', ')})`,
        { field: 'architecture.kind' },
      );
  }
}
