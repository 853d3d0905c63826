import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import type { RocCurve } from './roc.ts';

function checkTarget(target: number, field = 'target'): void {
  if (!(target > 0 && target <= 1)) {
    throw new PhysicsInputError(`the target signal efficiency must lie in (0, 1] (got ${target})`, { field });
  }
}

/**
 * Threshold of the tightest cut `score >= t` whose weighted signal efficiency reaches `target`,
 * from signal scores and weights (all entries are signal). Ties are stepped over together.
 */
function signalThreshold(scores: Float64Array, weights: Float64Array, target: number): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    total += at(weights, i);
  }
  if (!(total > 0)) return Number.NaN;
  order.sort((i, j) => at(scores, j) - at(scores, i));
  const goal = target * total * (1 - 1e-12);
  let sum = 0;
  for (let k = 0; k < n; ) {
    const t = at(scores, at(order, k));
    while (k < n && scores[at(order, k)] === t) sum += at(weights, at(order, k++));
    if (sum >= goal) return t;
  }
  return at(scores, at(order, n - 1));
}

function collectSignal(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  weights: ArrayLike<number> | undefined,
): { s: Float64Array; w: Float64Array } {
  const n = scores.length;
  if (labels.length !== n)
    throw new PhysicsInputError(`labels has ${labels.length} entries, scores has ${n}`, { field: 'labels' });
  if (weights && weights.length !== n) {
    throw new PhysicsInputError(`weights has ${weights.length} entries, scores has ${n}`, { field: 'weights' });
  }
  const s: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    const si = at(scores, i);
    if (!Number.isFinite(si)) throw new PhysicsInputError(`score ${i} is not finite (${si})`, { field: 'scores' });
    const wi = weights ? at(weights, i) : 1;
    if (!Number.isFinite(wi)) throw new PhysicsInputError(`weight ${i} is not finite (${wi})`, { field: 'weights' });
    if (labels[i]) {
      s.push(si);
      w.push(wi);
    }
  }
  return { s: Float64Array.from(s), w: Float64Array.from(w) };
}

/**
 * Working-point threshold for a target signal efficiency: the largest t among the scores such that
 * the cut `score >= t` keeps a weighted signal fraction εS(t) = Σ_{sig, s ≥ t} w / Σ_sig w ≥ target.
 * It is the threshold of the first point of {@link rocCurve} whose εS reaches the target, so with
 * ties (or few events) the achieved εS can exceed the target. Labels: 1/true signal, 0 background
 * (background events are ignored here). Dimensionless.
 * Throws {@link PhysicsInputError} when target ∉ (0, 1], lengths differ, a score or weight is not
 * finite, or the signal has no positive total weight.
 */
export function thresholdAtSignalEfficiency(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  target: number,
  weights?: ArrayLike<number>,
): number {
  checkTarget(target);
  const { s, w } = collectSignal(scores, labels, weights);
  const t = signalThreshold(s, w, target);
  if (Number.isNaN(t)) throw new PhysicsInputError('signal has no positive total weight', { field: 'labels' });
  return t;
}

/**
 * Background efficiency (mistag rate) εB at a signal efficiency εS = target, linearly interpolated
 * between the two points of the ROC curve that bracket the target in εS. Where the curve has
 * several points at exactly εS = target, the lowest εB is returned (the best cut reaching it).
 * Reference: the usual ATLAS/CMS tagger figure "εB at εS = 70 %".
 * Throws {@link PhysicsInputError} when target ∉ (0, 1] or the curve is empty.
 */
export function backgroundEfficiencyAtSignalEfficiency(roc: RocCurve, target: number): number {
  checkTarget(target);
  const eS = roc.signalEfficiency;
  const eB = roc.backgroundEfficiency;
  if (eS.length === 0 || eS.length !== eB.length) {
    throw new PhysicsInputError('the ROC curve is empty or its arrays differ in length', { field: 'roc' });
  }
  for (let i = 0; i < eS.length; i++) {
    const s = at(eS, i);
    if (s >= target) {
      if (s === target || i === 0) return at(eB, i);
      const s0 = at(eS, i - 1);
      const b0 = at(eB, i - 1);
      return b0 + ((target - s0) / (s - s0)) * (at(eB, i) - b0);
    }
  }
  return at(eB, eB.length - 1);
}

/**
 * Background rejection 1/εB at signal efficiency εS = target (εB from
 * {@link backgroundEfficiencyAtSignalEfficiency}). +∞ when εB = 0 (no background passes).
 */
export function rejectionAtSignalEfficiency(roc: RocCurve, target: number): number {
  const eB = backgroundEfficiencyAtSignalEfficiency(roc, target);
  return eB > 0 ? 1 / eB : Number.POSITIVE_INFINITY;
}

/** Options of {@link flatWorkingPoint}. */
export interface FlatWorkingPointOptions {
  scores: ArrayLike<number>;
  labels: ArrayLike<number | boolean>;
  /** Transverse momentum per event, GeV. */
  pt: ArrayLike<number>;
  /** Pseudorapidity per event (its absolute value is binned). */
  eta: ArrayLike<number>;
  /** pT bin edges in GeV, strictly increasing; bins are lo ≤ pT < hi. */
  ptEdges: ArrayLike<number>;
  /** |η| bin edges, strictly increasing; bins are lo ≤ |η| < hi. */
  absEtaEdges: ArrayLike<number>;
  /** Target signal efficiency in every bin, in (0, 1]. */
  signalEfficiency: number;
  weights?: ArrayLike<number>;
}

/** A working point flat in pT × |η|: one threshold per bin. */
export interface FlatWorkingPoint {
  ptEdges: Float64Array;
  absEtaEdges: Float64Array;
  /** Thresholds, pT-major: index = iPt · nAbsEta + iAbsEta; NaN for a bin without signal weight. */
  thresholds: Float64Array;
  /** Achieved weighted signal efficiency per bin (NaN without signal weight). */
  signalEfficiency: Float64Array;
  /** Achieved weighted background efficiency per bin (NaN without background weight). */
  backgroundEfficiency: Float64Array;
}

/**
 * Working point with the same signal efficiency in every pT × |η| bin (a "flat" working point, as
 * used for electron identification so that the efficiency does not sculpt the kinematics): in each
 * bin, the threshold of {@link thresholdAtSignalEfficiency} computed on that bin's events.
 * Bins lo ≤ x < hi ({@link Axis}); events outside the edges are assigned to the nearest edge bin
 * (rule `clamp`, the same {@link passesFlatWorkingPoint} applies), so every event has a threshold.
 * Units: pT in GeV. Throws {@link PhysicsInputError} for mismatched lengths, non-finite values, bad
 * edges (not finite and strictly increasing) or target.
 */
export function flatWorkingPoint(options: FlatWorkingPointOptions): FlatWorkingPoint {
  const { scores, labels, pt, eta, weights, signalEfficiency: target } = options;
  checkTarget(target, 'signalEfficiency');
  const ptAxis = Axis.variable(options.ptEdges, { field: 'ptEdges' });
  const absEtaAxis = Axis.variable(options.absEtaEdges, { field: 'absEtaEdges' });
  const n = scores.length;
  for (const [field, arr] of [
    ['pt', pt],
    ['eta', eta],
  ] as const) {
    if (arr.length !== n) throw new PhysicsInputError(`${field} has ${arr.length} entries, scores has ${n}`, { field });
  }
  const nPt = ptAxis.nBins;
  const nEta = absEtaAxis.nBins;
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = at(pt, i);
    const e = at(eta, i);
    if (!Number.isFinite(p)) throw new PhysicsInputError(`pt[${i}] is not finite (${p})`, { field: 'pt' });
    if (!Number.isFinite(e)) throw new PhysicsInputError(`eta[${i}] is not finite (${e})`, { field: 'eta' });
    bin[i] = ptAxis.find(p, 'clamp') * nEta + absEtaAxis.find(Math.abs(e), 'clamp');
  }
  const nBins = nPt * nEta;
  // Validate scores, labels and weights once, then group signal events by bin (one pass, O(n)).
  collectSignal(scores, labels, weights);
  const signalCount = new Uint32Array(nBins + 1);
  for (let i = 0; i < n; i++) if (labels[i]) signalCount[at(bin, i) + 1] = at(signalCount, at(bin, i) + 1) + 1;
  for (let b = 0; b < nBins; b++) signalCount[b + 1] = at(signalCount, b + 1) + at(signalCount, b);
  const total = at(signalCount, nBins);
  const groupedScores = new Float64Array(total);
  const groupedWeights = new Float64Array(total);
  const fillAt = signalCount.slice(0, nBins);
  for (let i = 0; i < n; i++) {
    if (!labels[i]) continue;
    const p = at(fillAt, at(bin, i));
    fillAt[at(bin, i)] = p + 1;
    groupedScores[p] = at(scores, i);
    groupedWeights[p] = weights ? at(weights, i) : 1;
  }
  const thresholds = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) {
    const lo = at(signalCount, b);
    const hi = at(signalCount, b + 1);
    thresholds[b] = signalThreshold(groupedScores.subarray(lo, hi), groupedWeights.subarray(lo, hi), target);
  }
  const sPass = new Float64Array(nBins);
  const sAll = new Float64Array(nBins);
  const bPass = new Float64Array(nBins);
  const bAll = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    const b = at(bin, i);
    const wi = weights ? at(weights, i) : 1;
    const pass = at(scores, i) >= at(thresholds, b);
    if (labels[i]) {
      sAll[b] = at(sAll, b) + wi;
      if (pass) sPass[b] = at(sPass, b) + wi;
    } else {
      bAll[b] = at(bAll, b) + wi;
      if (pass) bPass[b] = at(bPass, b) + wi;
    }
  }
  const effS = new Float64Array(nBins);
  const effB = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) {
    const t = at(thresholds, b);
    effS[b] = at(sAll, b) > 0 && !Number.isNaN(t) ? at(sPass, b) / at(sAll, b) : Number.NaN;
    effB[b] = at(bAll, b) > 0 && !Number.isNaN(t) ? at(bPass, b) / at(bAll, b) : Number.NaN;
  }
  return {
    ptEdges: ptAxis.edges,
    absEtaEdges: absEtaAxis.edges,
    thresholds,
    signalEfficiency: effS,
    backgroundEfficiency: effB,
  };
}

/**
 * Whether an object with classifier `score`, `pt` (GeV) and `eta` passes a flat working point:
 * score ≥ threshold of its pT × |η| bin (outside the edges: the nearest edge bin, {@link Axis} rule
 * `clamp`). A NaN pt or η lies in no bin and a NaN score reaches no threshold: such an object
 * passes nothing, as does one in a bin whose threshold is NaN (no signal when it was derived).
 * Throws {@link PhysicsInputError} when the working point's edges are not strictly increasing.
 */
export function passesFlatWorkingPoint(wp: FlatWorkingPoint, score: number, pt: number, eta: number): boolean {
  const absEtaAxis = Axis.variable(wp.absEtaEdges, { field: 'absEtaEdges' });
  const ptBin = Axis.variable(wp.ptEdges, { field: 'ptEdges' }).find(pt, 'clamp');
  const etaBin = absEtaAxis.find(Math.abs(eta), 'clamp');
  if (ptBin < 0 || etaBin < 0) return false;
  return score >= at(wp.thresholds, ptBin * absEtaAxis.nBins + etaBin);
}
