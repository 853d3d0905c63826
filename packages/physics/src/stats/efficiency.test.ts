import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { clopperPearsonInterval, weightedEfficiency, wilsonInterval } from './efficiency.ts';

// Golden values: scipy 1.17.1, scipy.stats.beta.ppf and binomtest(k, n).proportion_ci(method='exact'|'wilson').
describe('clopperPearsonInterval', () => {
  it('matches scipy at 68.27 % and 95 % CL, including the k = 0 and k = n edges', () => {
    const golden: [number, number, number, number, number][] = [
      [0, 10, 0.6826894921370859, 0, 0.1681491861379764],
      [3, 10, 0.6826894921370859, 0.1416719011071802, 0.5082624819902524],
      [10, 10, 0.6826894921370859, 0.8318508138620236, 1],
      [45, 50, 0.6826894921370859, 0.8380107481065602, 0.9425078913817936],
      [1, 1000, 0.6826894921370859, 0.00017273885794860287, 0.003295735117878887],
      [7.5, 20.25, 0.6826894921370859, 0.2497581161789305, 0.5061930081220566],
      [900000, 1000000, 0.6826894921370859, 0.8996990993062557, 0.9003000993608091],
      [3, 10, 0.95, 0.0667395111777345, 0.6524528500599973],
      [0, 20, 0.95, 0, 0.1684334709830853],
    ];
    for (const [k, n, cl, lo, hi] of golden) {
      const r = clopperPearsonInterval(k, n, cl);
      expect(r.efficiency).toBe(k / n);
      expect(r.lower).toBeCloseTo(lo, 12);
      expect(r.upper).toBeCloseTo(hi, 12);
    }
  });

  it('keeps relative precision for a tiny efficiency in a huge sample (lnBeta without cancellation)', () => {
    // mpmath betainc at 40 digits: I_x(3, 10⁷ − 2) = α at x = 1.3672953571451…e-7 (scipy agrees to 1e-14).
    const r = clopperPearsonInterval(3, 1e7);
    expect(Math.abs(r.lower / 1.3672953571451466e-7 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.upper / 5.918184969311293e-7 - 1)).toBeLessThan(1e-9);
  });

  it('covers the true efficiency at least at the nominal rate (seeded toy)', () => {
    const rng = new Rng(11);
    const eps = 0.83;
    const n = 40;
    let covered = 0;
    const toys = 2000;
    for (let t = 0; t < toys; t++) {
      let k = 0;
      for (let i = 0; i < n; i++) if (rng.uniform() < eps) k++;
      const r = clopperPearsonInterval(k, n);
      if (r.lower <= eps && eps <= r.upper) covered++;
    }
    expect(covered / toys).toBeGreaterThan(0.6827 - 0.02);
  });

  it('rejects impossible counts and levels with a named error', () => {
    expect(() => clopperPearsonInterval(3, 0)).toThrow(PhysicsInputError);
    expect(() => clopperPearsonInterval(11, 10)).toThrow(PhysicsInputError);
    expect(() => clopperPearsonInterval(-1, 10)).toThrow(PhysicsInputError);
    expect(() => clopperPearsonInterval(3, 10, 1)).toThrow(PhysicsInputError);
  });
});

describe('wilsonInterval', () => {
  it('matches scipy', () => {
    const golden: [number, number, number, number, number][] = [
      [3, 10, 0.95, 0.10779126740630102, 0.6032218525388546],
      [0, 20, 0.95, 0, 0.16112515805281935],
      [45, 50, 0.6826894921370859, 0.8494225593770522, 0.9348911661131439],
    ];
    for (const [k, n, cl, lo, hi] of golden) {
      const r = wilsonInterval(k, n, cl);
      expect(r.lower).toBeCloseTo(lo, 12);
      expect(r.upper).toBeCloseTo(hi, 12);
    }
  });

  it('is narrower than Clopper–Pearson and stays in [0, 1]', () => {
    for (const [k, n] of [
      [0, 5],
      [5, 5],
      [2, 7],
      [50, 51],
    ] as [number, number][]) {
      const w = wilsonInterval(k, n);
      const cp = clopperPearsonInterval(k, n);
      expect(w.upper - w.lower).toBeLessThan(cp.upper - cp.lower);
      expect(w.lower).toBeGreaterThanOrEqual(0);
      expect(w.upper).toBeLessThanOrEqual(1);
    }
  });
});

describe('weightedEfficiency', () => {
  it('reduces to the binomial error for unit weights', () => {
    const r = weightedEfficiency(30, 30, 120, 120);
    expect(r.efficiency).toBe(0.25);
    expect(r.error).toBeCloseTo(Math.sqrt((0.25 * 0.75) / 120), 15);
  });

  it('agrees with the spread of a seeded weighted toy', () => {
    const rng = new Rng(5);
    const eps = 0.7;
    const n = 400;
    const values: number[] = [];
    let predicted = 0;
    for (let t = 0; t < 1000; t++) {
      let wp = 0;
      let w2p = 0;
      let wt = 0;
      let w2t = 0;
      for (let i = 0; i < n; i++) {
        const w = rng.range(0.2, 3);
        wt += w;
        w2t += w * w;
        if (rng.uniform() < eps) {
          wp += w;
          w2p += w * w;
        }
      }
      const r = weightedEfficiency(wp, w2p, wt, w2t);
      values.push(r.efficiency);
      predicted += r.error / 1000;
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    expect(Math.abs(mean - eps)).toBeLessThan(0.005);
    expect(Math.abs(predicted / sd - 1)).toBeLessThan(0.08);
  });

  it('rejects a zero total and Σw² that cannot be', () => {
    expect(() => weightedEfficiency(1, 1, 0, 1)).toThrow(PhysicsInputError);
    expect(() => weightedEfficiency(1, 5, 2, 2)).toThrow(PhysicsInputError);
    expect(() => weightedEfficiency(Number.NaN, 1, 2, 2)).toThrow(PhysicsInputError);
  });
});
