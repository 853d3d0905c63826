/**
 * The objectives of the GBDT fit (baselines/gbdt.ts): initial scores, per-row gradients and
 * hessians, and the mean loss that early stopping watches, for `binary` (log-loss), `multiclass`
 * (softmax cross-entropy, hessian p(1−p)·K/(K−1) as in LightGBM), `l2` and `huber` (gradient
 * clip(F − y, −δ, δ), unit hessian). Workers-safe.
 */
import { at } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { softmax } from '../runtime/baselines/gbdt.ts';
import type { GbdtObjective } from '../runtime/baselines/gbdt-format.ts';

/** A fit option or label out of range: a {@link ModelInputError} naming it. */
export function gbdtInputError(field: string, message: string): never {
  throw new ModelInputError(`hepml-gbdt: ${field}: ${message}`, { field });
}

/** y_i / x_is, the target of a `scaleBy` regression; x_is must be positive and finite. */
export function relativeTarget(
  target: ArrayLike<number>,
  features: Float32Array,
  n: number,
  d: number,
  s: number,
  field: string,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = at(features, i * d + s);
    if (!(x > 0 && Number.isFinite(x))) gbdtInputError(`${field}[${i}]`, 'the scaleBy input must be positive');
    out[i] = at(target, i) / x;
  }
  return out;
}

export function initialScores(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  w: Float64Array,
  n: number,
  K: number,
): number[] {
  if (objective === 'binary') {
    let sp = 0;
    let sn = 0;
    for (let i = 0; i < n; i++) {
      if (y[i]) sp += at(w, i);
      else sn += at(w, i);
    }
    if (!(sp > 0 && sn > 0)) gbdtInputError('target', 'binary training needs both classes with positive weight');
    return [Math.log(sp / sn)];
  }
  if (objective === 'multiclass') {
    const s = new Float64Array(K);
    let total = 0;
    for (let i = 0; i < n; i++) {
      s[at(y, i)] = (s[at(y, i)] as number) + at(w, i);
      total += at(w, i);
    }
    // ln of the class fractions (a floor keeps an absent class finite).
    return Array.from(s, (x) => Math.log(Math.max(x, 1e-12 * total) / total));
  }
  let sw = 0;
  for (let i = 0; i < n; i++) sw += at(w, i);
  if (!(sw > 0)) gbdtInputError('weights', 'must not all be zero');
  if (objective === 'l2') {
    let s = 0;
    for (let i = 0; i < n; i++) s += at(w, i) * at(y, i);
    return [s / sw];
  }
  // Huber: the weighted median, robust like the loss.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => at(y, a) - at(y, b) || a - b);
  let acc = 0;
  for (const i of order) {
    acc += at(w, i);
    if (acc >= sw / 2) return [at(y, i)];
  }
  return [y[at(order, n - 1)] as number];
}

export function gradients(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  w: Float64Array,
  pred: Float64Array,
  n: number,
  K: number,
  k: number,
  delta: number,
  grad: Float64Array,
  hess: Float64Array,
  prob: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const wi = at(w, i);
    if (objective === 'binary') {
      const p = 1 / (1 + Math.exp(-at(pred, i)));
      grad[i] = (p - at(y, i)) * wi;
      hess[i] = Math.max(p * (1 - p), 1e-16) * wi;
    } else if (objective === 'multiclass') {
      softmax(pred, i * K, K, prob);
      const p = at(prob, k);
      grad[i] = (p - (y[i] === k ? 1 : 0)) * wi;
      hess[i] = Math.max((K / (K - 1)) * p * (1 - p), 1e-16) * wi;
    } else if (objective === 'l2') {
      grad[i] = (at(pred, i) - at(y, i)) * wi;
      hess[i] = wi;
    } else {
      const r = at(pred, i) - at(y, i);
      grad[i] = Math.max(-delta, Math.min(delta, r)) * wi;
      hess[i] = wi;
    }
  }
}

/** Weighted mean loss: log-loss, softmax cross-entropy, ½ squared error, or Huber. */
export function meanLoss(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  pred: Float64Array,
  n: number,
  K: number,
  delta: number,
): number {
  let s = 0;
  let sw = 0;
  const prob = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const wi = weights ? at(weights, i) : 1;
    const f = at(pred, i * K);
    let loss: number;
    if (objective === 'binary') {
      // −[y ln σ(f) + (1−y) ln(1−σ(f))] = ln(1 + e^f) − y f, computed stably.
      loss = Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - at(y, i) * f;
    } else if (objective === 'multiclass') {
      softmax(pred, i * K, K, prob);
      loss = -Math.log(Math.max(prob[at(y, i)] as number, 1e-300));
    } else {
      const r = f - at(y, i);
      loss = objective === 'l2' || Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta);
    }
    s += wi * loss;
    sw += wi;
  }
  return s / sw;
}
