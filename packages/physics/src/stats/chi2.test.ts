import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { chi2Histograms, chi2Probability } from './chi2.ts';

describe('chi2Probability', () => {
  it('matches scipy.stats.chi2.sf (scipy 1.17.1)', () => {
    expect(chi2Probability(3.84, 1)).toBeCloseTo(0.05004352124870519, 13);
    expect(chi2Probability(25.3, 17)).toBeCloseTo(0.08819331030117161, 13);
    expect(chi2Probability(1e-3, 3)).toBeCloseTo(0.9999915920809419, 13);
    expect(chi2Probability(0, 4)).toBe(1);
    expect(() => chi2Probability(-1, 2)).toThrow(PhysicsInputError);
    expect(() => chi2Probability(1, 0)).toThrow(PhysicsInputError);
  });
});

describe('chi2Histograms', () => {
  it('sums (a − b)²/(σa² + σb²), skipping bins empty in both', () => {
    const r = chi2Histograms([10, 20, 30, 0], [12, 18, 33, 0]);
    expect(r.chi2).toBeCloseTo(4 / 22 + 4 / 38 + 9 / 63, 14);
    expect(r.ndf).toBe(3);
    expect(r.pValue).toBeCloseTo(chi2Probability(r.chi2, 3), 15);
  });

  it('normalises b to a for a shape comparison and uses Σw² when given', () => {
    const r = chi2Histograms([10, 30], [20, 60], { normalize: true });
    expect(r.chi2).toBe(0);
    expect(r.ndf).toBe(1);
    const w = chi2Histograms([4, 9], [5, 7], { sumW2A: [2, 3], sumW2B: [1, 1] });
    expect(w.chi2).toBeCloseTo(1 / 3 + 4 / 4, 14);
  });

  it('gives about uniform p-values for Poisson toys of one shape (seeded)', () => {
    const rng = new Rng(4);
    const mu = [50, 80, 120, 80, 50, 30, 20, 10];
    let small = 0;
    const toys = 400;
    const poisson = (m: number): number => rng.poisson(m);
    for (let t = 0; t < toys; t++) {
      const a = mu.map(poisson);
      const b = mu.map(poisson);
      if (chi2Histograms(a, b).pValue < 0.1) small++;
    }
    expect(small / toys).toBeGreaterThan(0.05);
    expect(small / toys).toBeLessThan(0.15);
  });

  it('rejects mismatched bins and negative variances', () => {
    expect(() => chi2Histograms([1, 2], [1])).toThrow(PhysicsInputError);
    expect(() => chi2Histograms([1], [1], { sumW2A: [-1] })).toThrow(PhysicsInputError);
    expect(() => chi2Histograms([0], [0], { normalize: true })).toThrow(PhysicsInputError);
  });
});
