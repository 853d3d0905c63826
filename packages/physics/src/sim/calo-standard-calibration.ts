/** The standard (pre-MVA) calibration of the calorimeter showers: its features, fit and application. */
import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { addToNormalEquations, solvePositiveDefinite } from '../fit/linear-algebra.ts';
import { Axis } from '../histogram/axis.ts';
import type { ColumnarSample } from './sample.ts';

/** Coefficients of the standard calibration per category and |η| bin; see {@link fitStandardCalibration}. */
export interface StandardCalibration {
  /**
   * Upper |η| edges of the bins, the first bin starting at |η| = 0 (lo ≤ |η| < hi, {@link Axis};
   * the last bin takes everything above: rule `clamp`).
   */
  etaEdges: number[];
  /** coefficients[category][bin] = [c0, c1, c2, c3, c4] of {@link standardCalibrationFeatures}. */
  coefficients: number[][][];
}

/** Calibration categories: 0 electrons, 1 unconverted photons, 2 converted photons (reconstructed). */
export function calibrationCategory(isPhoton: number, isConverted: number): number {
  return isPhoton ? (isConverted ? 2 : 1) : 0;
}

/**
 * Features of the standard calibration, written into `out` (length 5):
 * [1, E_PS, E_acc, E_acc·X, E_acc·ln(E_acc/GeV)], with X the longitudinal barycentre [X₀].
 * The calibrated energy E = c·x is the ATLAS pre-MVA ("calibration hits") form
 * E = a + b·E_PS + E_acc·(s + l·X + m·ln E_acc): an offset and a presampler-weighted term for the
 * energy lost upstream, and an accordion scale corrected for longitudinal leakage and its energy
 * dependence through X and ln E (ATLAS, "Expected performance", arXiv:0901.0512, calibration
 * hits; Eur. Phys. J. C 72 (2012) 1909). On the default sample it is unbiased within 1 % per |η|
 * bin and above 10 GeV, but non-linear at low energy (median E/E_true ≈ 1.03 at 3–6 GeV) and blind
 * to the impact point in the cell (containment), to leakage fluctuations (f3) and to the
 * out-of-cluster energy that the images still show: room that a regression can use (tested).
 */
export function standardCalibrationFeatures(ePs: number, eAcc: number, showerDepth: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = ePs;
  out[2] = eAcc;
  out[3] = eAcc * showerDepth;
  out[4] = eAcc * Math.log(Math.max(eAcc, 0.5));
}

/** Length of {@link standardCalibrationFeatures}. */
export const CALIBRATION_FEATURES = 5;

/**
 * The |η| axis of a calibration: edges 0 and its upper edges. Throws {@link PhysicsInputError}
 * unless the upper edges are finite, positive and strictly increasing.
 */
export function calibrationAxis(calibration: StandardCalibration): Axis {
  return Axis.variable([0, ...calibration.etaEdges], { field: 'etaEdges' });
}

/**
 * c(category, |η| bin)·x for features `x` of {@link standardCalibrationFeatures}, the |η| bin on
 * `etaAxis` ({@link calibrationAxis}) with rule `clamp`. Throws {@link PhysicsInputError} for a NaN
 * η (it lies in no bin) or a calibration without coefficients there.
 */
export function calibratedEnergy(
  calibration: StandardCalibration,
  etaAxis: Axis,
  category: number,
  eta: number,
  x: Float64Array,
): number {
  if (Number.isNaN(eta)) throw new PhysicsInputError('eta is NaN', { field: 'eta' });
  const c = calibration.coefficients[category]?.[etaAxis.find(Math.abs(eta), 'clamp')];
  if (!c) throw new PhysicsInputError('calibration has no coefficients for this shower', { field: 'calibration' });
  let e = 0;
  for (let k = 0; k < CALIBRATION_FEATURES; k++) e += at(c, k) * at(x, k);
  return e;
}

/**
 * Fits the standard calibration on a sample from {@link generateCaloShowers}: for each category
 * ({@link calibrationCategory}) and |η| bin of width 0.1, weighted least squares of E_true on the
 * features of {@link standardCalibrationFeatures}, minimising the χ² Σ (c·x − E_true)²/σ²(E_true)
 * with the expected resolution σ² = (0.1√E)² + 0.4² + (0.01E)² GeV², so each energy counts by its
 * precision. The last bin takes |η| ≥ etaMax (rule `clamp` of {@link calibrationAxis}).
 * Throws {@link PhysicsInputError} when a bin has fewer than 50 showers or an η is NaN.
 */
export function fitStandardCalibration(sample: ColumnarSample, etaMax = 1.4): StandardCalibration {
  const nBins = Math.round(etaMax / 0.1);
  const etaEdges = Array.from({ length: nBins }, (_, i) => Number(((i + 1) * 0.1).toFixed(10)));
  const etaAxis = calibrationAxis({ etaEdges, coefficients: [] });
  const col = (name: string): Float32Array => {
    const c = sample.columns[name];
    if (!c) throw new PhysicsInputError(`missing column ${name}`, { field: name });
    return c;
  };
  const eTrue = sample.truth.eTrue;
  if (!eTrue) throw new PhysicsInputError('missing truth eTrue', { field: 'eTrue' });
  const [ePs, eAcc, depth, eta, isPhoton, isConv] = [
    col('ePs'),
    col('eAcc'),
    col('showerDepth'),
    col('eta'),
    col('isPhoton'),
    col('isConverted'),
  ];
  const p = CALIBRATION_FEATURES;
  const normal = Array.from({ length: 3 * nBins }, () => new Float64Array(p * p));
  const rhs = Array.from({ length: 3 * nBins }, () => new Float64Array(p));
  const counts = new Int32Array(3 * nBins);
  const x = new Float64Array(p);
  for (let i = 0; i < sample.n; i++) {
    const etaBin = etaAxis.find(Math.abs(at(eta, i)), 'clamp');
    if (etaBin < 0) throw new PhysicsInputError(`eta[${i}] is NaN`, { field: 'eta' });
    const cell = calibrationCategory(at(isPhoton, i), at(isConv, i)) * nBins + etaBin;
    standardCalibrationFeatures(at(ePs, i), at(eAcc, i), at(depth, i), x);
    const e = at(eTrue, i);
    const w = 1 / expectedVariance(e);
    addToNormalEquations(at(normal, cell), at(rhs, cell), x, e, w, p);
    counts[cell] = at(counts, cell) + 1;
  }
  const coefficients: number[][][] = [];
  for (let cat = 0; cat < 3; cat++) {
    const row: number[][] = [];
    for (let bin = 0; bin < nBins; bin++) {
      const cell = cat * nBins + bin;
      if (at(counts, cell) < 50) {
        throw new PhysicsInputError(`calibration bin (category ${cat}, |η| bin ${bin}) has fewer than 50 showers`, {
          field: 'n',
        });
      }
      row.push(solveNormalEquations(normal[cell] as Float64Array, rhs[cell] as Float64Array, p));
    }
    coefficients.push(row);
  }
  return { etaEdges, coefficients };
}

/**
 * Expected variance [GeV²] of a cluster energy at true energy `e` [GeV]: (10 %·√E)² + (0.4 GeV)²
 * + (1 %·E)², the weight 1/σ² of each shower in {@link fitStandardCalibration}.
 */
function expectedVariance(e: number): number {
  return 0.01 * e + 0.16 + 1e-4 * e * e;
}

/**
 * Solves the normal equations A x = b (A row-major p × p) with {@link solvePositiveDefinite} after a
 * tiny ridge on the diagonal (A·(1 + 1e-12) + 1e-300), which keeps a rank-deficient bin solvable.
 */
function solveNormalEquations(aIn: Float64Array, b: Float64Array, p: number): number[] {
  const a = Float64Array.from(aIn);
  for (let i = 0; i < p; i++) a[i * p + i] = at(a, i * p + i) * (1 + 1e-12) + 1e-300;
  const x = solvePositiveDefinite(a, b, p);
  if (x === null) throw new PhysicsInputError('calibration normal equations are singular', { field: 'n' });
  return x;
}

/**
 * Energy [GeV] of the standard calibration for one shower: c(category, |η| bin)·x with the features
 * of {@link standardCalibrationFeatures}; |η| beyond the last edge uses the last bin (rule `clamp`).
 * Throws {@link PhysicsInputError} for a NaN η or bad edges in the calibration.
 */
export function applyStandardCalibration(
  calibration: StandardCalibration,
  shower: { ePs: number; eAcc: number; showerDepth: number; eta: number; isPhoton: number; isConverted: number },
): number {
  const x = new Float64Array(CALIBRATION_FEATURES);
  standardCalibrationFeatures(shower.ePs, shower.eAcc, shower.showerDepth, x);
  const category = calibrationCategory(shower.isPhoton, shower.isConverted);
  return calibratedEnergy(calibration, calibrationAxis(calibration), category, shower.eta, x);
}
