import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Hist1D } from '../histogram/hist-1d.ts';
import { Rng } from '../sim/rng.ts';
import { chi2Histograms } from '../stats/chi2.ts';
import { effectiveSampleSize, reweightingFactors, reweightToTarget } from './histogram-reweighting.ts';

describe('effectiveSampleSize', () => {
  it('is (Σw)²/Σw²', () => {
    expect(effectiveSampleSize([1, 1, 1, 1])).toBe(4);
    expect(effectiveSampleSize([1, 2, 3])).toBeCloseTo(36 / 14, 15);
    expect(effectiveSampleSize([])).toBe(0);
    expect(() => effectiveSampleSize([1, Number.NaN])).toThrow(PhysicsInputError);
  });
});

describe('reweightToTarget', () => {
  it('gives the exact factors on a hand-made 1D example', () => {
    // Source: 3 events in [0,1), 1 in [1,2); target: 1 and 1. Factors (1/2)/(3/4) and (1/2)/(1/4).
    const r = reweightToTarget({ source: [[0.1, 0.2, 0.3, 1.5]], target: [[0.5, 1.5]], edges: [[0, 1, 2]] });
    expect(r.factors[0]).toBeCloseTo(2 / 3, 15);
    expect(r.factors[1]).toBeCloseTo(2, 15);
    expect(Array.from(r.weights).map((w) => Number(w.toFixed(12)))).toEqual(
      [2 / 3, 2 / 3, 2 / 3, 2].map((w) => Number(w.toFixed(12))),
    );
    expect(r.effectiveSampleSizeBefore).toBe(4);
    expect(r.effectiveSampleSize).toBeCloseTo(16 / (3 * (4 / 9) + 4), 12);
    const capped = reweightToTarget({
      source: [[0.1, 0.2, 0.3, 1.5]],
      target: [[0.5, 1.5]],
      edges: [[0, 1, 2]],
      maxFactor: 1,
    });
    expect(capped.cappedEvents).toBe(1);
    // Factors 2/3, 2/3, 2/3, 1 rescaled to total 4.
    expect(capped.weights[3]).toBeCloseTo(4 / 3, 12);
  });

  it('makes the source match the target in ET, η and ⟨μ⟩ and costs effective statistics (seeded)', () => {
    const rng = new Rng(14);
    const n = 30_000;
    const gen = (slope: number, etaWidth: number, muMean: number) => {
      const et = new Float64Array(n);
      const eta = new Float64Array(n);
      const mu = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        et[i] = 20 + rng.exponential(slope);
        eta[i] = rng.normal(0, etaWidth);
        mu[i] = rng.normal(muMean, 8);
      }
      return [et, eta, mu];
    };
    const source = gen(15, 1.6, 30);
    const target = gen(30, 1.0, 36);
    const edges = [
      [20, 30, 40, 50, 70, 100, 150],
      [-2.5, -1.5, -0.8, 0, 0.8, 1.5, 2.5],
      [0, 20, 30, 40, 60],
    ];
    const r = reweightToTarget({ source, target, edges, maxFactor: 50 });
    expect(r.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(n, 6);
    expect(r.effectiveSampleSize).toBeLessThan(r.effectiveSampleSizeBefore);
    expect(r.effectiveSampleSize).toBeGreaterThan(1000);
    // After reweighting, the ET histogram of the source agrees with the target (χ² with Σw²).
    const hs = Hist1D.variable(edges[0] as number[]);
    const ht = Hist1D.variable(edges[0] as number[]);
    const hRaw = Hist1D.variable(edges[0] as number[]);
    hs.fillArray(source[0] as Float64Array, r.weights);
    hRaw.fillArray(source[0] as Float64Array);
    ht.fillArray(target[0] as Float64Array);
    const after = chi2Histograms(hs.values(), ht.values(), { sumW2A: hs.variances(), normalize: true });
    const before = chi2Histograms(hRaw.values(), ht.values(), { normalize: true });
    expect(after.pValue).toBeGreaterThan(0.001);
    expect(before.pValue).toBeLessThan(1e-10);
    // The map applies to new events with the same factors.
    const f = reweightingFactors(r, [
      [25, 200],
      [0.1, -3],
      [35, 35],
    ]);
    expect(f[0]).toBe(r.factors[0 * 6 * 4 + 3 * 4 + 2]);
    expect(f[1]).toBe(r.factors[5 * 6 * 4 + 0 * 4 + 2]);
  });

  it('reports weight lost in cells the target does not populate, and rejects bad input', () => {
    const r = reweightToTarget({ source: [[0.5, 1.5]], target: [[0.5]], edges: [[0, 1, 2]] });
    expect(r.lostWeightFraction).toBe(0.5);
    expect(r.weights[1]).toBe(0);
    expect(() => reweightToTarget({ source: [], target: [], edges: [] })).toThrow(PhysicsInputError);
    expect(() => reweightToTarget({ source: [[1]], target: [[1]], edges: [[0, 2]], maxFactor: 0 })).toThrow(
      PhysicsInputError,
    );
    expect(() => reweightToTarget({ source: [[1]], target: [[1]], edges: [[0, 2]], sourceWeights: [-1] })).toThrow(
      PhysicsInputError,
    );
    expect(() => reweightToTarget({ source: [[1], [2]], target: [[1]], edges: [[0, 2]] })).toThrow(PhysicsInputError);
  });
});
