import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { Hist1D } from './hist-1d.ts';

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
