import { BinEdges, nonEmptyArray, nonEmptyString } from '@hepml/physics';
import { z } from 'zod';
import { nonNegativeInt, parseBundleJson, probability } from './json.ts';

/**
 * The `evaluation` block of a bundle manifest and its zod schemas (one per part, each named like
 * its type). Figures measured on the held-out test split (and, for the overtraining check, the
 * training split) when the bundle was built. Everything is optional except `split`, since a
 * regression has no ROC and a binary tagger no per-class table. Histogram `counts` are fractions of
 * the events of their sample (each histogram sums to ≤ 1; under/overflow dropped), bins are
 * `edges[i] <= x < edges[i+1]`, edges by the one edge check (`BinEdges`, `@hepml/physics`).
 */

const finite = z.number();
const nonNegative = z.number().nonnegative({ error: 'must not be negative' });
/** Fractions of a sample's events, one per bin (the length is checked against the edges). */
const fractions = z.array(nonNegative, { error: 'must be an array of numbers' });

/** Issue on `path` when the histogram `counts` there has not one entry per bin of `edges`. */
function checkBins(ctx: z.core.$RefinementCtx, edges: readonly number[], counts: Record<string, readonly number[]>) {
  const bins = edges.length - 1;
  for (const [key, xs] of Object.entries(counts)) {
    if (xs.length !== bins) {
      ctx.addIssue({ code: 'custom', message: `must have ${bins} entries, has ${xs.length}`, path: [key], input: xs });
    }
  }
}

/** A 1D histogram: `counts.length === edges.length − 1`, edges strictly increasing. */
export const HistogramV1 = z
  .strictObject({ edges: BinEdges, counts: fractions })
  .superRefine((h, ctx) => checkBins(ctx, h.edges, { counts: h.counts }));
export type HistogramV1 = z.infer<typeof HistogramV1>;

/** Two-sample Kolmogorov–Smirnov test result: sup |F₁ − F₂| and its asymptotic p-value. */
export const KsResultV1 = z.strictObject({ statistic: probability, pValue: probability });
export type KsResultV1 = z.infer<typeof KsResultV1>;

/**
 * Effective numbers of events N_eff = (Σw)²/Σw² (Kish; the event count when unweighted) behind
 * each of the four overtraining histograms, so a reader can put binomial (Clopper–Pearson) error
 * bars on a bin's fraction f as the interval of round(f·N_eff) passing out of N_eff.
 */
export const OvertrainingEventsV1 = z.strictObject({
  trainSignal: nonNegative,
  testSignal: nonNegative,
  trainBackground: nonNegative,
  testBackground: nonNegative,
});
export type OvertrainingEventsV1 = z.infer<typeof OvertrainingEventsV1>;

/**
 * Overtraining check (TMVA style): the score distributions of training and test events compared
 * per class with a KS test, and the four histograms for the plot (shared `edges`), with the
 * effective numbers of events behind them (`events`, optional: bundles built before it have none).
 */
export const OvertrainingV1 = z.strictObject({
  signal: KsResultV1,
  background: KsResultV1,
  histograms: z
    .strictObject({
      edges: BinEdges,
      trainSignal: fractions,
      testSignal: fractions,
      trainBackground: fractions,
      testBackground: fractions,
    })
    .superRefine(({ edges, ...counts }, ctx) => checkBins(ctx, edges, counts)),
  events: OvertrainingEventsV1.optional(),
});
export type OvertrainingV1 = z.infer<typeof OvertrainingV1>;

/**
 * Permutation feature importance (Breiman 2001): one input shuffled across the test events at a
 * time, `delta` = figure(reference) − figure(permuted) for `auc`, permuted − reference for `loss`
 * and `mae` (so larger always means more important); sorted by decreasing `delta`.
 */
export const FeatureRankingV1 = z.strictObject({
  metric: z.enum(['auc', 'loss', 'mae'], { error: 'must be "auc", "loss" or "mae"' }),
  /** Shuffles averaged per input. */
  repeats: nonNegativeInt.min(1, { error: 'must be at least 1' }),
  entries: z
    .array(z.strictObject({ input: nonEmptyString(), delta: finite, error: nonNegative }))
    .superRefine((entries, ctx) => {
      const seen = new Set<string>();
      for (const [i, { input }] of entries.entries()) {
        if (seen.has(input)) {
          ctx.addIssue({ code: 'custom', message: `duplicate input "${input}"`, path: [i, 'input'], input });
        }
        seen.add(input);
      }
      for (let i = 1; i < entries.length; i++) {
        if ((entries[i]?.delta ?? 0) > (entries[i - 1]?.delta ?? 0)) {
          const message = 'entries must be sorted by decreasing delta';
          ctx.addIssue({ code: 'custom', message, path: [i, 'delta'], input: entries[i] });
        }
      }
    }),
});
export type FeatureRankingV1 = z.infer<typeof FeatureRankingV1>;

/** Per-class figures of a multi-class classifier (one-vs-rest on the class's own output). */
export const ClassFiguresV1 = z
  .strictObject({
    name: nonEmptyString(),
    /** Output (class-score) of this class. */
    output: nonEmptyString(),
    role: z.enum(['signal', 'background'], { error: 'must be "signal" or "background"' }),
    /** Test events of this class. */
    n: nonNegativeInt,
    /** AUC of this class's score, this class against all others. */
    auc: probability,
    /** Fraction of this class's test events whose largest score is each class, in `classes` order. */
    assigned: z.array(probability, { error: 'must be an array of numbers' }),
    /** 1/εB of the background classes at 50 % efficiency of this class (signal classes only). */
    rejectionAt50: z.number().min(1, { error: 'must be at least 1' }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.rejectionAt50 !== undefined && c.role !== 'signal') {
      const message = 'only signal classes carry a rejection';
      ctx.addIssue({ code: 'custom', message, path: ['rejectionAt50'], input: c.rejectionAt50 });
    }
  });
export type ClassFiguresV1 = z.infer<typeof ClassFiguresV1>;

const classes = z
  .array(ClassFiguresV1, { error: 'must be an array of at least 2 classes' })
  .min(2, { error: 'must be an array of at least 2 classes' })
  .superRefine((cs, ctx) => {
    for (const [i, c] of cs.entries()) {
      if (c.assigned.length !== cs.length) {
        const message = `must have ${cs.length} entries, has ${c.assigned.length}`;
        ctx.addIssue({ code: 'custom', message, path: [i, 'assigned'], input: c.assigned });
      }
    }
  });

/**
 * Mass sculpting of a jet tagger: Jensen–Shannon divergence (base 2, in [0, 1]) between the
 * background `variable` distribution before and after the cut `score >= threshold` that keeps
 * `signalEfficiency` of the signal (Dolen et al., JHEP 05 (2016) 156; Baldi et al., 1601.07913).
 */
export const MassSculptingV1 = z.strictObject({
  variable: nonEmptyString(),
  unit: nonEmptyString(),
  points: nonEmptyArray(
    z.strictObject({
      signalEfficiency: probability,
      threshold: finite,
      backgroundEfficiency: probability,
      jsd: probability,
    }),
  ),
  /** Background distribution before and after the 50 % signal efficiency cut, shared edges. */
  histograms: z
    .strictObject({ edges: BinEdges, before: fractions, after: fractions })
    .superRefine(({ edges, ...counts }, ctx) => checkBins(ctx, edges, counts))
    .optional(),
});
export type MassSculptingV1 = z.infer<typeof MassSculptingV1>;

/** Energy-regression figures of one estimator on one set of events. */
export const RegressionFiguresV1 = z.strictObject({
  /** Mean absolute error |E_reco − E_true| [GeV]. */
  mae: nonNegative,
  /** Effective IQR of E_reco/E_true: (q₇₅ − q₂₅) / 1.349, a Gaussian-equivalent σ [1]. */
  eIqr: nonNegative,
  /** Median of E_reco/E_true [1]. */
  response: finite,
});
export type RegressionFiguresV1 = z.infer<typeof RegressionFiguresV1>;

/** Figures of the model and the standard calibration in one bin `lo <= variable < hi`. */
export const RegressionBinV1 = z
  .strictObject({
    variable: nonEmptyString(),
    unit: nonEmptyString(),
    lo: finite,
    hi: finite,
    n: nonNegativeInt,
    model: RegressionFiguresV1,
    standard: RegressionFiguresV1,
    /** Relative IQR: model eIQR / standard-calibration eIQR (< 1: the model resolves better). */
    rIqr: finite,
  })
  .superRefine((b, ctx) => {
    if (b.hi <= b.lo) ctx.addIssue({ code: 'custom', message: 'must exceed lo', path: ['hi'], input: b.hi });
  });
export type RegressionBinV1 = z.infer<typeof RegressionBinV1>;

/** Regression evaluation against the standard calibration, overall and in bins of E and η. */
export const RegressionEvaluationV1 = z.strictObject({
  target: nonEmptyString(),
  unit: nonEmptyString(),
  overall: z.strictObject({
    n: nonNegativeInt,
    model: RegressionFiguresV1,
    standard: RegressionFiguresV1,
    rIqr: finite,
  }),
  bins: z.array(RegressionBinV1),
  /** E_reco/E_true histograms of the model and the standard calibration, shared edges. */
  response: z
    .strictObject({ edges: BinEdges, model: fractions, standard: fractions })
    .superRefine(({ edges, ...counts }, ctx) => checkBins(ctx, edges, counts)),
});
export type RegressionEvaluationV1 = z.infer<typeof RegressionEvaluationV1>;

/**
 * The `evaluation` block: probabilities in [0, 1], histograms whose counts agree with their
 * edges, a feature ranking sorted by decreasing delta, one `assigned` fraction per class.
 */
export const EvaluationV1 = z.strictObject({
  /** Events in each split. */
  split: z.strictObject({ train: nonNegativeInt, validation: nonNegativeInt, test: nonNegativeInt }),
  /** Output the ROC, working points and overtraining refer to (multi-class: the first signal class). */
  reference: nonEmptyString().optional(),
  overtraining: OvertrainingV1.optional(),
  featureRanking: FeatureRankingV1.optional(),
  classes: classes.optional(),
  massSculpting: MassSculptingV1.optional(),
  regression: RegressionEvaluationV1.optional(),
});
export type EvaluationV1 = z.infer<typeof EvaluationV1>;

/**
 * Validates a bundle's `evaluation` block strictly with {@link EvaluationV1} (unknown keys, wrong
 * types, non-finite numbers, probabilities outside [0, 1], histograms whose counts disagree with
 * their edges, an unsorted feature ranking): each error is a BundleError whose `field` is the JSON
 * path under `field`, e.g. `evaluation.overtraining.signal.pValue`. Returns a fresh, typed copy.
 */
export function parseEvaluation(value: unknown, field: string): EvaluationV1 {
  return parseBundleJson(EvaluationV1, value, { at: field });
}
