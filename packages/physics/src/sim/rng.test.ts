import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    const ys = Array.from({ length: 8 }, () => b.nextUint32());
    const zs = Array.from({ length: 8 }, () => c.nextUint32());
    expect(xs).toEqual(ys);
    expect(xs).not.toEqual(zs);
  });

  it('draws normals with mean 0 and width 1', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.sqrt(s2 / n - mean * mean)).toBeCloseTo(1, 2);
  });

  it('draws uniforms in [0, 1) with mean 1/2', () => {
    const rng = new Rng(1);
    let s = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
    }
    expect(s / 100_000).toBeCloseTo(0.5, 2);
  });

  it('draws gamma variates with mean kθ', () => {
    const rng = new Rng(3);
    let s = 0;
    for (let i = 0; i < 50_000; i++) s += rng.gamma(2.5, 2);
    expect(s / 50_000).toBeCloseTo(5, 1);
  });
});
