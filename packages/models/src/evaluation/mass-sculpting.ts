import { massSculpting, thresholdAtSignalEfficiency } from '@hepml/physics';
import type { MassSculptingV1 } from '../bundle/evaluation.ts';

/** Options of {@link evaluateMassSculpting}. */
export interface MassSculptingEvaluationOptions {
  /** Jet mass per event [GeV]. */
  mass: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** 1 signal, 0 background (only the background's mass shape is compared). */
  labels: ArrayLike<number>;
  /** Signal efficiencies of the cuts to test (default 0.8, 0.5, 0.3). */
  signalEfficiencies?: readonly number[];
  /** Mass binning [GeV] (default 20 bins of 12.5 GeV from 0 to 250). */
  edges?: readonly number[];
}

/**
 * Mass sculpting of a jet tagger at several working points: for each target signal efficiency,
 * the threshold that reaches it, the background pass fraction and the Jensen–Shannon divergence
 * (base 2) between the background mass distribution before and after the cut (H1's
 * `massSculpting`; ATLAS ATL-PHYS-PUB-2018-014). The histograms of the 50 % point (or the first)
 * are kept for the plot. A working point that no background passes is skipped (its shape is undefined).
 */
export function evaluateMassSculpting(options: MassSculptingEvaluationOptions): MassSculptingV1 {
  const edges = options.edges ?? Array.from({ length: 21 }, (_, i) => i * 12.5);
  const targets = options.signalEfficiencies ?? [0.8, 0.5, 0.3];
  const points: MassSculptingV1['points'] = [];
  let histograms: MassSculptingV1['histograms'];
  for (const target of targets) {
    const threshold = thresholdAtSignalEfficiency(options.scores, options.labels, target);
    let r: ReturnType<typeof massSculpting>;
    try {
      r = massSculpting({ mass: options.mass, scores: options.scores, threshold, edges, labels: options.labels });
    } catch {
      continue;
    }
    points.push({ signalEfficiency: target, threshold, backgroundEfficiency: r.passFraction, jsd: r.jsd });
    if (!histograms || target === 0.5) {
      const sum = (h: Float64Array) => h.reduce((a, b) => a + b, 0) || 1;
      const sb = sum(r.before);
      const sa = sum(r.after);
      histograms = {
        edges: [...edges],
        before: Array.from(r.before, (v) => v / sb),
        after: Array.from(r.after, (v) => v / sa),
      };
    }
  }
  const out: MassSculptingV1 = { variable: 'mass', unit: 'GeV', points };
  if (histograms) out.histograms = histograms;
  return out;
}
