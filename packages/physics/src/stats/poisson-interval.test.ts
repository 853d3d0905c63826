import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { poissonInterval } from './poisson-interval.ts';
import { inverseRegularizedGammaP, regularizedGammaP } from './special.ts';

// Golden values: scipy 1.17.1, chi2.ppf(α, 2n)/2 and chi2.ppf(1 − α, 2n + 2)/2; gammaincinv.
describe('poissonInterval (Garwood)', () => {
  it('matches scipy at 68.27 % and 95 % CL', () => {
    const golden: [number, number, number][] = [
      [0, 0, 1.8410216450092634],
      [1, 0.17275377902344996, 3.299526559115855],
      [5, 2.8403088555932205, 8.382472652146888],
      [20, 15.56555201778588, 25.54651922951146],
      [100, 90.0167451771134, 111.03336094114967],
    ];
    for (const [n, lo, hi] of golden) {
      const r = poissonInterval(n);
      expect(r.lower).toBeCloseTo(lo, 11);
      expect(r.upper).toBeCloseTo(hi, 11);
    }
    const r95 = poissonInterval(3, 0.95);
    expect(r95.lower).toBeCloseTo(0.6186721228956014, 11);
    expect(r95.upper).toBeCloseTo(8.767273069742323, 11);
  });

  it('rejects non-integer or negative counts and bad levels', () => {
    expect(() => poissonInterval(-1)).toThrow(PhysicsInputError);
    expect(() => poissonInterval(2.5)).toThrow(PhysicsInputError);
    expect(() => poissonInterval(2, 0)).toThrow(PhysicsInputError);
  });
});

describe('inverseRegularizedGammaP', () => {
  it('matches scipy gammaincinv and inverts P(a, x), tails included', () => {
    const golden: [number, number, number][] = [
      [0.3, 0.5, 0.07313113586695198],
      [2.5, 1e-8, 0.0010203686124682673],
      [50, 0.999999, 91.06338855971309],
      [1, 0.5, 0.6931471805599455],
    ];
    for (const [a, p, x] of golden) expect(Math.abs(inverseRegularizedGammaP(p, a) / x - 1)).toBeLessThan(1e-12);
    for (const a of [0.05, 0.7, 3, 40, 500]) {
      for (const p of [1e-10, 0.01, 0.3, 0.9, 0.999]) {
        const x = inverseRegularizedGammaP(p, a);
        expect(Math.abs(regularizedGammaP(a, x) / p - 1)).toBeLessThan(1e-9);
      }
    }
    expect(inverseRegularizedGammaP(0, 2)).toBe(0);
    expect(inverseRegularizedGammaP(1, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(() => inverseRegularizedGammaP(0.5, 0)).toThrow(PhysicsInputError);
  });
});
