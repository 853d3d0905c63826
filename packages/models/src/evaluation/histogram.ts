/**
 * Fractions of the (weighted) events in each bin `edges[i] <= x < edges[i+1]` (x outside the edges
 * is counted in no bin but in the total, so the fractions sum to ≤ 1). An empty or zero-weight
 * sample gives zeros.
 */
export function binFractions(
  values: ArrayLike<number>,
  edges: readonly number[],
  weights?: ArrayLike<number>,
): number[] {
  const nb = edges.length - 1;
  const counts = new Array<number>(nb).fill(0);
  const lo = edges[0] as number;
  const hi = edges[nb] as number;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    total += w;
    const x = values[i] as number;
    if (!(x >= lo && x < hi)) continue;
    let a = 0;
    let b = nb - 1;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (x >= (edges[mid] as number)) a = mid;
      else b = mid - 1;
    }
    counts[a] = (counts[a] as number) + w;
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
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
