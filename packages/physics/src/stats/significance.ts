import { PhysicsInputError } from '../errors.ts';

function checkSB(s: number, b: number): void {
  if (!(Number.isFinite(s) && s >= 0))
    throw new PhysicsInputError(`s must be finite and ≥ 0 (got ${s})`, { field: 's' });
  if (!(Number.isFinite(b) && b > 0))
    throw new PhysicsInputError(`b must be finite and > 0 (got ${b})`, { field: 'b' });
}

/**
 * Naive discovery significance Z = s/√b for expected signal s and background b (events, or
 * weighted sums). The large-b limit of {@link asimovSignificance}; it overestimates Z when s ≳ b.
 * Throws {@link PhysicsInputError} for s < 0, b ≤ 0 or non-finite values.
 */
export function signalOverSqrtBackground(s: number, b: number): number {
  checkSB(s, b);
  return s / Math.sqrt(b);
}

/**
 * Median discovery significance of a counting experiment with expected signal s and background b
 * (events), from the Asimov data set:
 *   Z_A = √(2((s + b) ln(1 + s/b) − s))   (σ_b = 0, Cowan et al. eq. 97),
 * and, when the background has an absolute uncertainty σ_b > 0 (events),
 *   Z_A = √(2((s + b) ln((s + b)(b + σ²)/(b² + (s + b)σ²)) − (b²/σ²) ln(1 + σ² s/(b(b + σ²))))).
 * Z_A → s/√b for s ≪ b. Z_A(0, b) = 0.
 * References: G. Cowan, K. Cranmer, E. Gross, O. Vitells, Eur. Phys. J. C 71 (2011) 1554,
 * arXiv:1007.1727; G. Cowan, "Discovery sensitivity for a counting experiment with background
 * uncertainty" (2012), https://www.pp.rhul.ac.uk/~cowan/stat/medsig/medsigNote.pdf.
 * Throws {@link PhysicsInputError} for s < 0, b ≤ 0, σ_b < 0 or non-finite values.
 */
export function asimovSignificance(s: number, b: number, sigmaB = 0): number {
  checkSB(s, b);
  if (!(Number.isFinite(sigmaB) && sigmaB >= 0)) {
    throw new PhysicsInputError(`sigmaB must be finite and ≥ 0 (got ${sigmaB})`, { field: 'sigmaB' });
  }
  if (s === 0) return 0;
  let q: number;
  if (sigmaB === 0) {
    // (s + b) ln(1 + x) − s = b((1 + x) ln(1 + x) − x), x = s/b; for small x the difference cancels,
    // so use its series Σ_{k≥2} (−1)^k x^k/(k(k − 1)).
    const x = s / b;
    let g: number;
    if (x < 0.01) {
      g = 0;
      let xk = x;
      for (let k = 2; k <= 12; k++) {
        xk *= x;
        g += ((k % 2 === 0 ? 1 : -1) * xk) / (k * (k - 1));
      }
    } else {
      g = (1 + x) * Math.log1p(x) - x;
    }
    q = 2 * b * g;
  } else {
    const v = sigmaB * sigmaB;
    const t1 = (s + b) * Math.log(((s + b) * (b + v)) / (b * b + (s + b) * v));
    const t2 = ((b * b) / v) * Math.log1p((v * s) / (b * (b + v)));
    q = 2 * (t1 - t2);
  }
  return Math.sqrt(Math.max(0, q));
}

/**
 * Approximate median significance of the Higgs boson machine learning challenge,
 *   AMS = √(2((s + b + b_reg) ln(1 + s/(b + b_reg)) − s)),  b_reg = 10 by default,
 * with s and b the weighted sums of selected signal and background events (expected events).
 * The regularisation b_reg keeps the figure stable for tight selections with little background.
 * Reference: C. Adam-Bourdarios et al., "The Higgs boson machine learning challenge", JMLR W&CP 42
 * (2015) 19.
 * Throws {@link PhysicsInputError} for s < 0, b < 0, b + b_reg ≤ 0 or non-finite values.
 */
export function approximateMedianSignificance(s: number, b: number, bReg = 10): number {
  if (!(Number.isFinite(b) && b >= 0))
    throw new PhysicsInputError(`b must be finite and ≥ 0 (got ${b})`, { field: 'b' });
  if (!(Number.isFinite(bReg) && bReg >= 0)) {
    throw new PhysicsInputError(`bReg must be finite and ≥ 0 (got ${bReg})`, { field: 'bReg' });
  }
  return asimovSignificance(s, b + bReg);
}
