/** Formats a figure of merit for tables: fixed digits, or an en dash when absent. */
export function fmt(value: number | null | undefined, digits = 4): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Formats an ISO date as YYYY-MM-DD. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Formats a count with thin-space thousands separators (12 345). */
export function count(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** Formats a bin edge; an open upper edge (null or +∞) reads ∞. */
export function edge(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '∞' : String(x);
}

/**
 * Formats a number to `digits` significant figures (default 4), without exponent for
 * 1e-4 ≤ |x| < 1e6 and without trailing zeros; integers read as integers (`12`, not `12.0000`).
 * Meant for stored constants such as input offsets and scales, whose 16 digits say nothing.
 */
export function sig(value: number | null | undefined, digits = 4): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const a = Math.abs(value);
  const s = a !== 0 && (a < 1e-4 || a >= 1e6) ? value.toExponential(digits - 1) : value.toPrecision(digits);
  return s.includes('e') ? s.replace(/\.?0+e/, 'e') : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** An input's transform x → ln(max(x + shift, floor)) as a formula, e.g. `ln(max(x + 1, 1))`. */
export function transformText(t: { shift: number; floor: number }): string {
  const arg = t.shift === 0 ? 'x' : t.shift > 0 ? `x + ${sig(t.shift)}` : `x − ${sig(-t.shift)}`;
  return `ln(max(${arg}, ${sig(t.floor)}))`;
}

/**
 * A typical raw value of an input, to start a try-it form from: its offset (the training mean or
 * median), or for a transformed input the raw value whose transform the offset is, e^offset − shift.
 */
export function typicalValue(input: { offset: number; transform?: { shift: number } | undefined }): string {
  return input.transform ? sig(Math.exp(input.offset) - input.transform.shift) : String(input.offset);
}
