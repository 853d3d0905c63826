import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { compareRegressionZPeaks } from './regression-z-peak.ts';

describe('regression models compared on the Z peak (issue 9)', () => {
  const rng = new Rng(17);
  const size = 20_000;
  const eTrue = Float64Array.from({ length: size }, () => 5 * 100 ** rng.uniform()); // 5–500 GeV, log-uniform
  const responses = (bias: number, resolution: number) =>
    Float64Array.from({ length: size }, () => bias * (1 + resolution * rng.normal()));

  it('ranks the narrower resolution first, with σ_m ≈ m·σ_r/√2 and the scale in the peak position', () => {
    const peaks = compareRegressionZPeaks(
      eTrue,
      [
        { name: 'broad', response: responses(1, 0.03) },
        { name: 'sharp', response: responses(1, 0.01) },
        { name: 'biased', response: responses(1.02, 0.01) },
      ],
      { seed: 4, n: 15_000 },
    );
    expect(peaks[2]?.name).toBe('broad');
    const byName = Object.fromEntries(peaks.map((p) => [p.name, p]));
    // A Gaussian response of relative width σ_r per electron gives σ_m/m = σ_r/√2.
    expect(byName.sharp?.width).toBeGreaterThan(0.85 * 91.19 * (0.01 / Math.SQRT2));
    expect(byName.sharp?.width).toBeLessThan(1.15 * 91.19 * (0.01 / Math.SQRT2));
    expect(byName.broad?.width).toBeGreaterThan(0.85 * 91.19 * (0.03 / Math.SQRT2));
    expect(byName.broad?.width).toBeLessThan(1.15 * 91.19 * (0.03 / Math.SQRT2));
    // Unbiased peaks sit at m_Z; a 2 % scale moves the peak by 2 %.
    expect(Math.abs((byName.sharp?.mass as number) - 91.19)).toBeLessThan(0.1);
    expect(Math.abs((byName.biased?.mass as number) - 1.02 * 91.19)).toBeLessThan(0.15);
  });

  it('refuses inconsistent inputs', () => {
    expect(() => compareRegressionZPeaks([], [], { seed: 1 })).toThrow(PhysicsInputError);
    expect(() => compareRegressionZPeaks([50, 60], [{ name: 'x', response: [1] }], { seed: 1 })).toThrow(/1 responses/);
    expect(() => compareRegressionZPeaks([50, 60], [{ name: 'x', response: [1, 0] }], { seed: 1 })).toThrow(/positive/);
    // A pool of 1–2 GeV electrons cannot make a Z.
    expect(() => compareRegressionZPeaks([1, 2], [{ name: 'x', response: [1, 1] }], { seed: 1 })).toThrow(/only 0 Z/);
  });
});
