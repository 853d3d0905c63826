/**
 * Writes a simulated sample of any task to CSV or Parquet, with a progress bar on stderr.
 *
 *   pnpm simulate --task calo-showers --n 100000 --seed 1 --out calo.parquet [--no-images] [--image-time]
 *   pnpm simulate --task tag-and-probe --kind data --n 50000 --seed 2 --out tnp.csv
 *
 * Tasks: electron-id, tag-and-probe (--kind mc|data), bjet, boosted-jet, calo-showers. Events are
 * generated in chunks of 20,000: chunk k uses the seed (seed + k·0x9E3779B9) mod 2³², so the
 * first chunk is exactly `generateXxx({ n, seed })` and the file depends only on (task, n, seed).
 * CSV holds the scalar columns, label, weight and truth (`truth_*`); Parquet adds the calorimeter
 * images (float32 bytes per row) and the units as metadata; `.root` writes the scalar columns, label,
 * weight and truth as flat branches of one TTree named after the task (minimal writer, see io/root-writer.ts).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type ColumnarSample,
  concatDatasets,
  type Dataset,
  datasetFromSample,
  generateBoostedJets,
  generateBTagging,
  generateCaloShowers,
  generateElectronId,
  generateTagAndProbe,
  writeCsv,
  writeParquet,
  writeRootTree,
} from '../src/index.ts';

const TASKS = ['electron-id', 'tag-and-probe', 'bjet', 'boosted-jet', 'calo-showers'] as const;
type Task = (typeof TASKS)[number];
const CHUNK = 20_000;

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    task: { type: 'string' },
    n: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    kind: { type: 'string', default: 'mc' },
    'no-images': { type: 'boolean', default: false },
    'image-time': { type: 'boolean', default: false },
  },
});
const task = values.task as Task;
if (!TASKS.includes(task)) fail(`--task must be one of ${TASKS.join(', ')} (got ${values.task ?? 'nothing'})`);
const n = Number(values.n);
if (!Number.isInteger(n) || n <= 0) fail(`--n must be a positive integer (got ${values.n})`);
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
  fail(`--seed must be an integer in [0, 2^32) (got ${values.seed})`);
const out = values.out ?? fail('--out file.csv|file.parquet is required');
const format = out.endsWith('.parquet')
  ? 'parquet'
  : out.endsWith('.csv')
    ? 'csv'
    : out.endsWith('.root')
      ? 'root'
      : fail('--out must end in .csv, .parquet or .root');
const kind = values.kind === 'data' ? 'data' : values.kind === 'mc' ? 'mc' : fail('--kind must be mc or data');
const images = format === 'parquet' && !values['no-images'];

function generate(chunkN: number, chunkSeed: number): ColumnarSample {
  switch (task) {
    case 'electron-id':
      return generateElectronId({ n: chunkN, seed: chunkSeed });
    case 'tag-and-probe':
      return generateTagAndProbe({ n: chunkN, seed: chunkSeed, kind });
    case 'bjet':
      return generateBTagging({ n: chunkN, seed: chunkSeed });
    case 'boosted-jet':
      return generateBoostedJets({ n: chunkN, seed: chunkSeed });
    case 'calo-showers':
      return generateCaloShowers({ n: chunkN, seed: chunkSeed, images, imageTime: values['image-time'] });
  }
}

/** Progress bar on stderr: `[#####.....] 50% 10000/20000 events 12.3 s`. */
function progress(done: number, total: number, t0: number, stage: string): void {
  const width = 30;
  const filled = Math.round((width * done) / total);
  const pct = Math.floor((100 * done) / total);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  process.stderr.write(`\r${stage} [${bar}] ${String(pct).padStart(3)}% ${done}/${total} events ${seconds} s`);
}

const t0 = performance.now();
const parts: Dataset[] = [];
for (let start = 0, k = 0; start < n; start += CHUNK, k++) {
  const chunkN = Math.min(CHUNK, n - start);
  const chunkSeed = (seed + Math.imul(k, 0x9e3779b9)) >>> 0;
  parts.push(datasetFromSample(generate(chunkN, chunkSeed)));
  progress(start + chunkN, n, t0, 'simulate');
}
const ds = concatDatasets(parts);
process.stderr.write(`\nwriting ${format} …`);
if (format === 'csv') writeFileSync(out, writeCsv(ds));
else if (format === 'parquet') writeFileSync(out, new Uint8Array(writeParquet(ds)));
else {
  // A TTree has only branches: label, weight and truth become branches too (as CSV columns).
  const branches: Dataset['columns'] = { ...ds.columns };
  if (ds.label) branches.label = Int32Array.from(ds.label);
  if (ds.weight) branches.weight = ds.weight;
  for (const [name, col] of Object.entries(ds.truth ?? {})) branches[`truth_${name}`] = col;
  writeFileSync(
    out,
    new Uint8Array(writeRootTree({ ...ds, columns: branches }, { treeName: task.replaceAll('-', '_') })),
  );
}
const seconds = (performance.now() - t0) / 1000;
process.stderr.write(
  ` done: ${n} ${task} events → ${out} in ${seconds.toFixed(1)} s (${Math.round(n / seconds)} events/s with writing)\n`,
);
