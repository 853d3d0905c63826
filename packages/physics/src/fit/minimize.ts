import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { type Bounds, boundedDerivative, boundedFromInternal, internalFromBounded } from './bounds.ts';
import { numericalGradient, numericalHessian } from './hessian.ts';
import { dot, invertPositiveDefinite, matrixVector } from './linear-algebra.ts';
import { nelderMead } from './nelder-mead.ts';

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Lower bounds per parameter (−∞ or omitted: none). */
  lower?: ArrayLike<number>;
  /** Upper bounds per parameter (+∞ or omitted: none). */
  upper?: ArrayLike<number>;
  /** Initial step per parameter, of the order of its expected error (default 10 % of |x0|, or 0.1). */
  step?: ArrayLike<number>;
  /** Convergence when the estimated distance to the minimum EDM = ½gᵀH⁻¹g falls below this (default 1e-5). */
  edmTolerance?: number;
  /** Maximum number of function calls (default 50 000). */
  maxCalls?: number;
}

/** Why {@link minimize} stopped. */
export type MinimizeStatus =
  | 'converged'
  | 'call-limit'
  | 'line-search-failed'
  | 'hessian-not-positive-definite'
  | 'non-finite-start';

/** Result of {@link minimize}. */
export interface MinimizeResult {
  /** Parameters at the minimum (external, inside their bounds). */
  x: Float64Array;
  /** Function value at the minimum. */
  fval: number;
  /** Estimated distance to the minimum ½gᵀH⁻¹g (internal coordinates, full numerical Hessian). */
  edm: number;
  /** Function calls used. */
  calls: number;
  /** True when status is 'converged'. */
  converged: boolean;
  status: MinimizeStatus;
  /** Human-readable account of the status. */
  message: string;
  /**
   * Rough 1σ error per parameter for an NLL (errorDef ½): |dx/dt|·√(H⁻¹)ᵢᵢ from the last positive-
   * definite internal Hessian, NaN when there was none. A step scale for a later Hessian, not a
   * final error.
   */
  errorEstimate: Float64Array;
}

/**
 * Minimises f over a box (bounds by the MINUIT transformation, see `bounds.ts`) in two stages, as
 * MINUIT's MIGRAD strategy suggests: Nelder–Mead to reach the basin from a poor start, then BFGS
 * quasi-Newton steps (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 6.1) with
 * central-difference gradients and a backtracking Armijo line search. Convergence is declared only
 * when the EDM computed with a full finite-difference Hessian (not the BFGS approximation) is below
 * tolerance and that Hessian is positive definite; otherwise the BFGS restarts from it (at most
 * four rounds). The result says how it stopped: callers must check `converged`.
 *
 * Throws {@link PhysicsInputError} when x0 is outside its bounds or bounds are inverted.
 */
export function minimize(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const edmTolerance = options.edmTolerance ?? 1e-5;
  const maxCalls = options.maxCalls ?? 50_000;
  const bounds: Bounds[] = [];
  const t0 = new Float64Array(n);
  const dt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lower = options.lower?.[i] ?? Number.NEGATIVE_INFINITY;
    const upper = options.upper?.[i] ?? Number.POSITIVE_INFINITY;
    const xi = at(x0, i);
    if (!Number.isFinite(xi)) throw new PhysicsInputError(`start value ${i} is not finite (${xi})`, { field: 'x0' });
    if (!(lower < upper)) throw new PhysicsInputError(`bounds of parameter ${i} are empty`, { field: 'bounds' });
    if (xi < lower || xi > upper) {
      throw new PhysicsInputError(`start value ${i} = ${xi} is outside [${lower}, ${upper}]`, { field: 'x0' });
    }
    const b = { lower, upper };
    bounds.push(b);
    let step = options.step?.[i] ?? (xi !== 0 ? 0.1 * Math.abs(xi) : 0.1);
    if (Number.isFinite(lower) && Number.isFinite(upper)) step = Math.min(step, 0.1 * (upper - lower));
    if (!(step > 0)) throw new PhysicsInputError(`step of parameter ${i} must be positive`, { field: 'step' });
    const t = internalFromBounded(xi, b);
    t0[i] = t;
    // A start on a bound has dx/dt = 0; a fixed internal step then still moves it inside.
    const d = Math.abs(boundedDerivative(t, b));
    dt[i] = d > 1e-3 ? Math.min(step / d, 1) : Math.min(Math.sqrt(step), 1);
  }
  const toExternal = (t: Float64Array): Float64Array => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = boundedFromInternal(at(t, i), at(bounds, i));
    return x;
  };
  let calls = 0;
  const fi = (t: Float64Array): number => {
    calls++;
    const v = f(toExternal(t));
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let lastInverseHessian: number[][] | null = null;
  const result = (t: Float64Array, fval: number, edm: number, status: MinimizeStatus, message: string) => ({
    x: toExternal(t),
    fval,
    edm,
    calls,
    converged: status === 'converged',
    status,
    message,
    errorEstimate: Float64Array.from(t, (ti, i) => {
      const v = lastInverseHessian ? at(at(lastInverseHessian, i), i) : Number.NaN;
      return Math.abs(boundedDerivative(ti, at(bounds, i))) * Math.sqrt(v);
    }),
  });

  const fStart = fi(t0);
  if (!Number.isFinite(fStart)) {
    return result(t0, fStart, Number.NaN, 'non-finite-start', 'the function is not finite at the start values');
  }
  const nm = nelderMead(fi, t0, { step: dt, fTolerance: 1e-4, maxIterations: 100 * Math.max(1, n) });
  let t: Float64Array = nm.x;
  let ft = nm.fval;
  let scale: Float64Array = Float64Array.from(dt);
  let hinv = fullInverseHessian(fi, t, scale, ft);
  let hessianOk = hinv !== null;
  lastInverseHessian = hinv;
  if (hinv === null) hinv = diagonalMatrix(Array.from(scale, (s) => s * s));
  else scale = errorScale(hinv, t);
  let edm = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    const stage = bfgs(fi, t, ft, hinv, scale, edmTolerance, () => calls < maxCalls);
    t = stage.t;
    ft = stage.fval;
    if (calls >= maxCalls) return result(t, ft, stage.edm, 'call-limit', `stopped after ${calls} calls`);
    // Verify with the full Hessian: the BFGS matrix can be far from it after few updates.
    const full = fullInverseHessian(fi, t, scale, ft);
    const g = numericalGradient(fi, t, gradientSteps(scale, t));
    if (full === null) {
      hessianOk = false;
      hinv = diagonalMatrix(Array.from(scale, (s) => s * s));
      edm = stage.edm;
      if (stage.failed) break;
      continue;
    }
    hessianOk = true;
    hinv = full;
    lastInverseHessian = full;
    scale = errorScale(full, t);
    edm = 0.5 * dot(g, matrixVector(full, g));
    if (edm < edmTolerance) return result(t, ft, edm, 'converged', `EDM ${edm.toExponential(2)} after ${calls} calls`);
  }
  if (!hessianOk) {
    return result(
      t,
      ft,
      edm,
      'hessian-not-positive-definite',
      'the Hessian at the last point is not positive definite',
    );
  }
  return result(
    t,
    ft,
    edm,
    'line-search-failed',
    `EDM ${edm.toExponential(2)} above ${edmTolerance} after ${calls} calls`,
  );
}

function diagonalMatrix(d: readonly number[]): number[][] {
  return d.map((v, i) => d.map((_, j) => (i === j ? v : 0)));
}

function gradientSteps(scale: Float64Array, t: Float64Array): Float64Array {
  const h = new Float64Array(scale.length);
  for (let i = 0; i < h.length; i++) h[i] = Math.max(1e-3 * at(scale, i), 1e-9 * (Math.abs(at(t, i)) + 1));
  return h;
}

function errorScale(hinv: number[][], t: Float64Array): Float64Array {
  const s = new Float64Array(t.length);
  for (let i = 0; i < s.length; i++) {
    const v = at(at(hinv, i), i);
    s[i] = Math.max(Math.sqrt(v), 1e-8 * (Math.abs(at(t, i)) + 1));
  }
  return s;
}

function fullInverseHessian(
  f: (t: Float64Array) => number,
  t: Float64Array,
  scale: Float64Array,
  ft: number,
): number[][] | null {
  const h = Float64Array.from(scale, (s, i) => Math.max(0.1 * s, 1e-7 * (Math.abs(at(t, i)) + 1)));
  return invertPositiveDefinite(numericalHessian(f, t, h, ft));
}

interface BfgsStage {
  t: Float64Array;
  fval: number;
  edm: number;
  failed: boolean;
}

function bfgs(
  f: (t: Float64Array) => number,
  tStart: Float64Array,
  fStart: number,
  hinvStart: number[][],
  scale: Float64Array,
  edmTolerance: number,
  budgetLeft: () => boolean,
): BfgsStage {
  const n = tStart.length;
  const hinv = hinvStart.map((row) => row.slice());
  const steps = gradientSteps(scale, tStart);
  let t: Float64Array = Float64Array.from(tStart);
  let ft = fStart;
  let g: Float64Array = numericalGradient(f, t, steps);
  let edm = Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < 200 * Math.max(1, n) && budgetLeft(); iteration++) {
    let d = matrixVector(hinv, g);
    for (let i = 0; i < n; i++) d[i] = -at(d, i);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction: fall back to scaled steepest descent.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) at(hinv, i)[j] = i === j ? at(scale, i) ** 2 : 0;
      }
      d = Float64Array.from(g, (gi, i) => -gi * at(scale, i) ** 2);
      slope = dot(g, d);
    }
    edm = -0.5 * slope;
    if (edm < edmTolerance) return { t, fval: ft, edm, failed: false };
    let alpha = 1;
    let accepted = false;
    const trial = new Float64Array(n);
    let fTrial = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < n; i++) trial[i] = at(t, i) + alpha * at(d, i);
      fTrial = f(trial);
      if (fTrial <= ft + 1e-4 * alpha * slope) {
        accepted = true;
        break;
      }
      // Quadratic interpolation of f along d, kept within [0.1α, 0.5α].
      const denominator = 2 * (fTrial - ft - alpha * slope);
      const next =
        Number.isFinite(denominator) && denominator > 0 ? (-slope * alpha * alpha) / denominator : 0.5 * alpha;
      alpha = Math.min(0.5 * alpha, Math.max(0.1 * alpha, next));
    }
    if (!accepted) return { t, fval: ft, edm, failed: true };
    const gNew = numericalGradient(f, trial, steps);
    const s = Float64Array.from(d, (di) => alpha * di);
    const y = Float64Array.from(gNew, (gi, i) => gi - at(g, i));
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      // H⁻¹ ← (I − ρsyᵀ)H⁻¹(I − ρysᵀ) + ρssᵀ, written out with Hy = H⁻¹y.
      const rho = 1 / sy;
      const hy = matrixVector(hinv, y);
      const yhy = dot(y, hy);
      for (let i = 0; i < n; i++) {
        const row = at(hinv, i);
        for (let j = 0; j < n; j++) {
          row[j] =
            at(row, j) -
            rho * (at(hy, i) * at(s, j) + at(s, i) * at(hy, j)) +
            (rho * rho * yhy + rho) * at(s, i) * at(s, j);
        }
      }
    }
    t = Float64Array.from(trial);
    ft = fTrial;
    g = gNew;
  }
  return { t, fval: ft, edm, failed: false };
}
