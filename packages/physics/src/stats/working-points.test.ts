import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { rocCurve } from './roc.ts';
import {
  backgroundEfficiencyAtSignalEfficiency,
  flatWorkingPoint,
  passesFlatWorkingPoint,
  rejectionAtSignalEfficiency,
  thresholdAtSignalEfficiency,
} from './working-points.ts';

describe('thresholdAtSignalEfficiency', () => {
  it('picks the tightest cut reaching the target, with ties and weights', () => {
    const scores = [0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4];
    const labels = [1, 1, 1, 0, 1, 0, 1];
    // Signal scores 0.9, 0.8, 0.8, 0.6, 0.4: εS(0.9) = 0.2, εS(0.8) = 0.6, εS(0.6) = 0.8.
    expect(thresholdAtSignalEfficiency(scores, labels, 0.2)).toBe(0.9);
    expect(thresholdAtSignalEfficiency(scores, labels, 0.5)).toBe(0.8);
    expect(thresholdAtSignalEfficiency(scores, labels, 0.6)).toBe(0.8);
    expect(thresholdAtSignalEfficiency(scores, labels, 0.61)).toBe(0.6);
    expect(thresholdAtSignalEfficiency(scores, labels, 1)).toBe(0.4);
    // Weight 4 on the 0.9 signal: εS(0.9) = 4/8 = 0.5.
    expect(thresholdAtSignalEfficiency(scores, labels, 0.5, [4, 1, 1, 1, 1, 1, 1])).toBe(0.9);
  });

  it('agrees with the ROC curve point and rejects bad targets', () => {
    const rng = new Rng(2);
    const n = 2000;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const scores = labels.map((l) => rng.normal(l ? 1 : 0));
    const roc = rocCurve(scores, labels);
    const t = thresholdAtSignalEfficiency(scores, labels, 0.7);
    const k = Array.from(roc.threshold).indexOf(t);
    expect(roc.signalEfficiency[k]).toBeGreaterThanOrEqual(0.7);
    expect(roc.signalEfficiency[k - 1]).toBeLessThan(0.7);
    expect(() => thresholdAtSignalEfficiency(scores, labels, 0)).toThrow(PhysicsInputError);
    expect(() => thresholdAtSignalEfficiency(scores, labels, 1.1)).toThrow(PhysicsInputError);
    expect(() => thresholdAtSignalEfficiency([1], [0], 0.5)).toThrow(PhysicsInputError);
  });
});

describe('εB and rejection at εS', () => {
  const roc = {
    signalEfficiency: Float64Array.from([0, 0.5, 0.5, 1]),
    backgroundEfficiency: Float64Array.from([0, 0.1, 0.2, 1]),
    threshold: Float64Array.from([Number.POSITIVE_INFINITY, 3, 2, 1]),
  };
  it('interpolates linearly between bracketing points and takes the best εB at an exact point', () => {
    expect(backgroundEfficiencyAtSignalEfficiency(roc, 0.25)).toBeCloseTo(0.05, 15);
    expect(backgroundEfficiencyAtSignalEfficiency(roc, 0.5)).toBe(0.1);
    expect(backgroundEfficiencyAtSignalEfficiency(roc, 0.75)).toBeCloseTo(0.6, 15);
    expect(rejectionAtSignalEfficiency(roc, 0.25)).toBeCloseTo(20, 12);
  });

  it('matches the Gaussian closed form εB = 1 − Φ(Φ⁻¹(1 − εS) + Δ) on a large seeded sample', () => {
    const rng = new Rng(8);
    const n = 40_000;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const scores = labels.map((l) => rng.normal(l ? 1 : 0));
    const roc = rocCurve(scores, labels);
    // εS = 0.5 ⇒ cut at the signal mean 1 ⇒ εB = 1 − Φ(1) = 0.158655.
    expect(backgroundEfficiencyAtSignalEfficiency(roc, 0.5)).toBeCloseTo(0.158655, 2);
    const perfect = rocCurve([0.9, 0.8, 0.1], [1, 1, 0]);
    expect(rejectionAtSignalEfficiency(perfect, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('flatWorkingPoint', () => {
  it('reaches the target in every pT × |η| bin even when the score depends on pT', () => {
    const rng = new Rng(21);
    const n = 20_000;
    const pt = new Float64Array(n);
    const eta = new Float64Array(n);
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = rng.range(20, 100);
      const e = rng.range(-2.4, 2.4);
      pt[i] = p;
      eta[i] = e;
      labels[i] = i % 2;
      // Signal scores shift with pT and |η|: a single global cut would not be flat.
      scores[i] = rng.normal((i % 2 ? 1.5 : 0) + p / 50 - Math.abs(e));
    }
    const wp = flatWorkingPoint({
      scores,
      labels,
      pt,
      eta,
      ptEdges: [20, 40, 60, 100],
      absEtaEdges: [0, 1.37, 2.4],
      signalEfficiency: 0.8,
    });
    expect(wp.thresholds.length).toBe(6);
    for (let b = 0; b < 6; b++) {
      expect(wp.signalEfficiency[b]).toBeGreaterThanOrEqual(0.8);
      expect(wp.signalEfficiency[b]).toBeLessThan(0.802);
      expect(wp.backgroundEfficiency[b]).toBeLessThan(0.6);
    }
    expect(wp.thresholds[4]).toBeGreaterThan(wp.thresholds[0] as number);
    // Each bin's threshold is the global rule applied to that bin's events alone.
    for (const [b, ptLo, ptHi, etaLo, etaHi] of [
      [0, 20, 40, 0, 1.37],
      [5, 60, 100, 1.37, 2.4],
    ] as const) {
      const keep = Array.from(
        pt,
        (p, i) => p >= ptLo && p < ptHi && Math.abs(eta[i] as number) >= etaLo && Math.abs(eta[i] as number) < etaHi,
      );
      const s = Array.from(scores).filter((_, i) => keep[i]);
      const l = Array.from(labels).filter((_, i) => keep[i]);
      expect(wp.thresholds[b]).toBe(thresholdAtSignalEfficiency(s, l, 0.8));
    }
    let pass = 0;
    let sig = 0;
    for (let i = 0; i < n; i++) {
      if (!labels[i]) continue;
      sig++;
      if (passesFlatWorkingPoint(wp, scores[i] as number, pt[i] as number, eta[i] as number)) pass++;
    }
    expect(pass / sig).toBeCloseTo(0.8, 2);
    expect(() =>
      flatWorkingPoint({ scores, labels, pt, eta, ptEdges: [20, 20], absEtaEdges: [0, 2.4], signalEfficiency: 0.8 }),
    ).toThrow(PhysicsInputError);
  });

  it('clamps objects outside the edges into the edge bins and passes none with a NaN pt or η (Axis rule clamp)', () => {
    // Two pT bins: low-pT signal scores 1–4, high-pT signal scores 11–14; εS = 0.5 cuts at 3 and 13.
    const wp = flatWorkingPoint({
      scores: [1, 2, 3, 4, 11, 12, 13, 14],
      labels: [1, 1, 1, 1, 1, 1, 1, 1],
      pt: [25, 25, 25, 25, 75, 75, 75, 75],
      eta: [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8],
      ptEdges: [20, 50, 100],
      absEtaEdges: [0, 2.5],
      signalEfficiency: 0.5,
    });
    expect(Array.from(wp.thresholds)).toEqual([3, 13]);
    expect(passesFlatWorkingPoint(wp, 5, 10, 0)).toBe(true);
    expect(passesFlatWorkingPoint(wp, 5, 500, 0)).toBe(false);
    expect(passesFlatWorkingPoint(wp, 13, 500, -4)).toBe(true);
    expect(passesFlatWorkingPoint(wp, 100, Number.NaN, 0)).toBe(false);
    expect(passesFlatWorkingPoint(wp, 100, 30, Number.NaN)).toBe(false);
    expect(passesFlatWorkingPoint(wp, Number.NaN, 30, 0)).toBe(false);
  });
});
