import { Axis, at } from '@hepml/physics';

/**
 * Fractions of the (weighted) events in each bin `edges[i] <= x < edges[i+1]` ({@link Axis}): x
 * outside the edges, or NaN, is counted in no bin (rule `drop`) but in the total, so the fractions
 * sum to ≤ 1. An empty or zero-weight sample gives zeros. Throws `PhysicsInputError` for edges that
 * are not finite and strictly increasing.
 */
export function binFractions(
  values: ArrayLike<number>,
  edges: readonly number[],
  weights?: ArrayLike<number>,
): number[] {
  const axis = Axis.variable(edges, { field: 'edges' });
  const counts = new Array<number>(axis.nBins).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? at(weights, i) : 1;
    total += w;
    const b = axis.find(at(values, i), 'drop');
    if (b >= 0) counts[b] = at(counts, b) + w;
  }
  return total > 0 ? counts.map((c) => c / total) : counts;
}

/** `bins` equal-width bin edges from lo to hi (hi nudged up so x = hi falls in the last bin). */
export function uniformEdges(lo: number, hi: number, bins: number): number[] {
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * step);
  edges[bins] = hi + Math.max(Math.abs(hi), 1) * 1e-9;
  return edges;
}

/** Smallest and largest finite value. */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = at(values, i);
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
