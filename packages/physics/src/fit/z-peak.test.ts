import { describe, expect, it } from 'vitest';
import { Rng } from '../sim/rng.ts';
import { fitBinned } from './binned-fit.ts';
import { breitWignerCrystalBallPdf } from './breit-wigner-crystal-ball.ts';
import { crystalBallShape } from './crystal-ball.ts';
import { exponentialPdf } from './exponential.ts';
import { fitUnbinned } from './unbinned-fit.ts';

// PDG: m_Z = 91.1876 ± 0.0021 GeV, Γ_Z = 2.4952 ± 0.0023 GeV (R. L. Workman et al., PTEP 2022, 083C01).
const Z_MASS = 91.1876;
const Z_WIDTH = 2.4952;
// Detector response generated: Crystal Ball with σ = 1.6 GeV, α = 1.1, n = 3, no shift.
const RESPONSE = { sigma: 1.6, alpha: 1.1, n: 3 };
const range = [70, 110] as const;

/**
 * Crystal Ball variates by rejection from a Cauchy envelope s/(π(s² + t²)) (its tail outlasts the
 * |t|^−3 power law); the bound M of CB(t)·(1 + t²/s²) is found on a grid, with a margin, and a
 * violation would throw rather than bias the sample.
 */
function crystalBallSampler(rng: Rng, alpha: number, n: number): () => number {
  const s = 1.5;
  let bound = 0;
  for (let t = -400; t < 10; t += 0.001)
    bound = Math.max(bound, crystalBallShape(t, alpha, n) * (1 + (t * t) / (s * s)));
  bound *= 1.02;
  return () => {
    for (;;) {
      const t = s * Math.tan(Math.PI * (rng.uniform() - 0.5));
      const ratio = (crystalBallShape(t, alpha, n) * (1 + (t * t) / (s * s))) / bound;
      if (ratio > 1) throw new Error('envelope bound violated');
      if (rng.uniform() < ratio) return t;
    }
  };
}

/** Reconstructed Z masses: Breit–Wigner (Cauchy) true mass in the model's window ⊗ Crystal Ball response. */
function generateZPeak(seed: number, count: number): number[] {
  const rng = new Rng(seed);
  const response = crystalBallSampler(rng, RESPONSE.alpha, RESPONSE.n);
  const masses: number[] = [];
  while (masses.length < count) {
    const mTrue = Z_MASS + (Z_WIDTH / 2) * Math.tan(Math.PI * (rng.uniform() - 0.5));
    if (mTrue < 30 || mTrue > 150) continue;
    const m = mTrue + RESPONSE.sigma * response();
    if (m >= range[0] && m < range[1]) masses.push(m);
  }
  return masses;
}

const parameters = {
  mass: { value: 90, step: 0.05, lower: 85, upper: 95 },
  width: { value: 3, step: 0.05, lower: 0.5, upper: 6 },
  shift: { value: 0, fixed: true },
  sigma: { value: 1.2, step: 0.05, lower: 0.3, upper: 4 },
  alpha: { value: 1.5, step: 0.1, lower: 0.3, upper: 5 },
  n: { value: 5, step: 0.5, lower: 1.01, upper: 50 },
};

describe('Breit–Wigner ⊗ Crystal Ball fit of a generated Z peak', () => {
  it('recovers m_Z and Γ_Z within their errors (binned, 10⁵ events)', () => {
    const masses = generateZPeak(91, 100_000);
    const edges = Array.from({ length: 161 }, (_, i) => range[0] + 0.25 * i);
    const counts = new Array<number>(160).fill(0);
    for (const m of masses) {
      const i = Math.floor((m - range[0]) / 0.25);
      counts[i] = (counts[i] as number) + 1;
    }
    const fit = fitBinned({ edges, counts, model: breitWignerCrystalBallPdf({ range }), parameters });
    const { mass, width, sigma } = fit.parameters;
    expect(fit.status.ok).toBe(true);
    expect(Math.abs((mass?.value as number) - Z_MASS)).toBeLessThan(2.5 * (mass?.error as number));
    expect(Math.abs((width?.value as number) - Z_WIDTH)).toBeLessThan(2.5 * (width?.error as number));
    expect(Math.abs((sigma?.value as number) - RESPONSE.sigma)).toBeLessThan(2.5 * (sigma?.error as number));
    // With 10⁵ events the mass is known to about 10 MeV and the width to about 30 MeV.
    expect(mass?.error).toBeGreaterThan(0.003);
    expect(mass?.error).toBeLessThan(0.03);
    expect(width?.error).toBeLessThan(0.1);
    expect(fit.quality.chi2PerNdf).toBeLessThan(1.5);
  });

  it('recovers them in an unbinned fit with an exponential background (2·10⁴ events)', () => {
    const signal = generateZPeak(1876, 18_000);
    const rng = new Rng(2495);
    const background: number[] = [];
    while (background.length < 2_000) {
      const m = range[0] + rng.exponential(30);
      if (m < range[1]) background.push(m);
    }
    const fit = fitUnbinned({
      data: [...signal, ...background],
      model: [
        { pdf: breitWignerCrystalBallPdf({ range }), yield: 'nZ' },
        { pdf: exponentialPdf({ range, prefix: 'bkg.' }), yield: 'nBkg' },
      ],
      parameters: {
        ...parameters,
        nZ: { value: 15_000, lower: 0, upper: 40_000 },
        nBkg: { value: 5_000, lower: 0, upper: 40_000 },
        'bkg.slope': { value: -0.01, step: 0.01 },
      },
    });
    const { mass, width, nZ } = fit.parameters;
    expect(Math.abs((mass?.value as number) - Z_MASS)).toBeLessThan(2.5 * (mass?.error as number));
    expect(Math.abs((width?.value as number) - Z_WIDTH)).toBeLessThan(2.5 * (width?.error as number));
    expect(Math.abs((nZ?.value as number) - 18_000)).toBeLessThan(3 * (nZ?.error as number));
  });
});
