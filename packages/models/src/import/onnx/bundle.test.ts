import { Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../bundle/build.ts';
import type { BundleManifestV1, DenseLayerV1 } from '../../bundle/manifest.ts';
import { mlpParameterCount } from '../../bundle/manifest.ts';
import { OnnxImportError, OnnxUnsupportedError } from '../../errors.ts';
import { exportBundleOnnx } from '../../export/onnx.ts';
import { OnnxGraph } from '../../export/onnx-graph.ts';
import { evaluateOnnx } from '../../runtime/onnx-graph/compile.ts';
import { createRunner } from '../../runtime/runner.ts';
import { importOnnx } from './bundle.ts';
import { decodeOnnxModel } from './decode.ts';

const CREATED = '2026-12-03T00:00:00Z';

function uniform(rng: Rng, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => rng.range(lo, hi));
}

function runnerOf(bundle: { manifest: BundleManifestV1; files: Map<string, Uint8Array> }) {
  return createRunner(bundle.manifest, Object.fromEntries(bundle.files));
}

/** The graph's own answer on standardised rows (the interpreter, no bundle). */
function interpreted(bytes: Uint8Array, rows: Float32Array, dims: number[]): Float32Array {
  const out = evaluateOnnx(decodeOnnxModel(bytes), new Map([['x', { name: 'x', type: 'float', dims, data: rows }]]));
  return out.values().next().value?.data as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('importOnnx: dense chains fuse into native mlp bundles', () => {
  it('round-trips our own exported MLP (Sub/Div standardisation, sigmoid as Neg/Exp/Add/Reciprocal)', async () => {
    const rng = new Rng(19);
    const layers: DenseLayerV1[] = [
      { type: 'dense', units: 16, activation: 'relu' },
      { type: 'dense', units: 8, activation: 'tanh' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ];
    const parameters = mlpParameterCount(5, layers);
    const native = await buildBundle(
      {
        format: 'hepml-bundle',
        formatVersion: 1,
        name: 'native',
        task: 't',
        description: 'native mlp',
        inputs: Array.from({ length: 5 }, (_, i) => ({
          name: `x${i}`,
          unit: 'GeV',
          offset: rng.range(-3, 3),
          scale: rng.range(0.5, 4),
        })),
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
        architecture: { kind: 'mlp', inputSize: 5, layers, parameters },
        weights: 'weights.bin',
        metrics: {},
        workingPoints: [],
        lineage: { datasetHash: 'd', codeVersion: 'c', seed: 1, createdAt: CREATED, backend: 'ts' },
      },
      new Map([['weights.bin', new Uint8Array(Float32Array.from(uniform(rng, parameters)).buffer)]]),
    );
    const onnx = exportBundleOnnx(native.manifest, Object.fromEntries(native.files), { name: 'native' });
    const imported = await importOnnx(onnx, { name: 'imported', createdAt: CREATED });
    const m = imported.manifest;
    expect(m.architecture).toEqual(native.manifest.architecture);
    expect(m.outputs).toEqual([{ name: 'score', kind: 'score', unit: '1' }]);
    m.inputs.forEach((input, i) => {
      const ref = native.manifest.inputs[i] as BundleManifestV1['inputs'][number];
      expect(input.offset).toBeCloseTo(ref.offset, 5);
      expect(input.scale / ref.scale).toBeCloseTo(1, 6);
    });
    expect(m.lineage.codeVersion).toBe('onnx:hepml-edge');
    expect(m.lineage.datasetHash).toMatch(/^import:[0-9a-f]{64}$/);
    const rows = Float32Array.from(uniform(rng, 5 * 300, -10, 10));
    const a = runnerOf(native).predict(rows, 300);
    const b = runnerOf(imported).predict(rows, 300);
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
  });

  it('fuses a PyTorch-style chain (Gemm transB, Relu, MatMul + Add, Softmax) and folds options.inputs', async () => {
    const rng = new Rng(5);
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['batch', 4] });
    const h = g.node('Relu', [
      g.node('Gemm', [x, g.floats('w1', [6, 4], uniform(rng, 24)), g.floats('b1', [6], uniform(rng, 6))], {
        attributes: { transB: { int: 1 } },
      }),
    ]);
    const z = g.node('Add', [
      g.floats('b2', [3], uniform(rng, 3)),
      g.node('MatMul', [h, g.floats('w2', [6, 3], uniform(rng, 18))]),
    ]);
    g.node('Softmax', [z], { output: 'p', attributes: { axis: { int: 1 } } });
    g.output({ name: 'p', type: 'float', shape: ['batch', 3] });
    const bytes = g.encode('torch-like');
    const inputs = [0, 1, 2, 3].map((i) => ({ name: `f${i}`, unit: 'GeV', offset: 10 * i, scale: 2 + i }));
    const bundle = await importOnnx(bytes, { name: 'fused', inputs, createdAt: CREATED });
    expect(bundle.manifest.architecture.kind).toBe('mlp');
    expect(bundle.manifest.outputs.map((o) => o.name)).toEqual(['class_0', 'class_1', 'class_2']);
    const raw = Float32Array.from(uniform(rng, 4 * 50, -20, 40));
    const standardised = raw.map((v, k) => (v - 10 * (k % 4)) / (2 + (k % 4)));
    expect(maxDiff(runnerOf(bundle).predict(raw, 50), interpreted(bytes, standardised, [50, 4]))).toBeLessThan(1e-6);
  });
});

describe('importOnnx: other graphs become onnx-graph bundles', () => {
  /** x → Relu(x)·W + x (a residual), not a chain. */
  function residual(rng: Rng): Uint8Array {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 3] });
    const r = g.node('MatMul', [g.node('Relu', [x]), g.floats('w', [3, 3], uniform(rng, 9))]);
    g.node('Add', [r, x], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 3] });
    return g.encode('residual');
  }

  it('serves a residual graph through createRunner, standardising the raw inputs', async () => {
    const rng = new Rng(8);
    const bytes = residual(rng);
    const inputs = ['a', 'b', 'c'].map((name, i) => ({ name, unit: '1', offset: i, scale: 0.5 }));
    const bundle = await importOnnx(bytes, { name: 'residual', inputs, createdAt: CREATED });
    const arch = bundle.manifest.architecture;
    expect(arch).toEqual({
      kind: 'onnx-graph',
      format: 'onnx',
      opset: 13,
      parameters: 9,
      batch: 'dynamic',
      inputs: [{ name: 'x', shape: [3] }],
      outputs: [{ name: 'y', shape: [3] }],
    });
    // The stored graph is the file after folding: here the same nodes and weights.
    const stored = decodeOnnxModel(bundle.files.get('model.onnx') as Uint8Array);
    expect(stored.graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'MatMul', 'Add']);
    expect(stored.graph.initializers.get('w')).toEqual(decodeOnnxModel(bytes).graph.initializers.get('w'));
    const raw = Float32Array.from(uniform(rng, 3 * 2000, -5, 5));
    const standardised = raw.map((v, k) => (v - (k % 3)) / 0.5);
    // 2000 rows run in two blocks of the dynamic batch.
    expect(maxDiff(runnerOf(bundle).predict(raw, 2000), interpreted(bytes, standardised, [2000, 3]))).toBeLessThan(
      1e-6,
    );
  });

  it('runs MatMul/Gemm by constant weights on the wasm kernels as the loops do', async () => {
    const rng = new Rng(11);
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 7] });
    const h = g.node('Gemm', [x, g.floats('w', [9, 7], uniform(rng, 63)), g.floats('c', [9], uniform(rng, 9))], {
      attributes: { transB: { int: 1 }, alpha: { float: 0.5 }, beta: { float: 2 } },
    });
    // A residual keeps it off the mlp fusion; the last MatMul has 2 units (the narrow kernel).
    const r = g.node('Add', [g.node('Tanh', [h]), h]);
    g.node('MatMul', [r, g.floats('v', [9, 2], uniform(rng, 18))], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    const bundle = await importOnnx(g.encode('dense'), { name: 'dense', createdAt: CREATED });
    expect(bundle.manifest.architecture.kind).toBe('onnx-graph');
    const files = Object.fromEntries(bundle.files);
    const rows = Float32Array.from(uniform(rng, 7 * 600, -2, 2));
    const wasm = createRunner(bundle.manifest, files).predict(rows, 600);
    const loops = createRunner(bundle.manifest, files, { kernels: 'ts' }).predict(rows, 600);
    expect(maxDiff(wasm, loops)).toBeLessThan(1e-5);
    expect(maxDiff(wasm, new Float32Array(wasm.length))).toBeGreaterThan(0.1);
  });

  it('forces the interpreter for a dense chain with architecture "onnx-graph"', async () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 2] });
    g.node('Relu', [g.node('MatMul', [x, g.floats('w', [2, 2], [1, -1, 2, 0.5])])], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    const bundle = await importOnnx(g.encode('chain'), {
      name: 'chain',
      architecture: 'onnx-graph',
      createdAt: CREATED,
    });
    expect(bundle.manifest.architecture.kind).toBe('onnx-graph');
    // [1, 1]·W = [3, −0.5] → Relu → [3, 0].
    expect(runnerOf(bundle).predict(Float32Array.of(1, 1), 1)).toEqual(Float32Array.of(3, 0));
  });

  it('runs a graph exported for a fixed batch of 2 on 3 rows (the last run padded)', async () => {
    const rng = new Rng(3);
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: [2, 1, 4, 4] });
    const c = g.node('Conv', [x, g.floats('k', [2, 1, 3, 3], uniform(rng, 18))], {
      attributes: { pads: { ints: [1, 1, 1, 1] } },
    });
    g.node(
      'Flatten',
      [g.node('MaxPool', [c], { attributes: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } })],
      {
        output: 'y',
      },
    );
    g.output({ name: 'y', type: 'float', shape: [2, 8] });
    const bytes = g.encode('fixed');
    const bundle = await importOnnx(bytes, { name: 'fixed', createdAt: CREATED });
    const arch = bundle.manifest.architecture;
    expect(arch.kind === 'onnx-graph' && arch.batch).toBe(2);
    expect(bundle.manifest.inputs).toHaveLength(16);
    const rows = Float32Array.from(uniform(rng, 3 * 16));
    const out = runnerOf(bundle).predict(rows, 3);
    const first = interpreted(bytes, rows.slice(0, 32), [2, 1, 4, 4]);
    const last = interpreted(bytes, Float32Array.from([...rows.slice(32), ...new Array(16).fill(0)]), [2, 1, 4, 4]);
    expect(maxDiff(out, [...first, ...last.slice(0, 8)])).toBe(0);
  });
});

describe('importOnnx refusals', () => {
  it('an op outside the set: OnnxUnsupportedError naming node and op', async () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 2] });
    g.node('Erf', [x], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    await expect(importOnnx(g.encode('erf'), { name: 'erf' })).rejects.toThrow(OnnxUnsupportedError);
    await expect(importOnnx(g.encode('erf'), { name: 'erf' })).rejects.toThrow(
      '"erf_0": operator Erf is not supported',
    );
  });

  it('inputs that do not match the graph, and outputs that lose the batch axis', async () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 2] });
    g.node('Relu', [x], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    const one = [{ name: 'a', unit: '1', offset: 0, scale: 1 }];
    await expect(importOnnx(g.encode('relu'), { name: 'relu', inputs: one })).rejects.toThrow(
      'options.inputs lists 1 inputs, the graph takes 2 values per row',
    );
    const h = new OnnxGraph(13);
    const y = h.input({ name: 'x', type: 'float', shape: ['N', 2] });
    h.node('Reshape', [y, h.int64s('s', [1], [-1])], { output: 'y' });
    h.output({ name: 'y', type: 'float', shape: ['M'] });
    await expect(importOnnx(h.encode('flat'), { name: 'flat' })).rejects.toThrow(OnnxImportError);
    await expect(importOnnx(h.encode('flat'), { name: 'flat' })).rejects.toThrow(
      /first axis is not the inputs' batch axis/,
    );
  });
});
