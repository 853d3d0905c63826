/** Options of {@link nelderMead}. */
import { at } from '../array.ts';
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (the simplex is x0 and x0 + stepᵢ·eᵢ). */
  step: ArrayLike<number>;
  /** Stop when max f − min f over the simplex falls below this (default 1e-6). */
  fTolerance?: number;
  /** Maximum number of iterations (default 200·n). */
  maxIterations?: number;
}

/** Result of {@link nelderMead}: the best vertex, its value and the work done. */
export interface NelderMeadResult {
  x: Float64Array;
  fval: number;
  iterations: number;
  calls: number;
  /** The simplex spread fell below the tolerance (false: iteration limit reached). */
  converged: boolean;
}

/**
 * Nelder–Mead downhill simplex with the dimension-adaptive coefficients of Gao & Han
 * (Comput. Optim. Appl. 51 (2012) 259, doi:10.1007/s10589-010-9329-3): reflection 1,
 * expansion 1 + 2/n, contraction 0.75 − 1/2n, shrink 1 − 1/n. Derivative-free and robust far from
 * the minimum, slow close to it: fits use it to reach the basin, then a quasi-Newton method.
 * Non-finite function values count as +∞, so a vertex in an undefined region is always replaced.
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions,
): NelderMeadResult {
  const n = x0.length;
  const fTol = options.fTolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200 * Math.max(1, n);
  const alpha = 1;
  const gamma = n > 1 ? 1 + 2 / n : 2;
  const rho = n > 1 ? 0.75 - 1 / (2 * n) : 0.5;
  const sigma = n > 1 ? 1 - 1 / n : 0.5;
  let calls = 0;
  const value = (x: Float64Array): number => {
    calls++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const simplex: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(x0);
    v[i] = at(v, i) + at(options.step, i);
    simplex.push(v);
  }
  const fv = simplex.map(value);
  const centroid = new Float64Array(n);
  const trial = (from: Float64Array, coefficient: number): Float64Array => {
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) t[k] = at(centroid, k) + coefficient * (at(from, k) - at(centroid, k));
    return t;
  };
  let iterations = 0;
  let converged = false;
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  for (; iterations < maxIterations; iterations++) {
    order.sort((a, b) => at(fv, a) - at(fv, b));
    const best = at(order, 0);
    const worst = at(order, n);
    const secondWorst = at(order, n - 1);
    const spread = at(fv, worst) - at(fv, best);
    if (spread < fTol) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (let i = 0; i < n; i++) {
      const v = at(simplex, at(order, i));
      for (let k = 0; k < n; k++) centroid[k] = at(centroid, k) + at(v, k) / n;
    }
    const xw = at(simplex, worst);
    const xr = trial(xw, -alpha);
    const fr = value(xr);
    if (fr < at(fv, best)) {
      const xe = trial(xw, -alpha * gamma);
      const fe = value(xe);
      if (fe < fr) {
        simplex[worst] = xe;
        fv[worst] = fe;
      } else {
        simplex[worst] = xr;
        fv[worst] = fr;
      }
      continue;
    }
    if (fr < at(fv, secondWorst)) {
      simplex[worst] = xr;
      fv[worst] = fr;
      continue;
    }
    // Outside contraction when the reflection helped a little, inside contraction otherwise.
    const outside = fr < at(fv, worst);
    const xc = outside ? trial(xr, rho) : trial(xw, rho);
    const fc = value(xc);
    if (fc < (outside ? fr : at(fv, worst))) {
      simplex[worst] = xc;
      fv[worst] = fc;
      continue;
    }
    const xb = at(simplex, best);
    for (let i = 0; i <= n; i++) {
      if (i === best) continue;
      const v = at(simplex, i);
      for (let k = 0; k < n; k++) v[k] = at(xb, k) + sigma * (at(v, k) - at(xb, k));
      fv[i] = value(v);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (at(fv, i) < at(fv, bestIndex)) bestIndex = i;
  return {
    x: at(simplex, bestIndex),
    fval: at(fv, bestIndex),
    iterations,
    calls,
    converged,
  };
}
