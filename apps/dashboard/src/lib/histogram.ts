/**
 * A histogram (`edges`, `counts`, bins `edges[i] <= x < edges[i+1]`) as y values on x = edges for a
 * step chart: bin i's height is drawn from edges[i] to edges[i+1], so the last count repeats at
 * the last edge to close the final bin.
 */
export function stepValues(counts: readonly number[]): number[] {
  return counts.length === 0 ? [] : [...counts, counts[counts.length - 1] as number];
}
