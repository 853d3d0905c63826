import { at, Rng } from '@hepml/physics';
import type { FeatureRankingV1 } from '../bundle/evaluation.ts';

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Input names, in column order of `features`. */
  inputs: readonly string[];
  /** Raw row-major features n × inputs.length (not modified). */
  features: Float32Array;
  n: number;
  /** The model: raw features (n rows) → outputs. */
  predict: (features: Float32Array, n: number) => Float32Array;
  /** Figure of merit of the outputs on these rows (AUC, loss, MAE…). */
  figure: (outputs: Float32Array) => number;
  metric: FeatureRankingV1['metric'];
  /** Shuffles per input (default 3). */
  repeats?: number;
  seed: number;
}

/**
 * Permutation feature importance (L. Breiman, Machine Learning 45 (2001) 5; model-agnostic form
 * of A. Fisher, C. Rudin, F. Dominici, JMLR 20 (2019) 177): the drop of the figure of merit when
 * one input column is shuffled across the rows, which breaks its relation to the target and to
 * the other inputs while keeping its marginal distribution. For `auc`, delta = F(ref) − F(shuffled);
 * for `loss` and `mae` (lower is better), delta = F(shuffled) − F(ref); so a larger delta is a more
 * important input, ≈ 0 an unused one. `error` is the standard deviation over the repeats. Seeded.
 */
export function permutationImportance(options: PermutationImportanceOptions): FeatureRankingV1 {
  const { inputs, features, n, predict, figure, metric } = options;
  const k = inputs.length;
  if (features.length !== n * k) throw new RangeError(`features has ${features.length} values, expected ${n * k}`);
  const repeats = options.repeats ?? 3;
  const sign = metric === 'auc' ? 1 : -1;
  const reference = figure(predict(features, n));
  const rng = new Rng(options.seed ^ 0x9e37);
  const work = new Float32Array(features);
  const perm = new Uint32Array(n);
  const entries = inputs.map((input, j) => {
    const deltas: number[] = [];
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const s = Math.floor(rng.uniform() * (i + 1));
        const t = at(perm, i);
        perm[i] = at(perm, s);
        perm[s] = t;
      }
      for (let i = 0; i < n; i++) work[i * k + j] = at(features, at(perm, i) * k + j);
      deltas.push(sign * (reference - figure(predict(work, n))));
    }
    for (let i = 0; i < n; i++) work[i * k + j] = at(features, i * k + j);
    const mean = deltas.reduce((a, b) => a + b, 0) / repeats;
    const sd = repeats > 1 ? Math.sqrt(deltas.reduce((a, d) => a + (d - mean) ** 2, 0) / (repeats - 1)) : 0;
    return { input, delta: mean, error: sd };
  });
  entries.sort((a, b) => b.delta - a.delta);
  return { metric, repeats, entries };
}
