import { PhysicsInputError } from '../errors.ts';

/** A receiver operating characteristic as HEP uses it: efficiencies for the cut `score >= threshold`. */
export interface RocCurve {
  /** Signal efficiency εS at each threshold, non-decreasing, from 0 to 1. */
  signalEfficiency: Float64Array;
  /** Background efficiency (mistag rate) εB at each threshold, non-decreasing, from 0 to 1. */
  backgroundEfficiency: Float64Array;
  /** The threshold of each point; the first point (+∞) selects nothing. */
  threshold: Float64Array;
}

/** Options of {@link rocCurve}. */
export interface RocOptions {
  /** Per-event weights (default 1); negative weights are allowed (NLO samples), NaN is not. */
  weights?: ArrayLike<number>;
}

/**
 * Weighted ROC curve of a classifier: for every distinct score t (descending),
 * εS(t) = Σ_{signal, s ≥ t} w / Σ_signal w and εB(t) = Σ_{background, s ≥ t} w / Σ_background w.
 * Tied scores form one point, so the curve is the same whatever order tied events come in.
 * Labels: 1 (or true) for signal, 0 for background.
 *
 * Throws {@link PhysicsInputError} when lengths differ, a score or weight is not finite, or a class
 * has zero total weight (the efficiency would be undefined).
 */
export function rocCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  options: RocOptions = {},
): RocCurve {
  const n = scores.length;
  if (labels.length !== n) {
    throw new PhysicsInputError(`labels has ${labels.length} entries, scores has ${n}`, { field: 'labels' });
  }
  const weights = options.weights;
  if (weights && weights.length !== n) {
    throw new PhysicsInputError(`weights has ${weights.length} entries, scores has ${n}`, { field: 'weights' });
  }
  const order = new Uint32Array(n);
  let totalSignal = 0;
  let totalBackground = 0;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const s = scores[i] as number;
    if (!Number.isFinite(s)) throw new PhysicsInputError(`score ${i} is not finite (${s})`, { field: 'scores' });
    const w = weights ? (weights[i] as number) : 1;
    if (!Number.isFinite(w)) throw new PhysicsInputError(`weight ${i} is not finite (${w})`, { field: 'weights' });
    if (labels[i]) totalSignal += w;
    else totalBackground += w;
  }
  if (!(totalSignal > 0)) throw new PhysicsInputError('signal has no positive total weight', { field: 'labels' });
  if (!(totalBackground > 0)) {
    throw new PhysicsInputError('background has no positive total weight', { field: 'labels' });
  }
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));

  const eS: number[] = [0];
  const eB: number[] = [0];
  const thr: number[] = [Number.POSITIVE_INFINITY];
  let sumS = 0;
  let sumB = 0;
  for (let k = 0; k < n; ) {
    const t = scores[order[k] as number] as number;
    while (k < n && scores[order[k] as number] === t) {
      const i = order[k] as number;
      const w = weights ? (weights[i] as number) : 1;
      if (labels[i]) sumS += w;
      else sumB += w;
      k++;
    }
    eS.push(sumS / totalSignal);
    eB.push(sumB / totalBackground);
    thr.push(t);
  }
  return {
    signalEfficiency: Float64Array.from(eS),
    backgroundEfficiency: Float64Array.from(eB),
    threshold: Float64Array.from(thr),
  };
}

/**
 * Area under the ROC curve, ∫ εS d εB, by the trapezoid rule over the curve's points. Because tied
 * scores form one point, this equals the Mann–Whitney probability P(s_sig > s_bkg) + ½ P(tie).
 * 0.5 is a random classifier, 1 a perfect one.
 */
export function aucFromRoc(roc: RocCurve): number {
  const x = roc.backgroundEfficiency;
  const y = roc.signalEfficiency;
  let area = 0;
  for (let i = 1; i < x.length; i++) {
    area += ((x[i] as number) - (x[i - 1] as number)) * 0.5 * ((y[i] as number) + (y[i - 1] as number));
  }
  return area;
}

/** AUC straight from scores and labels (see {@link rocCurve} and {@link aucFromRoc}). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, options: RocOptions = {}): number {
  return aucFromRoc(rocCurve(scores, labels, options));
}
