/** Formats a figure of merit for tables: fixed digits, or an en dash when absent. */
export function fmt(value: number | undefined, digits = 4): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Formats an ISO date as YYYY-MM-DD. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}
