/**
 * Small dense linear algebra for fits (matrices of a few tens of rows at most), row-major
 * `number[][]`. Enough for covariance matrices; not a general-purpose library.
 */

/**
 * Cholesky factor L (lower triangular, A = L·Lᵀ) of a symmetric matrix, or `null` when A is not
 * positive definite (a pivot ≤ 0 or not finite). Reference: Golub & Van Loan, Matrix Computations,
 * 4th ed., algorithm 4.2.1.
 */
export function choleskyFactor(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const lj = l[j] as number[];
    let d = (a[j] as readonly number[])[j] as number;
    for (let k = 0; k < j; k++) d -= (lj[k] as number) ** 2;
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const pivot = Math.sqrt(d);
    lj[j] = pivot;
    for (let i = j + 1; i < n; i++) {
      const li = l[i] as number[];
      let s = (a[i] as readonly number[])[j] as number;
      for (let k = 0; k < j; k++) s -= (li[k] as number) * (lj[k] as number);
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
      const li = l[i] as number[];
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= (li[k] as number) * ((linv[k] as number[])[c] as number);
      (linv[i] as number[])[c] = s / (li[i] as number);
    }
  }
  const inv: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += ((linv[k] as number[])[i] as number) * ((linv[k] as number[])[j] as number);
      (inv[i] as number[])[j] = s;
      (inv[j] as number[])[i] = s;
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
    let s = a[j * p + j] as number;
    for (let k = 0; k < j; k++) s -= (a[j * p + k] as number) ** 2;
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const l = Math.sqrt(s);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j] as number;
      for (let k = 0; k < j; k++) t -= (a[i * p + k] as number) * (a[j * p + k] as number);
      a[i * p + j] = t / l;
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let t = b[i] as number;
    for (let k = 0; k < i; k++) t -= (a[i * p + k] as number) * (y[k] as number);
    y[i] = t / (a[i * p + i] as number);
  }
  const x = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let t = y[i] as number;
    for (let k = i + 1; k < p; k++) t -= (a[k * p + i] as number) * (x[k] as number);
    x[i] = t / (a[i * p + i] as number);
  }
  return x;
}

/** y = A·x for a square matrix. */
export function matrixVector(a: readonly (readonly number[])[], x: ArrayLike<number>): Float64Array {
  const n = a.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ai = a[i] as readonly number[];
    let s = 0;
    for (let j = 0; j < n; j++) s += (ai[j] as number) * (x[j] as number);
    y[i] = s;
  }
  return y;
}

/** Scalar product xᵀy. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (y[i] as number);
  return s;
}
