/**
 * Imported models at the speed of native ones (issue 19): an MLP written as PyTorch's
 * `torch.onnx.export` writes an `nn.Sequential` of Linear and activations (Gemm with transB = 1,
 * then Relu/Sigmoid), imported with `pnpm import-model`'s library (`importModelFile`) and run by
 * the bundle runtime, against the native `mlp` bundle of the same shape and weights and against
 * onnxruntime-node (1 intra-op thread) on the same ONNX file. Same rows, outputs checked to agree
 * before timing; rates are samples per CPU-second of this process, the best of 3 interleaved
 * rounds after a warm-up round; the ratio imported/native is taken within this one run.
 */

import type { DenseLayerV1 } from '@hepml/models/bundle';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { OnnxGraph } from '@hepml/models/export';
import { importModelFile } from '@hepml/models/import';
import { createRunner } from '@hepml/models/runtime';
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import type { BenchRow } from './lib.ts';
import { report, timePerCall } from './lib.ts';

const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 400);
const BATCHES = [1, 64, 4096];
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);

interface Shape {
  name: string;
  inputSize: number;
  hidden: number[];
}
const SHAPES: Shape[] = [
  { name: 'electron-id 22-32-16-1', inputSize: 22, hidden: [32, 16] },
  { name: 'mlp 19-64-32-1 (STACK.md)', inputSize: 19, hidden: [64, 32] },
  { name: 'wide 32-256-256-1', inputSize: 32, hidden: [256, 256] },
];

/** Dense layers of a shape: ReLU hidden layers, one sigmoid output. */
function layersOf(s: Shape): DenseLayerV1[] {
  return [
    ...s.hidden.map((units) => ({ type: 'dense' as const, units, activation: 'relu' as const })),
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ];
}

/**
 * The network as torch.onnx.export writes nn.Sequential(Linear, ReLU, …, Linear, Sigmoid): one
 * Gemm per Linear with its weight [out × in] (transB = 1) and bias, then the activation.
 * `weights` is our layout (per layer: kernel [in × out] row-major, then bias).
 */
function torchStyleOnnx(s: Shape, weights: Float32Array): Uint8Array {
  const g = new OnnxGraph(17);
  let h = g.input({ name: 'input', type: 'float', shape: ['batch', s.inputSize] });
  let fanIn = s.inputSize;
  let o = 0;
  const layers = layersOf(s);
  layers.forEach((l, k) => {
    const w = new Float32Array(l.units * fanIn);
    for (let i = 0; i < fanIn; i++)
      for (let j = 0; j < l.units; j++) w[j * fanIn + i] = weights[o + i * l.units + j] as number;
    o += fanIn * l.units;
    const b = weights.subarray(o, o + l.units);
    o += l.units;
    h = g.node('Gemm', [h, g.floats(`${k * 2}.weight`, [l.units, fanIn], w), g.floats(`${k * 2}.bias`, [l.units], b)], {
      attributes: { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } },
    });
    const last = k === layers.length - 1;
    h = g.node(last ? 'Sigmoid' : 'Relu', [h], last ? { output: 'output' } : {});
    fanIn = l.units;
  });
  g.output({ name: 'output', type: 'float', shape: ['batch', 1] });
  return g.encode('main_graph');
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const ratios: string[] = [];
  for (const shape of SHAPES) {
    const rng = new Rng(20261203);
    const layers = layersOf(shape);
    const parameters = mlpParameterCount(shape.inputSize, layers);
    const weights = Float32Array.from({ length: parameters }, () => rng.range(-0.3, 0.3));
    const inputs = Array.from({ length: shape.inputSize }, (_, i) => ({ name: `x${i}`, unit: '1' }));
    const native = await buildBundle(
      {
        format: 'hepml-bundle',
        formatVersion: 1,
        name: 'native-mlp',
        task: 'bench',
        description: 'native MLP of the bench',
        inputs: inputs.map((i) => ({ ...i, offset: 0, scale: 1 })),
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
        architecture: { kind: 'mlp', inputSize: shape.inputSize, layers, parameters },
        weights: 'weights.bin',
        metrics: {},
        workingPoints: [],
        lineage: {
          datasetHash: 'bench',
          codeVersion: 'bench',
          seed: 0,
          createdAt: '2026-12-03T00:00:00Z',
          backend: 'none',
        },
      },
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    const onnx = torchStyleOnnx(shape, weights);
    const t0 = performance.now();
    const imported = await importModelFile({
      bytes: onnx,
      file: 'mlp.onnx',
      name: 'imported-mlp',
      spec: { inputs, outputs: [{ name: 'score', kind: 'score', unit: '1' }] },
    });
    const importMs = performance.now() - t0;
    // Fused into the same architecture with the same float32 weights, the two run the same code.
    const wNative = native.files.get(native.manifest.weights) as Uint8Array;
    const wImported = imported.files.get(imported.manifest.weights) as Uint8Array;
    const sameWeights = wNative.length === wImported.length && wNative.every((b, i) => b === wImported[i]);
    const sameArchitecture =
      JSON.stringify(imported.manifest.architecture) === JSON.stringify(native.manifest.architecture);
    const nativeRunner = createRunner(native.manifest, Object.fromEntries(native.files));
    const importedRunner = createRunner(imported.manifest, Object.fromEntries(imported.files));
    const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    for (const n of BATCHES) {
      const x = Float32Array.from({ length: n * shape.inputSize }, () => rng.normal());
      const want = nativeRunner.predict(x, n);
      const got = importedRunner.predict(x, n);
      const ortOut = (await session.run({ input: new ort.Tensor('float32', x, [n, shape.inputSize]) })).output
        ?.data as Float32Array;
      for (let i = 0; i < want.length; i++) {
        const d = Math.max(
          Math.abs((got[i] as number) - (want[i] as number)),
          Math.abs((ortOut[i] as number) - (want[i] as number)),
        );
        if (!(d < 1e-5)) throw new Error(`${shape.name} batch ${n}: imported/ort differ from native by ${d} at ${i}`);
      }
      const figures: [string, () => unknown][] = [
        ['native mlp bundle', () => nativeRunner.predict(x, n)],
        [`imported ONNX (${imported.manifest.architecture.kind})`, () => importedRunner.predict(x, n)],
        ['onnxruntime-node', () => session.run({ input: new ort.Tensor('float32', x, [n, shape.inputSize]) })],
      ];
      // ROUNDS interleaved rounds, the best of each contender: a shared machine's other work then
      // costs both sides alike, and the ratio compares code, not load.
      const best = figures.map(() => ({ cpuMs: Number.POSITIVE_INFINITY, wallMs: Number.POSITIVE_INFINITY }));
      // Round 0 only warms every contender up (the JIT), and the order alternates between rounds.
      for (let round = 0; round <= ROUNDS; round++) {
        const order = [...figures.entries()];
        if (round % 2 === 1) order.reverse();
        for (const [k, [, fn]] of order) {
          const t = await timePerCall(fn, { minMs: round === 0 ? MIN_MS / 4 : MIN_MS, warmup: 5 });
          if (round === 0) continue;
          const b = best[k] as { cpuMs: number; wallMs: number };
          b.cpuMs = Math.min(b.cpuMs, t.cpuMsPerCall);
          b.wallMs = Math.min(b.wallMs, t.msPerCall);
        }
      }
      const rates = best.map((b) => (n * 1000) / b.cpuMs);
      for (const [k, [runtime]] of figures.entries()) {
        rows.push({
          model: shape.name,
          batch: String(n),
          runtime,
          'samples/s (per core)': Math.round(rates[k] as number),
          'µs/call (wall)': (best[k]?.wallMs as number) * 1000,
          'vs native': (rates[k] as number) / (rates[0] as number),
        });
      }
      ratios.push(
        `${shape.name} batch ${n}: imported/native ${((rates[1] as number) / (rates[0] as number)).toFixed(2)}`,
      );
    }
    await session.release();
    ratios.push(
      `${shape.name}: import (decode, compile, bundle) took ${importMs.toFixed(1)} ms; imported architecture ${sameArchitecture ? 'equals' : 'differs from'} the native one, weights ${sameWeights ? 'byte for byte the same' : 'differ'}`,
    );
  }
  report('Imported ONNX MLP (torch.onnx.export layout) vs native mlp bundle, 1 thread', rows, ratios);
}

await main();
