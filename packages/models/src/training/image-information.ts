import {
  at,
  CALO_SHOWER_VARIABLES,
  type CaloShowerSample,
  effectiveIqr,
  relativeIqr,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import { fitGbdt } from '../baselines/gbdt.ts';
import { ENERGY_REGRESSION_GBDT_FIT } from '../baselines/suite.ts';
import type { ImageInformationRowV1 } from '../bundle/study.ts';
import { evaluateGbdt } from '../runtime/baselines/gbdt.ts';
import { prepareRegression } from './energy-regression.ts';

/** Layers of the calorimeter image, channel order (presampler, strips, middle, back). */
const LAYERS = ['ps', 'strips', 'middle', 'back'] as const;

/**
 * Engineered features of the 7 × 11 (η × φ) cell image that the scalar inputs do not hold, per
 * layer (GeV): `out` the energy in the image outside the 3 × 7 cluster window (what a brem photon
 * or a conversion leg deposits beside the cluster), `left`/`right` the two outer φ column pairs
 * (the side it fell on), `core` the central 3 × 3 cells and `centre` the central cell (the
 * lateral shape: a narrow or wide shower, noise away from the core). Names `<feature>_<layer>`.
 */
export function caloImageFeatures(sample: CaloShowerSample): Record<string, Float32Array> {
  const [h, w, c] = sample.imageShape;
  if (sample.image.length !== sample.n * h * w * c) {
    throw new RangeError('the calorimeter sample has no images (generate it with images: true)');
  }
  const size = h * w * c;
  // The cluster window and the core, centred as the simulation centres them (odd sizes).
  const r0 = (h - 3) / 2;
  const q0 = (w - 7) / 2;
  const rc = (h - 1) / 2;
  const qc = (w - 1) / 2;
  const out: Record<string, Float32Array> = {};
  const names = ['out', 'left', 'right', 'core', 'centre'] as const;
  for (const f of names) for (const l of LAYERS) out[`${f}_${l}`] = new Float32Array(sample.n);
  for (let i = 0; i < sample.n; i++) {
    for (let k = 0; k < LAYERS.length && k < c; k++) {
      let total = 0;
      let window = 0;
      let left = 0;
      let right = 0;
      let core = 0;
      let centre = 0;
      for (let r = 0; r < h; r++) {
        for (let q = 0; q < w; q++) {
          const v = at(sample.image, i * size + (r * w + q) * c + k);
          total += v;
          if (r >= r0 && r < r0 + 3 && q >= q0 && q < q0 + 7) window += v;
          if (q < q0) left += v;
          if (q >= q0 + 7) right += v;
          if (Math.abs(r - rc) <= 1 && Math.abs(q - qc) <= 1) core += v;
          if (r === rc && q === qc) centre = v;
        }
      }
      const l = LAYERS[k] as string;
      (out[`out_${l}`] as Float32Array)[i] = total - window;
      (out[`left_${l}`] as Float32Array)[i] = left;
      (out[`right_${l}`] as Float32Array)[i] = right;
      (out[`core_${l}`] as Float32Array)[i] = core;
      (out[`centre_${l}`] as Float32Array)[i] = centre;
    }
  }
  return out;
}

/** One row of {@link imageInformationStudy}: a GBDT on one input set ({@link ImageInformationRowV1}). */
export type ImageInformationRow = ImageInformationRowV1;

/** Options of {@link imageInformationStudy}. */
export interface ImageInformationOptions {
  sample: CaloShowerSample;
  seed: number;
  /** GBDT rounds (default 100, as the suite's baseline). */
  trees?: number;
  onRow?: (row: ImageInformationRow) => void;
}

/**
 * Does the calorimeter image hold information the scalars lack? The suite's Huber GBDT of
 * E_true/E_raw (δ = 0.05, the `energy-regression-gbdt` baseline's settings) is fitted on the same
 * split with five input sets: the scalars; the scalars and the image features of
 * {@link caloImageFeatures}; and, as oracles no detector has, the scalars with the truth energy
 * outside the cluster window (`eOutOfCluster`), with the in-time pile-up in the window
 * (`ePileupInTime`), then with all of them, the energy lost upstream and the longitudinal leakage. If the image features do not move the scalar GBDT, the images add nothing
 * a tree can find; the oracles bound what any use of the image could gain (what remains is the
 * sampling, noise and constant terms, which no input reveals). Rows in that order, then the
 * standard calibration.
 */
export function imageInformationStudy(options: ImageInformationOptions): ImageInformationRow[] {
  const { sample, seed } = options;
  const p = prepareRegression(sample, seed);
  const { train, test } = p.split;
  const eTrue = sample.truth.eTrue as Float32Array;
  const scalars = Object.keys(CALO_SHOWER_VARIABLES);
  const columns: Record<string, Float32Array> = { ...(sample.columns as Record<string, Float32Array>) };
  const image = caloImageFeatures(sample);
  Object.assign(columns, image);
  for (const t of ['eOutOfCluster', 'eLostUpstream', 'eLeak', 'ePileupInTime'])
    columns[`truth_${t}`] = sample.truth[t] as Float32Array;
  const matrix = (names: readonly string[], rows: Uint32Array) => {
    const d = names.length;
    const m = new Float32Array(rows.length * d);
    names.forEach((name, k) => {
      const col = columns[name] as Float32Array;
      for (let j = 0; j < rows.length; j++) m[j * d + k] = at(col, at(rows, j));
    });
    return m;
  };
  const trueTest = Float64Array.from(test, (i) => at(eTrue, i));
  const standard = effectiveIqr(
    Float64Array.from(test, (i) => at(sample.columns[STANDARD_CALIBRATION_COLUMN] as Float32Array, i)),
    trueTest,
  );
  const sets: [string, string[]][] = [
    ['GBDT, scalars', scalars],
    ['GBDT, scalars + image features', [...scalars, ...Object.keys(image)]],
    ['GBDT, scalars + true E outside the window (oracle)', [...scalars, 'truth_eOutOfCluster']],
    ['GBDT, scalars + true in-time pile-up in the window (oracle)', [...scalars, 'truth_ePileupInTime']],
    [
      'GBDT, scalars + true E outside, lost upstream, leaked, pile-up (oracle)',
      [...scalars, 'truth_eOutOfCluster', 'truth_eLostUpstream', 'truth_eLeak', 'truth_ePileupInTime'],
    ],
  ];
  const rows: ImageInformationRow[] = [];
  const target = Float64Array.from(train, (i) => at(eTrue, i));
  for (const [label, names] of sets) {
    const params = fitGbdt({
      inputs: names,
      features: matrix(names, train),
      n: train.length,
      target,
      ...ENERGY_REGRESSION_GBDT_FIT,
      trees: options.trees ?? 100,
    });
    const eReco = evaluateGbdt(params, matrix(names, test), test.length);
    const eIqr = effectiveIqr(eReco, trueTest);
    const row = { label, inputs: names.length, eIqr, rIqr: relativeIqr(eIqr, standard) };
    rows.push(row);
    options.onRow?.(row);
  }
  const last = { label: 'standard calibration', inputs: 0, eIqr: standard, rIqr: 1 };
  rows.push(last);
  options.onRow?.(last);
  return rows;
}

/** The rows as CSV (header `model,inputs,eIQR,rIQR`). */
export function imageInformationCsv(rows: readonly ImageInformationRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `model,inputs,eIQR,rIQR\n${rows.map((r) => `${q(r.label)},${r.inputs},${r.eIqr},${r.rIqr}`).join('\n')}\n`;
}
