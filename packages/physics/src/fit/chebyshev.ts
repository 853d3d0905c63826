import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { definePdf, type Pdf, type PdfOptions } from './pdf.ts';

/** Options of {@link chebyshevPdf}. */
export interface ChebyshevOptions extends PdfOptions {
  /** Polynomial degree ≥ 1 (parameters `c1` … `c<degree>`). */
  degree: number;
}

/**
 * Polynomial background as a Chebyshev series, as RooChebychev: with u = (2x − lo − hi)/(hi − lo)
 * in [−1, 1], f(x) ∝ 1 + Σ_{k=1}^{d} c_k T_k(u). The constant term is fixed to 1 (the normalisation
 * absorbs it) and Chebyshev terms keep the coefficients nearly uncorrelated. Exact antiderivative
 * from ∫T_k = ½[T_{k+1}/(k+1) − T_{k−1}/(k−1)] (k ≥ 2), ∫T_1 = T_2/4, ∫T_0 = T_1.
 * A polynomial that goes negative inside the range gives a negative density there: likelihoods
 * then return +∞ (binned: a bin with negative expectation), so fits avoid it.
 * Reference: Abramowitz & Stegun 22.13.
 */
export function chebyshevPdf(options: ChebyshevOptions): Pdf {
  const { degree } = options;
  if (!Number.isInteger(degree) || degree < 1) {
    throw new PhysicsInputError(`degree must be an integer ≥ 1, got ${degree}`, { field: 'degree' });
  }
  const [lo, hi] = options.range;
  const toU = (x: number) => (2 * x - lo - hi) / (hi - lo);
  const t = new Float64Array(degree + 2);
  const fillT = (u: number) => {
    t[0] = 1;
    t[1] = u;
    for (let k = 2; k < degree + 2; k++) t[k] = 2 * u * at(t, k - 1) - at(t, k - 2);
  };
  return definePdf(
    {
      parameters: Array.from({ length: degree }, (_, k) => `c${k + 1}`),
      valid: (p) => Array.from(p).every(Number.isFinite),
      shape: (x, p) => {
        fillT(toU(x));
        let s = 1;
        for (let k = 1; k <= degree; k++) s += at(p, k - 1) * at(t, k);
        return s;
      },
      primitive: (x, p) => {
        fillT(toU(x));
        let s = at(t, 1);
        for (let k = 1; k <= degree; k++) {
          const ik = k === 1 ? at(t, 2) / 4 : 0.5 * (at(t, k + 1) / (k + 1) - at(t, k - 1) / (k - 1));
          s += at(p, k - 1) * ik;
        }
        return (s * (hi - lo)) / 2;
      },
    },
    options,
  );
}
