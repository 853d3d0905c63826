// Issue 19: a hand-written lwtnn JSON network (lwtnn's documented format) imported as an `mlp`
// bundle gives, through the runtime, what ONNX Runtime gives for the same network written as ONNX
// from lwtnn's semantics ((x + offset) · scale, then per layer act(W x + b), W [units × fanIn]).
import { FieldError, Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraph } from '../export/onnx-graph.ts';
import { createRunner } from '../runtime/runner.ts';
import { importJsonModel } from './gbdt-bundle.ts';
import { importLwtnnJson } from './lwtnn.ts';

const ONNX_ACT: Record<string, string | null> = {
  rectified: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  linear: null,
  elu: 'Elu',
};

interface Layer {
  architecture: string;
  activation: string;
  weights: number[];
  bias: number[];
}

function network(rng: Rng, sizes: number[], activations: string[]) {
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] as number;
    const units = sizes[l + 1] as number;
    layers.push({
      architecture: 'dense',
      activation: activations[l] as string,
      weights: Array.from({ length: units * fanIn }, () => Math.fround(rng.normal() / Math.sqrt(fanIn))),
      bias: Array.from({ length: units }, () => Math.fround(0.1 * rng.normal())),
    });
  }
  const d = sizes[0] as number;
  return {
    inputs: Array.from({ length: d }, (_, i) => ({
      name: `x${i}`,
      offset: Math.fround(-10 * i),
      scale: Math.fround(1 / (1 + i)),
    })),
    input_sequences: [],
    layers,
    outputs: Array.from({ length: sizes.at(-1) as number }, (_, k) => `out_${k}`),
    defaults: {},
    miscellaneous: { units: JSON.stringify({ x0: 'GeV' }) },
  };
}

async function ortNetwork(net: ReturnType<typeof network>, x: Float32Array, n: number): Promise<Float32Array> {
  const d = net.inputs.length;
  const g = new OnnxGraph(13);
  const input = g.input({ name: 'X', type: 'float', shape: ['N', d] });
  const shifted = g.node('Add', [
    input,
    g.floats(
      'offset',
      [d],
      net.inputs.map((i) => i.offset),
    ),
  ]);
  let h = g.node('Mul', [
    shifted,
    g.floats(
      'scale',
      [d],
      net.inputs.map((i) => i.scale),
    ),
  ]);
  let fanIn = d;
  net.layers.forEach((layer, l) => {
    const units = layer.bias.length;
    const wt = new Float32Array(fanIn * units);
    for (let j = 0; j < units; j++)
      for (let i = 0; i < fanIn; i++) wt[i * units + j] = layer.weights[j * fanIn + i] as number;
    const z = g.node('Add', [
      g.node('MatMul', [h, g.floats(`w${l}`, [fanIn, units], wt)]),
      g.floats(`b${l}`, [units], layer.bias),
    ]);
    const op = layer.activation === 'softmax' ? 'Softmax' : ONNX_ACT[layer.activation];
    h = op ? g.node(op, [z], op === 'Softmax' ? { attributes: { axis: { int: -1 } } } : {}) : z;
    fanIn = units;
  });
  g.node('Identity', [h], { output: 'out' });
  g.output({ name: 'out', type: 'float', shape: ['N', fanIn] });
  const s = await ort.InferenceSession.create(g.encode('lwtnn'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const r = await s.run({ X: new ort.Tensor('float32', x, [n, d]) });
  await s.release();
  return r.out?.data as Float32Array;
}

async function check(net: ReturnType<typeof network>, rng: Rng): Promise<Float32Array> {
  const n = 64;
  const d = net.inputs.length;
  const x = Float32Array.from({ length: n * d }, (_, i) => 10 * (i % d) + 3 * rng.normal());
  const bundle = await importJsonModel(new TextEncoder().encode(JSON.stringify(net)), { name: 'lwtnn-test' });
  expect(bundle.manifest.architecture.kind).toBe('mlp');
  const got = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(x, n);
  const want = await ortNetwork(net, x, n);
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  expect(worst).toBeLessThan(1e-5);
  expect(bundle.manifest.inputs[0]?.unit).toBe('GeV');
  return want;
}

describe('lwtnn JSON as an mlp bundle', () => {
  it('rectified → tanh → softmax equals ONNX Runtime', async () => {
    const rng = new Rng(1931);
    const want = await check(network(rng, [3, 6, 5, 3], ['rectified', 'tanh', 'softmax']), rng);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
  });

  it('elu → sigmoid with one output equals ONNX Runtime', async () => {
    const rng = new Rng(1932);
    await check(network(rng, [4, 5, 1], ['elu', 'sigmoid']), rng);
  });

  it('names the field on input that does not fit', async () => {
    const rng = new Rng(1933);
    const net = network(rng, [3, 4, 2], ['rectified', 'softmax']);
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const maxout = { ...net, layers: [{ ...net.layers[0], architecture: 'maxout' }, net.layers[1]] };
    await expect(importLwtnnJson(enc(maxout), { name: 'x' })).rejects.toThrow(/layers\[0\]\.architecture/);
    const short = { ...net, layers: [net.layers[0], { ...net.layers[1], weights: [1, 2] }] };
    await expect(importLwtnnJson(enc(short), { name: 'x' })).rejects.toThrow(
      /layers\[1\]\.weights must have 2 × 4 = 8 entries/,
    );
    await expect(importLwtnnJson(enc({ ...net, outputs: ['a'] }), { name: 'x' })).rejects.toThrow(FieldError);
  });
});
