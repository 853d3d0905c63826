import { at } from '../array.ts';
import { definePdf, type Pdf, type PdfOptions } from './pdf.ts';

/**
 * Exponential background f(x) ∝ exp(λ(x − lo)) on [lo, hi], parameter `slope` λ [1/GeV] (negative
 * for a falling spectrum; λ = 0 is flat). Bin integrals e^{λ(a−lo)}·expm1(λ(b − a))/λ are exact and
 * stable as λ → 0 (then b − a). Reference: RooExponential.
 */
export function exponentialPdf(options: PdfOptions): Pdf {
  const lo = options.range[0];
  const integral = (a: number, b: number, slope: number): number =>
    Math.abs(slope) < 1e-12 ? b - a : (Math.exp(slope * (a - lo)) * Math.expm1(slope * (b - a))) / slope;
  return definePdf(
    {
      parameters: ['slope'],
      valid: (p) => Number.isFinite(at(p, 0)),
      shape: (x, p) => Math.exp(at(p, 0) * (x - lo)),
      primitive: (x, p) => integral(lo, x, at(p, 0)),
    },
    options,
  );
}
