import { at } from '../array.ts';
import { erf } from '../stats/special.ts';
import { definePdf, type Pdf, type PdfOptions } from './pdf.ts';

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/**
 * Unnormalised Crystal Ball shape in the standardised variable t = (x − μ)/σ with the power-law
 * tail on the low side (α > 0, n > 0): exp(−t²/2) for t > −α, else
 * e^{−α²/2}·((n/α)/(n/α − α − t))^n. Continuous with a continuous first derivative at t = −α.
 * Reference: J. E. Gaiser, SLAC-R-255 (1982), appendix F; T. Skwarnicki, DESY F31-86-02.
 */
export function crystalBallShape(t: number, alpha: number, n: number): number {
  if (t > -alpha) return Math.exp(-0.5 * t * t);
  const a = n / alpha;
  return Math.exp(-0.5 * alpha * alpha) * (a / (a - alpha - t)) ** n;
}

/** expm1(k·L)/k, → L as k → 0: the tail antiderivative for any n including n = 1. */
function expm1Ratio(logR: number, k: number): number {
  return Math.abs(k) < 1e-9 ? logR : Math.expm1(k * logR) / k;
}

/** Antiderivative in t of the low power-law tail, zero at t = −α (valid for t ≤ −α). */
function lowTailPrimitive(t: number, alpha: number, n: number): number {
  const a = n / alpha;
  return Math.exp(-0.5 * alpha * alpha) * a * expm1Ratio(Math.log(a / (a - alpha - t)), n - 1);
}

/** Antiderivative in t of the Gaussian core, zero at t = −α. */
function corePrimitive(t: number, alpha: number): number {
  return SQRT_HALF_PI * (erf(t / Math.SQRT2) - erf(-alpha / Math.SQRT2));
}

/**
 * Crystal Ball density in x [GeV]: Gaussian core (mean `mean`, width `sigma`) and a power-law low
 * tail below mean − α·σ (parameters `alpha` > 0, `n` > 0), as RooCBShape with α > 0. Exact
 * antiderivative (erf core, closed-form tail, n = 1 included), so normalisation and bin integrals
 * carry no quadrature error. σ ≤ 0, α ≤ 0 or n ≤ 0 give NaN. Reference: see {@link crystalBallShape}.
 */
export function crystalBallPdf(options: PdfOptions): Pdf {
  return definePdf(
    {
      parameters: ['mean', 'sigma', 'alpha', 'n'],
      valid: (p) => at(p, 1) > 0 && at(p, 2) > 0 && at(p, 3) > 0,
      shape: (x, p) => crystalBallShape((x - at(p, 0)) / at(p, 1), at(p, 2), at(p, 3)),
      primitive: (x, p) => {
        const sigma = at(p, 1);
        const alpha = at(p, 2);
        const t = (x - at(p, 0)) / sigma;
        return sigma * (t <= -alpha ? lowTailPrimitive(t, alpha, at(p, 3)) : corePrimitive(t, alpha));
      },
    },
    options,
  );
}

/**
 * Unnormalised double-sided Crystal Ball in t = (x − μ)/σ: Gaussian for −α_L < t < α_R, power-law
 * tails e^{−α²/2}·((n/α)/(n/α − α ∓ t))^n beyond on each side. Reference: CMS, JINST 10 (2015)
 * P06005 (arXiv:1502.02702), the electron energy-resolution fits.
 */
export function doubleCrystalBallShape(
  t: number,
  alphaLow: number,
  nLow: number,
  alphaHigh: number,
  nHigh: number,
): number {
  if (t <= -alphaLow) return crystalBallShape(t, alphaLow, nLow);
  if (t >= alphaHigh) return crystalBallShape(-t, alphaHigh, nHigh);
  return Math.exp(-0.5 * t * t);
}

/**
 * Double-sided Crystal Ball density in x [GeV]: parameters `mean`, `sigma` (> 0), `alphaLow`,
 * `nLow`, `alphaHigh`, `nHigh` (all > 0). Exact antiderivative piece by piece; invalid parameters
 * give NaN. Reference: see {@link doubleCrystalBallShape}.
 */
export function doubleCrystalBallPdf(options: PdfOptions): Pdf {
  return definePdf(
    {
      parameters: ['mean', 'sigma', 'alphaLow', 'nLow', 'alphaHigh', 'nHigh'],
      valid: (p) => [1, 2, 3, 4, 5].every((i) => at(p, i) > 0),
      shape: (x, p) => doubleCrystalBallShape((x - at(p, 0)) / at(p, 1), at(p, 2), at(p, 3), at(p, 4), at(p, 5)),
      primitive: (x, p) => {
        const sigma = at(p, 1);
        const aL = at(p, 2);
        const aH = at(p, 4);
        const t = (x - at(p, 0)) / sigma;
        if (t <= -aL) return sigma * lowTailPrimitive(t, aL, at(p, 3));
        if (t < aH) return sigma * corePrimitive(t, aL);
        // The high tail mirrors the low one: ∫_{α_H}^{t} = −lowTailPrimitive(−t) by symmetry.
        return sigma * (corePrimitive(aH, aL) - lowTailPrimitive(-t, aH, at(p, 5)));
      },
    },
    options,
  );
}
