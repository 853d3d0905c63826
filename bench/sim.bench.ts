/**
 * Events per second of each simulation generator on one core (single-threaded JavaScript), and
 * rows per second of the CSV and Parquet readers/writers on a simulated sample. Each figure is
 * the mean over repeated calls for at least 1.5 s after a warm-up call (bounded: at most 40
 * calls); the calorimeter sample is timed with and without its 7 × 11 × 4 cell images, with its
 * standard calibration fitted before timing (it is fitted once per process).
 */
import {
  datasetFromSample,
  defaultStandardCalibration,
  generateBoostedJets,
  generateBTagging,
  generateCaloShowers,
  generateElectronId,
  generateTagAndProbe,
  readCsv,
  readParquet,
  writeCsv,
  writeParquet,
} from '@hepml/physics';
import { type BenchRow, report, timePerCall } from './lib.ts';

const TIMING = { minMs: 1500, minIterations: 3, maxIterations: 40, warmup: 1 };

async function eventsPerSecond(n: number, generate: (seed: number) => unknown): Promise<number> {
  let seed = 1;
  const { msPerCall } = await timePerCall(() => generate(seed++), TIMING);
  return (n * 1000) / msPerCall;
}

const t0 = performance.now();
defaultStandardCalibration();
const calibrationSeconds = (performance.now() - t0) / 1000;

const N = 20_000;
const N_IMAGES = 2_000;
const generators: { task: string; n: number; run: (seed: number) => unknown }[] = [
  { task: 'electron-id', n: N, run: (seed) => generateElectronId({ n: N, seed }) },
  { task: 'tag-and-probe (mc)', n: N, run: (seed) => generateTagAndProbe({ n: N, seed, kind: 'mc' }) },
  { task: 'tag-and-probe (data)', n: N, run: (seed) => generateTagAndProbe({ n: N, seed, kind: 'data' }) },
  { task: 'bjet', n: N, run: (seed) => generateBTagging({ n: N, seed }) },
  { task: 'boosted-jet', n: N, run: (seed) => generateBoostedJets({ n: N, seed }) },
  { task: 'calo-showers (scalars)', n: N, run: (seed) => generateCaloShowers({ n: N, seed, images: false }) },
  { task: 'calo-showers (+ images)', n: N_IMAGES, run: (seed) => generateCaloShowers({ n: N_IMAGES, seed }) },
];
const rows: BenchRow[] = [];
for (const g of generators) {
  rows.push({ generator: g.task, 'events per call': g.n, 'events/s': await eventsPerSecond(g.n, g.run) });
}
report('Simulation: events per second, one core', rows, [
  `calo-showers: the standard calibration (60,000-shower fit) took ${calibrationSeconds.toFixed(2)} s once, before timing`,
]);

const ds = datasetFromSample(generateElectronId({ n: N, seed: 3 }));
const csv = writeCsv(ds);
const parquet = writeParquet(ds);
const io: BenchRow[] = [];
const rate = async (op: string, fn: () => unknown): Promise<void> => {
  const { msPerCall } = await timePerCall(fn, TIMING);
  io.push({ operation: op, rows: N, 'rows/s': (N * 1000) / msPerCall });
};
await rate('writeCsv (25 columns)', () => writeCsv(ds));
await rate('readCsv (25 columns)', () => readCsv(csv));
await rate('writeParquet (25 columns)', () => writeParquet(ds));
await rate('readParquet (25 columns)', () => readParquet(parquet));
report('Data I/O: electron-id sample, rows per second', io, [
  `CSV ${(csv.length / 1e6).toFixed(2)} MB, Parquet ${(parquet.byteLength / 1e6).toFixed(2)} MB for ${N} rows`,
]);
