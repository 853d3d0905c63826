/**
 * Tag-and-probe and Z-peak calibration on real CMS data (issue 9):
 *   pnpm tsx packages/physics/scripts/calibrate-cms.ts [--data <csv>] [--mc-pairs <n>] [--seed <s>] [--out <dir>]
 *
 * Data: `../shared/data/cms-open-data/Zee_Run2011A.csv` beside the repository (CMS collaboration,
 * CERN Open Data Portal, record 545, CC-BY 4.0): 18,885 di-electron pairs of the 2011A run at 7 TeV.
 * 1. Tag-and-probe of the CMS VBTF cut-based identification (WP80 and WP95 on σiηiη, H/E and
 *    relative track/ECAL/HCAL isolation, separate barrel and endcap cuts): tag = WP80, pt ≥ 30 GeV,
 *    outside the ECAL gap; efficiencies in data and in the CMS simulation (sim/cms-electron.ts,
 *    `generateCmsZee`, the same variables) in pT × |η| bins with same-sign pairs subtracted in
 *    81–101 GeV, SF = ε_data/ε_MC with stat and syst (mass window, tag, background method), written
 *    as correctionlib v2 (`<out>/cms-electron-id-sf.correctionlib.json`) and full tables.
 * 2. Z peak per category (BB/BE/EE) for opposite-sign pairs of two WP95 electrons, fitted with
 *    BW ⊗ CB + exponential; the same for the CMS simulation's pairs, same selection; the
 *    energy scale α and extra smearing c per category; the peaks again after correcting data by α
 *    and smearing MC by c.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { at } from '../src/array.ts';
import {
  CMS_WP80,
  CMS_WP95,
  type CmsCutBasedId,
  type CmsElectronColumns,
  type CmsIdCuts,
  type CorrectionSetV2,
  cmsTagAndProbe,
  cmsZeePairsFromDataset,
  cmsZeePairsFromSample,
  cmsZPeakPairs,
  correctEnergyScale,
  type EfficiencyOptions,
  energyScaleAndSmearing,
  fitZPeak,
  generateCmsZee,
  inclusiveScaleFactorLine,
  measureCmsScaleFactors,
  measureEfficiencies,
  measureInclusiveCmsScaleFactors,
  Rng,
  readCsv,
  type ScaleFactorMeasurement,
  type ScaleFactorTable,
  scaleFactorsToCorrectionSet,
  scaleFactorTableLines,
  smearPairMasses,
  validateCorrectionSet,
  ZEE_CATEGORIES,
  type ZeeCategory,
  type ZPeakFit,
} from '../src/index.ts';

const DEFAULT_DATA = fileURLToPath(new URL('../../../../shared/data/cms-open-data/Zee_Run2011A.csv', import.meta.url));

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DATA },
    'mc-pairs': { type: 'string', default: '100000' },
    out: { type: 'string', default: '.hepml/calibration-cms' },
    seed: { type: 'string', default: '2011' },
  },
});
const dataFile = args.data as string;
if (!existsSync(dataFile)) {
  console.error(`calibrate-cms: CMS open-data file not found: ${dataFile}`);
  console.error('It belongs in ../shared/data/cms-open-data/ beside the repository (see /work/shared/data/README.md).');
  process.exit(1);
}
const mcPairs = Number(args['mc-pairs']);
const seed = Number(args.seed);
const outDir = args.out as string;
if (!Number.isInteger(mcPairs) || mcPairs < 1000 || !Number.isFinite(seed)) {
  console.error('calibrate-cms: --mc-pairs must be an integer ≥ 1000 and --seed a number');
  process.exit(1);
}

const t0 = performance.now();
const { dataset } = readCsv(readFileSync(dataFile, 'utf8'), { file: 'Zee_Run2011A.csv' });
const pairs = cmsZeePairsFromDataset(dataset);
console.log(`Read ${pairs.n} pairs from ${dataFile} (CMS collaboration, CERN Open Data Portal, CC-BY 4.0).\n`);

// ---------------------------------------------------------------- 1. tag-and-probe scale factors
const mcSample = generateCmsZee({ n: mcPairs, seed });
const mcZee = cmsZeePairsFromSample(mcSample);
const mcName = `generateCmsZee(n=${mcPairs}, seed=${seed}): CMS 7 TeV 2011A Z→ee simulation`;
console.log(`Simulated ${mcPairs} MC pairs (${mcName}).\n`);

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1).padStart(5) : '  n/a');

/** Prints ε_data, ε_MC and SF ± stat ± syst per bin of a measurement. */
function printScaleFactors(m: ScaleFactorMeasurement, probesData: number, probesMc: number): void {
  const t = m.table;
  console.log(
    `== ${t.name}: tag WP80 pt ≥ 30 GeV, OS − SS in 81–101 GeV; ${probesData} data probes, ${probesMc} MC probes`,
  );
  for (const line of scaleFactorTableLines(t)) console.log(`   ${line}`);
  const sources = Object.keys(t.systBySource).join(', ');
  console.log(`   syst sources: ${sources}`);
  for (const w of m.warnings) console.log(`   note: ${w}`);
  console.log('');
}

const correctionSets: CorrectionSetV2[] = [];
const tables: ScaleFactorTable[] = [];
for (const id of [CMS_WP80, CMS_WP95] as CmsCutBasedId[]) {
  const m = measureCmsScaleFactors({
    name: id.name,
    data: pairs,
    mc: mcZee,
    id,
    dataName: 'Zee_Run2011A.csv (CMS collaboration, CERN Open Data Portal, record 545, CC-BY 4.0)',
    mcName,
  });
  printScaleFactors(m, cmsTagAndProbe(pairs, { id }).mass.length, cmsTagAndProbe(mcZee, { id }).mass.length);
  // Inclusive barrel and endcap efficiencies and SFs: one bin each.
  for (const { region, table } of measureInclusiveCmsScaleFactors({ name: id.name, data: pairs, mc: mcZee, id })) {
    console.log(`   ${inclusiveScaleFactorLine(region, table)}`);
  }
  console.log('');
  tables.push(m.table);
  correctionSets.push(scaleFactorsToCorrectionSet(m.table, { openLastPtBin: true }));
}
// Which cut the simulation models worst: the efficiency of each WP80 cut alone, data vs MC.
{
  const single: [string, (e: CmsElectronColumns, r: number, c: CmsIdCuts) => boolean][] = [
    ['σiηiη', (e, r, c) => at(e.sigmaIetaIeta, r) < c.sigmaIetaIeta],
    ['H/E', (e, r, c) => at(e.hOverE, r) < c.hOverE],
    ['isoTrack/pt', (e, r, c) => at(e.isoTrack, r) / at(e.pt, r) < c.relIsoTrack],
    ['isoEcal/pt', (e, r, c) => at(e.isoEcal, r) / at(e.pt, r) < c.relIsoEcal],
    ['isoHcal/pt', (e, r, c) => at(e.isoHcal, r) / at(e.pt, r) < c.relIsoHcal],
  ];
  console.log('== WP80 cut by cut (each cut alone), pt 25–300 GeV, OS − SS in 81–101 GeV: ε_data / ε_MC [%]');
  console.log(`   ${'cut'.padEnd(13)}${'barrel'.padEnd(22)}endcap`);
  for (const [label, cut] of single) {
    const passes = (e: CmsElectronColumns, r: number) => cut(e, r, e.isBarrel[r] ? CMS_WP80.barrel : CMS_WP80.endcap);
    const cells = ([[0, 1.4442] as const, [1.566, 2.5] as const] as const).map((edges) => {
      const options: EfficiencyOptions = {
        ptEdges: [25, 300],
        absEtaEdges: [...edges],
        massWindow: [81, 101],
        background: { kind: 'same-sign' },
      };
      const d = measureEfficiencies(cmsTagAndProbe(pairs, { probePasses: passes }), options).bins[0]?.[0];
      const m = measureEfficiencies(cmsTagAndProbe(mcZee, { probePasses: passes }), options).bins[0]?.[0];
      return `${pct(d?.value ?? Number.NaN)} / ${pct(m?.value ?? Number.NaN)}`.padEnd(22);
    });
    console.log(`   ${label.padEnd(13)}${cells.join('')}`);
  }
  console.log('');
}

const merged: CorrectionSetV2 = {
  ...at(correctionSets, 0),
  description:
    'CMS VBTF WP80/WP95 electron-ID scale factors on the 2011A Z→ee open data vs the hepml-edge CMS simulation',
  corrections: correctionSets.flatMap((c) => c.corrections),
};
validateCorrectionSet(merged);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'cms-electron-id-sf.correctionlib.json'), `${JSON.stringify(merged, null, 1)}\n`);
writeFileSync(join(outDir, 'cms-electron-id-sf.tables.json'), `${JSON.stringify(tables, null, 1)}\n`);
console.log(`Wrote ${join(outDir, 'cms-electron-id-sf.correctionlib.json')} (correctionlib v2) and the full tables.\n`);

// ---------------------------------------------------------------- 2. Z peak, α and c per category
const dataPeak = cmsZPeakPairs(pairs, CMS_WP95);
const mcPeak = cmsZPeakPairs(mcZee, CMS_WP95);
const select = (peak: { mass: number[]; category: ZeeCategory[] }, masses: ArrayLike<number>, k: ZeeCategory) =>
  Array.from(masses).filter((_, i) => peak.category[i] === k);
const fmt = (f: ZPeakFit) =>
  `${f.mass.toFixed(3)} ± ${f.massError.toFixed(3)}   ${f.width.toFixed(3)} ± ${f.widthError.toFixed(3)}   ${String(f.events).padStart(6)}`;

const alphaBy: Partial<Record<ZeeCategory, number>> = {};
const cBy: Partial<Record<ZeeCategory, number>> = {};
const before: Record<string, { data: ZPeakFit; mc: ZPeakFit }> = {};
console.log(
  `== Z peak: BW(PDG m_Z, Γ_Z) ⊗ CB + exponential, 75–105 GeV; data = OS WP95 pairs; MC = CMS sim OS WP95 pairs (${mcPairs} pairs, seed ${seed})`,
);
console.log('   cat   sample  peak mass [GeV]     CB width σ [GeV]  events');
for (const k of ZEE_CATEGORIES) {
  const data = fitZPeak(select(dataPeak, dataPeak.mass, k));
  const mc = fitZPeak(select(mcPeak, mcPeak.mass, k));
  before[k] = { data, mc };
  const e = energyScaleAndSmearing(data, mc);
  alphaBy[k] = e.alpha;
  cBy[k] = e.c;
  console.log(`   ${k}    data    ${fmt(data)}`);
  console.log(`   ${k}    MC      ${fmt(mc)}`);
  console.log(
    `   ${k}    α = ${(100 * e.alpha).toFixed(3)} ± ${(100 * e.alphaError).toFixed(3)} %   c = ${(100 * e.c).toFixed(2)} ± ${(100 * e.cError).toFixed(2)} %` +
      `   (c² = ${e.cSquared.toExponential(3)}; data χ²/ndf ${data.fit.quality.chi2PerNdf.toFixed(2)}, MC ${mc.fit.quality.chi2PerNdf.toFixed(2)})`,
  );
}

const corrected = correctEnergyScale(dataPeak.mass, dataPeak.category, alphaBy);
const smeared = smearPairMasses(mcPeak.mass, mcPeak.category, cBy, new Rng(seed + 1));
console.log('\n== After correction: data masses E → E/(1 + α), MC smeared by c (per category)');
console.log('   cat   sample          peak mass [GeV]     CB width σ [GeV]  events');
for (const k of ZEE_CATEGORIES) {
  const data = fitZPeak(select(dataPeak, corrected, k));
  const mc = fitZPeak(select(mcPeak, smeared, k));
  console.log(`   ${k}    data (α-corr.)  ${fmt(data)}`);
  console.log(`   ${k}    MC (smeared)    ${fmt(mc)}`);
}
console.log(`\nDone in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
