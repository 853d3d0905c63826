/**
 * Central finite-difference derivatives of a scalar function, used for gradients during the
 * minimisation and for the Hessian whose inverse is the covariance of a likelihood fit.
 *
 * Gradient: gᵢ = [f(x + hᵢeᵢ) − f(x − hᵢeᵢ)] / 2hᵢ (error O(h²)).
 * Hessian:  Hᵢᵢ = [f(x + hᵢeᵢ) − 2f(x) + f(x − hᵢeᵢ)] / hᵢ²,
 *           Hᵢⱼ = [f(++) − f(+−) − f(−+) + f(−−)] / 4hᵢhⱼ  (i ≠ j).
 * Cost: 2n calls for the gradient, 2n + 2n(n − 1) calls for the Hessian.
 * Reference: Press et al., Numerical Recipes, 3rd ed., section 5.7.
 */
import { at } from '../array.ts';
export function numericalGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  steps: ArrayLike<number>,
): Float64Array {
  const n = x.length;
  const xp = Float64Array.from(x);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = at(steps, i);
    const [fp, fm] = alongAxis(f, xp, i, h);
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** [f(x + h·eᵢ), f(x − h·eᵢ)] with x = `xp`, whose coordinate i is restored afterwards. */
function alongAxis(f: (x: Float64Array) => number, xp: Float64Array, i: number, h: number): [number, number] {
  const xi = at(xp, i);
  xp[i] = xi + h;
  const fp = f(xp);
  xp[i] = xi - h;
  const fm = f(xp);
  xp[i] = xi;
  return [fp, fm];
}

/** Symmetric Hessian matrix by central differences (see {@link numericalGradient}); `fx` = f(x). */
export function numericalHessian(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  steps: ArrayLike<number>,
  fx: number = f(Float64Array.from(x)),
): number[][] {
  const n = x.length;
  const xp = Float64Array.from(x);
  const h: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const hi = at(steps, i);
    const [fp, fm] = alongAxis(f, xp, i, hi);
    at(h, i)[i] = (fp - 2 * fx + fm) / (hi * hi);
  }
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    const hi = at(steps, i);
    for (let j = 0; j < i; j++) {
      const xj = at(x, j);
      const hj = at(steps, j);
      xp[i] = xi + hi;
      xp[j] = xj + hj;
      const fpp = f(xp);
      xp[j] = xj - hj;
      const fpm = f(xp);
      xp[i] = xi - hi;
      const fmm = f(xp);
      xp[j] = xj + hj;
      const fmp = f(xp);
      xp[i] = xi;
      xp[j] = xj;
      const hij = (fpp - fpm - fmp + fmm) / (4 * hi * hj);
      at(h, i)[j] = hij;
      at(h, j)[i] = hij;
    }
  }
  return h;
}
