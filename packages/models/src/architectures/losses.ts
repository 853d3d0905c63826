import { at, erf } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';

/** A per-event loss: targets and predictions [batch, k] → loss per event [batch]. */
export type PerEventLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * Absolute error |y − ŷ| per event on the first output column (any further columns, e.g. a σ
 * head, are ignored); its mean is the MAE. Robust to the non-Gaussian tails of calorimeter response.
 */
export function maeLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.abs(tf.sub(firstColumn(yTrue), firstColumn(yPred))).reshape([-1]));
}

/** The batch mean of a per-event loss, for `model.compile` or a quick look. */
export function meanLoss(loss: PerEventLoss): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  return (yTrue, yPred) => tf.tidy(() => tf.mean(loss(yTrue, yPred)) as tf.Scalar);
}

/**
 * Huber loss with threshold δ (same units as the target): ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond,
 * r = y − ŷ, per event. Quadratic near zero, linear in the tails (Huber, Ann. Math. Stat. 35 (1964) 73).
 */
export function huberLoss(delta: number): PerEventLoss {
  if (!(delta > 0)) throw new RangeError('huber delta must be positive');
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const r = tf.abs(tf.sub(firstColumn(yTrue), firstColumn(yPred)));
      const quad = tf.minimum(r, delta);
      return tf.add(tf.mul(0.5, tf.square(quad)), tf.mul(delta, tf.sub(r, quad))).reshape([-1]);
    });
}

/** Tail parameters of the double-sided Crystal Ball (α in units of σ, n the power). */
export interface CrystalBallTails {
  alphaLow: number;
  nLow: number;
  alphaHigh: number;
  nHigh: number;
}

/** Tails typical of e/γ response (CMS, JINST 10 (2015) P06005): α ≈ 1–2, n ≈ 2–5. */
export const DEFAULT_CRYSTAL_BALL_TAILS: CrystalBallTails = { alphaLow: 1.5, nLow: 3, alphaHigh: 2, nHigh: 4 };

/**
 * ∫ f(t) dt of the unnormalised double-sided Crystal Ball over the real line:
 * √(π/2)·(erf(α_L/√2) + erf(α_H/√2)) + Σ_tails (n/α)/(n − 1)·e^{−α²/2}. Needs n > 1 on both sides
 * (otherwise the tail does not integrate).
 */
export function doubleCrystalBallNorm(t: CrystalBallTails): number {
  for (const [k, v] of Object.entries(t)) if (!(v > 0)) throw new RangeError(`${k} must be positive`);
  if (t.nLow <= 1 || t.nHigh <= 1) throw new RangeError('n must exceed 1 for a normalisable tail');
  const core = Math.sqrt(Math.PI / 2) * (erf(t.alphaLow / Math.SQRT2) + erf(t.alphaHigh / Math.SQRT2));
  const tail = (a: number, n: number) => (n / a / (n - 1)) * Math.exp(-0.5 * a * a);
  return core + tail(t.alphaLow, t.nLow) + tail(t.alphaHigh, t.nHigh);
}

/**
 * Per-event negative log-likelihood of a double-sided Crystal Ball whose location μ and width σ are the
 * network's two outputs per object (column 0: μ, column 1: σ; the target is column 0 of yTrue):
 *
 *   −ln p(y | μ, σ) = ln σ + ln N − ln f(t),   t = (y − μ)/σ,
 *   ln f = −t²/2 for −α_L ≤ t ≤ α_H,
 *   ln f = n ln(n/α) − α²/2 − n ln(n/α − α − |t|) in the tails,
 *
 * N from {@link doubleCrystalBallNorm}. σ enters as |σ̂| + 10⁻⁶: the ln σ barrier keeps a
 * positively initialised σ̂ positive, and |·| never has a dead gradient. Used for energy regression
 * with per-object resolution (DeepCalo-style; CMS, arXiv:2012.06888 uses the same likelihood).
 * With `stopLocation` μ enters through {@link stopGradient}: the NLL then trains σ only, around a
 * μ that another term of the loss fits.
 */
export function crystalBallNllLoss(
  tails: CrystalBallTails = DEFAULT_CRYSTAL_BALL_TAILS,
  options: { stopLocation?: boolean } = {},
): PerEventLoss {
  const lnNorm = Math.log(doubleCrystalBallNorm(tails));
  const tail = (a: number, n: number) => ({ c: n * Math.log(n / a) - 0.5 * a * a, b: n / a - a, n, a });
  const low = tail(tails.alphaLow, tails.nLow);
  const high = tail(tails.alphaHigh, tails.nHigh);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const y = firstColumn(yTrue);
      const mu0 = tf.slice(yPred, [0, 0], [-1, 1]);
      const mu = options.stopLocation ? stopGradient(mu0) : mu0;
      const sigma = tf.add(tf.abs(tf.slice(yPred, [0, 1], [-1, 1])), 1e-6);
      const t = tf.div(tf.sub(y, mu), sigma);
      const core = tf.mul(-0.5, tf.square(t));
      // Tail branches are evaluated everywhere; clamp their log arguments so the unused side stays finite.
      const lowTail = tf.sub(low.c, tf.mul(low.n, tf.log(tf.maximum(tf.sub(low.b, t), 1e-6))));
      const highTail = tf.sub(high.c, tf.mul(high.n, tf.log(tf.maximum(tf.add(high.b, t), 1e-6))));
      // Masks by `step` (its gradient is zero) rather than `where`: tfjs has no gradient for the
      // comparison ops that a `where` condition would be built from.
      const inLow = tf.step(tf.sub(-low.a, t));
      const inHigh = tf.step(tf.sub(t, high.a));
      const inCore = tf.sub(1, tf.add(inLow, inHigh));
      const lnF = tf.add(tf.add(tf.mul(inLow, lowTail), tf.mul(inHigh, highTail)), tf.mul(inCore, core));
      return tf.sub(tf.add(tf.log(sigma), lnNorm), lnF).reshape([-1]);
    });
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (TensorFlow's `stop_gradient`,
 * which tfjs lacks), written with `tf.customGrad`. A loss term built on `stopGradient(μ)` cannot
 * move μ.
 */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((a) => ({ value: tf.clone(a as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return f(x);
}

/** Φ⁻¹(3/4): the median of |x| for x ~ N(0, σ²) is this times σ. */
export const HALF_IQR_OF_UNIT_GAUSSIAN = 0.6744897501960817;

/**
 * Per-event loss of a width head (column 1 of the predictions, σ̂) regressed on the absolute
 * residual of the location head (column 0, μ) with the MAE: ℓ = | |y − sg(μ)| − Φ⁻¹(¾)·σ̂ |, sg the
 * {@link stopGradient}, so this term trains σ̂ and never μ. Its minimiser is the conditional
 * median of |y − μ| divided by Φ⁻¹(¾) = 0.6745, i.e. σ̂ = 1.4826·MAD: the standard deviation for a
 * Gaussian residual, and for any residual symmetric about μ half its IQR divided by 0.6745, the
 * robust Gaussian-equivalent width (so the pull (y − μ)/σ̂ has IQR/1.349 ≈ 1 where σ̂ is right).
 * σ̂ enters as is (no |·|): |y − μ| ≥ 0 drives a negative σ̂ up, so the served width is the
 * trained one.
 */
export function absResidualWidthLoss(): PerEventLoss {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const r = tf.abs(tf.sub(firstColumn(yTrue), stopGradient(tf.slice(yPred, [0, 0], [-1, 1]))));
      const s = tf.mul(HALF_IQR_OF_UNIT_GAUSSIAN, tf.slice(yPred, [0, 1], [-1, 1]));
      return tf.abs(tf.sub(r, s)).reshape([-1]);
    });
}

/** Per-event sum Σ_k w_k ℓ_k of per-event losses. */
export function sumLosses(terms: readonly { loss: PerEventLoss; weight: number }[]): PerEventLoss {
  return (yTrue, yPred) =>
    tf.tidy(() =>
      terms.map((t) => tf.mul(t.weight, t.loss(yTrue, yPred).reshape([-1]))).reduce((a, b) => tf.add(a, b)),
    );
}

function firstColumn(t: tf.Tensor): tf.Tensor {
  return t.rank === 2 && at(t.shape, 1) > 1 ? tf.slice(t, [0, 0], [-1, 1]) : t.reshape([-1, 1]);
}
