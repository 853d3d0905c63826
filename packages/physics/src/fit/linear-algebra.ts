/**
 * Small dense linear algebra for fits (matrices of a few tens of rows at most), row-major
 * `number[][]`. Enough for covariance matrices; not a general-purpose library.
 */
import { at } from '../array.ts';

/**
 * Cholesky factor L (lower triangular, A = L·Lᵀ) of a symmetric matrix, or `null` when A is not
 * positive definite (a pivot ≤ 0 or not finite). Reference: Golub & Van Loan, Matrix Computations,
 * 4th ed., algorithm 4.2.1.
 */
export function choleskyFactor(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const lj = at(l, j);
    let d = at(at(a, j), j);
    for (let k = 0; k < j; k++) d -= at(lj, k) ** 2;
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const pivot = Math.sqrt(d);
    lj[j] = pivot;
    for (let i = j + 1; i < n; i++) {
      const li = at(l, i);
      let s = at(at(a, i), j);
      for (let k = 0; k < j; k++) s -= at(li, k) * at(lj, k);
      li[j] = s / pivot;
    }
  }
  return l;
}

/**
 * Inverse of a symmetric positive-definite matrix through its Cholesky factor, or `null` when the
 * matrix is not positive definite. The result is symmetrised exactly.
 */
export function invertPositiveDefinite(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length;
  const l = choleskyFactor(a);
  if (l === null) return null;
  // Invert L column by column (forward substitution), then A⁻¹ = L⁻ᵀ·L⁻¹.
  const linv: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      const li = at(l, i);
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= at(li, k) * at(at(linv, k), c);
      at(linv, i)[c] = s / at(li, i);
    }
  }
  const inv: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += at(at(linv, k), i) * at(at(linv, k), j);
      at(inv, i)[j] = s;
      at(inv, j)[i] = s;
    }
  }
  return inv;
}

/**
 * Solves A·x = b for a symmetric positive-definite A (p × p, row-major `Float64Array`, left
 * unchanged) by Cholesky factorisation and forward/back substitution; `null` when A is not
 * positive definite (a pivot ≤ 0 or not finite). The normal equations of a least-squares fit are
 * the typical use: add a ridge to the diagonal first where A may be rank-deficient.
 * Reference: Golub & Van Loan, Matrix Computations, 4th ed., algorithms 4.2.1 and 3.1.1–2.
 */
export function solvePositiveDefinite(aIn: ArrayLike<number>, b: ArrayLike<number>, p: number): number[] | null {
  const a = Float64Array.from(aIn);
  for (let j = 0; j < p; j++) {
    let s = at(a, j * p + j);
    for (let k = 0; k < j; k++) s -= at(a, j * p + k) ** 2;
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const l = Math.sqrt(s);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let t = at(a, i * p + j);
      for (let k = 0; k < j; k++) t -= at(a, i * p + k) * at(a, j * p + k);
      a[i * p + j] = t / l;
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let t = at(b, i);
    for (let k = 0; k < i; k++) t -= at(a, i * p + k) * at(y, k);
    y[i] = t / at(a, i * p + i);
  }
  const x = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let t = at(y, i);
    for (let k = i + 1; k < p; k++) t -= at(a, k * p + i) * at(x, k);
    x[i] = t / at(a, i * p + i);
  }
  return x;
}

/** y = A·x for a square matrix. */
export function matrixVector(a: readonly (readonly number[])[], x: ArrayLike<number>): Float64Array {
  const n = a.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ai = at(a, i);
    let s = 0;
    for (let j = 0; j < n; j++) s += at(ai, j) * at(x, j);
    y[i] = s;
  }
  return y;
}

/** Scalar product xᵀy. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += at(x, i) * at(y, i);
  return s;
}

/**
 * Adds one weighted observation to the normal equations of a linear least-squares fit
 * y ≈ Σ_r β_r x_r: A += w·x·xᵀ (row-major p × p) and b += w·x·y, so that solving A β = b
 * ({@link solvePositiveDefinite}) gives the weighted least-squares β. The weight w is 1/σ² for a
 * fit weighted by the variance of y.
 */
export function addToNormalEquations(
  a: Float64Array,
  b: Float64Array,
  x: ArrayLike<number>,
  y: number,
  w: number,
  p: number,
): void {
  for (let r = 0; r < p; r++) {
    b[r] = at(b, r) + w * at(x, r) * y;
    for (let c = 0; c < p; c++) a[r * p + c] = at(a, r * p + c) + w * at(x, r) * at(x, c);
  }
}
