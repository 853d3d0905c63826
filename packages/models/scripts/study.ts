/**
 * `pnpm study`: learning curves — each network and the task's GBDT and cut-based (or standard)
 * baselines trained by the default suite on samples of increasing size, the figure of merit
 * (εB at εS = 92 %, or eIQR for the energy regression) against training events. Writes
 * `<out>/<task>.json`, `.csv` and `.svg` and prints the table.
 *
 *   pnpm study [--task electron-id|bjet|boosted-jet|energy-regression] [--sizes 10000,30000,100000]
 *              [--epochs N] [--trees N] [--seed S] [--backend auto|wasm|cpu|webgpu] [--out DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendChoice, selectBackend } from '../src/training/backend.ts';
import {
  type LearningCurvePoint,
  learningCurve,
  learningCurveCsv,
  learningCurveSvg,
  studyFigure,
} from '../src/training/study.ts';
import { SUITE_TASKS, type SuiteTask } from '../src/training/suite.ts';
import { cliFailure, positiveIntFlag } from './cli.ts';
import { ProgressBar } from './progress.ts';

const fail: (message: string) => never = cliFailure('study');
const positiveInt = positiveIntFlag(fail);

let values: Record<string, string | undefined>;
try {
  values = parseArgs({
    options: {
      task: { type: 'string', default: 'electron-id' },
      sizes: { type: 'string', default: '10000,30000,100000' },
      epochs: { type: 'string' },
      trees: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
const task = values.task as SuiteTask;
if (!(SUITE_TASKS as readonly string[]).includes(task)) fail(`--task must be one of ${SUITE_TASKS.join(', ')}`);
const sizes = (values.sizes ?? '').split(',').map((s) => positiveInt(s.trim(), 'sizes') as number);
if (sizes.some((n) => n < 1000)) fail('--sizes: each size must be at least 1000 events');
sizes.sort((a, b) => a - b);
const epochs = positiveInt(values.epochs, 'epochs');
const trees = positiveInt(values.trees, 'trees');
const seed = positiveInt(values.seed, 'seed') ?? 2026;
const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? '.hepml/study');

const backend = await selectBackend((values.backend ?? 'auto') as BackendChoice).catch((err: Error) =>
  fail(err.message),
);
process.stderr.write(`study: backend ${backend.name} (${backend.reason})\n`);
const figure = studyFigure(task);
let bar: ProgressBar | undefined;
const points: LearningCurvePoint[] = await learningCurve({
  task,
  sizes,
  seed,
  backend: backend.name,
  ...(epochs ? { epochs } : {}),
  ...(trees ? { trees } : {}),
  onStart: (name, e) => {
    bar = e > 0 ? new ProgressBar(name, e) : undefined;
    if (!bar) process.stderr.write(`${name}: fitting\n`);
  },
  onEpoch: (_name, epoch, loss, valLoss) =>
    bar?.update(epoch + 1, `loss ${loss.toPrecision(4)} val ${valLoss.toPrecision(4)}`),
  onPoint: (p) => {
    bar?.done();
    bar = undefined;
    const err = p.error !== undefined ? ` ± ${p.error.toPrecision(2)}` : '';
    process.stderr.write(
      `study: ${p.model} at ${p.trainEvents} training events: ${figure.key} ${p.figure.toPrecision(4)}${err}\n`,
    );
  },
});

await mkdir(out, { recursive: true });
await writeFile(
  resolve(out, `${task}.json`),
  `${JSON.stringify({ task, figure: figure.label, seed, backend: backend.name, points }, null, 2)}\n`,
);
await writeFile(resolve(out, `${task}.csv`), learningCurveCsv(points));
await writeFile(resolve(out, `${task}.svg`), learningCurveSvg(points, task));

const models = [...new Set(points.map((p) => p.model))];
const lines = [`\n${task}: ${figure.label} against training events`];
lines.push(`  ${'model'.padEnd(30)} ${sizes.map((n) => `${Math.round(n * 0.6)}`.padStart(16)).join('')}`);
for (const model of models) {
  const cells = sizes.map((n) => {
    const p = points.find((q) => q.model === model && q.events === n);
    if (!p) return '–'.padStart(16);
    return `${p.figure.toFixed(4)}${p.error !== undefined ? `±${p.error.toFixed(4)}` : ''}`.padStart(16);
  });
  lines.push(`  ${model.padEnd(30)} ${cells.join('')}`);
}
process.stdout.write(`${lines.join('\n')}\n\nstudy: wrote ${task}.json, .csv, .svg -> ${out}\n`);
