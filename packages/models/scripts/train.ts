/**
 * `pnpm train`: trains the default suite — every task's networks and baselines — and writes one
 * bundle directory per model under `--out` (default `.hepml/bundles/<name>/`).
 *
 *   pnpm train [--task electron-id|bjet|boosted-jet|energy-regression] [--model NAME]
 *              [--epochs N] [--seed S] [--n EVENTS] [--data FILE.csv|.parquet|.root]
 *              [--backend auto|tensorflow|webgpu|wasm|cpu] [--out DIR] [--trees N]
 *              [--profile default|full]
 *
 *   pnpm train --task-file T.json [--data A.root [B.root …]] [--model …] [--epochs N] [--seed S] [--out DIR]
 *
 * `--profile` (default `default`, what `npm start` and CI train) sets each task's events, epochs,
 * GBDT rounds and CNN rows (`TRAINING_PROFILE_SETTINGS`); `full` trains the converged figures.
 * The profile is written into every bundle's lineage (`custom` when `--n`, `--epochs` or
 * `--trees` override it), and the leaderboard shows it.
 *
 * `--model` takes a bundle name (`electron-id-mlp`) or its suffix after the task (`mlp`, `cuts`,
 * `likelihood`, `gbdt`, `cnn-film`, `standard`, `aleph-nn`); `--data` needs `--task`.
 * `--task-file` trains a task file (`TaskV1`, packages/models/tasks/): a reference task's file
 * trains that task on its simulation; a user task's file reads its data files (`--data`, else the
 * file's `data.files`, relative to it: ROOT TTrees with jagged branches flattened or padded as the
 * task says, Parquet, CSV) and trains `<task>-mlp`, `-cuts`, `-likelihood` and `-gbdt`, each bundle
 * carrying the task as `task.json` for the registry.
 * Every network is compared with its task's cut-based baseline (classifiers: AUC; regression:
 * eIQR against the standard calibration) and the comparison printed; the exit status is 1 when a
 * network does not beat it.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  B_TAGGING_VARIABLES,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  type ColumnarSample,
  type Dataset,
  ELECTRON_ID_VARIABLES,
  readCsv,
  readParquet,
  readRootTree,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import { TaskFileError } from '../src/errors.ts';
import { writeBundleDir } from '../src/node/bundle-dir.ts';
import { readTaskData } from '../src/node/task-data.ts';
import { attachTaskFile } from '../src/tasks/bundle-task.ts';
import { parseTaskJson, type TaskV1 } from '../src/tasks/task-v1.ts';
import { type BackendChoice, selectBackend } from '../src/training/backend.ts';
import { sampleFromDataset } from '../src/training/data.ts';
import {
  SUITE_NETWORKS,
  SUITE_PROFILES,
  SUITE_TASKS,
  type SuiteEntry,
  type SuiteProfile,
  type SuiteTask,
  suiteLineageProfile,
  trainTaskSuite,
} from '../src/training/suite.ts';
import { taskSample, trainTaskFile } from '../src/training/task-file.ts';
import { cliFailure, positiveIntFlag } from './cli.ts';
import { codeVersion } from './git-version.ts';
import { ProgressBar } from './progress.ts';

const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
/** Baselines of each task (H6's suite): `<task>-<suffix>`. */
const baselineSuffixes = (task: SuiteTask) =>
  task === 'energy-regression' ? ['standard', 'gbdt'] : ['cuts', 'likelihood', 'gbdt'];

const fail: (message: string) => never = cliFailure('train');
const positiveInt = positiveIntFlag(fail);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    task: { type: 'string' },
    'task-file': { type: 'string' },
    model: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    n: { type: 'string' },
    data: { type: 'string', multiple: true },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    trees: { type: 'string' },
    profile: { type: 'string', default: 'default' },
  },
  strict: true,
});

const backendChoice = values.backend as BackendChoice;
if (!BACKENDS.includes(backendChoice)) fail(`--backend must be one of ${BACKENDS.join(', ')}`);
const cwd = process.env.INIT_CWD ?? process.cwd();
if (values['task-file'] !== undefined && values.task !== undefined) fail('give --task or --task-file, not both');
if (positionals.length > 0 && values['task-file'] === undefined) {
  fail(`unexpected argument "${positionals[0]}" (several --data files go with --task-file)`);
}
/** The task file, when one is given (a fault in it is one line naming the file and field). */
let taskFile: TaskV1 | undefined;
if (values['task-file'] !== undefined) {
  const path = resolve(cwd, values['task-file']);
  const text = await readFile(path, 'utf8').catch((err: Error) =>
    fail(`--task-file ${values['task-file']}: ${err.message}`),
  );
  try {
    taskFile = parseTaskJson(text, values['task-file']);
  } catch (err) {
    if (err instanceof TaskFileError) fail(err.message);
    throw err;
  }
}
/** A reference task's file trains that task on its built-in simulation. */
const referenceTask =
  taskFile?.data.source === 'simulation' && (SUITE_TASKS as readonly string[]).includes(taskFile.name)
    ? (taskFile.name as SuiteTask)
    : undefined;
if (taskFile?.data.source === 'simulation' && !referenceTask) {
  fail(`${values['task-file']}: data.source: "simulation" is for the reference tasks (${SUITE_TASKS.join(', ')})`);
}
if (values.task !== undefined && !(SUITE_TASKS as readonly string[]).includes(values.task)) {
  fail(`--task must be one of ${SUITE_TASKS.join(', ')}`);
}
const profile = values.profile as SuiteProfile;
if (!SUITE_PROFILES.includes(profile))
  fail(`--profile must be one of ${SUITE_PROFILES.join(', ')}, got "${values.profile}"`);
const userTask = taskFile && !referenceTask ? taskFile : undefined;
const tasks: SuiteTask[] = userTask
  ? []
  : values.task
    ? [values.task as SuiteTask]
    : referenceTask
      ? [referenceTask]
      : [...SUITE_TASKS];
const dataFiles = [...(values.data ?? []), ...positionals];
if (values.data && !values.task && !taskFile) fail('--data needs --task (which task the file holds) or --task-file');
if (dataFiles.length > 1 && !userTask) fail('several --data files need the --task-file of a user task');
const epochs = positiveInt(values.epochs, 'epochs');
const seed = positiveInt(values.seed, 'seed') ?? 2026;
const n = positiveInt(values.n, 'n');
const trees = positiveInt(values.trees, 'trees');
const outRoot = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? '.hepml/bundles');

/** Names a `--model` value selects in a task (exact name or suffix after the task). */
function modelFilter(task: string): (name: string) => boolean {
  const m = values.model;
  if (m === undefined) return () => true;
  return (name) => name === m || name === `${task}-${m}`;
}
if (values.model !== undefined) {
  const known = userTask
    ? ['mlp', 'cuts', 'likelihood', 'gbdt'].map((s) => `${userTask.name}-${s}`)
    : tasks.flatMap((t) => [...SUITE_NETWORKS[t], ...baselineSuffixes(t).map((s) => `${t}-${s}`)]);
  const names = userTask ? [userTask.name] : tasks;
  if (!names.some((t) => known.some(modelFilter(t)))) {
    fail(`--model "${values.model}" matches no model of ${names.join(', ')}; known: ${known.join(', ')}`);
  }
}

/** Columns (and truth) a data file must hold for a task. */
const REQUIRED: Record<SuiteTask, { columns: string[]; truth: string[] }> = {
  'electron-id': { columns: Object.keys(ELECTRON_ID_VARIABLES), truth: [] },
  bjet: { columns: Object.keys(B_TAGGING_VARIABLES), truth: [] },
  'boosted-jet': { columns: Object.keys(BOOSTED_JET_VARIABLES), truth: [] },
  'energy-regression': {
    columns: [...Object.keys(CALO_SHOWER_VARIABLES), STANDARD_CALIBRATION_COLUMN],
    truth: ['eTrue'],
  },
};

async function readData(path: string, task: SuiteTask): Promise<ColumnarSample> {
  const file = basename(path);
  const bytes = await readFile(resolve(process.env.INIT_CWD ?? process.cwd(), path)).catch((err: Error) =>
    fail(`--data ${path}: ${err.message}`),
  );
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ds: Dataset;
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') ds = readCsv(bytes.toString('utf8'), { file }).dataset;
  else if (ext === '.parquet') ds = await readParquet(buffer, { file });
  else if (ext === '.root') ds = await readRootTree(buffer, { file });
  else fail(`--data ${path}: unknown extension "${ext}" (csv, parquet, root)`);
  const req = REQUIRED[task];
  return sampleFromDataset(ds, task, req.columns, { truth: req.truth, needLabel: task !== 'energy-regression' });
}

// Files that cannot be read fail before the backend starts: one line naming the file.
for (const path of dataFiles) {
  await access(resolve(cwd, path), constants.R_OK).catch((err: Error) => fail(`--data ${path}: ${err.message}`));
}

const selection = await selectBackend(backendChoice).catch((err: Error) => fail(err.message));
process.stderr.write(`train: backend ${selection.name} (${selection.reason})\n`);
process.stderr.write(`train: profile ${suiteLineageProfile({ profile, n, epochs, trees })}\n`);

const started = Date.now();
const all: SuiteEntry[] = [];
// CPU seconds per task (this process, all threads): the budget figure that does not depend on
// how busy the machine is; wall time is printed too.
/** One progress bar per network (epochs), a line per fitted baseline: the callbacks both trainers take. */
function progressReporting() {
  let bar: ProgressBar | undefined;
  return {
    onStart: (name: string, e: number) => {
      bar = e > 0 ? new ProgressBar(name, e) : undefined;
      if (!bar) process.stderr.write(`${name}: fitting\n`);
    },
    onEpoch: (_name: string, epoch: number, loss: number, valLoss: number) =>
      bar?.update(epoch + 1, `loss ${loss.toPrecision(4)} val ${valLoss.toPrecision(4)}`),
    onDone: (entry: { kind: string }) => {
      if (entry.kind === 'network') bar?.done();
      bar = undefined;
    },
  };
}

const cpuByTask = new Map<string, number>();
let cpuStarted = process.cpuUsage();
for (const task of tasks) {
  const taskStarted = Date.now();
  const sample = dataFiles[0] !== undefined ? await readData(dataFiles[0], task) : undefined;
  const entries = await trainTaskSuite({
    task,
    ...(sample ? { sample } : {}),
    ...(n ? { n } : {}),
    ...(epochs ? { epochs } : {}),
    ...(trees ? { trees } : {}),
    seed,
    profile,
    backend: selection.name,
    codeVersion: codeVersion(),
    include: modelFilter(task),
    ...progressReporting(),
  });
  for (const entry of entries) {
    const dir = resolve(outRoot, entry.name);
    await writeBundleDir(entry.bundle, dir);
    all.push(entry);
  }
  const cpu = process.cpuUsage(cpuStarted);
  cpuByTask.set(task, (cpu.user + cpu.system) / 1e6);
  cpuStarted = process.cpuUsage();
  process.stderr.write(
    `train: ${task} done in ${((Date.now() - taskStarted) / 1000).toFixed(1)} s wall, ${cpuByTask.get(task)?.toFixed(1)} s CPU\n`,
  );
}

if (userTask) {
  const taskStarted = Date.now();
  const base = dirname(resolve(cwd, values['task-file'] as string));
  const paths =
    dataFiles.length > 0
      ? dataFiles.map((p) => resolve(cwd, p))
      : (userTask.data.source === 'files' ? (userTask.data.files ?? []) : []).map((p) => resolve(base, p));
  if (paths.length === 0) fail(`${values['task-file']}: no data files (give --data or data.files)`);
  const readStarted = performance.now();
  let bytesRead = 0;
  // The selection is applied chunk by chunk as the files are read: count the rows before it here.
  let rowsRead = 0;
  const data = await readTaskData(userTask, paths, {
    onProgress: (p) => {
      bytesRead = p.bytes;
    },
    onRows: (read) => {
      rowsRead += read;
    },
  }).catch((err: Error) => fail(err.message));
  const seconds = (performance.now() - readStarted) / 1000;
  let rows: ReturnType<typeof taskSample>;
  try {
    rows = taskSample(userTask, data);
  } catch (err) {
    fail((err as Error).message.split('\n')[0] as string);
  }
  const c = rows.counts;
  process.stderr.write(
    `train: ${userTask.name}: ${rowsRead} rows from ${paths.length} file(s) in ${seconds.toFixed(2)} s (${(rowsRead / Math.max(seconds, 1e-3)).toFixed(0)} rows/s)${bytesRead ? ` (${(bytesRead / 1e6 / Math.max(seconds, 1e-3)).toFixed(1)} MB/s)` : ''}; ${c.selected} selected, ${c.unlabelled} of no class, ${c.nonFinite} non-finite, ${c.kept} kept\n`,
  );
  const entries = await trainTaskFile({
    task: userTask,
    data: rows,
    ...(values.seed !== undefined ? { seed } : {}),
    ...(epochs ? { epochs } : {}),
    ...(trees ? { trees } : {}),
    backend: selection.name,
    codeVersion: codeVersion(),
    include: modelFilter(userTask.name),
    ...progressReporting(),
  });
  for (const entry of entries) {
    const bundle = await attachTaskFile(entry.bundle, userTask);
    await writeBundleDir(bundle, resolve(outRoot, entry.name));
    all.push({ ...entry, bundle });
  }
  const cpu = process.cpuUsage(cpuStarted);
  cpuByTask.set(userTask.name, (cpu.user + cpu.system) / 1e6);
  process.stderr.write(
    `train: ${userTask.name} done in ${((Date.now() - taskStarted) / 1000).toFixed(1)} s wall, ${cpuByTask.get(userTask.name)?.toFixed(1)} s CPU\n`,
  );
}

// The comparison table and the network-beats-cuts check.
const fmt = (x: number | undefined, digits = 4) => (x === undefined ? '–' : x.toFixed(digits));
const lines: string[] = [];
let failures = 0;
for (const task of userTask ? [userTask.name] : tasks) {
  const entries = all.filter((e) => e.task === task);
  if (entries.length === 0) continue;
  const userRegression = userTask?.kind === 'regression';
  const regression = task === 'energy-regression' || userRegression;
  lines.push(`\n${task}`);
  lines.push(
    regression
      ? `  ${'model'.padEnd(30)} ${`MAE/${userRegression ? userTask?.target?.unit : 'GeV'}`.padStart(8)} ${'eIQR'.padStart(8)} ${'rIQR'.padStart(7)} ${'time/s'.padStart(7)}`
      : `  ${'model'.padEnd(30)} ${'AUC'.padStart(7)} ${'εB@92%'.padStart(8)} ${'1/εB@50%'.padStart(9)} ${'KS p'.padStart(6)} ${'time/s'.padStart(7)}`,
  );
  for (const e of entries) {
    const m = e.bundle.manifest.metrics;
    lines.push(
      regression
        ? `  ${e.name.padEnd(30)} ${fmt(m.mae, 3).padStart(8)} ${fmt(m.eIqr, 4).padStart(8)} ${fmt(m.rIqr, 3).padStart(7)} ${e.seconds.toFixed(1).padStart(7)}`
        : `  ${e.name.padEnd(30)} ${fmt(m.auc).padStart(7)} ${fmt(m.bkgEffAt92).padStart(8)} ${fmt(m.rejectionAt50, 1).padStart(9)} ${fmt(m.ksPValue, 2).padStart(6)} ${e.seconds.toFixed(1).padStart(7)}`,
    );
  }
  if (userRegression) {
    // A user regression's reference is its own baseline (target.baseline, else the median target),
    // measured on the same test rows: rIQR < 1 is better. Said, not enforced: on a small file of
    // real data the network need not beat an experiment's calibration.
    for (const e of entries) {
      const m = e.bundle.manifest.metrics;
      lines.push(
        `  ${e.name}: eIQR ${fmt(m.eIqr)} vs the baseline's ${fmt(m.eIqrStandard)} (rIQR ${fmt(m.rIqr, 3)}), MAE ${fmt(m.mae, 4)} vs ${fmt(m.maeStandard, 4)}`,
      );
    }
  }
  const reference = userRegression
    ? undefined
    : entries.find((e) => e.name === (regression ? `${task}-standard` : `${task}-cuts`));
  for (const net of entries.filter((e) => e.kind === 'network')) {
    if (!reference) continue;
    const a = net.bundle.manifest.metrics;
    const b = reference.bundle.manifest.metrics;
    // The check is on the score the edge serves and its working points cut on (for the W/top/QCD
    // softmax the discriminant w_vs_qcd = p_w/(p_w + p_qcd)): the same rule `npm start` promotes by.
    const beats = regression ? (a.eIqr as number) < (b.eIqr as number) : (a.auc as number) > (b.auc as number);
    if (!beats) failures++;
    const served = net.bundle.manifest.evaluation?.reference;
    const signal = net.bundle.manifest.outputs.find((o) => o.name === served)?.discriminant?.signal.join(' + ');
    const alone = a.aucProbability !== undefined && signal ? `; ${signal} alone ${fmt(a.aucProbability)}` : '';
    lines.push(
      regression
        ? `  ${beats ? 'PASS' : 'FAIL'} ${net.name}: eIQR ${fmt(a.eIqr)} vs ${reference.name} ${fmt(b.eIqr)} (rIQR ${fmt(a.rIqr, 3)})`
        : `  ${beats ? 'PASS' : 'FAIL'} ${net.name}${served ? ` (${served})` : ''}: AUC ${fmt(a.auc)} vs ${reference.name} AUC ${fmt(b.auc)}${alone}`,
    );
  }
  const cpu = cpuByTask.get(task);
  if (cpu !== undefined) lines.push(`  CPU time of the task: ${cpu.toFixed(1)} s`);
}
process.stdout.write(`${lines.join('\n')}\n\n`);
const cpuTotal = [...cpuByTask.values()].reduce((x, y) => x + y, 0);
process.stdout.write(
  `train: ${all.length} bundle(s) in ${((Date.now() - started) / 1000).toFixed(1)} s wall, ${cpuTotal.toFixed(1)} s CPU -> ${outRoot}\n`,
);
if (failures > 0) {
  process.stderr.write(`train: ${failures} network(s) did not beat their cut-based baseline\n`);
  process.exit(1);
}
