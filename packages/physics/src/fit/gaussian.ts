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
      valid: (p) => (p[1] as number) > 0,
      shape: (x, p) => {
        const t = (x - (p[0] as number)) / (p[1] as number);
        return Math.exp(-0.5 * t * t);
      },
      primitive: (x, p) => {
        const sigma = p[1] as number;
        return sigma * Math.sqrt(Math.PI / 2) * erf((x - (p[0] as number)) / (sigma * Math.SQRT2));
      },
    },
    options,
  );
}
