import { at } from '../array.ts';
import { erf } from '../stats/special.ts';
import { definePdf, type Pdf, type PdfOptions } from './pdf.ts';

/**
 * Gaussian density in x, truncated to and normalised on the range: parameters `mean` μ and
 * `sigma` σ (> 0, same unit as x). f(x) ∝ exp(−(x − μ)²/2σ²), antiderivative
 * σ√(π/2)·erf((x − μ)/(σ√2)), so bin integrals are exact. σ ≤ 0 gives NaN.
 * Reference: Abramowitz & Stegun 7.1.1 (erf).
 */
export function gaussianPdf(options: PdfOptions): Pdf {
  return definePdf(
    {
      parameters: ['mean', 'sigma'],
      valid: (p) => at(p, 1) > 0,
      shape: (x, p) => {
        const t = (x - at(p, 0)) / at(p, 1);
        return Math.exp(-0.5 * t * t);
      },
      primitive: (x, p) => {
        const sigma = at(p, 1);
        return sigma * Math.sqrt(Math.PI / 2) * erf((x - at(p, 0)) / (sigma * Math.SQRT2));
      },
    },
    options,
  );
}
