/**
 * `pnpm study`: learning curves — each network and the task's GBDT and cut-based (or standard)
 * baselines trained by the default suite on samples of increasing size, the figure of merit
 * (εB at εS = 92 %, or eIQR for the energy regression) against training events. Writes
 * `<out>/<task>.json`, `.csv` and `.svg` and prints the table.
 *
 *   pnpm study [--task electron-id|bjet|boosted-jet|energy-regression] [--sizes 10000,30000,100000]
 *              [--epochs N] [--trees N] [--seed S] [--backend auto|wasm|cpu|webgpu] [--out DIR]
 *              [--image-information]
 *
 * With `--image-information` (energy regression only) it also asks whether the cell images hold
 * what the scalars lack: the suite's GBDT on the scalars, on the scalars and engineered image
 * features, and on the scalars and the truth of each energy loss (oracles), at the largest size;
 * written as `energy-regression-image-information.csv` and printed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CaloShowerSample } from '@hepml/physics';
import { type ImageInformationRowV1, StudyFileV1 } from '../src/bundle/study.ts';
import { type BackendChoice, selectBackend } from '../src/training/backend.ts';
import { imageInformationCsv, imageInformationStudy } from '../src/training/image-information.ts';
import {
  type LearningCurvePoint,
  learningCurve,
  learningCurveCsv,
  learningCurveSvg,
  studyFigure,
} from '../src/training/study.ts';
import { SUITE_TASKS, type SuiteTask, simulateTaskSample } from '../src/training/suite.ts';
import { cliFailure, positiveIntFlag } from './cli.ts';
import { ProgressBar } from './progress.ts';

const fail: (message: string) => never = cliFailure('study');
const positiveInt = positiveIntFlag(fail);

let values: Record<string, string | boolean | undefined>;
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
      'image-information': { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
const task = values.task as SuiteTask;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
const wantImageInformation = values['image-information'] === true;
if (wantImageInformation && task !== 'energy-regression') fail('--image-information needs --task energy-regression');
if (!(SUITE_TASKS as readonly string[]).includes(task)) fail(`--task must be one of ${SUITE_TASKS.join(', ')}`);
const sizes = (str(values.sizes) ?? '').split(',').map((s) => positiveInt(s.trim(), 'sizes') as number);
if (sizes.some((n) => n < 1000)) fail('--sizes: each size must be at least 1000 events');
sizes.sort((a, b) => a - b);
const epochs = positiveInt(str(values.epochs), 'epochs');
const trees = positiveInt(str(values.trees), 'trees');
const seed = positiveInt(str(values.seed), 'seed') ?? 2026;
const out = resolve(process.env.INIT_CWD ?? process.cwd(), str(values.out) ?? '.hepml/study');

const backend = await selectBackend((str(values.backend) ?? 'auto') as BackendChoice).catch((err: Error) =>
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
process.stdout.write(`${lines.join('\n')}\n\nstudy: wrote ${task}.csv, .svg -> ${out}\n`);

let imageInformation: ImageInformationRowV1[] | undefined;
if (wantImageInformation) {
  const events = sizes[sizes.length - 1] as number;
  process.stderr.write(`study: image information at ${events} events (GBDT on five input sets)\n`);
  const rows = imageInformationStudy({
    sample: simulateTaskSample(task, events, seed) as CaloShowerSample,
    seed,
    ...(trees ? { trees } : {}),
    onRow: (r) => process.stderr.write(`study: ${r.label}: eIQR ${r.eIqr.toFixed(4)}\n`),
  });
  imageInformation = rows;
  await writeFile(resolve(out, `${task}-image-information.csv`), imageInformationCsv(rows));
  const table = rows.map(
    (r) => `  ${r.label.padEnd(64)} ${r.eIqr.toFixed(4).padStart(8)} ${r.rIqr.toFixed(3).padStart(7)}`,
  );
  process.stdout.write(
    `\n${task}: do the images hold what the scalars lack? (${Math.round(events * 0.6)} training events)\n  ${'model'.padEnd(64)} ${'eIQR'.padStart(8)} ${'rIQR'.padStart(7)}\n${table.join('\n')}\n\nstudy: wrote ${task}-image-information.csv -> ${out}\n`,
  );
}

// The JSON last, with everything the dashboard's /study page shows, through the schema it reads.
const file = StudyFileV1.parse({
  format: 'hepml-study',
  formatVersion: 1,
  task,
  figure: figure.label,
  seed,
  backend: `${backend.name} (${backend.reason})`,
  createdAt: new Date().toISOString(),
  points,
  ...(imageInformation ? { imageInformation } : {}),
});
await writeFile(resolve(out, `${task}.json`), `${JSON.stringify(file, null, 2)}\n`);
process.stdout.write(`study: wrote ${task}.json -> ${out}\n`);
