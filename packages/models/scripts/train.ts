/**
 * `pnpm train`: trains the default suite (or one task/model) and writes bundles.
 *
 *   pnpm train [--task electron-id] [--model mlp] [--epochs N] [--seed S] [--n EVENTS]
 *              [--backend auto|tensorflow|webgpu|wasm|cpu] [--out DIR]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendChoice, selectBackend } from '../src/training/backend.ts';
import { trainElectronIdMlp } from '../src/training/electron-id.ts';
import { writeBundleDir } from './bundle-io.ts';
import { codeVersion } from './git-version.ts';
import { ProgressBar } from './progress.ts';

const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
const TASKS = ['electron-id'] as const;

function fail(message: string): never {
  process.stderr.write(`train: ${message}\n`);
  process.exit(2);
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    model: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    n: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});

const backend = values.backend as BackendChoice;
if (!BACKENDS.includes(backend)) fail(`--backend must be one of ${BACKENDS.join(', ')}`);
const task = values.task ?? 'electron-id';
if (!(TASKS as readonly string[]).includes(task)) fail(`--task must be one of ${TASKS.join(', ')}`);
if (values.model !== undefined && values.model !== 'mlp') fail('--model must be one of mlp');
const epochs = positiveInt(values.epochs, 'epochs', 12);
const seed = positiveInt(values.seed, 'seed', 2026);
const n = positiveInt(values.n, 'n', 60_000);
const outRoot = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? '.hepml/bundles');

const selection = await selectBackend(backend);
process.stderr.write(`train: backend ${selection.name} (${selection.reason})\n`);

const started = Date.now();
const bar = new ProgressBar(`${task} mlp`, epochs);
const bundle = await trainElectronIdMlp({
  n,
  epochs,
  seed,
  backend: selection.name,
  codeVersion: codeVersion(),
  onEpoch: (epoch, loss, valLoss) => bar.update(epoch + 1, `loss ${loss.toFixed(4)} val ${valLoss.toFixed(4)}`),
});
bar.done();
const dir = resolve(outRoot, bundle.manifest.name);
await writeBundleDir(bundle, dir);
const m = bundle.manifest.metrics;
process.stdout.write(
  `${bundle.manifest.name}: AUC ${m.auc?.toFixed(4)}, εB at εS=92% ${m.bkgEffAt92?.toFixed(4)}, ` +
    `1/εB at εS=50% ${m.rejectionAt50?.toFixed(1)}; ${((Date.now() - started) / 1000).toFixed(1)} s -> ${dir}\n`,
);
