import { at, ksTest } from '@hepml/physics';
import type { OvertrainingV1 } from '../bundle/evaluation.ts';
import { binFractions, finiteRange, uniformEdges } from './histogram.ts';

/** Scores, labels (1 signal, 0 background) and optional weights of one split. */
export interface ScoredSplit {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

function byClass(split: ScoredSplit, signal: boolean): { s: number[]; w: number[] } {
  const s: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < split.scores.length; i++) {
    if (Boolean(split.labels[i]) !== signal) continue;
    s.push(at(split.scores, i));
    w.push(split.weights ? at(split.weights, i) : 1);
  }
  return { s, w };
}

/** Kish's effective number of events (Σw)²/Σw²: the count itself for unit weights, 0 for none. */
export function effectiveEvents(weights: readonly number[]): number {
  let sum = 0;
  let sumSq = 0;
  for (const w of weights) {
    sum += w;
    sumSq += w * w;
  }
  return sumSq > 0 ? (sum * sum) / sumSq : 0;
}

/**
 * Overtraining check as TMVA makes it: for signal and background separately, the two-sample
 * Kolmogorov–Smirnov test between the score distributions of the training and the test events
 * (weighted; a small p-value, say < 0.01, means the network scores its training events
 * differently: it memorised them), plus the four normalised histograms over a shared range for the
 * plot (`bins` equal bins between the smallest and largest score seen) with the effective numbers of
 * events behind each ({@link effectiveEvents}), for the plot's error bars.
 * Reference: A. Hoecker et al., TMVA Users Guide, arXiv:physics/0703039, §3.1.
 */
export function overtrainingCheck(train: ScoredSplit, test: ScoredSplit, bins = 40): OvertrainingV1 {
  const trS = byClass(train, true);
  const trB = byClass(train, false);
  const teS = byClass(test, true);
  const teB = byClass(test, false);
  const ks = (a: { s: number[]; w: number[] }, b: { s: number[]; w: number[] }) => {
    const r = ksTest(a.s, b.s, { weightsA: a.w, weightsB: b.w });
    return { statistic: r.statistic, pValue: r.pValue };
  };
  const [lo1, hi1] = finiteRange(train.scores);
  const [lo2, hi2] = finiteRange(test.scores);
  const lo = Math.min(lo1, lo2);
  const hi = Math.max(hi1, hi2);
  const edges = uniformEdges(lo, hi > lo ? hi : lo + 1, bins);
  return {
    signal: ks(trS, teS),
    events: {
      trainSignal: effectiveEvents(trS.w),
      testSignal: effectiveEvents(teS.w),
      trainBackground: effectiveEvents(trB.w),
      testBackground: effectiveEvents(teB.w),
    },
    background: ks(trB, teB),
    histograms: {
      edges,
      trainSignal: binFractions(trS.s, edges, trS.w),
      testSignal: binFractions(teS.s, edges, teS.w),
      trainBackground: binFractions(trB.s, edges, trB.w),
      testBackground: binFractions(teB.s, edges, teB.w),
    },
  };
}
