import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { invertMonotonic, numericalInversion } from './response-inversion.ts';

describe('numerical inversion of a response', () => {
  // A calorimeter-like response rising with energy: R(E) = 1 − 0.3/√E [E in GeV].
  const response = (e: number) => 1 - 0.3 / Math.sqrt(e);

  it('inverts ⟨E_reco⟩(E_true) = R·E_true: calibrated energies have response 1', () => {
    const eTrue = Array.from({ length: 200 }, (_, i) => 5 + i * 2.5);
    const calibrate = numericalInversion({ eTrue, response: eTrue.map(response) });
    for (const e of [5, 7.3, 50, 212.6, 502.5]) {
      expect(calibrate(response(e) * e) / e).toBeCloseTo(1, 3);
    }
    // At the nodes the inversion is exact.
    expect(calibrate(response(55) * 55)).toBeCloseTo(55, 12);
    // Beyond the curve the end response is held constant.
    expect(calibrate(1000)).toBeCloseTo(1000 / response(502.5), 12);
    expect(calibrate(1)).toBeCloseTo(1 / response(5), 12);
  });

  it('solves f(x) = y for a smooth response to the tolerance', () => {
    const e = invertMonotonic((x) => response(x) * x, 80, 1, 1000);
    expect(response(e) * e).toBeCloseTo(80, 9);
    expect(invertMonotonic(Math.cbrt, 2, 0, 100)).toBeCloseTo(8, 8);
  });

  it('refuses a response that cannot be inverted', () => {
    expect(() => numericalInversion({ eTrue: [10, 20, 30], response: [1, 0.4, 0.5] })).toThrow(/not increasing/);
    expect(() => numericalInversion({ eTrue: [10, 5], response: [1, 1] })).toThrow(PhysicsInputError);
    expect(() => numericalInversion({ eTrue: [10], response: [1] })).toThrow(PhysicsInputError);
    expect(() => invertMonotonic((x) => x * x + 1, 0, -1, 1)).toThrow(/not bracketed/);
  });
});
