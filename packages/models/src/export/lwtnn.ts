import type { DenseChain } from './dense-chain.ts';

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
 * Units and descriptions go to `miscellaneous` so the names stay the only interface.
 */
export function exportLwtnn(chain: DenseChain, miscellaneous: Record<string, string> = {}): LwtnnNetworkV1 {
  let fanIn = chain.inputs.length;
  const layers = chain.layers.map((layer) => {
    const weights: number[] = new Array(layer.units * fanIn);
    for (let j = 0; j < layer.units; j++) {
      for (let i = 0; i < fanIn; i++) weights[j * fanIn + i] = layer.kernel[i * layer.units + j] as number;
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
      let s = layer.bias[j] as number;
      for (let i = 0; i < fanIn; i++) s += (layer.weights[j * fanIn + i] as number) * (h[i] as number);
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
