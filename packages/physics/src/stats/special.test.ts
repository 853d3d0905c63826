import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import {
  erf,
  erfc,
  gammaCdf,
  inverseRegularizedBeta,
  lnBeta,
  lnGamma,
  normalCdf,
  normalQuantile,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
} from './special.ts';

/** |got − want| ≤ tol·|want| (relative), or ≤ tol when want = 0. */
function expectRel(got: number, want: number, tol: number): void {
  const scale = want === 0 ? 1 : Math.abs(want);
  expect(Math.abs(got - want) / scale, `got ${got}, want ${want}`).toBeLessThanOrEqual(tol);
}

// Golden values: mpmath 1.3.0 at 40 significant digits, rounded to double (normal quantile: scipy 1.17.1 ndtri).
describe('erf and erfc (Cody)', () => {
  it('match mpmath to 1e-14 relative, including the far tail', () => {
    const erfGolden: [number, number][] = [
      [-2, -0.9953222650189527],
      [0.1, 0.1124629160182849],
      [0.46875, 0.49261347321793797],
      [1, 0.8427007929497149],
      [3.5, 0.9999992569016276],
    ];
    for (const [x, v] of erfGolden) expectRel(erf(x), v, 1e-14);
    const erfcGolden: [number, number][] = [
      [-1, 1.8427007929497148],
      [0.3, 0.6713732405408726],
      [2, 0.004677734981047266],
      [5, 1.537459794428035e-12],
      [10, 2.088487583762545e-45],
      [20, 5.395865611607901e-176],
    ];
    for (const [x, v] of erfcGolden) expectRel(erfc(x), v, 1e-14);
  });

  it('has the symmetries erf(−x) = −erf(x), erfc(−x) = 2 − erfc(x), erf + erfc = 1 and the limits', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const x = rng.range(-6, 6);
      expect(erf(-x)).toBe(-erf(x));
      expect(erfc(-x)).toBeCloseTo(2 - erfc(x), 15);
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 15);
    }
    expect(erf(0)).toBe(0);
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(erfc(30)).toBe(0);
  });

  it('rejects NaN with a named error', () => {
    expect(() => erf(Number.NaN)).toThrow(PhysicsInputError);
    expect(() => erfc(Number.NaN)).toThrow(PhysicsInputError);
  });
});

describe('lnGamma', () => {
  it('matches mpmath loggamma and the factorials', () => {
    const golden: [number, number][] = [
      [0.1, 2.252712651734206],
      [0.5, 0.5723649429247001],
      [3.5, 1.2009736023470743],
      [10, 12.801827480081469],
      [171.5, 709.1431630309282],
      [1e6, 12815504.569147611],
    ];
    for (const [x, v] of golden) expectRel(lnGamma(x), v, 1e-14);
    let lnFactorial = 0;
    for (let n = 1; n < 30; n++) {
      lnFactorial += Math.log(n);
      expect(Math.abs(lnGamma(n + 1) - lnFactorial)).toBeLessThan(1e-13 * Math.max(1, lnFactorial));
    }
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lnGamma(2))).toBeLessThan(1e-15);
  });

  it('rejects x ≤ 0', () => {
    expect(() => lnGamma(0)).toThrow(PhysicsInputError);
    expect(() => lnGamma(-1.5)).toThrow(PhysicsInputError);
  });
});

describe('lnBeta', () => {
  it('matches mpmath log(beta) without losing digits for large arguments', () => {
    const golden: [number, number, number][] = [
      [3, 1e7, -47.661140072314986],
      [0.5, 0.5, 1.1447298858494002],
      [2, 5, -3.4011973816621555],
      [900000, 100001, -325090.0608196401],
      [12.5, 30, -25.908683991310074],
      [5, 15, -10.970609174112868],
      [1e-3, 2, 6.906755778649053],
    ];
    for (const [a, b, v] of golden) {
      expectRel(lnBeta(a, b), v, 1e-14);
      expect(lnBeta(b, a)).toBe(lnBeta(a, b));
    }
    expect(() => lnBeta(0, 1)).toThrow(PhysicsInputError);
  });
});

describe('regularized incomplete gamma', () => {
  it('matches mpmath gammainc and P + Q = 1', () => {
    const golden: [number, number, number, number][] = [
      [0.5, 0.1, 0.345279153981423, 0.654720846018577],
      [3, 2, 0.32332358381693654, 0.6766764161830635],
      [5, 20, 0.9999830552560699, 1.6944743930067385e-5],
      [50, 40, 0.07033506665939496, 0.9296649333406051],
    ];
    for (const [a, x, p, q] of golden) {
      expectRel(regularizedGammaP(a, x), p, 1e-13);
      expectRel(regularizedGammaQ(a, x), q, 1e-13);
    }
  });

  it('gives the Poisson CDF P(N ≤ n | μ) = Q(n + 1, μ) and the exponential CDF', () => {
    const mu = 3.7;
    let term = Math.exp(-mu);
    let cdf = term;
    for (let n = 0; n < 12; n++) {
      expectRel(regularizedGammaQ(n + 1, mu), cdf, 1e-13);
      term *= mu / (n + 1);
      cdf += term;
    }
    expectRel(regularizedGammaP(1, 0.25), 1 - Math.exp(-0.25), 1e-14);
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(2, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('rejects a ≤ 0 and x < 0', () => {
    expect(() => regularizedGammaP(0, 1)).toThrow(PhysicsInputError);
    expect(() => regularizedGammaQ(1, -1)).toThrow(PhysicsInputError);
  });

  // Moved with gammaCdf from sim/calo-showers.test.ts, where it integrates the longitudinal profile.
  it('integrates the longitudinal profile like regularizedGammaP', () => {
    for (const a of [1.2, 3.5, 6]) {
      for (const x of [0.01, 0.5, 2, 5, 9, 20]) {
        expect(gammaCdf(a, lnGamma(a), x)).toBeCloseTo(regularizedGammaP(a, x), 9);
      }
    }
  });
});

describe('regularized incomplete beta and its inverse', () => {
  it('matches mpmath betainc', () => {
    const golden: [number, number, number, number][] = [
      [0.3, 2, 5, 0.5798249999999999],
      [0.9, 0.5, 0.5, 0.7951672353008665],
      [0.01, 10, 3, 6.4805500000000015e-19],
      [0.6, 30, 20, 0.492299800342352],
    ];
    for (const [x, a, b, v] of golden) expectRel(regularizedBeta(x, a, b), v, 1e-13);
    // I_x(a, b) = 1 − I_{1−x}(b, a); I_x(1, 1) = x; I_x(a, 1) = xᵃ.
    expect(regularizedBeta(0.37, 4, 2.5) + regularizedBeta(0.63, 2.5, 4)).toBeCloseTo(1, 14);
    expect(regularizedBeta(0.37, 1, 1)).toBeCloseTo(0.37, 15);
    expectRel(regularizedBeta(0.8, 3.5, 1), 0.8 ** 3.5, 1e-14);
  });

  it('inverts to 1e-12 over a grid of shapes, including the tiny-shape branch', () => {
    for (const [a, b] of [
      [0.5, 0.5],
      [0.2, 3],
      [1, 1],
      [2, 5],
      [30, 20],
      [1, 100],
      [400, 3],
    ] as [number, number][]) {
      for (const p of [1e-12, 0.001, 0.1586, 0.5, 0.8413, 0.999]) {
        const x = inverseRegularizedBeta(p, a, b);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        expectRel(regularizedBeta(x, a, b), p, 1e-10);
      }
    }
    expect(inverseRegularizedBeta(0, 2, 3)).toBe(0);
    expect(inverseRegularizedBeta(1, 2, 3)).toBe(1);
    expect(() => inverseRegularizedBeta(1.5, 2, 3)).toThrow(PhysicsInputError);
    expect(() => regularizedBeta(0.5, 0, 3)).toThrow(PhysicsInputError);
    expect(() => regularizedBeta(-0.1, 1, 3)).toThrow(PhysicsInputError);
  });
});

describe('normal distribution', () => {
  it('normalCdf matches mpmath ncdf, deep in the lower tail too', () => {
    const golden: [number, number][] = [
      [-30, 4.906713927148187e-198], // argument rounding of −x/√2 limits the tail to about x²·1e-16
      [-5, 2.866515718791939e-7],
      [-1, 0.15865525393145705],
      [0, 0.5],
      [1.96, 0.9750021048517795],
    ];
    for (const [x, v] of golden) expectRel(normalCdf(x), v, Math.max(1e-14, x * x * 2e-16));
  });

  it('normalQuantile matches scipy ndtri and inverts normalCdf', () => {
    const golden: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-10, -6.361340902404056],
      [0.001, -3.090232306167813],
      [0.025, -1.9599639845400545],
      [0.3, -0.5244005127080409],
      [0.975, 1.959963984540054],
    ];
    for (const [p, v] of golden) expectRel(normalQuantile(p), v, 1e-14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    for (let p = 0.01; p < 1; p += 0.0137) expectRel(normalCdf(normalQuantile(p)), p, 1e-14);
    expect(() => normalQuantile(-0.1)).toThrow(PhysicsInputError);
    expect(() => normalQuantile(Number.NaN)).toThrow(PhysicsInputError);
  });
});
