import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { jensenShannonDivergence, massSculpting } from './jensen-shannon.ts';

describe('jensenShannonDivergence', () => {
  it('matches scipy.spatial.distance.jensenshannon(p, q, base=2)² (scipy 1.17.1)', () => {
    expect(jensenShannonDivergence([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(0.15356065532898452, 14);
    expect(jensenShannonDivergence([1, 0, 1], [0, 1, 0])).toBe(1);
    expect(jensenShannonDivergence([0.2, 0.5, 0.3], [0.25, 0.25, 0.5])).toBeCloseTo(0.05087334759598042, 14);
  });

  it('is symmetric, zero for equal shapes and independent of normalisation', () => {
    expect(jensenShannonDivergence([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannonDivergence([1, 5, 2], [3, 1, 1])).toBeCloseTo(
      jensenShannonDivergence([3, 1, 1], [1, 5, 2]),
      15,
    );
    expect(() => jensenShannonDivergence([1, 2], [1])).toThrow(PhysicsInputError);
    expect(() => jensenShannonDivergence([0, 0], [1, 1])).toThrow(PhysicsInputError);
    expect(() => jensenShannonDivergence([-1, 2], [1, 1])).toThrow(PhysicsInputError);
  });
});

describe('massSculpting', () => {
  it('is small for a mass-independent tagger and large for a mass cut in disguise (seeded)', () => {
    const rng = new Rng(9);
    const n = 20_000;
    const mass = new Float64Array(n);
    const flat = new Float64Array(n);
    const sculpting = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      mass[i] = 40 + 60 * rng.uniform() ** 2;
      flat[i] = rng.uniform();
      sculpting[i] = (mass[i] as number) / 100 + 0.1 * rng.normal();
      labels[i] = i % 10 === 0 ? 1 : 0;
    }
    const edges = Array.from({ length: 13 }, (_, i) => 40 + 5 * i);
    const a = massSculpting({ mass, scores: flat, threshold: 0.9, edges, labels });
    const b = massSculpting({ mass, scores: sculpting, threshold: 0.8, edges, labels });
    expect(a.passFraction).toBeCloseTo(0.1, 1);
    expect(a.jsd).toBeLessThan(0.01);
    expect(b.jsd).toBeGreaterThan(0.1);
    expect(b.inverseJsd).toBeCloseTo(1 / b.jsd, 12);
    let bkg = 0;
    for (let i = 0; i < n; i++) if (!labels[i]) bkg++;
    expect(a.before.reduce((s, v) => s + v, 0)).toBe(bkg);
    expect(() => massSculpting({ mass, scores: flat, threshold: 2, edges, labels })).toThrow(PhysicsInputError);
  });
});
