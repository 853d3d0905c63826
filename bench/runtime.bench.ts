/**
 * Inference kernels (issues 5 and 10): samples/s and µs per call at batch 1, 64 and 4096 for the
 * default networks on the hepml runtime (WebAssembly SIMD kernels and plain TypeScript loops)
 * against tfjs-cpu, tfjs-wasm, onnxruntime-web (wasm, 1 thread) and onnxruntime-node (native,
 * 1 intra-op thread), with the same weights in each (ONNX written by the project's exporter).
 *
 * Rates are per core: samples per second of CPU time consumed by this process
 * (process.cpuUsage, user + system) while the loop ran, so that other load on a shared machine
 * does not count against a contender; the wall-clock µs per call is printed beside it. FLOPs per
 * sample = 2·Σ fanIn·units over the dense layers (activations not counted); GFLOP/s is that times
 * the per-core rate, quoted against the 1-core MatMul peak of peak.bench.ts, re-measured here.
 * Every loop is bounded in time (MIN_MS per figure). BENCH_RUNTIME_SECTIONS (comma-separated, of
 * mlp, cnn, gbdt; default all) runs only those tables, e.g. `BENCH_RUNTIME_SECTIONS=cnn`; with more
 * than one, each table runs in a child process of its own (a fresh heap, so that the garbage one
 * table leaves is not collected by background threads on the next table's CPU time).
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildBaselineBundle, evaluateGbdt, fitGbdt, sampleMatrix } from '@hepml/models/baselines';
import type { BundleManifestV1, CnnFilmArchitectureV1, CnnLayerV1, DenseLayerV1 } from '@hepml/models/bundle';
import { cnnFilmParameterCount, mlpParameterCount, planCnnTrunk } from '@hepml/models/bundle';
import { denseChainOf, exportBundleOnnx, exportOnnx } from '@hepml/models/export';
import { createCnnFilmRunner, createMlpRunner, createRunner } from '@hepml/models/runtime';
import {
  BOOSTED_JET_VARIABLES,
  CALO_IMAGE_SHAPE,
  ELECTRON_ID_VARIABLES,
  generateElectronId,
  Rng,
} from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BenchRow } from './lib.ts';
import { report } from './lib.ts';

const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 400);
const BATCHES = [1, 64, 4096];
const SECTIONS = new Set((process.env.BENCH_RUNTIME_SECTIONS ?? 'mlp,cnn,gbdt').split(',').map((v) => v.trim()));
for (const s of SECTIONS) {
  if (!['mlp', 'cnn', 'gbdt'].includes(s)) throw new Error(`BENCH_RUNTIME_SECTIONS: unknown section "${s}"`);
}

interface Net {
  name: string;
  inputSize: number;
  layers: DenseLayerV1[];
}

const dense = (units: number, activation: DenseLayerV1['activation']): DenseLayerV1 => ({
  type: 'dense',
  units,
  activation,
});
// The default networks of packages/models/src/architectures (taggers.ts) and the reference MLP of
// STACK.md, whose tfjs and onnxruntime figures were measured before the runtime existed.
const NETS: Net[] = [
  {
    name: `electron-id ${Object.keys(ELECTRON_ID_VARIABLES).length}-32-16-1`,
    inputSize: Object.keys(ELECTRON_ID_VARIABLES).length,
    layers: [dense(32, 'relu'), dense(16, 'relu'), dense(1, 'sigmoid')],
  },
  {
    name: 'aleph-btag 6-10-10-1',
    inputSize: 6,
    layers: [dense(10, 'sigmoid'), dense(10, 'sigmoid'), dense(1, 'sigmoid')],
  },
  {
    name: `boosted-jet ${Object.keys(BOOSTED_JET_VARIABLES).length}-32-32-3`,
    inputSize: Object.keys(BOOSTED_JET_VARIABLES).length,
    layers: [dense(32, 'relu'), dense(32, 'relu'), dense(3, 'softmax')],
  },
  {
    name: 'mlp 19-64-32-1 (STACK.md)',
    inputSize: 19,
    layers: [dense(64, 'relu'), dense(32, 'relu'), dense(1, 'sigmoid')],
  },
];

// A full garbage collection before each figure, so that garbage left by the previous contender
// (tfjs tensors, released sessions) is not collected on the next one's time.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Waits (at most 10 s) until the process's background threads are idle: less than 5 % of a core
 * used over 50 ms while this thread sleeps. Creating a session compiles engines' WebAssembly
 * (onnxruntime-web's is megabytes) and the collector sweeps on helper threads; that work would
 * otherwise be charged, by process.cpuUsage, to the contender timed next.
 */
async function quiet(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c0 = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const c = process.cpuUsage(c0);
    if (c.user + c.system < 2500) return;
  }
}

/** Times `fn` for at least MIN_MS of wall time; returns CPU µs and wall µs per call. */
async function measure(fn: () => unknown, minIterations = 3, warmup = 3): Promise<{ cpuUs: number; wallUs: number }> {
  collectGarbage();
  await quiet();
  // Warm-up: at least `warmup` calls and a quarter of MIN_MS, so that the JIT has tiered up.
  const w0 = performance.now();
  for (let i = 0; i < warmup || (warmup > 1 && performance.now() - w0 < MIN_MS / 4); i++) await fn();
  let iterations = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < MIN_MS || iterations < minIterations) {
    await fn();
    iterations++;
  }
  const wallUs = ((performance.now() - t0) * 1000) / iterations;
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / iterations, wallUs };
}

function manifestOf(net: Net, rng: Rng): BundleManifestV1 {
  return {
    inputs: Array.from({ length: net.inputSize }, (_, i) => ({
      name: `x${i}`,
      unit: '1',
      offset: rng.range(-1, 1),
      scale: rng.range(0.5, 2),
    })),
    outputs: net.layers.at(-1)?.units === 1 ? [{ name: 'score', kind: 'score', unit: '1' }] : [],
    architecture: {
      kind: 'mlp',
      inputSize: net.inputSize,
      layers: net.layers,
      parameters: mlpParameterCount(net.inputSize, net.layers),
    },
  } as unknown as BundleManifestV1;
}

function flopsPerSample(net: Net): number {
  let fanIn = net.inputSize;
  let flops = 0;
  for (const l of net.layers) {
    flops += 2 * fanIn * l.units;
    fanIn = l.units;
  }
  return flops;
}

/** The same network as a tfjs model on standardised inputs (standardisation done in the call, as a user would). */
function tfjsModel(net: Net, weights: Float32Array): tf.LayersModel {
  const model = tf.sequential();
  let fanIn = net.inputSize;
  let o = 0;
  for (const [i, l] of net.layers.entries()) {
    model.add(
      tf.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [fanIn] } : {}) }),
    );
    const layer = model.layers[i];
    if (!layer) throw new Error('layer missing');
    const kernel = weights.slice(o, o + fanIn * l.units);
    o += fanIn * l.units;
    const bias = weights.slice(o, o + l.units);
    o += l.units;
    layer.setWeights([tf.tensor2d(kernel, [fanIn, l.units]), tf.tensor1d(bias)]);
    fanIn = l.units;
  }
  return model;
}

type Contender = (x: Float32Array, n: number) => unknown | Promise<unknown>;

async function main(): Promise<void> {
  if (SECTIONS.size > 1 && process.env.BENCH_RUNTIME_CHILD !== '1') {
    // One process per table: the heap a table leaves (tfjs tensors, sessions, a few hundred MB)
    // otherwise keeps V8's background threads marking and sweeping while the next table is timed,
    // which process.cpuUsage charges to whatever contender is running then.
    for (const section of ['mlp', 'cnn', 'gbdt'].filter((s) => SECTIONS.has(s))) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_RUNTIME_SECTIONS: section, BENCH_RUNTIME_CHILD: '1' },
      });
      if (child.status !== 0)
        throw new Error(`runtime bench, section ${section}: exit ${child.status ?? child.signal}`);
    }
    return;
  }
  const ortNode = await import('onnxruntime-node');
  const ortWeb = await import('onnxruntime-web');
  ortWeb.env.wasm.numThreads = 1;
  setThreadsCount(1);
  await tf.setBackend('cpu');
  const peak = await cpuPeakGflops(ortNode);
  if (SECTIONS.has('mlp')) await benchMlps(peak, ortNode, ortWeb);
  if (SECTIONS.has('cnn')) await benchCnn(peak, ortNode, ortWeb);
  if (SECTIONS.has('gbdt')) await benchGbdt(ortNode, ortWeb);
}

/** The default MLPs of NETS at each of BATCHES. */
async function benchMlps(
  peak: number,
  ortNode: typeof import('onnxruntime-node'),
  ortWeb: typeof import('onnxruntime-web'),
): Promise<void> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  let wasmWinsAt4096 = 0;

  for (const net of NETS) {
    const rng = new Rng(20261123);
    const manifest = manifestOf(net, rng);
    const weights = Float32Array.from({ length: mlpParameterCount(net.inputSize, net.layers) }, () =>
      rng.range(-0.4, 0.4),
    );
    const onnx = exportOnnx(denseChainOf(manifest, weights), { name: 'bench' });
    const sessionNode = await ortNode.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const sessionWeb = await ortWeb.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
    const model = tfjsModel(net, weights);
    const offsets = tf.tensor1d(manifest.inputs.map((i) => i.offset));
    const scales = tf.tensor1d(manifest.inputs.map((i) => i.scale));
    const hepmlWasm = createMlpRunner(manifest, weights, { kernels: 'wasm' });
    const hepmlTs = createMlpRunner(manifest, weights, { kernels: 'ts' });
    const outSize = hepmlWasm.outputSize;
    const out = new Float32Array(4096 * outSize);
    const tfjsPredict: Contender = (x, n) =>
      tf.tidy(() => {
        const t = tf.tensor2d(x, [n, net.inputSize]).sub(offsets).div(scales);
        return (model.predict(t, { batchSize: n }) as tf.Tensor).dataSync();
      });
    const ortRun =
      (session: { run(feeds: Record<string, unknown>): Promise<unknown> }, T: typeof ortNode.Tensor) =>
      async (x: Float32Array, n: number) =>
        session.run({ input: new T('float32', x, [n, net.inputSize]) });
    const contenders: [string, Contender, (() => Promise<void>) | null][] = [
      ['hepml wasm', (x, n) => hepmlWasm.predictInto(x, n, out), null],
      ['hepml ts', (x, n) => hepmlTs.predictInto(x, n, out), null],
      ['tfjs-cpu', tfjsPredict, async () => void (await tf.setBackend('cpu'))],
      ['tfjs-wasm', tfjsPredict, async () => void (await tf.setBackend('wasm'))],
      ['onnxruntime-web', ortRun(sessionWeb, ortWeb.Tensor as unknown as typeof ortNode.Tensor), null],
      ['onnxruntime-node', ortRun(sessionNode, ortNode.Tensor), null],
    ];
    const flops = flopsPerSample(net);
    for (const n of BATCHES) {
      const x = Float32Array.from({ length: n * net.inputSize }, (_, k) => {
        const input = manifest.inputs[k % net.inputSize];
        return input ? input.offset + input.scale * rng.normal() : 0;
      });
      // Agreement check before timing: every contender must compute the same thing.
      const reference = hepmlWasm.predict(x, n);
      const figures: { name: string; perCore: number; wallUs: number }[] = [];
      for (const [name, run, setup] of contenders) {
        if (setup) await setup();
        const y = (await run(x, n)) as unknown;
        const values = valuesOf(y, name === 'hepml wasm' || name === 'hepml ts' ? out : null);
        let worst = 0;
        for (let k = 0; k < reference.length; k++) {
          worst = Math.max(worst, Math.abs((values[k] ?? Number.NaN) - (reference[k] ?? 0)));
        }
        if (!(worst < 1e-4)) throw new Error(`${net.name} ${name} batch ${n}: differs from hepml by ${worst}`);
        const { cpuUs, wallUs } = await measure(() => run(x, n));
        figures.push({ name, perCore: (n * 1e6) / cpuUs, wallUs });
      }
      const peers = figures.filter((f) => !f.name.startsWith('hepml'));
      const bestPeer = Math.max(...peers.map((f) => f.perCore));
      const ortNodeRate = peers.find((f) => f.name === 'onnxruntime-node')?.perCore ?? Number.NaN;
      for (const f of figures) {
        rows.push({
          model: net.name,
          batch: String(n),
          runtime: f.name,
          'samples/s (per core)': Math.round(f.perCore),
          'µs/call (wall)': f.wallUs,
          'vs best peer': f.perCore / bestPeer,
          'vs ort-node': f.perCore / ortNodeRate,
          'FLOPs/sample': flops,
          'GFLOP/s': (flops * f.perCore) / 1e9,
          '% of peak': (100 * flops * f.perCore) / 1e9 / peak,
        });
      }
      const wasmRate = figures.find((f) => f.name === 'hepml wasm')?.perCore ?? 0;
      if (
        n === 4096 &&
        wasmRate > Math.max(...peers.filter((p) => p.name !== 'onnxruntime-node').map((p) => p.perCore))
      ) {
        wasmWinsAt4096++;
      }
    }
    await sessionNode.release();
    await sessionWeb.release();
    model.dispose();
    offsets.dispose();
    scales.dispose();
  }
  notes.push(
    `peak (1-core 1024³ MatMul, onnxruntime-node, CPU time): ${peak.toFixed(1)} GFLOP/s; rates are samples per CPU-second of this process.`,
    `hepml wasm ahead of tfjs-cpu, tfjs-wasm and onnxruntime-web at batch 4096 for ${wasmWinsAt4096} of ${NETS.length} networks.`,
  );
  report('Inference kernels: default MLPs, 1 thread', rows, notes);
}

/**
 * The default CNN+FiLM energy regressor (architectures/cnn-film.ts defaultCaloTrunk on the 7 × 11 × 4
 * calorimeter window, head 32-16-2) at batch 1, 64, 1024 and 4096: hepml runtime (wasm kernels, and
 * TypeScript loops) against tfjs-cpu, tfjs-wasm and onnxruntime-web/-node on the graph of
 * exportBundleOnnx (export/onnx-cnn-film.ts), same weights.
 */
async function benchCnn(
  peak: number,
  ortNode: typeof import('onnxruntime-node'),
  ortWeb: typeof import('onnxruntime-web'),
): Promise<void> {
  const shape: [number, number, number] = [...CALO_IMAGE_SHAPE];
  const film = { type: 'film' as const, hidden: [dense(16, 'relu')] };
  const conv = (filters: number): CnnLayerV1 => ({
    type: 'conv2d',
    filters,
    kernelSize: [3, 3],
    strides: [1, 1],
    padding: 'same',
    useBias: true,
    activation: 'relu',
  });
  const arch: Omit<CnnFilmArchitectureV1, 'parameters'> = {
    kind: 'cnn-film',
    inputSize: 4,
    imageScale: 5,
    layers: [
      conv(8),
      film,
      { type: 'max-pool', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
      conv(16),
      film,
      { type: 'flatten' },
    ],
    concatScalars: true,
    head: [dense(32, 'relu'), dense(16, 'relu'), dense(2, 'linear')],
  };
  const rng = new Rng(7);
  const inputs = Array.from({ length: arch.inputSize }, (_, i) => ({
    name: `s${i}`,
    unit: 'GeV',
    offset: 50,
    scale: 20,
  }));
  const manifest = {
    inputs,
    image: { name: 'cells', shape, unit: 'GeV' },
    outputs: [
      { name: 'energy', kind: 'energy', unit: 'GeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ],
    architecture: { ...arch, parameters: cnnFilmParameterCount(shape, arch) },
    weights: 'weights.bin',
  } as unknown as BundleManifestV1;
  // The tfjs model in the schema's layer and weight order, random weights.
  const chunks: Float32Array[] = [];
  const set = (layer: tf.layers.Layer) => {
    layer.setWeights(
      layer.getWeights().map((t) => {
        const v = Float32Array.from({ length: t.size }, () => rng.range(-0.3, 0.3));
        chunks.push(v);
        return tf.tensor(v, t.shape);
      }),
    );
  };
  const imageIn = tf.input({ shape });
  const scalarsIn = tf.input({ shape: [arch.inputSize] });
  const ordered: tf.layers.Layer[] = [];
  let x = tf.layers.rescaling({ scale: 1 / arch.imageScale }).apply(imageIn) as tf.SymbolicTensor;
  const { plans, features } = planCnnTrunk(shape, arch.inputSize, arch.layers);
  let flops = 0;
  for (const { layer, input, output } of plans) {
    if (layer.type === 'conv2d') {
      const l = tf.layers.conv2d({ ...layer });
      ordered.push(l);
      x = l.apply(x) as tf.SymbolicTensor;
      flops += 2 * (output[0] ?? 0) * (output[1] ?? 0) * layer.filters * 9 * (input[2] ?? 0);
    } else if (layer.type === 'film') {
      const c = input[2] ?? 1;
      const hidden = tf.layers.dense({ units: 16, activation: 'relu' });
      const gamma = tf.layers.dense({ units: c });
      const beta = tf.layers.dense({ units: c });
      ordered.push(hidden, gamma, beta);
      const h = hidden.apply(scalarsIn) as tf.SymbolicTensor;
      const g = tf.layers.reshape({ targetShape: [1, 1, c] }).apply(gamma.apply(h)) as tf.SymbolicTensor;
      const b = tf.layers.reshape({ targetShape: [1, 1, c] }).apply(beta.apply(h)) as tf.SymbolicTensor;
      x = tf.layers.add().apply([tf.layers.multiply().apply([x, g]) as tf.SymbolicTensor, b]) as tf.SymbolicTensor;
      flops += 2 * (arch.inputSize * 16 + 2 * 16 * c) + 2 * input.reduce((a, v) => a * v, 1);
    } else if (layer.type === 'max-pool') {
      x = tf.layers
        .maxPooling2d({ poolSize: layer.poolSize, strides: layer.strides, padding: layer.padding })
        .apply(x) as tf.SymbolicTensor;
    } else if (layer.type === 'flatten') {
      x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    }
  }
  x = tf.layers.concatenate().apply([x, scalarsIn]) as tf.SymbolicTensor;
  let fanIn = features + arch.inputSize;
  for (const d of arch.head) {
    const l = tf.layers.dense({ units: d.units, activation: d.activation });
    ordered.push(l);
    x = l.apply(x) as tf.SymbolicTensor;
    flops += 2 * fanIn * d.units;
    fanIn = d.units;
  }
  const model = tf.model({ inputs: [imageIn, scalarsIn], outputs: x });
  for (const l of ordered) set(l);
  const weights = new Float32Array(chunks.reduce((n, v) => n + v.length, 0));
  let o = 0;
  for (const v of chunks) {
    weights.set(v, o);
    o += v.length;
  }
  const runner = createCnnFilmRunner(manifest, weights);
  const runnerTs = createCnnFilmRunner(manifest, weights, { kernels: 'ts' });
  const onnx = exportBundleOnnx(
    manifest,
    { [manifest.weights]: new Uint8Array(weights.buffer) },
    { name: 'bench-cnn' },
  );
  const sessionNode = await ortNode.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const sessionWeb = await ortWeb.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
  const imageSize = shape[0] * shape[1] * shape[2];
  const rows: BenchRow[] = [];
  for (const n of [1, 64, 1024, 4096]) {
    const features = Float32Array.from({ length: n * arch.inputSize }, () => 50 + 20 * rng.normal());
    const image = Float32Array.from({ length: n * imageSize }, () => (rng.uniform() < 0.5 ? 0 : 10 * rng.uniform()));
    const tfjsRun = () =>
      tf.tidy(() => {
        const s = tf.tensor2d(features, [n, arch.inputSize]).sub(50).div(20);
        return (model.predict([tf.tensor4d(image, [n, ...shape]), s], { batchSize: n }) as tf.Tensor).dataSync();
      });
    const ortRun = (session: typeof sessionNode, T: typeof ortNode.Tensor) => async () => {
      const y = await session.run({
        input: new T('float32', features, [n, arch.inputSize]),
        image: new T('float32', image, [n, ...shape]),
      });
      return (y.output as { data: Float32Array }).data;
    };
    const contenders: [string, () => ArrayLike<number> | Promise<ArrayLike<number>>, string | null][] = [
      ['hepml wasm', () => runner.predict(features, n, image), null],
      ['hepml ts', () => runnerTs.predict(features, n, image), null],
      ['tfjs-cpu', tfjsRun, 'cpu'],
      ['tfjs-wasm', tfjsRun, 'wasm'],
      [
        'onnxruntime-web',
        ortRun(sessionWeb as unknown as typeof sessionNode, ortWeb.Tensor as unknown as typeof ortNode.Tensor),
        null,
      ],
      ['onnxruntime-node', ortRun(sessionNode, ortNode.Tensor), null],
    ];
    const reference = runner.predict(features, n, image);
    const scale = Math.max(...Array.from(reference, Math.abs));
    const figures: { name: string; perCore: number; wallUs: number }[] = [];
    for (const [name, run, backend] of contenders) {
      if (backend) await tf.setBackend(backend);
      const y = await run();
      let worst = 0;
      for (let k = 0; k < reference.length; k++)
        worst = Math.max(worst, Math.abs((y[k] ?? Number.NaN) - (reference[k] ?? 0)));
      if (!(worst <= 1e-4 * scale)) throw new Error(`cnn-film ${name} batch ${n}: differs from hepml by ${worst}`);
      const { cpuUs, wallUs } = await measure(run, 2, n >= 1024 ? 1 : 20);
      figures.push({ name, perCore: (n * 1e6) / cpuUs, wallUs });
    }
    const bestPeer = Math.max(...figures.filter((f) => !f.name.startsWith('hepml')).map((f) => f.perCore));
    const ortNodeRate = figures.find((f) => f.name === 'onnxruntime-node')?.perCore ?? Number.NaN;
    for (const f of figures) {
      rows.push({
        model: 'cnn-film 7x11x4',
        batch: String(n),
        runtime: f.name,
        'samples/s (per core)': Math.round(f.perCore),
        'µs/call (wall)': f.wallUs,
        'vs best peer': f.perCore / bestPeer,
        'vs ort-node': f.perCore / ortNodeRate,
        'FLOPs/sample': flops,
        'GFLOP/s': (flops * f.perCore) / 1e9,
        '% of peak': (100 * flops * f.perCore) / 1e9 / peak,
      });
    }
  }
  model.dispose();
  await sessionNode.release();
  await sessionWeb.release();
  report('Inference kernels: CNN+FiLM energy regressor, 1 thread', rows, [
    'hepml wasm: every layer in wasm per block of 32 rows (convolutions as one implicit SIMD GEMM over the block with bias, relu and FiLM fused; pooling, FiLM generators and the head as SIMD passes); hepml ts: TypeScript loops only. FLOPs count convolutions, FiLM and the dense head.',
  ]);
}

/**
 * The 1-core peak as in peak.bench.ts (a 1024³ float32 MatMul in onnxruntime-node, MLAS kernels,
 * one thread, 2·n³ FLOPs) but timed in CPU time like the rates above.
 */
async function cpuPeakGflops(ort: typeof import('onnxruntime-node'), n = 1024): Promise<number> {
  const manifest = {
    inputs: Array.from({ length: n }, (_, i) => ({ name: `x${i}`, unit: '1', offset: 0, scale: 1 })),
    outputs: [],
    architecture: { kind: 'mlp', inputSize: n, layers: [dense(n, 'linear')], parameters: n * n + n },
  } as unknown as BundleManifestV1;
  const weights = Float32Array.from({ length: n * n + n }, (_, i) => (i < n * n ? Math.sin(i) * 0.01 : 0));
  const session = await ort.InferenceSession.create(exportOnnx(denseChainOf(manifest, weights), { name: 'peak' }), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, (_, i) => Math.cos(i)),
    [n, n],
  );
  const { cpuUs } = await measure(() => session.run({ input: x }));
  await session.release();
  return (2 * n ** 3) / (cpuUs * 1e3);
}

/**
 * The electron-ID GBDT baseline (100 trees, depth ≤ 6, fitted here on 4500 simulated electrons):
 * hepml (createRunner on its bundle → baselines' evaluator) against onnxruntime-web and -node on
 * the ai.onnx.ml tree ensemble of export/onnx-gbdt.ts. tfjs has no tree ensembles.
 */
async function benchGbdt(
  ortNode: typeof import('onnxruntime-node'),
  ortWeb: typeof import('onnxruntime-web'),
): Promise<void> {
  const inputs = Object.keys(ELECTRON_ID_VARIABLES);
  const sample = generateElectronId({ n: 4500, seed: 11 });
  const { features: all, n: nAll } = sampleMatrix(sample, inputs);
  const params = fitGbdt({ inputs, features: all, n: nAll, target: sample.label, objective: 'binary', trees: 100 });
  const bundle = await buildBaselineBundle({
    name: 'bench-gbdt',
    task: 'electron-id',
    description: 'bench',
    model: { kind: 'gbdt', params },
    lineage: {
      datasetHash: 'bench',
      codeVersion: 'bench',
      seed: 11,
      createdAt: new Date(0).toISOString(),
      backend: 'none',
    },
  });
  const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
  const onnx = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'bench-gbdt' });
  const sessionNode = await ortNode.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const sessionWeb = await ortWeb.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
  const rows: BenchRow[] = [];
  for (const n of BATCHES) {
    const x = all.subarray(0, n * inputs.length);
    const ortRun = (session: typeof sessionNode, T: typeof ortNode.Tensor) => async () => {
      const y = await session.run({ input: new T('float32', x, [n, inputs.length]) });
      return (y.output as { data: Float32Array }).data;
    };
    const contenders: [string, () => ArrayLike<number> | Promise<ArrayLike<number>>][] = [
      ['hepml', () => runner.predict(x, n)],
      ['hepml (TS loops)', () => evaluateGbdt(params, x, n, undefined, 'ts')],
      [
        'onnxruntime-web',
        ortRun(sessionWeb as unknown as typeof sessionNode, ortWeb.Tensor as unknown as typeof ortNode.Tensor),
      ],
      ['onnxruntime-node', ortRun(sessionNode, ortNode.Tensor)],
    ];
    const reference = runner.predict(x, n);
    const figures: { name: string; perCore: number; wallUs: number }[] = [];
    for (const [name, run] of contenders) {
      const y = await run();
      let worst = 0;
      for (let k = 0; k < reference.length; k++)
        worst = Math.max(worst, Math.abs((y[k] ?? Number.NaN) - (reference[k] ?? 0)));
      if (!(worst <= 1e-5)) throw new Error(`gbdt ${name} batch ${n}: differs from hepml by ${worst}`);
      const { cpuUs, wallUs } = await measure(run);
      figures.push({ name, perCore: (n * 1e6) / cpuUs, wallUs });
    }
    const bestPeer = Math.max(...figures.filter((f) => !f.name.startsWith('hepml')).map((f) => f.perCore));
    for (const f of figures) {
      rows.push({
        model: `gbdt ${params.trees.length} trees`,
        batch: String(n),
        runtime: f.name,
        'samples/s (per core)': Math.round(f.perCore),
        'µs/call (wall)': f.wallUs,
        'vs best peer': f.perCore / bestPeer,
      });
    }
  }
  await sessionNode.release();
  await sessionWeb.release();
  report('Inference kernels: electron-ID GBDT baseline, 1 thread', rows, [
    'hepml runs the trees on its wasm kernel gbdtSum (tree by tree over blocks of 256 rows, eight rows walked together',
    'without branches); "TS loops" is its TypeScript fallback. The peers run the ai.onnx.ml TreeEnsemble export.',
  ]);
}

/** Output values of any contender as a flat array. */
function valuesOf(y: unknown, written: Float32Array | null): ArrayLike<number> {
  if (written) return written;
  if (y instanceof Float32Array) return y;
  const first = Object.values(y as Record<string, { data: unknown }>)[0];
  return first?.data as Float32Array;
}

await main();
