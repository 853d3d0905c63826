import { at } from '../array.ts';
import { definePdf, type Pdf, type PdfOptions } from './pdf.ts';

/**
 * Non-relativistic Breit–Wigner (Cauchy) density in the mass m [GeV], as RooBreitWigner:
 * f(m) ∝ 1 / ((m − M)² + Γ²/4), parameters `mass` M and `width` Γ (full width at half maximum,
 * GeV, > 0). Antiderivative (2/Γ)·atan(2(m − M)/Γ), so normalisation and bin integrals are exact.
 * Reference: PDG Review "Kinematics", §49.3 (Breit–Wigner); Γ ≤ 0 gives NaN.
 */
export function breitWignerPdf(options: PdfOptions): Pdf {
  return definePdf(
    {
      parameters: ['mass', 'width'],
      valid: (p) => at(p, 1) > 0,
      shape: (m, p) => breitWignerShape(m, at(p, 0), at(p, 1)),
      primitive: (m, p) => (2 / at(p, 1)) * Math.atan((2 * (m - at(p, 0))) / at(p, 1)),
    },
    options,
  );
}

/** Unnormalised non-relativistic Breit–Wigner 1/((m − M)² + Γ²/4). */
export function breitWignerShape(m: number, mass: number, width: number): number {
  const d = m - mass;
  return 1 / (d * d + 0.25 * width * width);
}

/**
 * Relativistic Breit–Wigner with a fixed width, in the mass m [GeV]:
 * f(m) ∝ 1 / ((m² − M²)² + M²Γ²), the form of the PDG review and of most Z line-shape fits that
 * neglect the s-dependence of the width. No closed antiderivative is used: normalisation by
 * Gauss–Legendre quadrature. Reference: PDG Review "Kinematics", §49.3; Γ ≤ 0 or M ≤ 0 gives NaN.
 */
export function relativisticBreitWignerPdf(options: PdfOptions): Pdf {
  return definePdf(
    {
      parameters: ['mass', 'width'],
      valid: (p) => at(p, 0) > 0 && at(p, 1) > 0,
      shape: (m, p) => relativisticBreitWignerShape(m, at(p, 0), at(p, 1)),
    },
    options,
  );
}

/** Unnormalised relativistic Breit–Wigner 1/((m² − M²)² + M²Γ²). */
export function relativisticBreitWignerShape(m: number, mass: number, width: number): number {
  const d = m * m - mass * mass;
  return 1 / (d * d + mass * mass * width * width);
}
