import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { regularizedGammaQ } from './special.ts';

/**
 * Upper-tail probability of the χ² distribution with `ndf` degrees of freedom,
 * p = P(χ²_ndf ≥ chi2) = Q(ndf/2, chi2/2) (regularized upper incomplete gamma function).
 * p(0, ndf) = 1. Reference: PDG Statistics review §40.3.2.
 * Throws {@link PhysicsInputError} for chi2 < 0, ndf ≤ 0 or non-finite values.
 */
export function chi2Probability(chi2: number, ndf: number): number {
  if (!(chi2 >= 0) || Number.isNaN(chi2))
    throw new PhysicsInputError(`chi2 must be ≥ 0 (got ${chi2})`, { field: 'chi2' });
  if (!(Number.isFinite(ndf) && ndf > 0))
    throw new PhysicsInputError(`ndf must be finite and > 0 (got ${ndf})`, { field: 'ndf' });
  return regularizedGammaQ(ndf / 2, chi2 / 2);
}

/** Options of {@link chi2Histograms}. */
export interface Chi2HistogramsOptions {
  /** Variance of each bin of a (Σw² for weighted histograms); default: the content (Poisson). */
  sumW2A?: ArrayLike<number>;
  /** Variance of each bin of b; default: the content (Poisson). */
  sumW2B?: ArrayLike<number>;
  /**
   * Compare shapes only: scale b by k = Σa/Σb before comparing, and take one degree of freedom
   * off for the normalisation (default false).
   */
  normalize?: boolean;
}

/** Result of {@link chi2Histograms}. */
export interface Chi2Result {
  chi2: number;
  ndf: number;
  /** P(χ²_ndf ≥ chi2); NaN when ndf = 0 (nothing to compare). */
  pValue: number;
}

/**
 * χ² between two histograms with the same binning and independent bin uncertainties:
 *   χ² = Σᵢ (aᵢ − k bᵢ)² / (σ²(aᵢ) + k² σ²(bᵢ)),   k = 1, or Σa/Σb with `normalize`,
 * summed over the bins whose denominator is > 0 (bins empty in both are skipped);
 * ndf = number of bins used, minus 1 with `normalize`. This is the Gaussian (Neyman/Pearson-like)
 * approximation valid for bin contents ≳ 5–10; for small counts prefer a likelihood ratio.
 * Reference: PDG Statistics review §40.2.3; N. D. Gagunashvili, NIM A 614 (2010) 287 (weighted case).
 * Throws {@link PhysicsInputError} for mismatched lengths, non-finite contents, negative variances,
 * or `normalize` with a zero total.
 */
export function chi2Histograms(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: Chi2HistogramsOptions = {},
): Chi2Result {
  const n = a.length;
  if (b.length !== n) throw new PhysicsInputError(`b has ${b.length} bins, a has ${n}`, { field: 'b' });
  const { sumW2A, sumW2B, normalize = false } = options;
  if (sumW2A && sumW2A.length !== n)
    throw new PhysicsInputError(`sumW2A has ${sumW2A.length} bins, a has ${n}`, { field: 'sumW2A' });
  if (sumW2B && sumW2B.length !== n)
    throw new PhysicsInputError(`sumW2B has ${sumW2B.length} bins, b has ${n}`, { field: 'sumW2B' });
  let totalA = 0;
  let totalB = 0;
  for (let i = 0; i < n; i++) {
    const ai = at(a, i);
    const bi = at(b, i);
    if (!Number.isFinite(ai)) throw new PhysicsInputError(`a[${i}] is not finite (${ai})`, { field: 'a' });
    if (!Number.isFinite(bi)) throw new PhysicsInputError(`b[${i}] is not finite (${bi})`, { field: 'b' });
    totalA += ai;
    totalB += bi;
  }
  let k = 1;
  if (normalize) {
    if (totalA === 0 || totalB === 0) {
      throw new PhysicsInputError('normalize needs both histograms to have a non-zero total', { field: 'normalize' });
    }
    k = totalA / totalB;
  }
  let chi2 = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const ai = at(a, i);
    const bi = at(b, i);
    const va = sumW2A ? at(sumW2A, i) : ai;
    const vb = sumW2B ? at(sumW2B, i) : bi;
    if (!(va >= 0) || !(vb >= 0)) {
      throw new PhysicsInputError(`bin ${i} has a negative or NaN variance (${va}, ${vb})`, {
        field: sumW2A || sumW2B ? 'sumW2' : 'a',
      });
    }
    const den = va + k * k * vb;
    if (den === 0) continue;
    const d = ai - k * bi;
    chi2 += (d * d) / den;
    used++;
  }
  const ndf = used - (normalize ? 1 : 0);
  return { chi2, ndf, pValue: ndf > 0 ? chi2Probability(chi2, ndf) : Number.NaN };
}
