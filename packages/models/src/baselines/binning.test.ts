import { cutPointIndex, Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { etEtaBin } from '../runtime/baselines/et-eta-binning.ts';
import { quantileEdges, shortFloat32Threshold } from './binning.ts';

function neighbours(v: number): [number, number] {
  const f = new Float32Array([v]);
  const i = new Int32Array(f.buffer);
  const base = i[0] as number;
  i[0] = v > 0 ? base - 1 : v < 0 ? base + 1 : -2147483647;
  const below = f[0] as number;
  i[0] = v >= 0 ? base + 1 : base - 1;
  return [below, f[0] as number];
}

describe('binning', () => {
  it('shortens float32 thresholds without changing any float32 decision', () => {
    const rng = new Rng(9);
    for (let k = 0; k < 2000; k++) {
      const v = Math.fround((rng.uniform() - 0.5) * 10 ** rng.range(-30, 30));
      const c = shortFloat32Threshold(v);
      expect(c.toPrecision(9).length <= v.toPrecision(17).length).toBe(true);
      expect(Number(c.toPrecision(9))).toBe(c);
      const [below, above] = neighbours(v);
      for (const x of [below, v, above]) expect(x < c, `${x} vs ${v} → ${c}`).toBe(x < v);
    }
    expect(shortFloat32Threshold(Math.fround(0.1))).toBe(0.1);
    // fround(45.6) = 45.59999847…: 45.6 itself lies above it, so the threshold stays just below.
    expect(shortFloat32Threshold(Math.fround(45.6))).toBe(45.599998);
  });

  it('puts edges at quantiles, one bin per value for discrete columns', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => i);
    const e = quantileEdges(x, 1000, 1, 0, 10);
    expect(Array.from(e)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const discrete = Float32Array.from({ length: 1000 }, (_, i) => i % 3);
    expect(Array.from(quantileEdges(discrete, 1000, 1, 0, 255))).toEqual([1, 2]);
    expect(quantileEdges(Float32Array.from([Number.NaN, Number.NaN]), 2, 1, 0, 10)).toHaveLength(0);
    expect(cutPointIndex(e)(99.5)).toBe(0);
    expect(cutPointIndex(e)(100)).toBe(1);
    expect(cutPointIndex(e)(1e9)).toBe(9);
  });

  it('clamps ET and |η| under- and overflow into the end bins', () => {
    const binning = { et: 0, eta: 1, etEdges: [15, 25, 50], absEtaEdges: [0, 1.37, 2.47] };
    const bin = (et: number, eta: number): number => etEtaBin(binning, Float32Array.from([et, eta]), 0, 2);
    expect(bin(10, 0.5)).toBe(0);
    expect(bin(20, -2)).toBe(1);
    expect(bin(30, 1.0)).toBe(2);
    expect(bin(500, 3.5)).toBe(3);
    expect(etEtaBin(null, Float32Array.from([1, 2]), 0, 2)).toBe(0);
  });
});
