/**
 * Small statistics over selected rows of a column, used by the generators' tests and the
 * benchmark: mean, standard deviation, Pearson correlation, and an FNV-1a hash of a sample's bytes
 * for determinism checks.
 */
import { at } from '../array.ts';
import type { ColumnarSample } from './sample.ts';

/** Mean of `xs` over the rows where `keep(i)` holds; NaN when no row is kept. */
export function maskedMean(xs: ArrayLike<number>, keep: (i: number) => boolean): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep(i)) {
      s += at(xs, i);
      k++;
    }
  }
  return k === 0 ? Number.NaN : s / k;
}

/** Population standard deviation of `xs` over the kept rows; NaN when no row is kept. */
export function maskedStd(xs: ArrayLike<number>, keep: (i: number) => boolean): number {
  const m = maskedMean(xs, keep);
  let s = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep(i)) {
      const d = at(xs, i) - m;
      s += d * d;
      k++;
    }
  }
  return k === 0 ? Number.NaN : Math.sqrt(s / k);
}

/** Pearson correlation of `xs` and `ys` over the kept rows; NaN if either is constant. */
export function maskedCorrelation(xs: ArrayLike<number>, ys: ArrayLike<number>, keep: (i: number) => boolean): number {
  const mx = maskedMean(xs, keep);
  const my = maskedMean(ys, keep);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!keep(i)) continue;
    const dx = at(xs, i) - mx;
    const dy = at(ys, i) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * 32-bit FNV-1a hash over every byte of a sample's columns, labels, weights and truth (in key
 * order): equal samples hash equal, and one flipped bit changes the hash.
 */
export function hashSample(sample: ColumnarSample): number {
  let h = 0x811c9dc5;
  const feed = (view: ArrayBufferView): void => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ at(bytes, i), 0x01000193) >>> 0;
  };
  for (const key of Object.keys(sample.columns).sort()) feed(sample.columns[key] as Float32Array);
  feed(sample.label);
  feed(sample.weight);
  for (const key of Object.keys(sample.truth).sort()) feed(sample.truth[key] as Float32Array | Int32Array);
  return h;
}
