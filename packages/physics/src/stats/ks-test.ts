import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';

/** Options of {@link ksTest}. */
export interface KsTestOptions {
  /** Per-event weights of sample a (default 1); must be finite and ≥ 0. */
  weightsA?: ArrayLike<number>;
  /** Per-event weights of sample b (default 1); must be finite and ≥ 0. */
  weightsB?: ArrayLike<number>;
}

/** Result of {@link ksTest}. */
export interface KsTestResult {
  /** D = sup_x |F_a(x) − F_b(x)| of the (weighted) empirical CDFs, in [0, 1]. */
  statistic: number;
  /** Asymptotic p-value Q_KS(√n_eff · D). */
  pValue: number;
  /** n_eff = n_a n_b/(n_a + n_b), each n the Kish effective size (Σw)²/Σw² of its sample. */
  effectiveN: number;
}

/**
 * Survival function of the Kolmogorov distribution, Q_KS(λ) = P(√n D_n > λ) as n → ∞
 *   = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}   (λ ≥ 1.18, fast for large λ),
 *   = 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}   (λ < 1.18, the Jacobi-theta form).
 * Q_KS(λ ≤ 0) = 1. Absolute error below 1e-15. Reference: A. Kolmogorov, Giorn. Ist. Ital. Attuari 4
 * (1933) 83; Numerical Recipes 3rd ed. §6.14. Throws {@link PhysicsInputError} for NaN.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) throw new PhysicsInputError('lambda is NaN', { field: 'lambda' });
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    let sum = 0;
    for (let k = 1; k < 20; k++) {
      const term = y ** ((2 * k - 1) * (2 * k - 1));
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  const x = Math.exp(-2 * lambda * lambda);
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = x ** (k * k);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * Math.abs(sum)) break;
  }
  return Math.max(0, 2 * sum);
}

interface SortedSample {
  values: Float64Array;
  weights: Float64Array;
  total: number;
  effectiveN: number;
}

function prepare(x: ArrayLike<number>, w: ArrayLike<number> | undefined, name: 'a' | 'b'): SortedSample {
  const n = x.length;
  const field = name === 'a' ? 'weightsA' : 'weightsB';
  if (n === 0) throw new PhysicsInputError(`sample ${name} is empty`, { field: name });
  if (w && w.length !== n) throw new PhysicsInputError(`${field} has ${w.length} entries, ${name} has ${n}`, { field });
  const order = new Uint32Array(n);
  let total = 0;
  let total2 = 0;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const v = at(x, i);
    if (!Number.isFinite(v)) throw new PhysicsInputError(`${name}[${i}] is not finite (${v})`, { field: name });
    const wi = w ? at(w, i) : 1;
    if (!(Number.isFinite(wi) && wi >= 0)) {
      throw new PhysicsInputError(`${field}[${i}] must be finite and ≥ 0 (got ${wi})`, { field });
    }
    total += wi;
    total2 += wi * wi;
  }
  if (!(total > 0)) throw new PhysicsInputError(`sample ${name} has zero total weight`, { field });
  order.sort((i, j) => at(x, i) - at(x, j));
  const values = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = at(order, k);
    values[k] = at(x, i);
    weights[k] = w ? at(w, i) : 1;
  }
  return { values, weights, total, effectiveN: (total * total) / total2 };
}

/**
 * Two-sample Kolmogorov–Smirnov test, optionally weighted (the overtraining check compares a
 * classifier's scores on training and test events). D = sup_x |F_a(x) − F_b(x)| with the weighted
 * empirical CDFs F(x) = Σ_{xᵢ ≤ x} wᵢ / Σ wᵢ; tied values are stepped over together, so D does not
 * depend on the order of ties. The p-value is the asymptotic Kolmogorov one,
 * p = Q_KS(√n_eff · D) with n_eff = n_a n_b/(n_a + n_b) and, for weighted samples, each n the Kish
 * effective size (Σw)²/Σw² (for unit weights, the plain counts; the limiting law is scipy's
 * `kstwobign`). The asymptotic p-value is good for n_eff ≳ 40 and only approximate below, where it
 * tends to be larger than the exact finite-n one.
 * Reference: N. Smirnov, Ann. Math. Stat. 19 (1948) 279; effective entries for weighted samples as in
 * ROOT's TH1::KolmogorovTest.
 * Throws {@link PhysicsInputError} for an empty sample, non-finite values, negative or non-finite
 * weights, mismatched lengths or zero total weight.
 */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>, options: KsTestOptions = {}): KsTestResult {
  const sa = prepare(a, options.weightsA, 'a');
  const sb = prepare(b, options.weightsB, 'b');
  let i = 0;
  let j = 0;
  let cumA = 0;
  let cumB = 0;
  let d = 0;
  const na = sa.values.length;
  const nb = sb.values.length;
  while (i < na || j < nb) {
    const va = i < na ? at(sa.values, i) : Number.POSITIVE_INFINITY;
    const vb = j < nb ? at(sb.values, j) : Number.POSITIVE_INFINITY;
    const x = Math.min(va, vb);
    while (i < na && sa.values[i] === x) cumA += at(sa.weights, i++);
    while (j < nb && sb.values[j] === x) cumB += at(sb.weights, j++);
    const diff = Math.abs(cumA / sa.total - cumB / sb.total);
    if (diff > d) d = diff;
  }
  const effectiveN = (sa.effectiveN * sb.effectiveN) / (sa.effectiveN + sb.effectiveN);
  return { statistic: d, pValue: kolmogorovSurvival(Math.sqrt(effectiveN) * d), effectiveN };
}
