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
      valid: (p) => (p[1] as number) > 0,
      shape: (m, p) => breitWignerShape(m, p[0] as number, p[1] as number),
      primitive: (m, p) => (2 / (p[1] as number)) * Math.atan((2 * (m - (p[0] as number))) / (p[1] as number)),
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
      valid: (p) => (p[0] as number) > 0 && (p[1] as number) > 0,
      shape: (m, p) => relativisticBreitWignerShape(m, p[0] as number, p[1] as number),
    },
    options,
  );
}

/** Unnormalised relativistic Breit–Wigner 1/((m² − M²)² + M²Γ²). */
export function relativisticBreitWignerShape(m: number, mass: number, width: number): number {
  const d = m * m - mass * mass;
  return 1 / (d * d + mass * mass * width * width);
}
