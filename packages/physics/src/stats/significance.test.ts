import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { approximateMedianSignificance, asimovSignificance, signalOverSqrtBackground } from './significance.ts';

// Golden values: the closed forms evaluated in Python 3 double precision (math.log).
describe('significances', () => {
  it('S/√B', () => {
    expect(signalOverSqrtBackground(10, 100)).toBe(1);
    expect(() => signalOverSqrtBackground(1, 0)).toThrow(PhysicsInputError);
  });

  it('Asimov Z matches the closed form, tends to s/√b for s ≪ b and is below it otherwise', () => {
    expect(asimovSignificance(10, 100)).toBeCloseTo(0.9839916447569484, 12);
    expect(asimovSignificance(5, 1)).toBeCloseTo(3.391329183481996, 12);
    expect(asimovSignificance(1e-3, 1e6) / signalOverSqrtBackground(1e-3, 1e6)).toBeCloseTo(1, 9);
    // Both sides of the series switch at s/b = 0.01 agree: Z_A = √(2b((1+x)ln(1+x) − x)).
    const x = 0.00999999;
    expect(asimovSignificance(x * 400, 400)).toBeCloseTo(Math.sqrt(2 * 400 * ((1 + x) * Math.log1p(x) - x)), 10);
    // s/√b · (1 − x/6 + …): the leading correction for small x, exact to O(x²).
    expect(asimovSignificance(1, 1e4)).toBeCloseTo(0.01 * (1 - 1e-4 / 6), 10);
    expect(asimovSignificance(5, 1)).toBeLessThan(signalOverSqrtBackground(5, 1));
    expect(asimovSignificance(0, 3)).toBe(0);
  });

  it('Asimov Z with a background uncertainty (Cowan 2012) and its σ_b → 0 limit', () => {
    expect(asimovSignificance(10, 100, 10)).toBeCloseTo(0.6901960632965309, 12);
    expect(asimovSignificance(10, 100, 1e-6)).toBeCloseTo(asimovSignificance(10, 100), 8);
    expect(asimovSignificance(10, 100, 10)).toBeLessThan(asimovSignificance(10, 100));
    expect(() => asimovSignificance(1, 1, -1)).toThrow(PhysicsInputError);
  });

  it('HiggsML AMS with b_reg = 10', () => {
    expect(approximateMedianSignificance(20, 5)).toBeCloseTo(4.394411249200994, 13);
    expect(approximateMedianSignificance(20, 5, 0)).toBe(asimovSignificance(20, 5));
    expect(approximateMedianSignificance(3, 0)).toBeGreaterThan(0);
    expect(() => approximateMedianSignificance(-1, 5)).toThrow(PhysicsInputError);
  });
});
