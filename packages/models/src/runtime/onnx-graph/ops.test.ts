/**
 * The interpreter's operators against ONNX Runtime (onnxruntime-node, the reference
 * implementation) on seeded random inputs: each graph is written with our exporter's encoder, run
 * by both, compared to 1e-5; and the refusals (op, attribute, dynamic shape) name the node.
 */
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxImportError, OnnxUnsupportedError } from '../../errors.ts';
import { type OnnxAttribute, OnnxGraph } from '../../export/onnx-graph.ts';
import { decodeOnnxModel } from '../../import/onnx/decode.ts';
import type { OnnxModel, OnnxTensor } from '../../import/onnx/model.ts';
import { compileOnnxGraph, evaluateOnnx } from './compile.ts';

// ONNX Runtime warns that the outputs' declared shapes are empty; the comparison checks the dims itself.
ort.env.logLevel = 'error';

interface Case {
  name: string;
  opset?: number;
  inputs: { name: string; dims: number[] }[];
  build(g: OnnxGraph, inputs: string[]): void;
}

function randomTensor(rng: Rng, name: string, dims: number[]): OnnxTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { name, type: 'float', dims, data: Float32Array.from({ length: n }, () => rng.range(-2, 2)) };
}

/** Runs the case in ONNX Runtime and in the interpreter; returns the largest |Δ| and both results. */
async function compare(
  c: Case,
  mutate: (m: OnnxModel) => void = () => {},
): Promise<{ maxDiff: number; ours: OnnxTensor; ref: ort.Tensor }> {
  const g = new OnnxGraph(c.opset ?? 13);
  const names = c.inputs.map((i) => g.input({ name: i.name, type: 'float', shape: i.dims }));
  c.build(g, names);
  g.output({ name: 'y', type: 'float', shape: [] });
  const bytes = g.encode(c.name);
  const rng = new Rng(7);
  const feeds = new Map(c.inputs.map((i) => [i.name, randomTensor(rng, i.name, i.dims)]));
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of feeds) ortFeeds[k] = new ort.Tensor('float32', t.data as Float32Array, t.dims);
  const ref = (await session.run(ortFeeds)).y as ort.Tensor;
  const model = decodeOnnxModel(bytes);
  mutate(model);
  const ours = evaluateOnnx(model, feeds).get('y') as OnnxTensor;
  expect(ours.dims, c.name).toEqual([...ref.dims]);
  const r = ref.data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < r.length; i++) maxDiff = Math.max(maxDiff, Math.abs((ours.data[i] as number) - (r[i] as number)));
  return { maxDiff, ours, ref };
}

function weights(g: OnnxGraph, name: string, dims: number[], seed: number): string {
  const rng = new Rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return g.floats(
    name,
    dims,
    Array.from({ length: n }, () => rng.range(-1, 1)),
  );
}

const node = (g: OnnxGraph, op: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}) =>
  g.node(op, inputs, { output: 'y', attributes });

const CASES: Case[] = [
  {
    name: 'conv2d groups, dilations, strides, asymmetric pads',
    inputs: [{ name: 'x', dims: [2, 4, 9, 8] }],
    build: (g, [x]) =>
      node(g, 'Conv', [x as string, weights(g, 'w', [6, 2, 3, 2], 1), weights(g, 'b', [6], 2)], {
        group: { int: 2 },
        dilations: { ints: [2, 1] },
        strides: { ints: [1, 2] },
        pads: { ints: [1, 0, 2, 1] },
      }),
  },
  ...(['SAME_UPPER', 'SAME_LOWER', 'VALID'] as const).map(
    (autoPad): Case => ({
      name: `conv2d auto_pad ${autoPad}`,
      inputs: [{ name: 'x', dims: [1, 3, 7, 6] }],
      build: (g, [x]) =>
        node(g, 'Conv', [x as string, weights(g, 'w', [2, 3, 4, 3], 3)], {
          auto_pad: { string: autoPad },
          strides: { ints: [2, 2] },
        }),
    }),
  ),
  {
    name: 'conv1d depthwise with bias',
    inputs: [{ name: 'x', dims: [3, 4, 11] }],
    build: (g, [x]) =>
      node(g, 'Conv', [x as string, weights(g, 'w', [4, 1, 3], 4), weights(g, 'b', [4], 5)], {
        group: { int: 4 },
        pads: { ints: [1, 1] },
        dilations: { ints: [2] },
      }),
  },
  {
    name: 'maxpool ceil_mode, pads, dilations',
    opset: 12,
    inputs: [{ name: 'x', dims: [2, 3, 8, 7] }],
    build: (g, [x]) =>
      node(g, 'MaxPool', [x as string], {
        kernel_shape: { ints: [3, 2] },
        strides: { ints: [2, 2] },
        pads: { ints: [1, 0, 1, 1] },
        dilations: { ints: [1, 2] },
        ceil_mode: { int: 1 },
      }),
  },
  ...[0, 1].map(
    (include): Case => ({
      name: `averagepool count_include_pad ${include}`,
      inputs: [{ name: 'x', dims: [2, 2, 7, 6] }],
      build: (g, [x]) =>
        node(g, 'AveragePool', [x as string], {
          kernel_shape: { ints: [3, 3] },
          strides: { ints: [2, 1] },
          pads: { ints: [1, 1, 1, 0] },
          count_include_pad: { int: include },
        }),
    }),
  ),
  {
    name: 'averagepool 1-D SAME_UPPER',
    inputs: [{ name: 'x', dims: [2, 3, 10] }],
    build: (g, [x]) =>
      node(g, 'AveragePool', [x as string], {
        kernel_shape: { ints: [4] },
        strides: { ints: [3] },
        auto_pad: { string: 'SAME_UPPER' },
      }),
  },
  {
    name: 'global average pool',
    inputs: [{ name: 'x', dims: [2, 5, 4, 3] }],
    build: (g, [x]) => node(g, 'GlobalAveragePool', [x as string]),
  },
  {
    name: 'batch normalization (inference)',
    inputs: [{ name: 'x', dims: [3, 4, 2, 5] }],
    build: (g, [x]) =>
      node(
        g,
        'BatchNormalization',
        [
          x as string,
          weights(g, 's', [4], 6),
          weights(g, 'b', [4], 7),
          weights(g, 'm', [4], 8),
          g.floats('v', [4], [0.5, 1.5, 2, 0.1]),
        ],
        { epsilon: { float: 1e-3 } },
      ),
  },
  ...[11, 13].flatMap((opset) =>
    (['Softmax', 'LogSoftmax'] as const).map(
      (op): Case => ({
        name: `${op} opset ${opset} axis 1 of a 3-D input`,
        opset,
        inputs: [{ name: 'x', dims: [2, 3, 4] }],
        build: (g, [x]) => node(g, op, [x as string], { axis: { int: 1 } }),
      }),
    ),
  ),
  {
    name: 'numpy broadcasting of Add, Mul, Sub, Div',
    inputs: [
      { name: 'a', dims: [2, 1, 4] },
      { name: 'b', dims: [3, 1] },
    ],
    build: (g, [a, b]) => {
      const s = g.node('Add', [a as string, b as string]);
      const m = g.node('Mul', [s, b as string]);
      const d = g.node('Sub', [m, a as string]);
      node(g, 'Div', [d, g.floats('two', [4], [2, -3, 0.5, 7])]);
    },
  },
  {
    name: 'batched MatMul and Gemm with transposes, alpha, beta',
    inputs: [{ name: 'a', dims: [2, 3, 4] }],
    build: (g, [a]) => {
      const m = g.node('MatMul', [a as string, weights(g, 'w', [4, 5], 9)]);
      const f = g.node('Reshape', [m, g.int64s('s', [2], [-1, 5])]);
      node(g, 'Gemm', [f, weights(g, 'v', [3, 5], 10), weights(g, 'c', [3], 11)], {
        transB: { int: 1 },
        alpha: { float: 0.5 },
        beta: { float: 2 },
      });
    },
  },
  {
    name: 'Gemm transA',
    inputs: [{ name: 'a', dims: [4, 3] }],
    build: (g, [a]) => node(g, 'Gemm', [a as string, weights(g, 'w', [4, 2], 12)], { transA: { int: 1 } }),
  },
  {
    name: 'activations: Relu, LeakyRelu, Elu, Selu, Sigmoid, Tanh, Softplus, PRelu',
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    build: (g, [x]) => {
      const parts = [
        g.node('Relu', [x as string]),
        g.node('LeakyRelu', [x as string], { attributes: { alpha: { float: 0.2 } } }),
        g.node('Elu', [x as string], { attributes: { alpha: { float: 0.7 } } }),
        g.node('Selu', [x as string]),
        g.node('Sigmoid', [x as string]),
        g.node('Tanh', [x as string]),
        g.node('Softplus', [x as string]),
        g.node('PRelu', [x as string, g.floats('slope', [3, 1], [0.1, -0.5, 2])]),
      ];
      node(g, 'Concat', parts, { axis: { int: -1 } });
    },
  },
  {
    name: 'Clip with min/max inputs (opset 13) and attributes (opset 6)',
    inputs: [{ name: 'x', dims: [3, 5] }],
    build: (g, [x]) => node(g, 'Clip', [x as string, g.floats('lo', [], [-0.5]), g.floats('hi', [], [1.25])]),
  },
  {
    name: 'Clip, attribute form',
    opset: 6,
    inputs: [{ name: 'x', dims: [3, 5] }],
    build: (g, [x]) => node(g, 'Clip', [x as string], { min: { float: -0.25 }, max: { float: 0.5 } }),
  },
  {
    name: 'Reshape 0 and −1, Transpose, Flatten',
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    build: (g, [x]) => {
      const r = g.node('Reshape', [x as string, g.int64s('s', [3], [0, -1, 2])]);
      const t = g.node('Transpose', [r], { attributes: { perm: { ints: [2, 0, 1] } } });
      node(g, 'Flatten', [t], { axis: { int: 2 } });
    },
  },
  {
    name: 'dynamic flatten: Shape, Gather, Unsqueeze, Concat, Reshape, Squeeze',
    inputs: [{ name: 'x', dims: [3, 2, 4] }],
    build: (g, [x]) => {
      const shape = g.node('Shape', [x as string]);
      const n = g.node('Gather', [shape, g.int64s('zero', [], [0])], { attributes: { axis: { int: 0 } } });
      const n1 = g.node('Unsqueeze', [n, g.int64s('axes', [1], [0])]);
      const spec = g.node('Concat', [n1, g.int64s('rest', [1], [-1])], { attributes: { axis: { int: 0 } } });
      const flat = g.node('Reshape', [x as string, spec]);
      const u = g.node('Unsqueeze', [flat, g.int64s('axes1', [1], [1])]);
      node(g, 'Squeeze', [u, g.int64s('axes2', [1], [1])]);
    },
  },
];

describe('ONNX operators against ONNX Runtime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { maxDiff } = await compare(c);
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }

  it('the comparison can fail: a different Elu α gives |Δ| > 0.01', async () => {
    const elu: Case = {
      name: 'elu',
      inputs: [{ name: 'x', dims: [4, 5] }],
      build: (g, [x]) => node(g, 'Elu', [x as string], { alpha: { float: 0.7 } }),
    };
    const { maxDiff } = await compare(elu, (m) =>
      m.graph.nodes[0]?.attributes.set('alpha', { kind: 'float', value: 0.8 }),
    );
    expect(maxDiff).toBeGreaterThan(0.01);
  });
});

describe('what the interpreter refuses', () => {
  function model(op: string, attributes: Record<string, OnnxAttribute> = {}, shape: (number | string)[] = ['N', 3]) {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape });
    g.node(op, [x], { output: 'y', attributes });
    g.output({ name: 'y', type: 'float', shape });
    return decodeOnnxModel(g.encode('refused'));
  }

  it('an op outside the set, naming node and op', () => {
    const m = model('Erf');
    expect(() => compileOnnxGraph(m)).toThrow(OnnxUnsupportedError);
    expect(() => compileOnnxGraph(m)).toThrow('graph.node[0] "erf_0": operator Erf is not supported');
    try {
      compileOnnxGraph(m);
    } catch (e) {
      expect((e as OnnxUnsupportedError).op).toBe('Erf');
      expect((e as OnnxUnsupportedError).node).toBe('erf_0');
    }
  });

  it('an attribute the op does not read, and an attribute value it does not implement', () => {
    expect(() => compileOnnxGraph(model('Relu', { alpha: { float: 1 } }))).toThrow(
      'graph.node[0] "relu_0" (Relu): attribute "alpha" is not supported',
    );
    expect(() => compileOnnxGraph(model('Cast', { to: { int: 10 } }))).toThrow(
      /\(Cast\): cast to data type 10 is not supported/,
    );
  });

  it('a symbolic dimension other than the batch', () => {
    expect(() => compileOnnxGraph(model('Relu', {}, ['N', 'features']))).toThrow(
      /dimension 1 is symbolic \("features"\); only the first \(batch\) dimension may be dynamic/,
    );
  });

  it('shapes that do not agree, naming the node', () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 3] });
    g.node('MatMul', [x, g.floats('w', [4, 2], new Array(8).fill(1))], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    expect(() => compileOnnxGraph(decodeOnnxModel(g.encode('bad')))).toThrow(OnnxImportError);
    expect(() => compileOnnxGraph(decodeOnnxModel(g.encode('bad')))).toThrow(/matmul_0.*do not multiply/);
  });

  it('folds constant sub-graphs at compile time', () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 2] });
    const w = g.node('Transpose', [g.floats('w', [2, 2], [1, 2, 3, 4])]);
    const w2 = g.node('Mul', [w, g.floats('k', [], [2])]);
    g.node('MatMul', [x, w2], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    const compiled = compileOnnxGraph(decodeOnnxModel(g.encode('folded')));
    expect(compiled.nodes.map((n) => n.opType)).toEqual(['MatMul']);
    expect(compiled.outputs).toEqual([{ name: 'y', type: 'float', shape: [2, 2] }]);
    const y = evaluateOnnx(
      decodeOnnxModel(g.encode('folded')),
      new Map([['x', { name: 'x', type: 'float', dims: [1, 2], data: Float32Array.of(1, 1) }]]),
    );
    // x · 2wᵀ = [1, 1] · [[2, 6], [4, 8]] = [6, 14].
    expect(y.get('y')?.data).toEqual(Float32Array.of(6, 14));
  });
});
