import type { ActivationV1 } from '../bundle/cnn-film.ts';
import type { DenseChain } from './dense-chain.ts';
import type { OnnxAttribute, OnnxGraph } from './onnx-graph.ts';

/** Operator set of the default domain: opset 13 runs on ONNX Runtime ≥ 1.8 (CMSSW, Athena). */
export const ONNX_OPSET = 13;

/** Names of the graph's tensors, fixed so that C++ code can bind them without reading the model. */
export const ONNX_NAMES = { input: 'input', image: 'image', output: 'output' } as const;

const ACTIVATION_OP = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  softmax: 'Softmax',
  linear: 'Identity',
} as const;

/**
 * Appends σ(x) = 1 / (1 + e^(−x)) as Neg, Exp, Add, Reciprocal rather than the Sigmoid operator:
 * ONNX Runtime's CPU Sigmoid (MLAS) is an approximation that clamps the tails — measured here
 * (onnxruntime-node 1.30) 4.3 relative error at x = −17.9 and about 1e-4 at x ≈ −6.6, i.e. on the
 * small background-like scores a tight working point cuts on — while Exp is accurate to
 * about 1e-7 relative over the same range. e^(−x) = ∞ for x < −88 gives σ = 0, the limit.
 */
export function sigmoidNodes(g: OnnxGraph, x: string, output?: string): string {
  const one = g.floats('one', [], [1]);
  const denominator = g.node('Add', [one, g.node('Exp', [g.node('Neg', [x])])]);
  return g.node('Reciprocal', [denominator], output === undefined ? {} : { output });
}

/**
 * Appends `act(x)` to the graph (Relu, Sigmoid via {@link sigmoidNodes}, Tanh, Elu with α = 1, Softmax over the last
 * axis, nothing for linear unless `output` must be named) and returns the result's name.
 */
export function activationNode(g: OnnxGraph, x: string, activation: ActivationV1, output?: string): string {
  if (activation === 'linear' && output === undefined) return x;
  if (activation === 'sigmoid') return sigmoidNodes(g, x, output);
  const attributes: Record<string, OnnxAttribute> =
    activation === 'elu' ? { alpha: { float: 1 } } : activation === 'softmax' ? { axis: { int: -1 } } : {};
  return g.node(ACTIVATION_OP[activation], [x], output === undefined ? { attributes } : { output, attributes });
}

/**
 * Appends dense layers y = act(x · W + b) (MatMul, Add, activation) on a [N, fanIn] value; the
 * last one's result is named `output` when given. Kernels are row-major [fanIn × units].
 */
export function denseNodes(
  g: OnnxGraph,
  x: string,
  fanIn: number,
  layers: DenseChain['layers'],
  prefix: string,
  output?: string,
): string {
  let current = x;
  let width = fanIn;
  layers.forEach((layer, l) => {
    const kernel = g.floats(`${prefix}_${l}_kernel`, [width, layer.units], layer.kernel);
    const bias = g.floats(`${prefix}_${l}_bias`, [layer.units], layer.bias);
    const linear = g.node('Add', [g.node('MatMul', [current, kernel]), bias]);
    current = activationNode(g, linear, layer.activation, l === layers.length - 1 ? output : undefined);
    width = layer.units;
  });
  return current;
}

/**
 * Appends the standardisation (t(x) − offset) / scale of the [N, F] raw input as Sub and Div
 * nodes, after the inputs' transforms when any has one: t(x) = ln(max(x + shift, floor)) on those
 * columns, x on the others, written column-wise as x·(1 − m) + m·Log(Max(x + shift, floor)) with
 * the mask m 1 on transformed columns (exact on both kinds of column: shift 0, floor 1 keep the
 * unused logarithm of the others finite, and a product by 0 drops it).
 */
export function standardiseNodes(g: OnnxGraph, input: string, inputs: DenseChain['inputs']): string {
  let x = input;
  if (inputs.some((i) => i.transform)) {
    const shift = g.floats(
      'input_transform_shift',
      [inputs.length],
      inputs.map((i) => i.transform?.shift ?? 0),
    );
    const floor = g.floats(
      'input_transform_floor',
      [inputs.length],
      inputs.map((i) => i.transform?.floor ?? 1),
    );
    const mask = g.floats(
      'input_transform_mask',
      [inputs.length],
      inputs.map((i) => (i.transform ? 1 : 0)),
    );
    const keep = g.floats(
      'input_transform_keep',
      [inputs.length],
      inputs.map((i) => (i.transform ? 0 : 1)),
    );
    const log = g.node('Log', [g.node('Max', [g.node('Add', [x, shift]), floor])]);
    x = g.node('Add', [g.node('Mul', [x, keep]), g.node('Mul', [log, mask])], { output: g.fresh('transformed') });
  }
  const offset = g.floats(
    'input_offset',
    [inputs.length],
    inputs.map((i) => i.offset),
  );
  const scale = g.floats(
    'input_scale',
    [inputs.length],
    inputs.map((i) => i.scale),
  );
  return g.node('Div', [g.node('Sub', [x, offset]), scale], { output: g.fresh('standardised') });
}
