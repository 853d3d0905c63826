import { at, aucFromRoc, type RocCurve, rocCurve } from '@hepml/physics';
import type { WorkingPointV1 } from '../bundle/manifest.ts';

/** Working points of the default suite: signal efficiencies of loose, medium and tight. */
export const DEFAULT_WORKING_POINTS = [
  { name: 'loose', signalEfficiency: 0.95 },
  { name: 'medium', signalEfficiency: 0.9 },
  { name: 'tight', signalEfficiency: 0.8 },
] as const;

/** Figures of merit of a binary classifier written into its bundle. */
export interface ClassifierEvaluation {
  metrics: { auc: number; bkgEffAt92: number; rejectionAt50: number };
  workingPoints: WorkingPointV1[];
  /** ROC reduced to at most ~200 points for plots. */
  roc: { signalEfficiency: number[]; backgroundEfficiency: number[] };
}

/**
 * Index of the first ROC point whose signal efficiency reaches `target` (the loosest cut that keeps
 * at least that fraction of signal is the point just before or at it).
 */
function firstReaching(roc: RocCurve, target: number): number {
  const s = roc.signalEfficiency;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(s, mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** εB at a given εS, linearly interpolated between the two ROC points around it. */
export function backgroundEfficiencyAtSignal(roc: RocCurve, target: number): number {
  const k = firstReaching(roc, target);
  if (k === 0) return at(roc.backgroundEfficiency, 0);
  const s0 = at(roc.signalEfficiency, k - 1);
  const s1 = at(roc.signalEfficiency, k);
  const b0 = at(roc.backgroundEfficiency, k - 1);
  const b1 = at(roc.backgroundEfficiency, k);
  return s1 === s0 ? b1 : b0 + ((target - s0) / (s1 - s0)) * (b1 - b0);
}

/**
 * Evaluates scores against labels: AUC, εB at εS = 92 %, background rejection 1/εB at εS = 50 %
 * (capped at the number of background events when none passes),
 * the working points `targets` (default loose/medium/tight; cut `score >= threshold` keeping at
 * least the target signal efficiency) and a reduced ROC.
 */
export function evaluateBinaryClassifier(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
  targets: readonly { name: string; signalEfficiency: number }[] = DEFAULT_WORKING_POINTS,
): ClassifierEvaluation {
  const roc = rocCurve(scores, labels, weights ? { weights } : {});
  const workingPoints = targets.map((wp) => {
    const k = firstReaching(roc, wp.signalEfficiency);
    return {
      name: wp.name,
      signalEfficiency: at(roc.signalEfficiency, k),
      threshold: at(roc.threshold, k),
      backgroundEfficiency: at(roc.backgroundEfficiency, k),
    };
  });
  const step = Math.max(1, Math.floor(roc.threshold.length / 200));
  const sig: number[] = [];
  const bkg: number[] = [];
  for (let i = 0; i < roc.threshold.length; i += step) {
    sig.push(at(roc.signalEfficiency, i));
    bkg.push(at(roc.backgroundEfficiency, i));
  }
  sig.push(1);
  bkg.push(1);
  // With no background event passing, 1/εB is only bounded below by the background sample size.
  const bAt50 = Math.max(backgroundEfficiencyAtSignal(roc, 0.5), 1 / Math.max(1, countBackground(labels)));
  return {
    metrics: {
      auc: aucFromRoc(roc),
      bkgEffAt92: backgroundEfficiencyAtSignal(roc, 0.92),
      rejectionAt50: 1 / bAt50,
    },
    workingPoints,
    roc: { signalEfficiency: sig, backgroundEfficiency: bkg },
  };
}

function countBackground(labels: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (!labels[i]) n++;
  return n;
}
