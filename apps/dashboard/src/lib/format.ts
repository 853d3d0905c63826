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
