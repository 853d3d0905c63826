/**
 * ROC curves for display: background rejection 1/εB against signal efficiency εS, resampled onto a
 * common εS grid so that every curve of a leaderboard shares one x axis (uPlot's aligned data).
 */

/** The εS grid of the overlay: 0.05, 0.06, …, 1.00 (96 points). Below 5 % the curves are noise. */
export const ROC_GRID: readonly number[] = Array.from(
  { length: 96 },
  (_, i) => Math.round((0.05 + i * 0.01) * 100) / 100,
);

/**
 * Background rejection 1/εB at each εS of `grid`, by linear interpolation of εB between the two
 * ROC points around εS (points sorted by εS first). Returns null where εS lies outside the curve
 * or εB is 0 there (infinite rejection: nothing to draw on a log axis).
 *
 * @param signalEfficiency εS of the ROC points, in [0, 1]
 * @param backgroundEfficiency εB of the same points, in [0, 1]
 */
export function rejectionOnGrid(
  signalEfficiency: readonly number[],
  backgroundEfficiency: readonly number[],
  grid: readonly number[] = ROC_GRID,
): (number | null)[] {
  const points = signalEfficiency
    .map((s, i) => [s, backgroundEfficiency[i] ?? Number.NaN] as const)
    .filter(([s, b]) => Number.isFinite(s) && Number.isFinite(b))
    .sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (points.length < 2) return grid.map(() => null);
  const out: (number | null)[] = [];
  let k = 0;
  for (const s of grid) {
    while (k < points.length - 2 && (points[k + 1]?.[0] ?? 0) < s) k++;
    const [s0, b0] = points[k] as readonly [number, number];
    const [s1, b1] = points[k + 1] as readonly [number, number];
    if (s < s0 || s > s1) {
      out.push(null);
      continue;
    }
    const b = s1 === s0 ? Math.max(b0, b1) : b0 + ((b1 - b0) * (s - s0)) / (s1 - s0);
    out.push(b > 0 ? 1 / b : null);
  }
  return out;
}
