/**
 * A classifier on the CMS identification variables, calibrated on real CMS data (issue 9):
 *   pnpm tsx packages/models/scripts/calibrate-cms-model.ts [--data <csv>] [--train-pairs N]
 *     [--mc-pairs N] [--seed S] [--target 0.9] [--out DIR]
 *
 * 1. Training: electrons of the CMS 2011 simulation (`generateCmsZee` with half the pairs carrying
 *    fakes), outside the ECAL gap; signal = prompt electrons, background = fakes (light jets and
 *    heavy flavour); the classes weighted to equal totals. Inputs, named as in the open-data file:
 *    pt [GeV], |η|, sigmaEtaEta, HoverE, isoTrack, isoEcal, isoHcal [GeV]. Model: the project's
 *    histogram GBDT (`fitGbdt`, binary log-loss, 80 trees of depth ≤ 4), pure TypeScript.
 * 2. Working point: the score threshold that keeps 90 % (`--target`) of the prompt electrons of an
 *    independent simulated sample (another seed), with the background efficiency there.
 * 3. Calibration: tag-and-probe on the real `Zee_Run2011A.csv` (CMS collaboration, CERN Open Data
 *    Portal, record 545, CC-BY 4.0) and on signal MC (`generateCmsZee`, no fakes) through the same
 *    `measureCmsScaleFactors` as the cut-based IDs: tag WP80, OS − SS in 81–101 GeV, SF = ε_data/ε_MC
 *    in pT × |η| bins with stat and syst (mass window, tag, background method).
 * Writes `<out>/cms-gbdt.json` (hepml-gbdt/1), `<out>/cms-gbdt-working-point.json` (threshold,
 * εS and εB on simulation), `<out>/cms-gbdt-sf.correctionlib.json`
 * (correctionlib v2), `<out>/cms-gbdt-sf.tables.json`, and the calibrated bundle
 * `<out>/cms-electron-gbdt/` (working point `medium`, SFs in `calibration`); prints the tables. Exit 1 when the data
 * file is missing or an option is bad.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  at,
  auc,
  CMS_WP80,
  type CmsElectronColumns,
  type CmsZeePairs,
  cmsZeePairsFromDataset,
  cmsZeePairsFromSample,
  ELECTRON_ORIGIN,
  generateCmsZee,
  inclusiveScaleFactorLine,
  inEcalGap,
  measureCmsScaleFactors,
  measureInclusiveCmsScaleFactors,
  passesCmsCutBasedId,
  readCsv,
  scaleFactorsToCorrectionSet,
  scaleFactorTableLines,
  thresholdAtSignalEfficiency,
  validateCorrectionSet,
} from '@hepml/physics';
import { buildBaselineBundle } from '../src/baselines/bundle.ts';
import { fitGbdt } from '../src/baselines/gbdt.ts';
import { buildBundle, MANIFEST_FILE } from '../src/bundle/build.ts';
import { writeBundleDir } from '../src/node/bundle-dir.ts';
import { encodeScaleFactorTables } from '../src/registry/scale-factor-tables.ts';
import { evaluateGbdt } from '../src/runtime/baselines/gbdt.ts';
import { serializeGbdt } from '../src/runtime/baselines/gbdt-format.ts';
import { sampleHash } from '../src/training/common.ts';
import { codeVersion } from './git-version.ts';
import { ProgressBar } from './progress.ts';

const DEFAULT_DATA = fileURLToPath(new URL('../../../../shared/data/cms-open-data/Zee_Run2011A.csv', import.meta.url));
/** Model inputs, in this order; isolations in GeV, pt in GeV. */
const INPUTS = ['pt', 'absEta', 'sigmaEtaEta', 'HoverE', 'isoTrack', 'isoEcal', 'isoHcal'] as const;

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DATA },
    'train-pairs': { type: 'string', default: '60000' },
    'mc-pairs': { type: 'string', default: '100000' },
    seed: { type: 'string', default: '2011' },
    target: { type: 'string', default: '0.9' },
    out: { type: 'string', default: '.hepml/calibration-cms' },
  },
});
const fail = (message: string): never => {
  console.error(`calibrate-cms-model: ${message}`);
  process.exit(1);
};
const dataFile = args.data as string;
if (!existsSync(dataFile)) {
  fail(`CMS open-data file not found: ${dataFile} (it belongs in ../shared/data/cms-open-data/, see its README)`);
}
const trainPairs = Number(args['train-pairs']);
const mcPairs = Number(args['mc-pairs']);
const seed = Number(args.seed);
const target = Number(args.target);
const outDir = args.out as string;
if (!Number.isInteger(trainPairs) || trainPairs < 2000) fail('--train-pairs must be an integer ≥ 2000');
if (!Number.isInteger(mcPairs) || mcPairs < 2000) fail('--mc-pairs must be an integer ≥ 2000');
if (!Number.isInteger(seed)) fail('--seed must be an integer');
if (!(target > 0 && target < 1)) fail('--target must lie in (0, 1)');

const t0 = performance.now();

/** Row-major features (INPUTS order) of both electrons of every pair outside the ECAL gap, with origins. */
function electronRows(pairs: CmsZeePairs, origins?: [ArrayLike<number>, ArrayLike<number>]) {
  const rows: number[] = [];
  const labels: number[] = [];
  pairs.electrons.forEach((e, k) => {
    for (let r = 0; r < pairs.n; r++) {
      if (inEcalGap(at(e.eta, r))) continue;
      rows.push(...featureRow(e, r));
      if (origins) labels.push(origins[k]?.[r] === ELECTRON_ORIGIN.prompt ? 1 : 0);
    }
  });
  return { features: Float32Array.from(rows), n: rows.length / INPUTS.length, labels: Uint8Array.from(labels) };
}

function featureRow(e: CmsElectronColumns, r: number): number[] {
  return [
    at(e.pt, r),
    Math.abs(at(e.eta, r)),
    at(e.sigmaIetaIeta, r),
    at(e.hOverE, r),
    at(e.isoTrack, r),
    at(e.isoEcal, r),
    at(e.isoHcal, r),
  ];
}

/** Simulated electrons with prompt/fake labels: half the pairs carry fakes. */
function labelledElectrons(n: number, sampleSeed: number) {
  const sample = generateCmsZee({ n, seed: sampleSeed, fakeFraction: 0.5 });
  const rows = electronRows(cmsZeePairsFromSample(sample), [
    sample.truth.origin1 as Int32Array,
    sample.truth.origin2 as Int32Array,
  ]);
  return { ...rows, sample };
}

// ---------------------------------------------------------------- 1. training
const train = labelledElectrons(trainPairs, seed);
const nSignal = train.labels.reduce((s, v) => s + v, 0);
const weights = Float32Array.from(train.labels, (y) =>
  y ? train.n / (2 * nSignal) : train.n / (2 * (train.n - nSignal)),
);
const trees = 80;
const bar = new ProgressBar('gbdt', trees);
const model = fitGbdt({
  inputs: [...INPUTS],
  features: train.features,
  n: train.n,
  target: train.labels,
  weights,
  objective: 'binary',
  trees,
  learningRate: 0.15,
  maxDepth: 4,
  maxLeaves: 15,
  minDataInLeaf: 50,
  onRound: (round, loss) => bar.update(round + 1, `loss ${loss.toFixed(4)}`),
});
bar.done();
console.log(
  `Trained a GBDT (${trees} trees, depth ≤ 4) on ${train.n} simulated electrons (${nSignal} prompt, ${train.n - nSignal} fake), seed ${seed}.`,
);

// ---------------------------------------------------------------- 2. working point on simulation
const test = labelledElectrons(trainPairs, seed + 1);
const testScores = evaluateGbdt(model, test.features, test.n);
const threshold = thresholdAtSignalEfficiency(testScores, test.labels, target);
let sigPass = 0;
let bkgPass = 0;
let sigAll = 0;
let wp80Sig = 0;
let wp80Bkg = 0;
const testPairs = cmsZeePairsFromSample(generateCmsZee({ n: trainPairs, seed: seed + 1, fakeFraction: 0.5 }));
// WP80 on the same electrons, for comparison (same row order as `electronRows`).
const wp80Pass: number[] = [];
for (const e of testPairs.electrons) {
  for (let r = 0; r < testPairs.n; r++) {
    if (!inEcalGap(at(e.eta, r))) wp80Pass.push(passesCmsCutBasedId(e, r, CMS_WP80) ? 1 : 0);
  }
}
for (let i = 0; i < test.n; i++) {
  const pass = at(testScores, i) >= threshold;
  if (test.labels[i]) {
    sigAll++;
    if (pass) sigPass++;
    if (wp80Pass[i]) wp80Sig++;
  } else {
    if (pass) bkgPass++;
    if (wp80Pass[i]) wp80Bkg++;
  }
}
const bkgAll = test.n - sigAll;
console.log(
  `Working point on an independent simulated sample (seed ${seed + 1}, ${test.n} electrons): score ≥ ${threshold.toFixed(4)}, ` +
    `εS = ${((100 * sigPass) / sigAll).toFixed(1)} %, εB = ${((100 * bkgPass) / bkgAll).toFixed(2)} %, AUC ${auc(testScores, test.labels).toFixed(4)}; ` +
    `WP80 on the same electrons: εS = ${((100 * wp80Sig) / sigAll).toFixed(1)} %, εB = ${((100 * wp80Bkg) / bkgAll).toFixed(2)} %.\n`,
);

// ---------------------------------------------------------------- 3. tag-and-probe on data and MC
const { dataset } = readCsv(readFileSync(dataFile, 'utf8'), { file: 'Zee_Run2011A.csv' });
const data = cmsZeePairsFromDataset(dataset);
const mc = cmsZeePairsFromSample(generateCmsZee({ n: mcPairs, seed: seed + 2 }));

/** Scores of both electrons of every pair (gap electrons included: the tag-and-probe drops them). */
function scoreMap(pairs: CmsZeePairs): Map<CmsElectronColumns, Float32Array> {
  const map = new Map<CmsElectronColumns, Float32Array>();
  for (const e of pairs.electrons) {
    const rows = new Float32Array(pairs.n * INPUTS.length);
    for (let r = 0; r < pairs.n; r++) rows.set(featureRow(e, r), r * INPUTS.length);
    map.set(e, evaluateGbdt(model, rows, pairs.n));
  }
  return map;
}
const scores = new Map([...scoreMap(data), ...scoreMap(mc)]);
const probePasses = (e: CmsElectronColumns, r: number): boolean => {
  const s = scores.get(e);
  if (!s) throw new Error('electron columns without scores');
  return at(s, r) >= threshold;
};
const BUNDLE_NAME = 'cms-electron-gbdt';
// The table's name is the correction's: `<bundle>-<working point>`, as `pnpm calibrate` writes it.
const name = `${BUNDLE_NAME}-medium`;
const m = measureCmsScaleFactors({
  name,
  data,
  mc,
  probePasses,
  dataName: 'Zee_Run2011A.csv (CMS collaboration, CERN Open Data Portal, record 545, CC-BY 4.0)',
  mcName: `generateCmsZee(n=${mcPairs}, seed=${seed + 2})`,
});
const t = m.table;
console.log(`== ${name}: GBDT score ≥ ${threshold.toFixed(4)}; tag WP80 pt ≥ 30 GeV, OS − SS in 81–101 GeV`);
for (const line of scaleFactorTableLines(t)) console.log(`   ${line}`);
for (const w of m.warnings) console.log(`   note: ${w}`);
for (const { region, table } of measureInclusiveCmsScaleFactors({ name, data, mc, probePasses })) {
  console.log(`   ${inclusiveScaleFactorLine(region, table)}`);
}

const set = validateCorrectionSet(scaleFactorsToCorrectionSet(t, { openLastPtBin: true }));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'cms-gbdt.json'), `${JSON.stringify(serializeGbdt(model))}\n`);
const workingPoint = {
  name,
  threshold,
  signalEfficiency: sigPass / sigAll,
  backgroundEfficiency: bkgPass / bkgAll,
  sample: `generateCmsZee(n=${trainPairs}, seed=${seed + 1}, fakeFraction=0.5), electrons outside the ECAL gap`,
};
writeFileSync(join(outDir, 'cms-gbdt-working-point.json'), `${JSON.stringify(workingPoint, null, 1)}\n`);
writeFileSync(join(outDir, 'cms-gbdt-sf.correctionlib.json'), `${JSON.stringify(set, null, 1)}\n`);
writeFileSync(join(outDir, 'cms-gbdt-sf.tables.json'), `${JSON.stringify(t, null, 1)}\n`);
// The calibrated bundle: the GBDT with its 90 % working point, the SFs in the bundle.
const units: Record<string, string> = { pt: 'GeV', absEta: '1', sigmaEtaEta: '1', HoverE: '1' };
for (const v of ['isoTrack', 'isoEcal', 'isoHcal']) units[v] = 'GeV';
const bundle = await buildBaselineBundle({
  name: BUNDLE_NAME,
  task: 'electron-id',
  description:
    'CMS-style electron identification: GBDT on pt, |η|, σiηiη, H/E and track/ECAL/HCAL isolation, trained on the CMS 2011 simulation; SFs from the 2011A Z→ee open data',
  model: { kind: 'gbdt', params: model },
  units,
  metrics: { auc: auc(testScores, test.labels), bkgEffAtWorkingPoint: bkgPass / bkgAll },
  workingPoints: [
    { name: 'medium', signalEfficiency: sigPass / sigAll, threshold, backgroundEfficiency: bkgPass / bkgAll },
  ],
  lineage: {
    datasetHash: await sampleHash(train.sample),
    codeVersion: codeVersion(),
    seed,
    createdAt: new Date().toISOString(),
    backend: 'ts-gbdt',
  },
});
const files = new Map(bundle.files);
files.delete(MANIFEST_FILE);
files.set('scale-factors.json', new TextEncoder().encode(`${JSON.stringify(set, null, 1)}\n`));
files.set('scale-factor-tables.json', encodeScaleFactorTables([{ workingPoint: 'medium', table: t }]));
const { files: _files, ...manifest } = bundle.manifest;
const calibrated = await buildBundle(
  { ...manifest, calibration: { scaleFactors: 'scale-factors.json', tables: 'scale-factor-tables.json' } },
  files,
);
await writeBundleDir(calibrated, join(outDir, BUNDLE_NAME));
console.log(
  `\nWrote the model, correctionlib v2 SFs and tables to ${outDir}, the calibrated bundle to ${join(outDir, BUNDLE_NAME)}. Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
);
