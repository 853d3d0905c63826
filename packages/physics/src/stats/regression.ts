import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';

/**
 * σ-equivalent of the interquartile range used for energy resolution: for a Gaussian,
 * P75 − P25 = 2 Φ⁻¹(0.75) σ = 1.34898 σ; HEP regression papers round it to 1.349 (kept here so
 * figures compare with the literature; the rounding changes eIQR by 1.5e-5 relative).
 */
export const IQR_TO_SIGMA = 1.349;

function finiteCopy(values: ArrayLike<number>, field: string): Float64Array {
  if (values.length === 0) throw new PhysicsInputError(`${field} is empty`, { field });
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = at(values, i);
    if (!Number.isFinite(v)) throw new PhysicsInputError(`${field}[${i}] is not finite (${v})`, { field });
    out[i] = v;
  }
  return out;
}

/** Quantile of already sorted values (ascending), Hyndman–Fan type 7. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = at(sorted, lo);
  return a + (h - lo) * (at(sorted, hi) - a);
}

function checkQ(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new PhysicsInputError(`q must lie in [0, 1] (got ${q})`, { field: 'q' });
}

/**
 * Sample quantile Q(q) by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of numpy.quantile, R and Excel): with x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ and h = (n − 1)q,
 *   Q(q) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
 * Q(0) = min, Q(1) = max. Same units as the input.
 * Reference: R. J. Hyndman, Y. Fan, Am. Stat. 50 (1996) 361, DOI 10.2307/2684934.
 * Throws {@link PhysicsInputError} for an empty input, non-finite values or q ∉ [0, 1].
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  checkQ(q);
  return sortedQuantile(finiteCopy(values, 'values').sort(), q);
}

/** Several quantiles of one sample (one sort); see {@link quantile}. */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  for (const q of qs) checkQ(q);
  const sorted = finiteCopy(values, 'values').sort();
  return qs.map((q) => sortedQuantile(sorted, q));
}

/** Sample median, Q(0.5) of {@link quantile} (mean of the two middle values for even n). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Interquartile range Q(0.75) − Q(0.25) ({@link quantile}, type 7). Same units as the input. */
export function interquartileRange(values: ArrayLike<number>): number {
  const [q25, q75] = quantiles(values, [0.25, 0.75]);
  return (q75 as number) - (q25 as number);
}

/**
 * Mean absolute error, MAE = Σ wᵢ |predᵢ − trueᵢ| / Σ wᵢ (weights default 1). Units of the inputs
 * (GeV for energies). Throws {@link PhysicsInputError} for empty or mismatched inputs, non-finite
 * values, negative weights or a zero total weight.
 */
export function meanAbsoluteError(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const n = predicted.length;
  if (n === 0) throw new PhysicsInputError('predicted is empty', { field: 'predicted' });
  if (truth.length !== n)
    throw new PhysicsInputError(`truth has ${truth.length} entries, predicted has ${n}`, { field: 'truth' });
  if (weights && weights.length !== n) {
    throw new PhysicsInputError(`weights has ${weights.length} entries, predicted has ${n}`, { field: 'weights' });
  }
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = at(predicted, i);
    const t = at(truth, i);
    const w = weights ? at(weights, i) : 1;
    if (!Number.isFinite(p))
      throw new PhysicsInputError(`predicted[${i}] is not finite (${p})`, { field: 'predicted' });
    if (!Number.isFinite(t)) throw new PhysicsInputError(`truth[${i}] is not finite (${t})`, { field: 'truth' });
    if (!(Number.isFinite(w) && w >= 0))
      throw new PhysicsInputError(`weights[${i}] must be finite and ≥ 0 (got ${w})`, { field: 'weights' });
    sum += w * Math.abs(p - t);
    total += w;
  }
  if (!(total > 0)) throw new PhysicsInputError('weights have zero total', { field: 'weights' });
  return sum / total;
}

function ratios(eReco: ArrayLike<number>, eTrue: ArrayLike<number>): Float64Array {
  const n = eReco.length;
  if (n === 0) throw new PhysicsInputError('eReco is empty', { field: 'eReco' });
  if (eTrue.length !== n)
    throw new PhysicsInputError(`eTrue has ${eTrue.length} entries, eReco has ${n}`, { field: 'eTrue' });
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = at(eReco, i);
    const t = at(eTrue, i);
    if (!Number.isFinite(e)) throw new PhysicsInputError(`eReco[${i}] is not finite (${e})`, { field: 'eReco' });
    if (!(Number.isFinite(t) && t > 0))
      throw new PhysicsInputError(`eTrue[${i}] must be finite and > 0 GeV (got ${t})`, { field: 'eTrue' });
    r[i] = e / t;
  }
  return r;
}

/**
 * Effective resolution of an energy regression, eIQR = (P75 − P25)/1.349 of the ratio
 * E_reco/E_true (dimensionless; the σ of a Gaussian response, robust to tails). Quantiles as in
 * {@link quantile}. Energies in GeV, E_true > 0.
 * Reference: IQR/1.349 as a robust σ estimator, D. C. Hoaglin, F. Mosteller, J. W. Tukey,
 * Understanding Robust and Exploratory Data Analysis (Wiley, 1983); the factor see {@link IQR_TO_SIGMA}.
 * Throws {@link PhysicsInputError} for empty or mismatched inputs, non-finite E_reco, E_true ≤ 0.
 */
export function effectiveIqr(eReco: ArrayLike<number>, eTrue: ArrayLike<number>): number {
  return interquartileRange(ratios(eReco, eTrue)) / IQR_TO_SIGMA;
}

/**
 * Relative resolution against a baseline, rIQR = eIQR/eIQR_baseline. Convention: rIQR < 1 means the
 * model resolves the energy better than the baseline (e.g. 0.9 is a 10 % narrower response).
 * Throws {@link PhysicsInputError} unless both are finite and the baseline is > 0.
 */
export function relativeIqr(eIqr: number, eIqrBaseline: number): number {
  if (!(Number.isFinite(eIqr) && eIqr >= 0))
    throw new PhysicsInputError(`eIqr must be finite and ≥ 0 (got ${eIqr})`, { field: 'eIqr' });
  if (!(Number.isFinite(eIqrBaseline) && eIqrBaseline > 0)) {
    throw new PhysicsInputError(`eIqrBaseline must be finite and > 0 (got ${eIqrBaseline})`, { field: 'eIqrBaseline' });
  }
  return eIqr / eIqrBaseline;
}

/** Options of {@link responseAndResolution}. */
export interface ResponseResolutionOptions {
  /** Reconstructed (regressed) energy per object, GeV. */
  eReco: ArrayLike<number>;
  /** True energy per object, GeV (> 0); also the binning variable. */
  eTrue: ArrayLike<number>;
  /** Pseudorapidity per object; |η| is binned. */
  eta: ArrayLike<number>;
  /** E_true bin edges in GeV, strictly increasing; bins lo ≤ E < hi. */
  energyEdges: ArrayLike<number>;
  /** |η| bin edges, strictly increasing; bins lo ≤ |η| < hi. */
  absEtaEdges: ArrayLike<number>;
}

/** Response and resolution per (E_true, |η|) bin, E-major: index = iE · nAbsEta + iAbsEta. */
export interface ResponseResolution {
  energyEdges: Float64Array;
  absEtaEdges: Float64Array;
  /** Objects in each bin. */
  count: Uint32Array;
  /** Median of E_reco/E_true per bin (NaN when the bin is empty). */
  response: Float64Array;
  /** eIQR of E_reco/E_true per bin (NaN when the bin has fewer than 2 objects). */
  resolution: Float64Array;
  /** Resolution divided by the response (σ/E after a per-bin rescaling; NaN as above). */
  relativeResolution: Float64Array;
}

/**
 * Response (median of E_reco/E_true) and resolution (eIQR of E_reco/E_true, see
 * {@link effectiveIqr}) in bins of true energy and |η|, the figures an energy regression is judged
 * by. Binned in E_true (not E_reco) so the response is free of the bias of binning in a measured
 * quantity. Bins lo ≤ x < hi ({@link Axis}); objects outside the edges are not used (rule `drop`).
 * Energies in GeV. Throws {@link PhysicsInputError} for mismatched lengths, non-finite values,
 * E_true ≤ 0 or bad edges (not finite and strictly increasing).
 */
export function responseAndResolution(options: ResponseResolutionOptions): ResponseResolution {
  const r = ratios(options.eReco, options.eTrue);
  const { eTrue, eta } = options;
  const n = r.length;
  if (eta.length !== n) throw new PhysicsInputError(`eta has ${eta.length} entries, eReco has ${n}`, { field: 'eta' });
  const energyAxis = Axis.variable(options.energyEdges, { field: 'energyEdges' });
  const absEtaAxis = Axis.variable(options.absEtaEdges, { field: 'absEtaEdges' });
  const nEta = absEtaAxis.nBins;
  const nBins = energyAxis.nBins * nEta;
  const members: number[][] = Array.from({ length: nBins }, () => []);
  for (let i = 0; i < n; i++) {
    const e = at(eta, i);
    if (!Number.isFinite(e)) throw new PhysicsInputError(`eta[${i}] is not finite (${e})`, { field: 'eta' });
    const ie = energyAxis.find(at(eTrue, i), 'drop');
    const ia = absEtaAxis.find(Math.abs(e), 'drop');
    if (ie < 0 || ia < 0) continue;
    at(members, ie * nEta + ia).push(at(r, i));
  }
  const count = new Uint32Array(nBins);
  const response = new Float64Array(nBins).fill(Number.NaN);
  const resolution = new Float64Array(nBins).fill(Number.NaN);
  const relativeResolution = new Float64Array(nBins).fill(Number.NaN);
  for (let b = 0; b < nBins; b++) {
    const m = Float64Array.from(at(members, b)).sort();
    count[b] = m.length;
    if (m.length === 0) continue;
    response[b] = sortedQuantile(m, 0.5);
    if (m.length < 2) continue;
    resolution[b] = (sortedQuantile(m, 0.75) - sortedQuantile(m, 0.25)) / IQR_TO_SIGMA;
    relativeResolution[b] = at(resolution, b) / at(response, b);
  }
  return {
    energyEdges: energyAxis.edges,
    absEtaEdges: absEtaAxis.edges,
    count,
    response,
    resolution,
    relativeResolution,
  };
}
