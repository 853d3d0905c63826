import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { kolmogorovSurvival, ksTest } from './ks-test.ts';

const A = [
  0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28,
  2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47,
];
const B = [
  2.2, 1.66, 1.38, 0.2, 0.36, 0.0, 0.96, 1.56, 0.44, 1.5, -0.12, 1.0, 1.54, 1.07, 0.16, 2.18, 1.76, 1.32, 1.09, -0.26,
  0.88, 1.4, 1.14, 0.34, 0.6, 0.32, 0.93, 0.05,
];

describe('kolmogorovSurvival', () => {
  it('matches scipy.stats.kstwobign.sf (scipy 1.17.1) on both series', () => {
    const golden: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.18, 0.1234538094297657],
      [1.5, 0.022217962616525127],
      [2.5, 7.453306344157342e-6],
    ];
    for (const [l, v] of golden) expect(kolmogorovSurvival(l)).toBeCloseTo(v, 14);
    expect(kolmogorovSurvival(0)).toBe(1);
  });
});

describe('ksTest', () => {
  it('gives scipy ks_2samp statistic and the kstwobign p-value on a fixed pair of samples', () => {
    const r = ksTest(A, B);
    expect(r.statistic).toBeCloseTo(0.3271428571428571, 14);
    expect(r.effectiveN).toBeCloseTo((25 * 28) / 53, 12);
    expect(r.pValue).toBeCloseTo(0.1183548109991029, 12);
  });

  it('is symmetric, and integer weights equal replicated events', () => {
    expect(ksTest(B, A).statistic).toBe(ksTest(A, B).statistic);
    const weights = A.map((_, i) => 1 + (i % 3));
    const replicated: number[] = [];
    A.forEach((x, i) => {
      for (let k = 0; k < (weights[i] as number); k++) replicated.push(x);
    });
    const weighted = ksTest(A, B, { weightsA: weights });
    expect(weighted.statistic).toBeCloseTo(ksTest(replicated, B).statistic, 14);
    // Kish: (Σw)²/Σw² = 50²/(8·1 + 8·4 + 9·9)… computed from the weights themselves.
    const sw = weights.reduce((s, w) => s + w, 0);
    const sw2 = weights.reduce((s, w) => s + w * w, 0);
    const na = (sw * sw) / sw2;
    expect(weighted.effectiveN).toBeCloseTo((na * 28) / (na + 28), 12);
  });

  it('handles ties between the samples: identical samples give D = 0, p = 1', () => {
    const r = ksTest([1, 1, 2, 3, 3], [3, 2, 1, 3, 1]);
    expect(r.statistic).toBe(0);
    expect(r.pValue).toBe(1);
  });

  it('has uniform p-values under the null and small ones under a shift (seeded)', () => {
    const rng = new Rng(17);
    let rejected = 0;
    const toys = 200;
    for (let t = 0; t < toys; t++) {
      const a = Array.from({ length: 300 }, () => rng.normal());
      const b = Array.from({ length: 200 }, () => rng.normal());
      if (ksTest(a, b).pValue < 0.05) rejected++;
    }
    expect(rejected / toys).toBeLessThan(0.1);
    expect(rejected / toys).toBeGreaterThan(0.01);
    const a = Array.from({ length: 500 }, () => rng.normal());
    const b = Array.from({ length: 500 }, () => rng.normal(0.5));
    expect(ksTest(a, b).pValue).toBeLessThan(1e-5);
  });

  it('rejects empty samples, NaN and negative weights', () => {
    expect(() => ksTest([], [1])).toThrow(PhysicsInputError);
    expect(() => ksTest([Number.NaN], [1])).toThrow(PhysicsInputError);
    expect(() => ksTest([1, 2], [1], { weightsA: [1, -1] })).toThrow(PhysicsInputError);
    expect(() => ksTest([1, 2], [1], { weightsB: [1, 2] })).toThrow(PhysicsInputError);
  });
});
