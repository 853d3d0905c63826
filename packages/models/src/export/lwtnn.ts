import { at } from '@hepml/physics';
import type { BundleDiscriminantV1, BundleManifestV1, InputTransformV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import type { DenseChain } from './dense-chain.ts';
import { ONNX_NAMES } from './onnx-nodes.ts';

/** The lwtnn "LightweightNeuralNetwork" JSON that ATLAS C++ code reads with `lwt::parse_json`. */
export interface LwtnnNetworkV1 {
  inputs: { name: string; offset: number; scale: number }[];
  input_sequences: never[];
  layers: { architecture: 'dense'; activation: string; weights: number[]; bias: number[] }[];
  outputs: string[];
  defaults: Record<string, number>;
  miscellaneous: Record<string, string>;
}

const LWTNN_ACTIVATION = {
  relu: 'rectified',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  elu: 'elu',
  softmax: 'softmax',
  linear: 'linear',
} as const;

/**
 * Writes a dense network in lwtnn's JSON format (https://github.com/lwtnn/lwtnn, the format its
 * `keras2json.py` produces). Conventions differ from ours and are converted here:
 * - lwtnn preprocesses inputs as x' = (x + offset) · scale, we use (x − offset) / scale, so
 *   lwtnn offset = −offset and lwtnn scale = 1 / scale;
 * - a dense layer's `weights` is the [units × fanIn] matrix flattened row by row (rows are
 *   outputs), the transpose of our [fanIn × units] kernel.
 * Units and descriptions go to `miscellaneous` so the names stay the only interface; so do the
 * bundle's discriminant outputs (`discriminants`: name, signal and background output names), which
 * lwtnn cannot compute: D = Σ p(signal) / (Σ p(signal) + Σ p(background)).
 */
export function exportLwtnn(chain: DenseChain, miscellaneous: Record<string, string> = {}): LwtnnNetworkV1 {
  const transformed = chain.inputs.findIndex((i) => i.transform !== undefined);
  if (transformed >= 0) {
    throw new BundleError(
      `inputs[${transformed}].transform: lwtnn preprocesses by (x + offset)·scale only and cannot take the logarithm of "${chain.inputs[transformed]?.name}"; export to ONNX instead`,
      { field: `inputs[${transformed}].transform` },
    );
  }
  let fanIn = chain.inputs.length;
  const layers = chain.layers.map((layer) => {
    const weights: number[] = new Array(layer.units * fanIn);
    for (let j = 0; j < layer.units; j++) {
      for (let i = 0; i < fanIn; i++) weights[j * fanIn + i] = at(layer.kernel, i * layer.units + j);
    }
    fanIn = layer.units;
    return {
      architecture: 'dense' as const,
      activation: LWTNN_ACTIVATION[layer.activation],
      weights,
      bias: Array.from(layer.bias),
    };
  });
  const lastUnits = chain.layers.at(-1)?.units ?? 0;
  const outputNames = chain.outputs.length === lastUnits ? chain.outputs.map((o) => o.name) : [];
  return {
    inputs: chain.inputs.map((i) => ({ name: i.name, offset: -i.offset, scale: 1 / i.scale })),
    input_sequences: [],
    layers,
    outputs: outputNames.length ? outputNames : Array.from({ length: lastUnits }, (_, k) => `out_${k}`),
    defaults: {},
    miscellaneous: {
      units: JSON.stringify(Object.fromEntries(chain.inputs.map((i) => [i.name, i.unit]))),
      // lwtnn has no ratio layer: the discriminants are computed from the outputs by the caller.
      ...(chain.discriminants.length
        ? {
            discriminants: JSON.stringify(
              chain.discriminants.map((d) => ({
                name: d.name,
                signal: d.signal.map((c) => chain.outputs[c]?.name),
                background: d.background.map((c) => chain.outputs[c]?.name),
              })),
            ),
          }
        : {}),
      ...miscellaneous,
    },
  };
}

/**
 * Evaluates an lwtnn network the way lwtnn's C++ does (preprocess, then dense layers), in
 * float64. Used to test the export and by anyone checking a JSON file without C++.
 */
export function evaluateLwtnn(net: LwtnnNetworkV1, values: Record<string, number>): number[] {
  let h = net.inputs.map((i) => {
    const x = values[i.name];
    if (x === undefined) throw new Error(`lwtnn: missing input "${i.name}"`);
    return (x + i.offset) * i.scale;
  });
  for (const layer of net.layers) {
    const fanIn = h.length;
    const units = layer.bias.length;
    const z = Array.from({ length: units }, (_, j) => {
      let s = at(layer.bias, j);
      for (let i = 0; i < fanIn; i++) s += at(layer.weights, j * fanIn + i) * at(h, i);
      return s;
    });
    h = activate(layer.activation, z);
  }
  return h;
}

function activate(name: string, z: number[]): number[] {
  switch (name) {
    case 'rectified':
      return z.map((v) => Math.max(0, v));
    case 'sigmoid':
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return z.map(Math.tanh);
    case 'elu':
      return z.map((v) => (v > 0 ? v : Math.expm1(v)));
    case 'softmax': {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
    case 'linear':
      return z;
    default:
      throw new Error(`lwtnn: unknown activation "${name}"`);
  }
}

/**
 * The inputs and outputs of an exported network in lwtnn's graph "variable specification" format
 * (the `variables.json` that lwtnn's `kerasfunc2json.py` reads: per input node its variables with
 * lwtnn's offset and scale, per output node its labels), keyed by the ONNX tensor names, so C++
 * code fills the ONNX input tensors by variable name: value k of `input` is
 * (x_k + offset_k) · scale_k in lwtnn's convention — but the ONNX graph standardises by itself, so
 * the C++ side feeds RAW values in this order and uses offset/scale only to document them.
 * Keys lwtnn does not know carry the `hepml_` prefix:
 * - `hepml_image` (cnn-film): the `image` tensor, shape [N, H, W, C], channels last (HWC
 *   row-major per row, as the runtime takes it), unit GeV, divided by `imageScale` inside the graph;
 * - `hepml_outputs`: each output's kind and unit (and a discriminant's definition); `hepml_output_scale`: the input whose raw value
 *   multiplies every output (already applied inside the ONNX graph);
 * - `hepml_transforms`: per input with one, its transform t (x enters as (t(x) − offset)/scale;
 *   the offset and scale shown are of t(x)); applied inside the ONNX graph like the standardisation;
 * - `hepml_lwtnn`: whether `<name>.lwtnn.json` exists — lwtnn has dense layers but no conv2d,
 *   pooling, FiLM modulation, decision trees, cuts or binned lookups, so everything but mlp is ONNX only.
 */
export interface LwtnnVariableSpecV1 {
  inputs: { name: string; variables: { name: string; offset: number; scale: number }[] }[];
  input_sequences: never[];
  outputs: { name: string; labels: string[] }[];
  hepml_units: Record<string, string>;
  hepml_image?: {
    name: string;
    tensor: string;
    shape: [number, number, number];
    layout: 'NHWC';
    unit: 'GeV';
    imageScale: number;
  };
  hepml_outputs: { name: string; kind: string; unit: string; discriminant?: BundleDiscriminantV1 }[];
  hepml_output_scale?: string;
  hepml_transforms?: Record<string, InputTransformV1>;
  hepml_lwtnn: boolean;
  miscellaneous: Record<string, string>;
}

/**
 * Networks lwtnn's dense `LightweightNeuralNetwork` can express exactly: an mlp without input
 * transforms (lwtnn's preprocessing is affine).
 */
export function lwtnnExpresses(manifest: BundleManifestV1): boolean {
  return manifest.architecture.kind === 'mlp' && manifest.inputs.every((i) => i.transform === undefined);
}

/** Builds the {@link LwtnnVariableSpecV1} of an ONNX-exported bundle (networks; baselines with offset 0, scale 1). */
export function exportVariableSpec(
  manifest: BundleManifestV1,
  miscellaneous: Record<string, string> = {},
): LwtnnVariableSpecV1 {
  const arch = manifest.architecture;
  const spec: LwtnnVariableSpecV1 = {
    inputs: [
      {
        name: ONNX_NAMES.input,
        variables: manifest.inputs.map((i) => ({ name: i.name, offset: -i.offset, scale: 1 / i.scale })),
      },
    ],
    input_sequences: [],
    outputs: [{ name: ONNX_NAMES.output, labels: manifest.outputs.map((o) => o.name) }],
    hepml_units: Object.fromEntries(manifest.inputs.map((i) => [i.name, i.unit])),
    hepml_outputs: manifest.outputs.map((o) => ({
      name: o.name,
      kind: o.kind,
      unit: o.unit,
      ...(o.discriminant ? { discriminant: o.discriminant } : {}),
    })),
    hepml_lwtnn: lwtnnExpresses(manifest),
    miscellaneous: { model: manifest.name, ...miscellaneous },
  };
  const transforms = manifest.inputs.flatMap((i) => (i.transform ? [[i.name, i.transform] as const] : []));
  if (transforms.length > 0) spec.hepml_transforms = Object.fromEntries(transforms);
  if (arch.kind === 'cnn-film') {
    const image = manifest.image;
    if (!image) throw new BundleError('image: required by cnn-film', { field: 'image' });
    spec.hepml_image = {
      name: image.name,
      tensor: ONNX_NAMES.image,
      shape: image.shape,
      layout: 'NHWC',
      unit: 'GeV',
      imageScale: arch.imageScale,
    };
    if (arch.outputScale !== undefined) spec.hepml_output_scale = arch.outputScale;
  }
  return spec;
}
