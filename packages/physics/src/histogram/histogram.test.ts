import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { Axis } from './axis.ts';
import { Hist1D, Hist2D, Hist3D } from './histogram.ts';

describe('Axis', () => {
  it('puts every edge in the bin it opens (lo ≤ x < hi), flows at both ends', () => {
    for (const axis of [Axis.regular(10, 0, 1), Axis.regular(7, -3.3, 4.1), Axis.variable([0, 0.1, 0.3, 1, 2.5])]) {
      for (let k = 0; k < axis.nBins; k++) expect(axis.index(axis.edges[k] as number)).toBe(k + 1);
      expect(axis.index(axis.hi)).toBe(axis.nBins + 1);
      expect(axis.index(Number.POSITIVE_INFINITY)).toBe(axis.nBins + 1);
      expect(axis.index(Number.NEGATIVE_INFINITY)).toBe(0);
      expect(axis.index(axis.lo - 1e-12)).toBe(0);
      expect(axis.index(Number.NaN)).toBe(-1);
      // The largest double below an inner edge stays in the bin before it.
      const e = axis.edges[2] as number;
      expect(axis.index(e - Math.abs(e) * 2.3e-16 - 1e-300)).toBe(2);
    }
    expect(Axis.regular(10, 0, 1).index(0.3)).toBe(4);
  });

  it('rejects bad definitions', () => {
    expect(() => Axis.regular(0, 0, 1)).toThrow(PhysicsInputError);
    expect(() => Axis.regular(3, 1, 1)).toThrow(PhysicsInputError);
    expect(() => Axis.variable([0, 1, 1])).toThrow(PhysicsInputError);
    expect(() => Axis.variable([0, Number.POSITIVE_INFINITY])).toThrow(PhysicsInputError);
  });
});

describe('Hist1D', () => {
  it('scalar fill and the array fast path agree, weights and Σw² included', () => {
    const rng = new Rng(1);
    const x = Float64Array.from({ length: 5000 }, () => rng.normal(0, 2));
    const w = Float64Array.from({ length: 5000 }, () => rng.range(-0.5, 2));
    for (const make of [() => Hist1D.regular(20, -3, 3), () => Hist1D.variable([-3, -1, -0.5, 0, 0.2, 1, 3])]) {
      const a = make();
      const b = make();
      for (let i = 0; i < x.length; i++) a.fill(x[i] as number, w[i] as number);
      b.fillArray(x, w);
      for (let i = 0; i < a.sumW.length; i++) {
        expect(b.sumW[i]).toBeCloseTo(a.sumW[i] as number, 12);
        expect(b.sumW2[i]).toBeCloseTo(a.sumW2[i] as number, 12);
      }
      expect(a.sumOfWeights(true)).toBeCloseTo(
        w.reduce((s, v) => s + v, 0),
        9,
      );
    }
  });

  it('counts by hand on a small example, with under/overflow', () => {
    const h = Hist1D.regular(4, 0, 4);
    h.fillArray([-1, 0, 0.5, 1, 3.999, 4, 7]);
    h.fill(2, 3);
    expect(Array.from(h.values())).toEqual([2, 1, 3, 1]);
    expect(Array.from(h.variances())).toEqual([2, 1, 9, 1]);
    expect(h.underflow).toBe(1);
    expect(h.overflow).toBe(2);
    expect(h.content(3)).toBe(3);
    expect(h.error(3)).toBe(3);
    expect(h.sumOfWeights()).toBe(7);
    expect(h.sumOfWeights(true)).toBe(10);
    expect(h.effectiveEntries()).toBeCloseTo(100 / 16, 15);
    expect(() => h.fill(Number.NaN)).toThrow(PhysicsInputError);
    expect(() => h.fill(1, Number.POSITIVE_INFINITY)).toThrow(PhysicsInputError);
    expect(() => h.fillArray([1, Number.NaN])).toThrow(PhysicsInputError);
    expect(() => h.content(6)).toThrow(PhysicsInputError);
  });

  it('rebins by a factor or to an edge subset, keeping totals and variances', () => {
    const rng = new Rng(2);
    const h = Hist1D.regular(12, 0, 6);
    for (let i = 0; i < 3000; i++) h.fill(rng.exponential(2), rng.range(0.5, 1.5));
    const r3 = h.rebin(3);
    expect(r3.axis.nBins).toBe(4);
    expect(r3.axis.regular).toBe(true);
    expect(r3.content(2)).toBeCloseTo(h.content(4) + h.content(5) + h.content(6), 12);
    expect(r3.variance(2)).toBeCloseTo(h.variance(4) + h.variance(5) + h.variance(6), 12);
    expect(r3.overflow).toBe(h.overflow);
    const narrow = h.rebin([1, 2, 4]);
    expect(narrow.content(2)).toBeCloseTo(h.content(5) + h.content(6) + h.content(7) + h.content(8), 12);
    // Bins below 1 and above 4 move into the flows.
    expect(narrow.underflow).toBeCloseTo(h.underflow + h.content(1) + h.content(2), 12);
    expect(narrow.sumOfWeights(true)).toBeCloseTo(h.sumOfWeights(true), 9);
    expect(() => h.rebin(5)).toThrow(PhysicsInputError);
    expect(() => h.rebin([0, 1.25, 6])).toThrow(PhysicsInputError);
  });

  it('normalises to unit area or unit density', () => {
    const h = Hist1D.variable([0, 1, 3, 6]);
    h.fillArray([0.5, 2, 2, 5, 5, 5, 9]);
    const n = h.normalized();
    expect(n.sumOfWeights()).toBeCloseTo(1, 15);
    expect(n.content(2)).toBeCloseTo(2 / 6, 15);
    expect(n.variance(2)).toBeCloseTo(2 / 36, 15);
    const d = h.normalized({ density: true });
    let area = 0;
    for (let i = 1; i <= 3; i++) area += d.content(i) * h.axis.width(i);
    expect(area).toBeCloseTo(1, 15);
    expect(h.normalized({ includeFlow: true }).sumOfWeights(true)).toBeCloseTo(1, 15);
    expect(() => Hist1D.regular(2, 0, 1).normalized()).toThrow(PhysicsInputError);
  });

  it('divides with uncorrelated or binomial errors', () => {
    const num = Hist1D.regular(3, 0, 3);
    const den = Hist1D.regular(3, 0, 3);
    num.fillArray([0.5, 0.5, 0.5, 1.5]);
    den.fillArray([0.5, 0.5, 0.5, 0.5, 1.5, 1.5]);
    const u = num.divide(den);
    expect(u.content(1)).toBe(0.75);
    // (σa² b² + a² σb²)/b⁴ = (3·16 + 9·4)/256.
    expect(u.variance(1)).toBeCloseTo((3 * 16 + 9 * 4) / 256, 15);
    const b = num.divide(den, 'binomial');
    expect(b.variance(1)).toBeCloseTo((0.75 * 0.25) / 4, 15);
    expect(b.content(3)).toBeNaN();
    expect(() => num.divide(Hist1D.regular(4, 0, 3))).toThrow(PhysicsInputError);
    const sum = num.add(den, -1);
    expect(sum.content(1)).toBe(-1);
    expect(sum.variance(1)).toBe(7);
    expect(num.scaled(2).variance(1)).toBe(12);
  });
});

describe('Hist2D and Hist3D', () => {
  it('project to what 1D histograms filled with the same data hold, and rebin', () => {
    const rng = new Rng(3);
    const h2 = new Hist2D(Axis.regular(8, -2, 2), Axis.variable([0, 0.5, 1, 2, 4]));
    const hx = new Hist1D(Axis.regular(8, -2, 2));
    const hy = new Hist1D(Axis.variable([0, 0.5, 1, 2, 4]));
    const xs: number[] = [];
    const ys: number[] = [];
    const ws: number[] = [];
    for (let i = 0; i < 2000; i++) {
      xs.push(rng.normal());
      ys.push(rng.exponential(1));
      ws.push(rng.range(0, 2));
    }
    h2.fillArrays(xs, ys, ws);
    hx.fillArray(xs, ws);
    hy.fillArray(ys, ws);
    const px = h2.projectionX();
    const py = h2.projectionY();
    for (let i = 0; i < px.sumW.length; i++) expect(px.sumW[i]).toBeCloseTo(hx.sumW[i] as number, 10);
    for (let i = 0; i < py.sumW.length; i++) expect(py.sumW2[i]).toBeCloseTo(hy.sumW2[i] as number, 10);
    const r = h2.rebin(2, [0, 1, 4]);
    expect(r.xAxis.nBins).toBe(4);
    expect(r.content(1, 1)).toBeCloseTo(h2.content(1, 1) + h2.content(1, 2) + h2.content(2, 1) + h2.content(2, 2), 12);
    expect(r.sumOfWeights(true)).toBeCloseTo(h2.sumOfWeights(true), 9);
    expect(h2.normalized().sumOfWeights()).toBeCloseTo(1, 14);
  });

  it('fills a 3D histogram cell by cell, with flows on every axis', () => {
    const h3 = new Hist3D(Axis.regular(2, 0, 2), Axis.regular(3, 0, 3), Axis.variable([0, 10, 100]));
    h3.fill(0.5, 2.5, 50, 2);
    h3.fill(0.5, 2.5, 50);
    h3.fill(-1, 1, 1000);
    h3.fillArrays([1.5], [0.1], [5], [4]);
    expect(h3.content(1, 3, 2)).toBe(3);
    expect(h3.variance(1, 3, 2)).toBe(5);
    expect(h3.content(0, 2, 3)).toBe(1);
    expect(h3.content(2, 1, 1)).toBe(4);
    expect(h3.sumOfWeights()).toBe(7);
    expect(h3.sumOfWeights(true)).toBe(8);
    const r = h3.rebin(2, undefined, [0, 100]);
    expect(r.content(1, 3, 1)).toBe(3);
    expect(r.content(1, 1, 1)).toBe(4);
    expect(() => h3.fill(Number.NaN, 0, 0)).toThrow(PhysicsInputError);
  });
});
