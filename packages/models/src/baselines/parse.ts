/**
 * Strict readers shared by the baseline parameter parsers (Workers-safe: no Node, no tfjs). Every
 * failure is a {@link BundleError} whose message starts with the format name and whose `field` is
 * the JSON path of the offending value, e.g. `trees[3].threshold[5]`.
 */
import { BundleError, ModelInputError } from '../errors.ts';

/** The format being read (`hepml-gbdt`, …) for error messages. */
export interface ParseContext {
  format: string;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fail(ctx: ParseContext, field: string, message: string): never {
  throw new BundleError(`${ctx.format}: ${field}: ${message}`, { field });
}

export function record(
  ctx: ParseContext,
  v: unknown,
  field: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (!isRecord(v)) fail(ctx, field, 'must be an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(ctx, field ? `${field}.${k}` : k, 'unknown key');
  return v;
}

export function finite(ctx: ParseContext, v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(ctx, field, 'must be a finite number');
  return v;
}

export function integer(
  ctx: ParseContext,
  v: unknown,
  field: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const x = finite(ctx, v, field);
  if (!Number.isInteger(x) || x < min || x > max) fail(ctx, field, `must be an integer in [${min}, ${max}]`);
  return x;
}

export function oneOf<T extends string>(ctx: ParseContext, v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(ctx, field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return v as T;
}

export function array(ctx: ParseContext, v: unknown, field: string, length?: number): unknown[] {
  if (!Array.isArray(v)) fail(ctx, field, 'must be an array');
  if (length !== undefined && v.length !== length) fail(ctx, field, `must have ${length} entries, has ${v.length}`);
  return v;
}

export function finiteArray(ctx: ParseContext, v: unknown, field: string, length?: number): number[] {
  return array(ctx, v, field, length).map((x, i) => finite(ctx, x, `${field}[${i}]`));
}

/** Finite numbers in strictly increasing order, at least `minLength` of them. */
export function increasingArray(ctx: ParseContext, v: unknown, field: string, minLength: number): number[] {
  const xs = finiteArray(ctx, v, field);
  if (xs.length < minLength) fail(ctx, field, `must have at least ${minLength} entries`);
  for (let i = 1; i < xs.length; i++) {
    if (!((xs[i] as number) > (xs[i - 1] as number))) fail(ctx, `${field}[${i}]`, 'must be strictly increasing');
  }
  return xs;
}

/** Checks the `format`/`formatVersion` pair of a parameter file. */
export function header(ctx: ParseContext, v: Record<string, unknown>): void {
  if (v.format !== ctx.format) fail(ctx, 'format', `must be "${ctx.format}"`);
  if (v.formatVersion !== 1) fail(ctx, 'formatVersion', 'must be 1');
}

/**
 * Checks that `x` holds n rows of `nFeatures` and that `out` (when given) holds at least n × `outputs`
 * values; returns `out` or a new array. A mismatch is a {@link ModelInputError} (the caller's input,
 * not the parameter file, is wrong).
 */
export function checkRows(
  ctx: ParseContext,
  x: Float32Array,
  n: number,
  nFeatures: number,
  outputs: number,
  out: Float32Array | undefined,
): Float32Array {
  const bad = (field: string, message: string): never => {
    throw new ModelInputError(`${ctx.format}: ${field} ${message}`, { field });
  };
  if (!Number.isInteger(n) || n < 0) bad('n', `must be a non-negative integer, got ${n}`);
  if (x.length !== n * nFeatures) bad('x', `has ${x.length} values for ${n} rows of ${nFeatures} features`);
  if (out === undefined) return new Float32Array(n * outputs);
  if (out.length < n * outputs) bad('out', `has ${out.length} values, needs ${n * outputs}`);
  return out;
}
