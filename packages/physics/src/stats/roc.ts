import { at } from '../array.ts';
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
  let totalSignal = 0;
  let totalBackground = 0;
  // −0 is folded into +0 so that the two, which compare equal, form one point.
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = at(scores, i);
    if (!Number.isFinite(s)) throw new PhysicsInputError(`score ${i} is not finite (${s})`, { field: 'scores' });
    const w = weights ? at(weights, i) : 1;
    if (!Number.isFinite(w)) throw new PhysicsInputError(`weight ${i} is not finite (${w})`, { field: 'weights' });
    if (labels[i]) totalSignal += w;
    else totalBackground += w;
    values[i] = s + 0;
  }
  if (!(totalSignal > 0)) throw new PhysicsInputError('signal has no positive total weight', { field: 'labels' });
  if (!(totalBackground > 0)) {
    throw new PhysicsInputError('background has no positive total weight', { field: 'labels' });
  }
  const order = sortIndexAscending(values);

  const eS = new Float64Array(n + 1);
  const eB = new Float64Array(n + 1);
  const thr = new Float64Array(n + 1);
  thr[0] = Number.POSITIVE_INFINITY;
  let points = 1;
  let sumS = 0;
  let sumB = 0;
  for (let k = n - 1; k >= 0; ) {
    const t = at(values, at(order, k));
    while (k >= 0 && values[at(order, k)] === t) {
      const i = at(order, k);
      const w = weights ? at(weights, i) : 1;
      if (labels[i]) sumS += w;
      else sumB += w;
      k--;
    }
    eS[points] = sumS / totalSignal;
    eB[points] = sumB / totalBackground;
    thr[points] = t;
    points++;
  }
  return {
    signalEfficiency: eS.slice(0, points),
    backgroundEfficiency: eB.slice(0, points),
    threshold: thr.slice(0, points),
  };
}

/**
 * Indices that sort finite doubles ascending: an LSD radix sort over the IEEE-754 bit patterns mapped
 * to unsigned order (sign bit flipped for positives, all bits flipped for negatives), four 16-bit
 * passes, stable. O(n) and free of comparator callbacks: about 4× faster than
 * `Uint32Array.sort((a, b) => …)` for 10⁶ scores.
 */
function sortIndexAscending(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  // Little-endian platforms (all JS engines in practice) store the low word first.
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const loOff = littleEndian ? 0 : 1;
  const hiOff = 1 - loOff;
  let keyHi = new Uint32Array(n);
  let keyLo = new Uint32Array(n);
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const hi = at(words, 2 * i + hiOff);
    const lo = at(words, 2 * i + loOff);
    if (hi & 0x80000000) {
      keyHi[i] = ~hi >>> 0;
      keyLo[i] = ~lo >>> 0;
    } else {
      keyHi[i] = (hi | 0x80000000) >>> 0;
      keyLo[i] = lo;
    }
    idx[i] = i;
  }
  let tmpHi = new Uint32Array(n);
  let tmpLo = new Uint32Array(n);
  let tmpIdx = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const useHi = pass >= 2;
    const shift = pass % 2 === 0 ? 0 : 16;
    const src = useHi ? keyHi : keyLo;
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (at(src, i) >>> shift) & 0xffff;
      count[d] = at(count, d) + 1;
    }
    // Skip a pass whose digit is the same for every entry (e.g. the low words of rounded scores).
    if (count[(at(src, 0) >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = at(count, d);
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = (at(src, i) >>> shift) & 0xffff;
      const p = at(count, d);
      count[d] = p + 1;
      tmpHi[p] = at(keyHi, i);
      tmpLo[p] = at(keyLo, i);
      tmpIdx[p] = at(idx, i);
    }
    [keyHi, tmpHi] = [tmpHi, keyHi];
    [keyLo, tmpLo] = [tmpLo, keyLo];
    [idx, tmpIdx] = [tmpIdx, idx];
  }
  return idx;
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
    area += (at(x, i) - at(x, i - 1)) * 0.5 * (at(y, i) + at(y, i - 1));
  }
  return area;
}

/** AUC straight from scores and labels (see {@link rocCurve} and {@link aucFromRoc}). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, options: RocOptions = {}): number {
  return aucFromRoc(rocCurve(scores, labels, options));
}
