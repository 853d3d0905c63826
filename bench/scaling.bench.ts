/**
 * Scaling of inference cost on the hepml runtime (`@hepml/models/runtime`, one thread):
 *
 * 1. against batch size n ∈ {1, 4, 16, 64, 256, 1024, 4096} for the electron-ID-shaped MLP
 *    22-32-16-1 through `createRunner` (WebAssembly SIMD kernels when available) and through
 *    `createMlpRunner({ kernels: 'ts' })` (TypeScript loops), and for the CNN+FiLM regressor
 *    (7×11×4 image, default calorimeter trunk, head 32-16-2) through `createRunner`;
 * 2. against hidden width h ∈ {16, 32, 64, 128, 256} of an MLP 22-h-h-1 at batch 1024, with both
 *    kernel sets.
 *
 * Cost growth is summarised by the least-squares slope b of log t = a + b·log x: b = 1 means the
 * time grows linearly in x. Against batch size, b over n ≥ 64 is the large-batch regime and b over
 * all n includes the fixed per-call overhead (b < 1 while it dominates). Against width, the dense
 * chain costs 2·(22h + h² + h) FLOPs per sample, so the slope against h tends to 2 and the slope
 * against FLOPs is the linearity test (1 when time is proportional to arithmetic).
 * Weights and inputs are seeded; every figure is the mean of bounded repetitions (timePerCall).
 */

import { availableParallelism, loadavg } from 'node:os';
import {
  type BundleManifestV1,
  buildBundle,
  type CnnLayerV1,
  cnnFilmParameterCount,
  type DenseLayerV1,
  mlpParameterCount,
} from '@hepml/models/bundle';
import { createMlpRunner, createRunner, type ModelRunner } from '@hepml/models/runtime';
import { Rng } from '@hepml/physics';
import { type BenchRow, logLogSlope, report, timePerCall } from './lib.ts';

const BATCHES = [1, 4, 16, 64, 256, 1024, 4096];
const WIDTHS = [16, 32, 64, 128, 256];
const WIDTH_BATCH = 1024;
const INPUTS = 22;
const rng = new Rng(2026);

function uniform(n: number, limit: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(-limit, limit));
}

const lineage = {
  datasetHash: 'bench',
  codeVersion: 'bench',
  seed: 2026,
  createdAt: '2026-01-01T00:00:00Z',
  backend: 'none',
};

/** A bundle of an MLP with Glorot-uniform weights (limit √(6/(fanIn + fanOut))) and zero biases. */
async function mlpBundle(hidden: number[]): Promise<{ manifest: BundleManifestV1; files: Record<string, Uint8Array> }> {
  const layers: DenseLayerV1[] = [
    ...hidden.map((units) => ({ type: 'dense' as const, units, activation: 'relu' as const })),
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ];
  const parts: Float32Array[] = [];
  let fanIn = INPUTS;
  for (const l of layers) {
    parts.push(uniform(fanIn * l.units, Math.sqrt(6 / (fanIn + l.units))), new Float32Array(l.units));
    fanIn = l.units;
  }
  const weights = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    weights.set(p, o);
    o += p.length;
  }
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: `scaling-mlp-${hidden.join('-')}`,
      task: 'electron-id',
      description: 'scaling benchmark',
      inputs: Array.from({ length: INPUTS }, (_, i) => ({ name: `x${i}`, unit: '1', offset: 0, scale: 1 })),
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: INPUTS, layers, parameters: mlpParameterCount(INPUTS, layers) },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage,
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
  return { manifest: bundle.manifest, files: Object.fromEntries(bundle.files) };
}

/** The CNN+FiLM regressor's shape: 7×11×4 image, 13 scalars, default trunk, head 32-16-2. */
async function cnnBundle(): Promise<{ manifest: BundleManifestV1; files: Record<string, Uint8Array> }> {
  const imageShape: [number, number, number] = [7, 11, 4];
  const inputSize = 13;
  const film: CnnLayerV1 = { type: 'film', hidden: [{ type: 'dense', units: 16, activation: 'relu' }] };
  const conv = (filters: number): CnnLayerV1 => ({
    type: 'conv2d',
    filters,
    kernelSize: [3, 3],
    strides: [1, 1],
    padding: 'same',
    useBias: true,
    activation: 'relu',
  });
  const body = {
    inputSize,
    imageScale: 10,
    layers: [
      conv(8),
      film,
      { type: 'max-pool', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
      conv(16),
      film,
      { type: 'flatten' },
    ] as CnnLayerV1[],
    concatScalars: true,
    head: [
      { type: 'dense', units: 32, activation: 'relu' },
      { type: 'dense', units: 16, activation: 'relu' },
      { type: 'dense', units: 2, activation: 'linear' },
    ] as DenseLayerV1[],
  };
  const parameters = cnnFilmParameterCount(imageShape, body);
  const weights = uniform(parameters, 0.1);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'scaling-cnn-film',
      task: 'energy-regression',
      description: 'scaling benchmark',
      inputs: Array.from({ length: inputSize }, (_, i) => ({ name: `s${i}`, unit: '1', offset: 0, scale: 1 })),
      image: { name: 'cells', shape: imageShape, unit: 'GeV' },
      outputs: [
        { name: 'energy', kind: 'energy', unit: 'GeV' },
        { name: 'resolution', kind: 'resolution', unit: 'GeV' },
      ],
      architecture: { kind: 'cnn-film', ...body, parameters },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage,
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
  return { manifest: bundle.manifest, files: Object.fromEntries(bundle.files) };
}

/**
 * Mean µs per call of `runner.predict` on n seeded rows (at least 0.25 s and 2 calls per point):
 * CPU time of this process, and wall time.
 */
async function microsPerCall(runner: ModelRunner, n: number): Promise<{ cpu: number; wall: number }> {
  const features = uniform(n * runner.inputSize, 2);
  const image =
    runner.imageSize > 0 ? Float32Array.from({ length: n * runner.imageSize }, () => rng.uniform() * 5) : undefined;
  let sink = 0;
  const { msPerCall, cpuMsPerCall } = await timePerCall(
    () => {
      sink += runner.predict(features, n, image)[0] as number;
    },
    { minMs: 250, minIterations: 2, warmup: 1 },
  );
  if (!Number.isFinite(sink)) throw new Error('non-finite model output');
  return { cpu: cpuMsPerCall * 1000, wall: msPerCall * 1000 };
}

function tsRunner(bundle: { manifest: BundleManifestV1; files: Record<string, Uint8Array> }): ModelRunner {
  const bytes = bundle.files['weights.bin'] as Uint8Array;
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const mlp = createMlpRunner(bundle.manifest, weights, { kernels: 'ts' });
  return { inputSize: mlp.inputSize, imageSize: 0, outputSize: mlp.outputSize, predict: (x, n) => mlp.predict(x, n) };
}

const electron = await mlpBundle([32, 16]);
const engines: { name: string; runner: ModelRunner }[] = [
  { name: 'MLP 22-32-16-1 (createRunner)', runner: createRunner(electron.manifest, electron.files) },
  { name: 'MLP 22-32-16-1 (TS kernels)', runner: tsRunner(electron) },
];
const cnn = await cnnBundle();
engines.push({ name: 'CNN+FiLM 7×11×4', runner: createRunner(cnn.manifest, cnn.files) });

const perCall = new Map<string, number[]>();
const wallAtOne = new Map<string, number>();
const batchRows: BenchRow[] = BATCHES.map((n) => ({ batch: n }));
for (const e of engines) {
  const times: number[] = [];
  for (const [i, n] of BATCHES.entries()) {
    const us = await microsPerCall(e.runner, n);
    times.push(us.cpu);
    if (n === 1) wallAtOne.set(e.name, us.wall);
    (batchRows[i] as BenchRow)[`${e.name} µs/sample`] = us.cpu / n;
  }
  perCall.set(e.name, times);
}
const load = () =>
  `Load average: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores.`;
report('Scaling with batch size: hepml runtime, CPU µs per sample (one thread)', batchRows, [
  'CPU µs per sample = CPU time of the process per predict call / batch (the call includes the output allocation); CPU time, so that the other work on a shared machine does not count.',
  load(),
]);

const large = BATCHES.map((n, i) => [n, i] as const).filter(([n]) => n >= 64);
report(
  'Scaling with batch size: slope of log(time per call) against log(batch)',
  engines.map((e) => {
    const t = perCall.get(e.name) as number[];
    return {
      model: e.name,
      'slope, all batches': logLogSlope(BATCHES, t),
      'slope, batch ≥ 64': logLogSlope(
        large.map(([n]) => n),
        large.map(([, i]) => t[i] as number),
      ),
      'CPU µs/call at 1': t[0] as number,
      'wall µs/call at 1': wallAtOne.get(e.name) as number,
      'per-sample cost 1 → 4096': (t[0] as number) / ((t[t.length - 1] as number) / 4096),
    };
  }),
  [
    'Slope 1: time grows linearly with the batch (CPU time). "per-sample cost 1 → 4096": how many times cheaper a sample is at batch 4096.',
  ],
);

const widthRows: BenchRow[] = [];
const widthTimes = { wasm: [] as number[], ts: [] as number[] };
const flops = WIDTHS.map((h) => 2 * (INPUTS * h + h * h + h));
for (const [i, h] of WIDTHS.entries()) {
  const bundle = await mlpBundle([h, h]);
  const usAuto = (await microsPerCall(createRunner(bundle.manifest, bundle.files), WIDTH_BATCH)).cpu / WIDTH_BATCH;
  const usTs = (await microsPerCall(tsRunner(bundle), WIDTH_BATCH)).cpu / WIDTH_BATCH;
  widthTimes.wasm.push(usAuto);
  widthTimes.ts.push(usTs);
  const f = flops[i] as number;
  widthRows.push({
    hidden: h,
    parameters: bundle.manifest.architecture.parameters,
    'FLOPs/sample': f,
    'createRunner µs/sample': usAuto,
    'createRunner GFLOP/s': f / (usAuto * 1e3),
    'TS kernels µs/sample': usTs,
    'TS kernels GFLOP/s': f / (usTs * 1e3),
  });
}
const wide = WIDTHS.map((h, i) => [h, i] as const).filter(([h]) => h >= 64);
const slope = (x: readonly number[], t: readonly number[], rows = WIDTHS.map((_, i) => i)) =>
  logLogSlope(
    rows.map((i) => x[i] as number),
    rows.map((i) => t[i] as number),
  ).toFixed(2);
const wideIdx = wide.map(([, i]) => i);
report(`Scaling with width: MLP 22-h-h-1 at batch ${WIDTH_BATCH}, hepml runtime, CPU time (one thread)`, widthRows, [
  `Slope of log(time) against log(FLOPs), all widths / h ≥ 64: createRunner ${slope(flops, widthTimes.wasm)} / ${slope(flops, widthTimes.wasm, wideIdx)}, TS kernels ${slope(flops, widthTimes.ts)} / ${slope(flops, widthTimes.ts, wideIdx)} (1 = linear in arithmetic).`,
  `Slope against log(width), all widths: createRunner ${slope(WIDTHS, widthTimes.wasm)}, TS kernels ${slope(WIDTHS, widthTimes.ts)} (→ 2 as the h × h layer dominates). FLOPs/sample = 2·(22h + h² + h), the output layer's included.`,
  load(),
]);
