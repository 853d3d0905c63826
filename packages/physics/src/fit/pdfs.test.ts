import { describe, expect, it } from 'vitest';
import { breitWignerPdf, relativisticBreitWignerPdf } from './breit-wigner.ts';
import { breitWignerCrystalBallPdf } from './breit-wigner-crystal-ball.ts';
import { chebyshevPdf } from './chebyshev.ts';
import { crystalBallPdf, crystalBallShape, doubleCrystalBallPdf, doubleCrystalBallShape } from './crystal-ball.ts';
import { exponentialPdf } from './exponential.ts';
import { FftPlan } from './fft.ts';
import { gaussianPdf } from './gaussian.ts';
import { gaussLegendreIntegral, type Pdf } from './pdf.ts';

const range = [60, 120] as const;
const edges = Array.from({ length: 121 }, (_, i) => 60 + 0.5 * i);

/** ∫ density over the range by 400 Gauss–Legendre panels: independent of the PDF's own integrals. */
function integrate(pdf: Pdf, p: number[], a: number = range[0], b: number = range[1]): number {
  return gaussLegendreIntegral((x) => pdf.density([x], p)[0] as number, a, b, 400);
}

const cases: [string, Pdf, number[]][] = [
  ['Gaussian', gaussianPdf({ range }), [91, 2.5]],
  ['Crystal Ball', crystalBallPdf({ range }), [90, 2, 1.1, 2.5]],
  ['Crystal Ball n = 1', crystalBallPdf({ range }), [90, 2, 0.8, 1]],
  ['double-sided Crystal Ball', doubleCrystalBallPdf({ range }), [90, 2, 1.1, 2.5, 1.6, 4]],
  ['Breit–Wigner', breitWignerPdf({ range }), [91.1876, 2.4952]],
  ['relativistic Breit–Wigner', relativisticBreitWignerPdf({ range }), [91.1876, 2.4952]],
  ['exponential', exponentialPdf({ range }), [-0.04]],
  ['exponential λ = 0', exponentialPdf({ range }), [0]],
  ['Chebyshev', chebyshevPdf({ range, degree: 3 }), [-0.3, 0.1, 0.05]],
];

describe('PDFs', () => {
  for (const [name, pdf, p] of cases) {
    it(`${name}: density integrates to 1 and bin fractions agree with quadrature`, () => {
      expect(integrate(pdf, p)).toBeCloseTo(1, 7);
      const fractions = pdf.binFractions(edges, p);
      expect(fractions.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      for (const i of [3, 50, 62, 100]) {
        expect(fractions[i]).toBeCloseTo(integrate(pdf, p, edges[i], edges[i + 1]), 8);
      }
    });
  }

  it('Crystal Ball shape and slope are continuous at t = −α', () => {
    const [alpha, n] = [1.3, 2.7];
    const eps = 1e-7;
    expect(crystalBallShape(-alpha - eps, alpha, n)).toBeCloseTo(crystalBallShape(-alpha + eps, alpha, n), 6);
    const slope = (t: number) =>
      (crystalBallShape(t + eps, alpha, n) - crystalBallShape(t - eps, alpha, n)) / (2 * eps);
    expect(slope(-alpha - 1e-4)).toBeCloseTo(slope(-alpha + 1e-4), 3);
    // The high tail of the double-sided shape mirrors the low tail.
    expect(doubleCrystalBallShape(2.5, 1, 2, 1.3, 2.7)).toBeCloseTo(crystalBallShape(-2.5, 1.3, 2.7), 14);
  });

  it('Breit–Wigner has its half maximum at M ± Γ/2', () => {
    const pdf = breitWignerPdf({ range });
    const [peak, half] = pdf.density([91.1876, 91.1876 + 2.4952 / 2], [91.1876, 2.4952]);
    expect((half as number) / (peak as number)).toBeCloseTo(0.5, 12);
  });

  it('invalid parameters give NaN, not numbers', () => {
    expect(gaussianPdf({ range }).density([90], [90, -1])[0]).toBeNaN();
    expect(crystalBallPdf({ range }).binFractions([80, 90], [90, 1, 0, 2])[0]).toBeNaN();
    expect(breitWignerCrystalBallPdf({ range }).density([90], [91, 0, 0, 1, 1, 2])[0]).toBeNaN();
  });

  it('FFT convolution equals the direct sum', () => {
    const plan = new FftPlan(16);
    const a = Float64Array.from({ length: 16 }, (_, i) => (i < 8 ? Math.sin(i) + 2 : 0));
    const b = Float64Array.from({ length: 16 }, (_, i) => (i < 8 ? 1 / (1 + i) : 0));
    const out = new Float64Array(16);
    plan.convolveReal(a, b, out);
    for (let k = 0; k < 16; k++) {
      let direct = 0;
      for (let i = 0; i <= k; i++) direct += (a[i] as number) * (b[k - i] as number);
      expect(out[k]).toBeCloseTo(direct, 12);
    }
  });

  it('Breit–Wigner ⊗ Crystal Ball equals the convolution integral computed by quadrature', () => {
    const p = [91.1876, 2.4952, 0.2, 1.6, 1.2, 3];
    const pdf = breitWignerCrystalBallPdf({ range });
    // g(m) ∝ ∫ BW(m′) CB(m − m′) dm′ over the model's window |m − m′| ≤ hi − lo = 60 GeV, by quadrature.
    const conv = (m: number) =>
      gaussLegendreIntegral(
        (mp) => crystalBallShape((m - mp - 0.2) / 1.6, 1.2, 3) / ((mp - 91.1876) ** 2 + 2.4952 ** 2 / 4),
        m - 60,
        m + 60,
        2000,
      );
    const norm = gaussLegendreIntegral(conv, 60, 120, 120);
    const xs = [65, 80, 88, 91, 93.5, 100, 115];
    const d = pdf.density(xs, p);
    xs.forEach((m, i) => {
      expect((d[i] as number) / (conv(m) / norm)).toBeCloseTo(1, 3);
    });
    expect(pdf.binFractions(edges, p).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});
