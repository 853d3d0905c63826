import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Axis, cutPointIndex } from './axis.ts';

describe('Axis.find: the one out-of-range rule', () => {
  const axis = Axis.variable([0, 1, 2.5, 10]);

  it('gives 0-based in-range bins with lo <= x < hi', () => {
    expect([0, 0.999, 1, 2.4999, 2.5, 9.999].map((x) => axis.find(x, 'drop'))).toEqual([0, 0, 1, 1, 2, 2]);
    expect([0, 1, 2.5, 9.999].map((x) => axis.find(x, 'clamp'))).toEqual([0, 1, 2, 2]);
  });

  it('clamps values outside the edges into the edge bins, or drops them', () => {
    expect([-1, -Infinity, 10, 1e9, Infinity].map((x) => axis.find(x, 'clamp'))).toEqual([0, 0, 2, 2, 2]);
    expect([-1, -Infinity, 10, 1e9, Infinity].map((x) => axis.find(x, 'drop'))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('gives NaN no bin under either rule', () => {
    expect(axis.find(Number.NaN, 'clamp')).toBe(-1);
    expect(axis.find(Number.NaN, 'drop')).toBe(-1);
  });

  it('puts every edge of a regular axis in the bin it opens', () => {
    const regular = Axis.regular(7, -2.47, 2.47);
    for (let k = 0; k < 7; k++) expect(regular.find(regular.edges[k] as number, 'drop')).toBe(k);
    expect(regular.find(2.47, 'drop')).toBe(-1);
    expect(regular.find(2.47, 'clamp')).toBe(6);
  });

  it('names the caller field when the edges are bad', () => {
    expect(() => Axis.variable([0, 2, 1], { field: 'ptEdges' })).toThrow(
      /ptEdges must be strictly increasing \(at index 2\)/,
    );
    expect(() => Axis.variable([0, Number.NaN], { field: 'etaEdges' })).toThrow(/etaEdges\[1\] is not finite/);
    try {
      Axis.variable([1], { field: 'ptEdges' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PhysicsInputError);
      expect((e as PhysicsInputError).field).toBe('ptEdges');
    }
  });

  it('opens the edge bins to ±∞ only when asked, keeping lo <= x < hi', () => {
    expect(() => Axis.variable([-Infinity, 0, Infinity])).toThrow(/edges\[0\] is not finite/);
    const open = Axis.variable([-Infinity, 0, 10, Infinity], { field: 'ptEdges', openEnds: true });
    expect([-Infinity, -1e300, 0, 9.99, 10, 1e300].map((x) => open.find(x, 'drop'))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(open.find(Infinity, 'drop')).toBe(-1);
    expect(open.find(Infinity, 'clamp')).toBe(2);
    expect(open.find(Number.NaN, 'clamp')).toBe(-1);
    expect(Axis.variable([-Infinity, Infinity], { openEnds: true }).find(-5, 'drop')).toBe(0);
    // Only the first edge may be −∞ and only the last +∞.
    expect(() => Axis.variable([0, Infinity, 5], { openEnds: true })).toThrow(/edges\[1\] is not finite/);
    expect(() => Axis.variable([Infinity, 5], { openEnds: true })).toThrow(/edges\[0\] is not finite/);
    expect(() => Axis.variable([0, 1, -Infinity], { openEnds: true })).toThrow(/edges\[2\] is not finite/);
  });
});

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

describe('Axis.firstBadEdge: the edge check, by index', () => {
  it('finds the first edge that is not finite or not above the one before', () => {
    expect(Axis.firstBadEdge([0, 1, 2.5])).toBe(-1);
    expect(Axis.firstBadEdge([])).toBe(-1);
    expect(Axis.firstBadEdge([3])).toBe(-1);
    expect(Axis.firstBadEdge([0, 2, 1, 1])).toBe(2);
    expect(Axis.firstBadEdge([0, 1, 1])).toBe(2);
    expect(Axis.firstBadEdge([0, Number.NaN, -1])).toBe(1);
    expect(Axis.firstBadEdge([Number.POSITIVE_INFINITY])).toBe(0);
  });
});

describe('cutPointIndex: bins between cut points', () => {
  it('counts the points at or below x, as Axis.index does for two or more', () => {
    const points = [100, 200, 300];
    const index = cutPointIndex(points);
    const axis = Axis.variable(points);
    for (const x of [-Infinity, 0, 99.5, 100, 150, 200, 299.9, 300, 1e9, Infinity]) {
      expect(index(x), `${x}`).toBe(axis.index(x));
    }
    expect([99.5, 100, 250, 1e9].map(index)).toEqual([0, 1, 2, 3]);
  });

  it('has two bins for one point and one bin for none', () => {
    const one = cutPointIndex([1.5]);
    expect([-Infinity, 1, 1.4999, 1.5, 2, Infinity].map(one)).toEqual([0, 0, 0, 1, 1, 1]);
    const none = cutPointIndex([]);
    expect([-Infinity, -3, 0, 7, Infinity].map(none)).toEqual([0, 0, 0, 0, 0]);
  });

  it('gives NaN no bin', () => {
    for (const points of [[], [1], [1, 2], [1, 2, 3]]) expect(cutPointIndex(points)(Number.NaN)).toBe(-1);
  });

  it('refuses points that are not finite and strictly increasing, naming the field', () => {
    expect(() => cutPointIndex([2, 1], { field: 'cuts' })).toThrow(/cuts must be strictly increasing/);
    expect(() => cutPointIndex([Number.NaN], { field: 'cuts' })).toThrow(/cuts\[0\] is not finite/);
    try {
      cutPointIndex([Number.POSITIVE_INFINITY], { field: 'cuts' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PhysicsInputError);
      expect((e as PhysicsInputError).field).toBe('cuts');
    }
  });
});
