/**
 * `pnpm calibrate`: measures data/MC scale factors of an electron-identification model's working
 * points by tag-and-probe on Z→ee and writes them into its bundle (issue 9).
 *
 *   pnpm calibrate --model <bundle-dir> [--data <file>] [--mc <file>] [--n PAIRS] [--seed S] [--out DIR]
 *                  [--tree T] [--column NAME=EXPR …] [--pt-edges 20,30,50,100] [--abs-eta-edges 0,1.2,2.4]
 *
 * Data and MC are tag-and-probe samples, one row per tag-probe pair (columns of
 * `generateTagAndProbe`: tagPt, tagEta, tagCharge, probePt, probeEta, probeCharge, mass [GeV] and
 * the probe's values of the model's inputs), read from CSV, Parquet or a flat ROOT TTree (`--tree`;
 * `pnpm simulate --task tag-and-probe` writes such files); without files, pseudo-data and MC are
 * generated (`--n` pairs each, seeds S and S+1). A user's own files name their columns as they
 * like: `--column probePt=probe_pt --column massOverPt=probe_mass/probe_pt` gives each name the
 * standard sample and the model need as a column or an expression over the file's columns (the
 * safe expression parser of `@hepml/physics`). Bins default to electron pT × |η| bins.
 * For each working point (probe passes when score ≥ threshold): efficiencies in pT × |η| bins,
 * same-sign pairs subtracted in 81–101 GeV, SF = ε_data/ε_MC with statistical uncertainty and
 * systematic ones from the mass window (76–106, 86–96 GeV), the tag (pt ≥ 30 GeV) and the background
 * method (sidebands). Writes `scale-factors.json` (correctionlib v2, one correction
 * `<model>-<working point>` each) and `scale-factor-tables.json` (hepml-scale-factors/1) into the
 * bundle (`calibration` in the manifest), in place or into `--out`, and prints a summary table.
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  at,
  type ColumnarSample,
  type CorrectionSetV2,
  compileExpression,
  type Dataset,
  generateTagAndProbe,
  measureScaleFactors,
  type ProbeSet,
  padObjects,
  probesFromSimulation,
  readCsv,
  readParquet,
  readRootEventTable,
  type ScaleFactorMeasurement,
  type ScaleFactorTable,
  scaleFactorsToCorrectionSet,
  validateCorrectionSet,
} from '@hepml/physics';
import { buildBundle, MANIFEST_FILE } from '../src/bundle/build.ts';
import { readBundleDir, writeBundleDir } from '../src/node/bundle-dir.ts';
import { encodeScaleFactorTables } from '../src/registry/scale-factor-tables.ts';
import { scoreOutputIndex } from '../src/runtime/discriminants.ts';
import { createRunner } from '../src/runtime/runner.ts';
import { ProgressBar } from './progress.ts';

const SCALE_FACTORS_FILE = 'scale-factors.json';
const TABLES_FILE = 'scale-factor-tables.json';

function fail(message: string): never {
  process.stderr.write(`calibrate: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    mc: { type: 'string' },
    n: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '9' },
    out: { type: 'string' },
    tree: { type: 'string' },
    column: { type: 'string', multiple: true },
    'pt-edges': { type: 'string', default: '15,25,35,45,60,150' },
    'abs-eta-edges': { type: 'string', default: '0,0.8,1.37,2.0,2.47' },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
if (!values.model) fail('--model <bundle-dir> is required');
const modelDir = resolve(cwd, values.model);
const outDir = resolve(cwd, values.out ?? values.model);
const nPairs = Number(values.n);
const seed = Number(values.seed);
if (!Number.isInteger(nPairs) || nPairs < 1000) fail(`--n must be an integer ≥ 1000, got "${values.n}"`);
if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a non-negative integer, got "${values.seed}"`);

/** Bin edges of a flag: at least two finite, strictly increasing numbers. */
function edgesFlag(flag: string, raw: string): number[] {
  const edges = raw.split(',').map(Number);
  if (edges.length < 2 || edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= (edges[i - 1] as number)))) {
    fail(`--${flag} must be two or more increasing numbers separated by commas, got "${raw}"`);
  }
  return edges;
}
const PT_EDGES = edgesFlag('pt-edges', values['pt-edges'] as string);
const ABS_ETA_EDGES = edgesFlag('abs-eta-edges', values['abs-eta-edges'] as string);

/** `--column NAME=EXPR`: the sample's column NAME computed from the file's columns. */
const renames = (values.column ?? []).map((spec) => {
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq).trim();
  if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || spec.slice(eq + 1).trim() === '') {
    fail(`--column must be NAME=EXPRESSION (e.g. probePt=probe_pt), got "${spec}"`);
  }
  return { name, source: spec.slice(eq + 1).trim() };
});

/** A tag-and-probe file as a sample: numeric columns as Float32Array, weights (default 1). */
async function readSample(file: string): Promise<ColumnarSample> {
  const path = resolve(cwd, file);
  let ds: Dataset;
  try {
    const bytes = readFileSync(path);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    if (path.endsWith('.csv')) ds = readCsv(bytes.toString('utf8'), { file }).dataset;
    else if (path.endsWith('.parquet')) ds = await readParquet(buffer);
    else if (path.endsWith('.root')) {
      // One row per pair: the tree's scalar branches (jagged ones are not pair columns).
      ds = padObjects(await readRootEventTable(buffer, { file, ...(values.tree ? { tree: values.tree } : {}) }), {});
    } else fail(`${file}: must end in .csv, .parquet or .root`);
  } catch (error) {
    fail(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const columns: Record<string, Float32Array> = {};
  for (const [name, c] of Object.entries(ds.columns)) if (!Array.isArray(c)) columns[name] = Float32Array.from(c);
  for (const { name, source } of renames) {
    try {
      columns[name] = Float32Array.from(compileExpression(source, Object.keys(ds.columns)).evaluate(ds.columns, ds.n));
    } catch (error) {
      fail(`${file}: --column ${name}=${source}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  for (const name of ['mass', 'tagPt', 'tagEta', 'tagCharge', 'probePt', 'probeEta', 'probeCharge']) {
    if (!columns[name]) fail(`${file}: no column "${name}" (name it with --column ${name}=<column or expression>)`);
  }
  return {
    task: 'tag-and-probe',
    n: ds.n,
    columns,
    label: ds.label ?? new Uint8Array(ds.n),
    weight: ds.weight ?? new Float32Array(ds.n).fill(1),
    truth: {},
    units: ds.units,
    seed: Number.NaN,
  };
}

const bundle = await readBundleDir(modelDir).catch((error: Error) => fail(`${modelDir}: ${error.message}`));
const manifest = bundle.manifest;
if (manifest.workingPoints.length === 0) fail(`${manifest.name}: the model has no working points to calibrate`);
// The score the working points cut on (and the edge serves): the evaluation's reference output.
const scoreIndex = scoreOutputIndex(manifest);
if (scoreIndex < 0) fail(`${manifest.name}: the model has no score output`);
const files: Record<string, Uint8Array> = {};
for (const [path, bytes] of bundle.files) files[path] = bytes;
const runner = createRunner(manifest, files);

const generation = new ProgressBar('samples', 2);
const data = values.data ? await readSample(values.data) : generateTagAndProbe({ n: nPairs, seed, kind: 'data' });
generation.update(1, 'data');
const mc = values.mc ? await readSample(values.mc) : generateTagAndProbe({ n: nPairs, seed: seed + 1, kind: 'mc' });
generation.done('mc');

/** The model's score for every probe of a sample (inputs raw, in manifest order). */
function scores(sample: ColumnarSample, label: string): Float32Array {
  const names = manifest.inputs.map((i) => i.name);
  const cols = names.map((name) => {
    const c = sample.columns[name];
    if (!c) fail(`${label}: no column "${name}" for the model input of that name`);
    return c;
  });
  const bar = new ProgressBar(`score ${label}`, sample.n);
  const out = new Float32Array(sample.n);
  const chunk = 8192;
  const features = new Float32Array(chunk * names.length);
  for (let start = 0; start < sample.n; start += chunk) {
    const m = Math.min(chunk, sample.n - start);
    for (let r = 0; r < m; r++) {
      for (let k = 0; k < names.length; k++) features[r * names.length + k] = at(cols, k)[start + r] as number;
    }
    const y = runner.predict(features.subarray(0, m * names.length), m);
    for (let r = 0; r < m; r++) out[start + r] = at(y, r * runner.outputSize + scoreIndex);
    bar.update(start + m);
  }
  bar.done();
  return out;
}

const dataScores = scores(data, 'data');
const mcScores = scores(mc, 'mc');
const provenance = {
  data: values.data ?? `pseudo-data generateTagAndProbe(n=${nPairs}, seed=${seed}, kind=data)`,
  mc: values.mc ?? `generateTagAndProbe(n=${nPairs}, seed=${seed + 1}, kind=mc)`,
  method:
    'tag-and-probe Z→ee, tag pt ≥ 25 GeV, OS − SS in 81–101 GeV; syst: window 76–106/86–96, tag pt ≥ 30 GeV, sidebands 60–70/110–120',
};

const measurements: { workingPoint: string; result: ScaleFactorMeasurement }[] = [];
const bar = new ProgressBar('scale factors', manifest.workingPoints.length);
manifest.workingPoints.forEach((wp, k) => {
  const probes = (sample: ColumnarSample, s: Float32Array, tagPtMin?: number): ProbeSet =>
    probesFromSimulation(sample, { passes: (_, row) => at(s, row) >= wp.threshold, tagPtMin });
  const result = measureScaleFactors({
    name: `${manifest.name}-${wp.name}`,
    data: probes(data, dataScores),
    mc: probes(mc, mcScores),
    options: {
      ptEdges: PT_EDGES,
      absEtaEdges: ABS_ETA_EDGES,
      massWindow: [81, 101],
      background: { kind: 'same-sign' },
    },
    variations: [
      { source: 'mass-window', label: '76-106', options: { massWindow: [76, 106] } },
      { source: 'mass-window', label: '86-96', options: { massWindow: [86, 96] } },
      { source: 'tag', label: 'pt>=30', data: probes(data, dataScores, 30), mc: probes(mc, mcScores, 30) },
      {
        source: 'background',
        label: 'sidebands',
        options: { background: { kind: 'sidebands', low: [60, 70], high: [110, 120] } },
      },
    ],
    provenance,
  });
  measurements.push({ workingPoint: wp.name, result });
  bar.update(k + 1, wp.name);
});
bar.done();

const warnings = measurements.flatMap((m) => m.result.warnings.map((w) => `${m.workingPoint}: ${w}`));
if (measurements.some((m) => m.result.table.values.some((row) => row.some((v) => !Number.isFinite(v))))) {
  for (const w of warnings) process.stderr.write(`  ${w}\n`);
  fail('some bins have no scale factor (too few probes): raise --n or use larger samples');
}

// One correctionlib set with a correction per working point, validated before it is written.
const corrections = measurements.flatMap(
  (m) => scaleFactorsToCorrectionSet(m.result.table, { openLastPtBin: true }).corrections,
);
const set: CorrectionSetV2 = validateCorrectionSet({
  schema_version: 2,
  description: `hepml-edge scale factors of ${manifest.name} (tag-and-probe Z→ee)`,
  corrections,
});
const tables: { workingPoint: string; table: ScaleFactorTable }[] = measurements.map((m) => ({
  workingPoint: m.workingPoint,
  table: m.result.table,
}));
const dataFiles = new Map(bundle.files);
dataFiles.delete(MANIFEST_FILE);
dataFiles.set(SCALE_FACTORS_FILE, new TextEncoder().encode(`${JSON.stringify(set, null, 1)}\n`));
dataFiles.set(TABLES_FILE, encodeScaleFactorTables(tables));
const { files: _files, ...rest } = manifest;
const calibrated = await buildBundle(
  { ...rest, calibration: { scaleFactors: SCALE_FACTORS_FILE, tables: TABLES_FILE } },
  dataFiles,
);
await writeBundleDir(calibrated, outDir);

const f = (x: number) => x.toFixed(3);
for (const { workingPoint, result } of measurements) {
  const t = result.table;
  process.stdout.write(`\n${manifest.name} ${workingPoint}: SF ± stat ± syst (pT rows [GeV] × |η| columns)\n`);
  process.stdout.write(
    `  ${'pt \\ |η|'.padEnd(10)}${ABS_ETA_EDGES.slice(0, -1)
      .map((e, j) => `${e}–${ABS_ETA_EDGES[j + 1]}`.padEnd(22))
      .join('')}\n`,
  );
  t.values.forEach((row, i) => {
    const cells = row.map((v, j) =>
      `${f(v)} ± ${f(t.stat[i]?.[j] as number)} ± ${f(t.syst[i]?.[j] as number)}`.padEnd(22),
    );
    process.stdout.write(`  ${`${PT_EDGES[i]}–${PT_EDGES[i + 1]}`.padEnd(10)}${cells.join('')}\n`);
  });
}
for (const w of warnings) process.stdout.write(`note: ${w}\n`);
process.stdout.write(`\nwrote ${SCALE_FACTORS_FILE} and ${TABLES_FILE} into ${outDir}\n`);
