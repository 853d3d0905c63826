import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import {
  effectiveIqr,
  IQR_TO_SIGMA,
  interquartileRange,
  meanAbsoluteError,
  median,
  quantile,
  quantiles,
  relativeIqr,
  responseAndResolution,
} from './regression.ts';

describe('quantiles (Hyndman–Fan type 7)', () => {
  it('match numpy.quantile (numpy default "linear")', () => {
    const x = [3.1, -1.0, 4.7, 2.2, 9.9, 0.5, 5.5];
    const golden: [number, number][] = [
      [0, -1.0],
      [0.1, -0.09999999999999987],
      [0.25, 1.35],
      [0.5, 3.1],
      [0.75, 5.1],
      [0.9, 7.260000000000002],
      [1, 9.9],
    ];
    for (const [q, v] of golden) expect(quantile(x, q)).toBeCloseTo(v, 13);
    expect(quantiles(x, [0.25, 0.75])).toEqual([quantile(x, 0.25), quantile(x, 0.75)]);
    expect(interquartileRange(x)).toBeCloseTo(3.75, 13);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('reject empty input, NaN and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(PhysicsInputError);
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(PhysicsInputError);
    expect(() => quantile([1, 2], 1.5)).toThrow(PhysicsInputError);
  });
});

describe('meanAbsoluteError', () => {
  it('is the (weighted) mean of |pred − true|', () => {
    expect(meanAbsoluteError([1, 2, 3], [1.5, 2, 5])).toBeCloseTo(2.5 / 3, 15);
    expect(meanAbsoluteError([1, 2, 3], [1.5, 2, 5], [2, 1, 1])).toBeCloseTo(3 / 4, 15);
    expect(() => meanAbsoluteError([1], [1, 2])).toThrow(PhysicsInputError);
    expect(() => meanAbsoluteError([1], [1], [-1])).toThrow(PhysicsInputError);
  });
});

describe('effectiveIqr and relativeIqr', () => {
  it('recovers σ of a Gaussian response and is robust to a tail (seeded)', () => {
    const rng = new Rng(12);
    const n = 50_000;
    const eTrue = new Float64Array(n);
    const eReco = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      eTrue[i] = rng.range(10, 500);
      const ratio = i % 20 === 0 ? rng.range(0.2, 0.8) : rng.normal(0.98, 0.05);
      eReco[i] = (eTrue[i] as number) * ratio;
    }
    const eIqr = effectiveIqr(eReco, eTrue);
    // 5 % of events in a low tail widen the IQR only slightly; a standard deviation would blow up.
    expect(eIqr).toBeGreaterThan(0.05);
    expect(eIqr).toBeLessThan(0.058);
    expect(IQR_TO_SIGMA).toBeCloseTo(1.3489795, 3);
    // Scale invariance: the ratio does not depend on the unit of energy.
    expect(
      effectiveIqr(
        eReco.map((e) => e * 1000),
        eTrue.map((e) => e * 1000),
      ),
    ).toBeCloseTo(eIqr, 12);
    expect(relativeIqr(0.045, 0.05)).toBeCloseTo(0.9, 15);
    expect(() => relativeIqr(0.05, 0)).toThrow(PhysicsInputError);
    expect(() => effectiveIqr([1], [0])).toThrow(PhysicsInputError);
  });
});

describe('responseAndResolution', () => {
  it('finds the response and resolution put into each (E, |η|) bin', () => {
    const rng = new Rng(31);
    const n = 40_000;
    const eTrue = new Float64Array(n);
    const eReco = new Float64Array(n);
    const eta = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = rng.range(20, 200);
      const h = rng.range(-2.5, 2.5);
      eTrue[i] = e;
      eta[i] = h;
      // Stochastic term 0.2/√E, and a 3 % lower response in the endcap |η| ≥ 1.5.
      const sigma = 0.2 / Math.sqrt(e);
      eReco[i] = e * rng.normal(Math.abs(h) >= 1.5 ? 0.97 : 1, sigma);
    }
    const r = responseAndResolution({ eReco, eTrue, eta, energyEdges: [20, 50, 100, 200], absEtaEdges: [0, 1.5, 2.5] });
    expect(r.count.reduce((s, c) => s + c, 0)).toBe(n);
    for (let iE = 0; iE < 3; iE++) {
      expect(r.response[iE * 2]).toBeCloseTo(1, 2);
      expect(r.response[iE * 2 + 1]).toBeCloseTo(0.97, 2);
    }
    // Resolution falls with energy; lowest bin ≈ 0.2/√33 ≈ 0.035, highest ≈ 0.2/√141 ≈ 0.017.
    expect(r.resolution[0]).toBeGreaterThan(r.resolution[2] as number);
    expect(r.resolution[2]).toBeGreaterThan(r.resolution[4] as number);
    expect(r.resolution[4]).toBeCloseTo(0.017, 2);
    expect(r.relativeResolution[1]).toBeCloseTo((r.resolution[1] as number) / (r.response[1] as number), 15);
  });

  it('marks empty bins NaN and rejects bad edges', () => {
    const r = responseAndResolution({
      eReco: [10],
      eTrue: [10],
      eta: [0],
      energyEdges: [5, 20, 30],
      absEtaEdges: [0, 2.5],
    });
    expect(r.response[0]).toBe(1);
    expect(r.resolution[0]).toBeNaN();
    expect(r.response[1]).toBeNaN();
    expect(() =>
      responseAndResolution({ eReco: [10], eTrue: [10], eta: [0], energyEdges: [30, 20], absEtaEdges: [0, 2.5] }),
    ).toThrow(PhysicsInputError);
  });
});
