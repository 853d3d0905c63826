import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { auc, aucFromRoc, rocCurve } from './roc.ts';

describe('rocCurve and auc', () => {
  it('gives AUC 1 for a perfect separation and 0 for an inverted one', () => {
    expect(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it('counts ties as one half (Mann–Whitney)', () => {
    // All scores equal: one diagonal step from (0,0) to (1,1).
    expect(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.5, 12);
    // Pairs (s,b): (0.9,0.5)>, (0.9,0.1)>, (0.5,0.5)=, (0.5,0.1)> → (3 + 0.5)/4
    expect(auc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(3.5 / 4, 12);
  });

  it('matches the Gaussian closed form AUC = Φ(Δ/√2) for unit-width classes', () => {
    const rng = new Rng(11);
    const n = 40_000;
    const scores = new Float64Array(2 * n);
    const labels = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      scores[i] = rng.normal(1, 1);
      labels[i] = 1;
      scores[n + i] = rng.normal(0, 1);
    }
    // Φ(1/√2) = 0.760249938
    expect(auc(scores, labels)).toBeCloseTo(0.76025, 2);
  });

  it('uses weights: doubling a class weight leaves AUC unchanged, reweighting an event moves it', () => {
    const s = [0.9, 0.7, 0.6, 0.3];
    const l = [1, 0, 1, 0];
    const base = auc(s, l);
    expect(auc(s, l, { weights: [2, 1, 2, 1] })).toBeCloseTo(base, 12);
    expect(auc(s, l, { weights: [1, 1, 3, 1] })).not.toBeCloseTo(base, 3);
  });

  it('starts at (0,0), ends at (1,1) and is monotonic', () => {
    const roc = rocCurve([0.3, 0.1, 0.4, 0.9, 0.2], [1, 0, 0, 1, 1]);
    expect(roc.signalEfficiency[0]).toBe(0);
    expect(roc.backgroundEfficiency[0]).toBe(0);
    expect(roc.signalEfficiency.at(-1)).toBe(1);
    expect(roc.backgroundEfficiency.at(-1)).toBe(1);
    for (let i = 1; i < roc.threshold.length; i++) {
      expect(roc.threshold[i] as number).toBeLessThan(roc.threshold[i - 1] as number);
    }
    expect(aucFromRoc(roc)).toBeCloseTo(4 / 6, 12);
  });

  it('equals a brute-force count at every distinct threshold, with ties, −0 and weights (seeded)', () => {
    const rng = new Rng(23);
    const n = 600;
    const scores = Array.from({ length: n }, () => Math.round(rng.normal() * 8) / 8);
    scores[0] = -0;
    scores[1] = 0;
    const labels = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
    const weights = Array.from({ length: n }, () => rng.range(-0.2, 2));
    const roc = rocCurve(scores, labels, { weights });
    const distinct = [...new Set(scores.map((v) => v + 0))].sort((a, b) => b - a);
    expect(roc.threshold.length).toBe(distinct.length + 1);
    let totS = 0;
    let totB = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i]) totS += weights[i] as number;
      else totB += weights[i] as number;
    }
    distinct.forEach((t, k) => {
      let s = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        if ((scores[i] as number) < t) continue;
        if (labels[i]) s += weights[i] as number;
        else b += weights[i] as number;
      }
      expect(roc.threshold[k + 1]).toBe(t);
      expect(roc.signalEfficiency[k + 1]).toBeCloseTo(s / totS, 12);
      expect(roc.backgroundEfficiency[k + 1]).toBeCloseTo(b / totB, 12);
    });
  });

  it('rejects mismatched lengths, non-finite scores and an empty class', () => {
    expect(() => rocCurve([1, 2], [1])).toThrow(PhysicsInputError);
    expect(() => rocCurve([Number.NaN, 1], [1, 0])).toThrow(/not finite/);
    expect(() => rocCurve([0.1, 0.2], [1, 1])).toThrow(/background/);
  });
});
