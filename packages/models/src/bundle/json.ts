import { BundleError } from '../errors.ts';

/**
 * Helpers of the strict validators of bundle files: every failure is a {@link BundleError} whose
 * message starts with the file and whose `field` is the JSON path (`architecture.layers[2].filters`).
 */

/** True for a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws the BundleError `"<file>: <field>: <message>"` with `field` set. */
export function fail(field: string, message: string, file = 'manifest.json'): never {
  throw new BundleError(`${file}: ${field}: ${message}`, { field });
}

/** The value as a string, else a BundleError naming the field. */
export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, 'must be a string');
  return v;
}

/** The value as a finite number, else a BundleError naming the field. */
export function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'must be a finite number');
  return v;
}

/** The value as a positive integer, else a BundleError naming the field. */
export function positiveInt(v: unknown, field: string): number {
  const n = num(v, field);
  if (!Number.isInteger(n) || n <= 0) fail(field, 'must be a positive integer');
  return n;
}

/** The value as a boolean, else a BundleError naming the field. */
export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') fail(field, 'must be true or false');
  return v;
}

/** The value as an object, else a BundleError naming the field. */
export function record(v: unknown, field: string): Record<string, unknown> {
  if (!isRecord(v)) fail(field || '(root)', field ? 'must be an object' : 'must be a JSON object');
  return v;
}

/** Rejects keys outside `allowed`, naming the first unknown one. */
export function noExtraKeys(v: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(field ? `${field}.${k}` : k, 'unknown key');
}

/** The value as one of `options`, else a BundleError listing them. */
export function oneOf<T extends string>(v: unknown, options: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    fail(field, `must be one of ${options.map((o) => `"${o}"`).join(', ')}`);
  }
  return v as T;
}

/** The value as a pair of positive integers `[a, b]`, else a BundleError naming the field. */
export function intPair(v: unknown, field: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) fail(field, 'must be an array of 2 positive integers');
  return [positiveInt(v[0], `${field}[0]`), positiveInt(v[1], `${field}[1]`)];
}
