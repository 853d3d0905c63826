/**
 * Parameter bounds by transformation, as MINUIT does (F. James, MINUIT Reference Manual, CERN
 * Program Library D506, section 1.3.1): the minimiser works on an unbounded internal variable t and
 * the function sees the bounded external value x(t).
 *
 * - both bounds:  x = lo + (hi − lo)·(sin t + 1)/2
 * - lower only:   x = lo − 1 + √(t² + 1)
 * - upper only:   x = hi + 1 − √(t² + 1)
 * - none:         x = t
 *
 * Near a bound dx/dt → 0, so errors propagated through the transformation shrink to zero there:
 * a parameter found at a bound is reported as such, never with a meaningful-looking error.
 */
export interface Bounds {
  lower: number;
  upper: number;
}

/** External (bounded) value from the internal variable t. */
export function boundedFromInternal(t: number, b: Bounds): number {
  const hasLo = Number.isFinite(b.lower);
  const hasHi = Number.isFinite(b.upper);
  if (hasLo && hasHi) return b.lower + ((b.upper - b.lower) * (Math.sin(t) + 1)) / 2;
  if (hasLo) return b.lower - 1 + Math.sqrt(t * t + 1);
  if (hasHi) return b.upper + 1 - Math.sqrt(t * t + 1);
  return t;
}

/** Internal variable t of an external value x inside its bounds (x is clamped into them first). */
export function internalFromBounded(x: number, b: Bounds): number {
  const hasLo = Number.isFinite(b.lower);
  const hasHi = Number.isFinite(b.upper);
  if (hasLo && hasHi) {
    const u = (2 * (x - b.lower)) / (b.upper - b.lower) - 1;
    return Math.asin(Math.min(1, Math.max(-1, u)));
  }
  if (hasLo) {
    const v = Math.max(x, b.lower) - b.lower + 1;
    return Math.sqrt(v * v - 1);
  }
  if (hasHi) {
    const v = b.upper - Math.min(x, b.upper) + 1;
    return Math.sqrt(v * v - 1);
  }
  return x;
}

/** dx/dt of the transformation at t (1 for an unbounded parameter). */
export function boundedDerivative(t: number, b: Bounds): number {
  const hasLo = Number.isFinite(b.lower);
  const hasHi = Number.isFinite(b.upper);
  if (hasLo && hasHi) return ((b.upper - b.lower) * Math.cos(t)) / 2;
  if (hasLo) return t / Math.sqrt(t * t + 1);
  if (hasHi) return -t / Math.sqrt(t * t + 1);
  return 1;
}
