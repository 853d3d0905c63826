/**
 * `pnpm import-model`: a model trained elsewhere (ONNX, XGBoost JSON, LightGBM text, lwtnn JSON)
 * as a hepml bundle directory that `pnpm publish-model` publishes and the runtime serves (issue 19).
 *
 *   pnpm import-model FILE (--task-file t.json | --inputs spec.json | --task NAME) [--name N]
 *                     [--out DIR] [--n EVENTS] [--seed S] [--no-figures]
 *
 * The format is detected from the file (see `detectModelFormat`). `--inputs` names the inputs with
 * units, descriptions and standardisation, and optionally the outputs and task (`ImportSpecV1`);
 * `--task` alone takes a reference task's variables (raw, in `pnpm train`'s order), `--task-file`
 * a TaskV1 file's inputs (a user task's file is attached to the bundle as `task.json`, so
 * publishing teaches the registry the task); with `--inputs`, either names the task. With a
 * reference task the model is measured on that task's simulated sample and split (`--n`, `--seed`;
 * defaults those of `pnpm train`) so it has metrics, a ROC and working points beside our own
 * models, and `pnpm calibrate` can measure its scale factors; `--no-figures` skips that. The
 * lineage records the file's name, sha256, format and producer. Bad input: one line naming the
 * file and field, exit status 2.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldError } from '@hepml/physics';
import { type Bundle, buildBundle, MANIFEST_FILE } from '../src/bundle/build.ts';
import { importModelFile } from '../src/import/model-file.ts';
import { type ImportSpecV1, readImportSpec, taskImportSpec } from '../src/import/spec.ts';
import { writeBundleDir } from '../src/node/bundle-dir.ts';
import { attachTaskFile, findTask, parseTaskJson, type TaskV1 } from '../src/tasks.ts';
import { taskFigures } from '../src/training/task-figures.ts';
import { cliFailure, positiveIntFlag } from './cli.ts';

const USAGE =
  'usage: pnpm import-model FILE (--task-file t.json | --inputs spec.json | --task NAME) [--name N] [--out DIR] [--n EVENTS] [--seed S] [--no-figures]';
const fail: (message: string) => never = cliFailure('import-model');
const positiveInt = positiveIntFlag(fail);

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      inputs: { type: 'string' },
      task: { type: 'string' },
      'task-file': { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      n: { type: 'string' },
      seed: { type: 'string' },
      'no-figures': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (err) {
  fail(`${(err as Error).message.split('. ')[0]} (${USAGE})`);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [fileArg] = positionals;
if (!fileArg || positionals.length > 1) fail(`give exactly one model file (${USAGE})`);
if (!values.inputs && !values.task && !values['task-file'])
  fail(`--task-file t.json, --inputs spec.json or --task NAME is required (the file's inputs have no units)`);
if (values.task && values['task-file']) fail('give --task or --task-file, not both');
const n = positiveInt(values.n, 'n');
const seed = positiveInt(values.seed, 'seed') ?? 2026;
const cwd = process.env.INIT_CWD ?? process.cwd();
const file = basename(fileArg);

const bytes = new Uint8Array(
  await readFile(resolve(cwd, fileArg)).catch((err: Error) => fail(`${fileArg}: ${err.message}`)),
);

/** `--task-file`: the TaskV1 file (a user task, or a reference task written as one). */
async function loadTaskFile(): Promise<TaskV1 | undefined> {
  const path = values['task-file'];
  if (!path) return undefined;
  const text = await readFile(resolve(cwd, path), 'utf8').catch((err: Error) => fail(`${path}: ${err.message}`));
  try {
    return parseTaskJson(text, basename(path));
  } catch (err) {
    if (err instanceof FieldError) fail(err.message);
    throw err;
  }
}
const taskFile = await loadTaskFile();
/** The inputs of a task file as a spec: names, units, descriptions (the model reads them raw). */
const taskFileSpec = (t: TaskV1): ImportSpecV1 => ({
  task: t.name,
  inputs: t.inputs.map((i) => ({ name: i.name, unit: i.unit, description: i.description })),
});
const taskName = values.task ?? taskFile?.name;

/**
 * The spec: the file's, with `--task`/`--task-file` setting (or checking) its task; or the task's
 * own inputs (a reference task's variables, a task file's inputs).
 */
async function loadSpec(): Promise<{ spec: ImportSpecV1; label: string }> {
  try {
    if (!values.inputs) {
      if (taskFile) return { spec: taskFileSpec(taskFile), label: basename(values['task-file'] as string) };
      return { spec: taskImportSpec(values.task as string), label: `--task ${values.task}` };
    }
    const specBytes = await readFile(resolve(cwd, values.inputs)).catch((err: Error) =>
      fail(`${values.inputs}: ${err.message}`),
    );
    const label = basename(values.inputs);
    const spec = readImportSpec(new Uint8Array(specBytes), label);
    if (taskName && spec.task && spec.task !== taskName)
      fail(`${label}: task: "${spec.task}" differs from the task given (${taskName})`);
    const task = taskName ?? spec.task;
    if (task && !findTask(task) && task !== 'imported' && !taskFile)
      fail(
        `${label}: task: "${task}" is not a reference task (electron-id, bjet, boosted-jet, energy-regression); give its task file with --task-file`,
      );
    return { spec: task ? { ...spec, task } : spec, label };
  } catch (err) {
    if (err instanceof FieldError) fail(err.message);
    throw err;
  }
}
const { spec, label } = await loadSpec();

const defaultName = file
  .replace(/\.[^.]*$/, '')
  .toLowerCase()
  .replace(/[^a-z0-9._-]+/g, '-')
  .replace(/^[^a-z0-9]+/, '')
  .slice(0, 64);
const name = values.name ?? (defaultName || 'imported-model');
if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) fail(`--name "${name}" must match [a-z0-9][a-z0-9._-]{0,63}`);

let bundle: Bundle;
try {
  bundle = await importModelFile({ bytes, file, name, spec, subsetOfSpec: !values.inputs });
  // A user task travels with its bundles (task.json), so the registry learns it on publishing.
  if (taskFile && !findTask(taskFile.name)) bundle = await attachTaskFile(bundle, taskFile);
} catch (err) {
  if (!(err instanceof FieldError)) throw err;
  // Faults of the spec (inputs, outputs) name the spec; the rest name the model file.
  const where = /^(inputs|outputs)\b/.test(err.message) ? label : file;
  fail(err.message.startsWith(`${where}:`) ? err.message : `${where}: ${err.message}`);
}

const task = bundle.manifest.task;
if (findTask(task) && !values['no-figures']) {
  const started = Date.now();
  try {
    const figures = taskFigures(bundle, { task, seed, ...(n ? { n } : {}) });
    const files = new Map(bundle.files);
    files.delete(MANIFEST_FILE);
    const { files: _listed, ...rest } = bundle.manifest;
    bundle = await buildBundle({ ...rest, ...figures }, files);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    // A model that reads other variables than the task's sample holds stands on the task's board
    // unmeasured (last); anything else the measurement refuses is the spec's fault.
    if (err.field !== 'inputs') fail(`${label}: ${err.message}`);
    process.stderr.write(`import-model: not measured on ${task}: ${err.message}\n`);
  }
  const m = bundle.manifest.metrics;
  const headline = Object.entries(m)
    .filter(([k]) => ['auc', 'bkgEffAt92', 'rejectionAt50', 'mae', 'eIqr'].includes(k))
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join(', ');
  if (headline)
    process.stderr.write(
      `import-model: measured on ${task} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${headline}\n`,
    );
} else if (!findTask(task) && !taskFile) {
  process.stderr.write(
    `import-model: note: task "${task}" is not a reference task; publish-model needs one (--task, or "task" in the spec)\n`,
  );
}

const outDir = resolve(cwd, values.out ?? `.hepml/bundles/${name}`);
await writeBundleDir(bundle, outDir);
const m = bundle.manifest;
const source = m.lineage.source;
process.stdout.write(
  [
    `imported ${m.name} (task ${m.task}, ${m.architecture.kind}, ${m.architecture.parameters} parameters) into ${outDir}`,
    `  from ${file} (${source?.format}, ${source?.producer}${source?.producerVersion ? ` ${source.producerVersion}` : ''}) sha256 ${source?.sha256}`,
    `  inputs  ${m.inputs.map((i) => `${i.name} [${i.unit}]`).join(', ')}`,
    `  outputs ${m.outputs.map((o) => `${o.name} (${o.kind})`).join(', ')}`,
    ...(m.workingPoints.length
      ? [`  working points ${m.workingPoints.map((w) => `${w.name} ≥ ${w.threshold.toPrecision(4)}`).join(', ')}`]
      : []),
    '',
  ].join('\n'),
);
