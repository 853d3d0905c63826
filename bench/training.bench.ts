/**
 * Training speed: samples per second per epoch of each default network — electron-ID MLP
 * (22-32-16-1), ALEPH b-tag net (6-10-10-1, sigmoid), boosted-jet tagger (softmax 11-32-32-3),
 * energy-regression MLP (Huber, 64-32-1) and the CNN+FiLM regressor (MAE on μ + abs-residual σ) — on every
 * TensorFlow.js backend that loads here (cpu, wasm; native `tensorflow` only when
 * `@tensorflow/tfjs-node` is installed), built by the model factories of `@hepml/models/training`
 * and trained by its `fitModel` loop (Adam, seeded shuffling, weighted loss, validation pass per
 * epoch) with the task trainers' batch size, learning rate and loss, on small simulated samples.
 * Then the wall time of the default suite: `pnpm train` with its default flags, run once as a
 * subprocess into a temporary directory, bounded by a timeout.
 *
 * An epoch's samples/s = training rows / wall time of the epoch (forward + backward over the
 * training rows, then the validation loss over a third as many rows, as in the suite's 60/20
 * split). Epoch 1 is reported apart (it includes kernel compilation and first-use allocations);
 * "steady" is training rows × (epochs − 1) / time of epochs 2…E.
 *
 * Environment: BENCH_TRAIN_SCALE (default 1) multiplies the sample sizes; BENCH_SUITE_TIMEOUT_S
 * (default 300, the suite's own 5-minute target) bounds the suite run, 0 skips it;
 * BENCH_SUITE_ARGS adds `pnpm train` flags (for checking this file quickly; the suite's table
 * says which flags it ran with).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  absResidualWidthLoss,
  type BackendChoice,
  binaryCrossEntropy,
  buildAlephBTaggerModel,
  buildBoostedJetTaggerModel,
  buildCnnFilmModel,
  buildElectronIdModel,
  buildRegressionMlpModel,
  categoricalCrossEntropy,
  defaultCaloTrunk,
  type EventLoss,
  fitModel,
  huberLoss,
  maeLoss,
  prepareConvTraining,
  type SplitTensors,
  selectBackend,
  splitIndices,
  standardisation,
  standardisedMatrix,
  sumLosses,
} from '@hepml/models/training';
import {
  B_TAGGING_VARIABLES,
  BOOSTED_JET_PROCESS,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  type ColumnarSample,
  defaultStandardCalibration,
  ELECTRON_ID_VARIABLES,
  generateBoostedJets,
  generateBTagging,
  generateCaloShowers,
  generateElectronId,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { type BenchRow, report } from './lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SCALE = Number(process.env.BENCH_TRAIN_SCALE ?? 1);
const SUITE_TIMEOUT_S = Number(process.env.BENCH_SUITE_TIMEOUT_S ?? 300);
/** Extra `pnpm train` flags, for a quick check of this benchmark only (the figures use none). */
const SUITE_ARGS = (process.env.BENCH_SUITE_ARGS ?? '').split(/\s+/).filter(Boolean);
const EPOCHS = 3;
const SEED = 2026;

/** Training rows per model: sized for about 1 s per epoch on the slower backend of a loaded 2-core machine. */
const TRAIN_ROWS = {
  mlp: Math.round(6000 * SCALE),
  cnn: Math.round(1200 * SCALE),
};

interface Workload {
  model: string;
  parameters: () => number;
  build: () => tf.LayersModel;
  loss: EventLoss;
  learningRate: number;
  batchSize: number;
  train: SplitTensors;
  validation: SplitTensors;
  trainRows: number;
  conv?: [number, number][];
  /** Fewer training rows on a backend where the full count would not fit the time bound. */
  rowCap?: Partial<Record<string, number>>;
}

/** Seeded rows of a sample as the suite splits them: the first `nTrain` of the train split, validation a third of that. */
function rowsOf(n: number, nTrain: number): { train: Uint32Array; validation: Uint32Array } {
  const split = splitIndices(n, SEED, { validation: 0.2, test: 0.2 });
  return { train: split.train.subarray(0, nTrain), validation: split.validation.subarray(0, Math.ceil(nTrain / 3)) };
}

function taggerTensors(
  sample: ColumnarSample,
  names: readonly string[],
  rows: Uint32Array,
  inputs: ReturnType<typeof standardisation>,
  target: (label: number) => number[],
): SplitTensors {
  const width = target(0).length;
  const y = new Float32Array(rows.length * width);
  rows.forEach((i, r) => {
    y.set(target(sample.label[i] as number), r * width);
  });
  return {
    x: [tf.tensor2d(standardisedMatrix(sample, inputs, rows), [rows.length, names.length])],
    y: tf.tensor2d(y, [rows.length, width]),
    weight: tf.ones([rows.length]) as tf.Tensor1D,
  };
}

function taggerWorkload(
  model: string,
  sample: ColumnarSample,
  names: readonly string[],
  build: (inputSize: number) => tf.LayersModel,
  options: { loss: EventLoss; learningRate: number; target: (label: number) => number[] },
): Workload {
  const rows = rowsOf(sample.n, TRAIN_ROWS.mlp);
  const inputs = standardisation(sample, names, rows.train);
  return {
    model,
    parameters: () => countParameters(build(names.length)),
    build: () => build(names.length),
    loss: options.loss,
    learningRate: options.learningRate,
    batchSize: 256,
    train: taggerTensors(sample, names, rows.train, inputs, options.target),
    validation: taggerTensors(sample, names, rows.validation, inputs, options.target),
    trainRows: rows.train.length,
  };
}

function countParameters(model: tf.LayersModel): number {
  const n = model.countParams();
  model.dispose();
  return n;
}

/** The five default networks with their task trainers' loss, learning rate and batch size (256). */
function workloads(): Workload[] {
  const nTagger = Math.ceil(TRAIN_ROWS.mlp / 0.6) + 10;
  const electron = generateElectronId({ n: nTagger, seed: SEED });
  const bjet = generateBTagging({ n: nTagger, seed: SEED });
  const jets = generateBoostedJets({ n: nTagger, seed: SEED });
  const binary = (label: number) => [label ? 1 : 0];
  const oneHot = (label: number) => {
    const codes = [BOOSTED_JET_PROCESS.qcd, BOOSTED_JET_PROCESS.w, BOOSTED_JET_PROCESS.top];
    return codes.map((c) => (c === label ? 1 : 0));
  };
  const list: Workload[] = [
    taggerWorkload(
      'electron-id MLP',
      electron,
      Object.keys(ELECTRON_ID_VARIABLES),
      (inputSize) => buildElectronIdModel({ inputSize, seed: SEED }),
      { loss: binaryCrossEntropy, learningRate: 3e-3, target: binary },
    ),
    taggerWorkload(
      'ALEPH b-tag 6-10-10-1',
      bjet,
      Object.keys(B_TAGGING_VARIABLES),
      () => buildAlephBTaggerModel({ seed: SEED }),
      {
        loss: binaryCrossEntropy,
        learningRate: 0.01,
        target: binary,
      },
    ),
    taggerWorkload(
      'boosted-jet tagger',
      jets,
      Object.keys(BOOSTED_JET_VARIABLES),
      (inputSize) => buildBoostedJetTaggerModel({ inputSize, seed: SEED }),
      { loss: categoricalCrossEntropy, learningRate: 3e-3, target: oneHot },
    ),
  ];

  // Energy regression: the calorimeter sample with images; the MLP sees the scalars only.
  const calo = generateCaloShowers({ n: Math.ceil(TRAIN_ROWS.mlp / 0.55) + 10, seed: SEED });
  // As the regression trainers: the calorimeter scalars and the standard calibration's energy as
  // inputs, target μ = E_true / E_standard, rows with usable scales only (E_standard > 0.1 GeV,
  // E_raw > 0, E_true > 0).
  const names = [...Object.keys(CALO_SHOWER_VARIABLES), STANDARD_CALIBRATION_COLUMN];
  const eRef = calo.columns[STANDARD_CALIBRATION_COLUMN] as Float32Array;
  const eRaw = calo.columns.eRaw as Float32Array;
  const eTrue = calo.truth.eTrue as Float32Array;
  const usable = (rows: Uint32Array) =>
    rows.filter((i) => (eRef[i] as number) > 0.1 && (eRaw[i] as number) > 0 && (eTrue[i] as number) > 0);
  const caloSplit = splitIndices(calo.n, SEED, { validation: 0.2, test: 0.2 });
  const p = {
    split: { train: usable(caloSplit.train), validation: usable(caloSplit.validation) },
    inputs: [] as ReturnType<typeof standardisation>,
    target: (rows: Uint32Array) => Float32Array.from(rows, (i) => (eTrue[i] as number) / (eRef[i] as number)),
  };
  p.inputs = standardisation(calo, names, p.split.train);
  const k = p.inputs.length;
  const scalars = (rows: Uint32Array) => tf.tensor2d(standardisedMatrix(calo, p.inputs, rows), [rows.length, k]);
  const regressionSplit = (rows: Uint32Array): SplitTensors => ({
    x: [scalars(rows)],
    y: tf.tensor2d(p.target(rows), [rows.length, 1]),
    weight: tf.ones([rows.length]) as tf.Tensor1D,
  });
  const mlpTrain = p.split.train.subarray(0, TRAIN_ROWS.mlp);
  const mlpVal = p.split.validation.subarray(0, Math.ceil(mlpTrain.length / 3));
  const buildRegression = () => buildRegressionMlpModel({ inputSize: k, hidden: [64, 32], head: 'point', seed: SEED });
  list.push({
    model: 'energy-regression MLP',
    parameters: () => countParameters(buildRegression()),
    build: buildRegression,
    loss: huberLoss(0.02),
    learningRate: 2e-3,
    batchSize: 256,
    train: regressionSplit(mlpTrain),
    validation: regressionSplit(mlpVal),
    trainRows: mlpTrain.length,
  });

  const [h, w, c] = calo.imageShape;
  const imageSize = h * w * c;
  const images = (rows: Uint32Array) => {
    const out = new Float32Array(rows.length * imageSize);
    rows.forEach((i, r) => {
      out.set(calo.image.subarray(i * imageSize, (i + 1) * imageSize), r * imageSize);
    });
    return tf.tensor4d(out, [rows.length, h, w, c]);
  };
  const cnnSplit = (rows: Uint32Array): SplitTensors => ({
    x: [images(rows), scalars(rows)],
    y: tf.tensor2d(p.target(rows), [rows.length, 1]),
    weight: tf.ones([rows.length]) as tf.Tensor1D,
  });
  const cnnTrain = p.split.train.subarray(0, TRAIN_ROWS.cnn);
  const cnnVal = p.split.validation.subarray(0, Math.ceil(cnnTrain.length / 3));
  const trunk = defaultCaloTrunk();
  // Pixels enter in units of the median raw cluster energy [GeV] of the training rows, as in the trainer.
  const sortedRaw = Float32Array.from(cnnTrain, (i) => eRaw[i] as number).sort();
  const imageScale = Number((sortedRaw[sortedRaw.length >> 1] ?? 1).toPrecision(4));
  const buildCnn = () =>
    buildCnnFilmModel({
      imageShape: [h, w, c],
      inputSize: k,
      imageScale,
      layers: trunk,
      concatScalars: true,
      head: [
        { type: 'dense', units: 32, activation: 'relu' },
        { type: 'dense', units: 16, activation: 'relu' },
        { type: 'dense', units: 2, activation: 'linear' },
      ],
      outputBias: [1, 0.05],
      seed: SEED,
    }).model;
  list.push({
    model: `CNN+FiLM ${h}×${w}×${c}`,
    parameters: () => countParameters(buildCnn()),
    build: buildCnn,
    loss: sumLosses([
      { loss: maeLoss, weight: 1 },
      { loss: absResidualWidthLoss(), weight: 1 },
    ]),
    learningRate: 2e-3,
    batchSize: 256,
    train: cnnSplit(cnnTrain),
    validation: cnnSplit(cnnVal),
    trainRows: cnnTrain.length,
    conv: trunk.flatMap((l): [number, number][] => (l.type === 'conv2d' ? [l.strides] : [])),
    // tfjs-cpu trains this CNN at tens of samples/s (plain-JS convolution gradients): one batch.
    rowCap: { cpu: 256 },
  });
  return list;
}

/** The first `rows` rows of a split (new tensors; the caller disposes them). */
function headOf(split: SplitTensors, rows: number): SplitTensors {
  return {
    x: split.x.map((t) => t.slice(0, rows)),
    y: split.y.slice(0, rows),
    weight: split.weight.slice(0, rows),
  };
}

/** Trains one workload for {@link EPOCHS} epochs (no early stopping) and times each epoch. */
async function measure(
  w: Workload,
  backend: string,
): Promise<{ epochSeconds: number[]; epochCpuSeconds: number[]; backend: string; trainRows: number }> {
  const cap = w.rowCap?.[backend];
  const trainRows = cap !== undefined && cap < w.trainRows ? cap : w.trainRows;
  const train = trainRows < w.trainRows ? headOf(w.train, trainRows) : w.train;
  const validation = trainRows < w.trainRows ? headOf(w.validation, Math.ceil(trainRows / 3)) : w.validation;
  const conv = w.conv ? await prepareConvTraining(w.conv) : { backend, restore: async () => {} };
  const model = w.build();
  const marks: number[] = [];
  const cpuMarks: number[] = [];
  const cpuSeconds = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  try {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await fitModel({
      model,
      loss: w.loss,
      train,
      validation,
      epochs: EPOCHS,
      batchSize: w.batchSize,
      learningRate: w.learningRate,
      seed: SEED,
      earlyStopping: false,
      reduceOnPlateau: false,
      onEpoch: () => {
        marks.push(performance.now());
        cpuMarks.push(cpuSeconds());
      },
    });
    const epochSeconds = marks.map((m, i) => (m - (i === 0 ? t0 : (marks[i - 1] as number))) / 1000);
    const epochCpuSeconds = cpuMarks.map((m, i) => m - (i === 0 ? c0 : (cpuMarks[i - 1] as number)));
    return { epochSeconds, epochCpuSeconds, backend: conv.backend, trainRows };
  } finally {
    model.dispose();
    if (train !== w.train) tf.dispose([...train.x, train.y, train.weight]);
    if (validation !== w.validation) tf.dispose([...validation.x, validation.y, validation.weight]);
    await conv.restore();
  }
}

const backendChoices: BackendChoice[] = ['cpu', 'wasm', 'tensorflow'];
const notes: string[] = [];
const backends: string[] = [];
const probeStart = tf.getBackend();
for (const choice of backendChoices) {
  try {
    const s = await selectBackend(choice);
    backends.push(s.name);
  } catch (err) {
    notes.push(`${choice}: not measured (${(err as Error).message})`);
  }
}
if (probeStart) await tf.setBackend(probeStart);

defaultStandardCalibration();
const list = workloads();
const rows: BenchRow[] = [];
const steady = new Map<string, number>();
for (const w of list) {
  const parameters = w.parameters();
  for (const backend of backends) {
    await selectBackend(backend as BackendChoice);
    const { epochSeconds, epochCpuSeconds, backend: used, trainRows } = await measure(w, backend);
    const first = epochSeconds[0] as number;
    const rest = epochSeconds.slice(1).reduce((s, x) => s + x, 0);
    const restCpu = epochCpuSeconds.slice(1).reduce((s, x) => s + x, 0);
    const rate = (trainRows * (epochSeconds.length - 1)) / rest;
    const cpuRate = (trainRows * (epochSeconds.length - 1)) / restCpu;
    steady.set(`${w.model}|${backend}`, cpuRate);
    rows.push({
      model: w.model,
      parameters,
      backend: used === backend ? backend : used,
      'train rows': trainRows,
      'epoch 1 samples/s': trainRows / first,
      'steady samples/s': rate,
      'steady samples/CPU s': cpuRate,
      'epochs 2–3, s': rest,
    });
  }
}
for (const r of rows) {
  const best = Math.max(...backends.map((b) => steady.get(`${r.model}|${b}`) ?? 0));
  r['vs best backend (CPU)'] = (r['steady samples/CPU s'] as number) / best;
}
for (const ws of list)
  tf.dispose([...ws.train.x, ws.train.y, ws.train.weight, ...ws.validation.x, ws.validation.y, ws.validation.weight]);
const load = loadavg().map((x) => x.toFixed(1));
report('Training: samples/s per epoch, fitModel (Adam, batch 256), one process', rows, [
  `Epochs of ${EPOCHS}, no early stopping; an epoch = training rows forward + backward, then the validation loss on a third as many rows. Seeded simulated samples.`,
  `Backends measured: ${backends.join(', ')}. ${notes.join('; ')}`.trim(),
  '"samples/CPU s": training rows per second of CPU time of this process (user + system, all threads: V8 compiler and GC threads count), which other work on a shared machine disturbs less than wall time; the backend ratio uses it.',
  `Load average after the runs: ${load.join(', ')} (1, 5, 15 min).`,
]);

// The default suite, as a user runs it: `pnpm train` (packages/models/scripts/train.ts) with its default flags.
if (SUITE_TIMEOUT_S > 0) {
  const out = mkdtempSync(join(tmpdir(), 'hepml-bench-train-'));
  const script = join(here, '..', 'packages', 'models', 'scripts', 'train.ts');
  const tasks: { task: string; seconds: number; cpuSeconds: number | null }[] = [];
  let backendLine = '';
  let summary = '';
  const t0 = performance.now();
  const result = await new Promise<{ code: number | null; signal: string | null; timedOut: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--out', out, ...SUITE_ARGS], {
      cwd: join(here, '..', 'packages', 'models'),
      env: { ...process.env, INIT_CWD: join(here, '..') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, SUITE_TIMEOUT_S * 1000);
    // When `pnpm bench` stops this benchmark at its limit, the suite must not live on without it.
    const stopChild = () => {
      child.kill('SIGTERM');
      process.exit(143);
    };
    process.once('SIGTERM', stopChild);
    process.once('SIGINT', stopChild);
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/[\r\n]/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const done = /^train: (\S+) done in ([\d.]+) s(?: wall, ([\d.]+) s CPU)?/.exec(line);
        if (done) {
          tasks.push({
            task: done[1] as string,
            seconds: Number(done[2]),
            cpuSeconds: done[3] ? Number(done[3]) : null,
          });
        }
        if (line.startsWith('train: backend ')) backendLine = line.slice('train: backend '.length);
      }
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      summary += chunk;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGTERM', stopChild);
      process.off('SIGINT', stopChild);
      resolve({ code, signal, timedOut });
    });
  });
  const wall = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  // The script's comparison table (stdout): per task, one line per model ending in its time [s],
  // then PASS/FAIL lines of each network against the task's cut-based baseline.
  const models: { task: string; model: string; seconds: number }[] = [];
  const verdicts: string[] = [];
  let current = '';
  for (const line of summary.split('\n')) {
    if (/^[a-z][a-z-]*$/.test(line)) current = line;
    const verdict = /^ {2}((?:PASS|FAIL) .*)$/.exec(line);
    const model = /^ {2}([a-z0-9][a-z0-9._-]*)\s.*\s(\d+\.\d)$/.exec(line);
    if (verdict) verdicts.push(verdict[1] as string);
    else if (model && current) models.push({ task: current, model: model[1] as string, seconds: Number(model[2]) });
  }
  const suiteRows: BenchRow[] = tasks.flatMap((t) => [
    ...models
      .filter((m) => m.task === t.task)
      .map((m) => ({ task: t.task, model: m.model, 'wall s': m.seconds, 'CPU s': null })),
    {
      task: t.task,
      model: 'task total (simulation, training, evaluation, bundles)',
      'wall s': t.seconds,
      'CPU s': t.cpuSeconds,
    },
  ]);
  const totalCpu = /train: \d+ bundle\(s\) in [\d.]+ s wall, ([\d.]+) s CPU/.exec(summary);
  suiteRows.push({
    task: 'all',
    model: result.timedOut
      ? `whole suite: stopped at the ${SUITE_TIMEOUT_S} s timeout`
      : 'whole suite (process wall time)',
    'wall s': result.timedOut ? null : wall,
    'CPU s': totalCpu ? Number(totalCpu[1]) : null,
  });
  const bundles = /train: (\d+) bundle\(s\) in ([\d.]+) s/.exec(summary);
  const flags = SUITE_ARGS.length > 0 ? `flags ${SUITE_ARGS.join(' ')}` : 'default flags';
  report(`Default suite: \`pnpm train\` (${flags}), wall time`, suiteRows, [
    `Backend: ${backendLine || 'unknown'}.`,
    result.timedOut
      ? `Did not finish within BENCH_SUITE_TIMEOUT_S = ${SUITE_TIMEOUT_S} s (${tasks.length} of 4 tasks done); raise it to time the whole suite.`
      : `Exit status ${result.code}${result.code === 1 ? ' (a network did not beat its cut-based baseline)' : ''}; ${bundles ? `${bundles[1]} bundles, ${bundles[2]} s inside the script` : 'no summary line'}.`,
    ...verdicts,
    `Load average after the suite: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')}.`,
  ]);
}
