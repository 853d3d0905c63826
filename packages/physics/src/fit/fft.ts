import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';

/**
 * In-place iterative radix-2 complex FFT (Cooley & Tukey, Math. Comp. 19 (1965) 297) of length
 * n = 2^k: X_k = Σ_j x_j e^{∓2πijk/n}, minus sign forward; the inverse includes the 1/n factor.
 * Twiddle factors and the bit-reversal permutation are computed once per plan.
 */
export class FftPlan {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new PhysicsInputError(`FFT size must be a power of two ≥ 2, got ${size}`, { field: 'size' });
    }
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / size);
      this.sin[i] = Math.sin((2 * Math.PI * i) / size);
    }
    this.reversed = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }
  }

  /** Transforms (re, im) in place; `inverse` applies e^{+2πijk/n}/n. */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const j = at(this.reversed, i);
      if (j > i) {
        const tr = at(re, i);
        re[i] = at(re, j);
        re[j] = tr;
        const ti = at(im, i);
        im[i] = at(im, j);
        im[j] = ti;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >>> 1;
      const stride = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = at(this.cos, k * stride);
          const wi = sign * at(this.sin, k * stride);
          const a = start + k;
          const b = a + half;
          const br = at(re, b);
          const bi = at(im, b);
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = at(re, a);
          const ai = at(im, a);
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    if (inverse) {
      for (let i = 0; i < n; i++) {
        re[i] = at(re, i) / n;
        im[i] = at(im, i) / n;
      }
    }
  }

  /**
   * Circular convolution of two real sequences of length `size` (zero-pad them yourself to avoid
   * wrap-around): one complex FFT carries both (a in the real part, b in the imaginary part), the
   * spectra are separated by Hermitian symmetry, multiplied, and transformed back. Writes into `out`.
   */
  convolveReal(a: Float64Array, b: Float64Array, out: Float64Array): void {
    const n = this.size;
    const re = Float64Array.from(a);
    const im = Float64Array.from(b);
    this.transform(re, im);
    const pr = new Float64Array(n);
    const pi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const m = (n - k) & (n - 1);
      const zr = at(re, k);
      const zi = at(im, k);
      const cr = at(re, m);
      const ci = -at(im, m);
      // A = (Z_k + conj Z_{n−k})/2, B = (Z_k − conj Z_{n−k})/2i.
      const ar = (zr + cr) / 2;
      const ai = (zi + ci) / 2;
      const br = (zi - ci) / 2;
      const bi = -(zr - cr) / 2;
      pr[k] = ar * br - ai * bi;
      pi[k] = ar * bi + ai * br;
    }
    this.transform(pr, pi, true);
    out.set(pr);
  }
}
