/**
 * What the baseline parameter files and evaluators share (Workers-safe: no Node, no tfjs): the
 * reader that validates a file with its zod schema and reports the first issue as a
 * {@link BundleError} naming the JSON path, the schemas of the `inputs` list and of bin edges, and
 * the check of the rows an evaluator (or a fit) is given.
 */
import { Axis, type Fault, reportFault } from '@hepml/physics';
import { z } from 'zod';
import { parseBundleJson } from '../../bundle/json.ts';
import { BundleError, ModelInputError } from '../../errors.ts';

/** A problem found by a cross-field check of a file: where (JSON path from the root) and what. */
export type FormatProblem = Fault;

/**
 * Validates the JSON value of a parameter file against its schema through the one bundle-file
 * reader ({@link parseBundleJson}): the first issue becomes a {@link BundleError}
 * `"<format>: <path>: <message>"` whose `field` is the JSON path (`trees[3].left[5]`; an unknown
 * key is named itself, `trees[5].extra`; the root is `''`).
 */
export function readFormat<T>(schema: z.ZodType<T>, json: unknown, format: string): T {
  return parseBundleJson(schema, json, { file: format, root: '' });
}

/** A `superRefine` from a check that returns the first problem of a value, or null. */
export function refineWith<T>(check: (value: T) => FormatProblem | null): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => reportFault(ctx, check(value) ?? undefined);
}

/** The `inputs` list of every baseline file: distinct non-empty names, at least one. */
export const InputsV1 = z
  .array(z.string().min(1))
  .min(1)
  .superRefine((names, ctx) => {
    const at = names.findIndex((name, i) => names.indexOf(name) !== i);
    if (at >= 0) ctx.addIssue({ code: 'custom', path: [at], message: `duplicate input "${names[at]}"` });
  });

/**
 * The schema of a baseline parameter file: the header every format shares (`format`, `formatVersion`
 * 1, the {@link InputsV1} list) and the format's own fields, unknown keys refused.
 */
export function baselineFileV1<F extends string, S extends z.ZodRawShape>(format: F, shape: S) {
  return z.strictObject({ format: z.literal(format), formatVersion: z.literal(1), inputs: InputsV1, ...shape });
}

/**
 * Bin edges (or cut points) in a file: at least `min` finite numbers, strictly increasing —
 * {@link Axis.firstBadEdge}, the check of `Axis.variable`, names the offending element.
 */
export function edgesV1(min: number) {
  return z
    .array(z.number())
    .min(min)
    .superRefine((edges, ctx) => {
      const at = Axis.firstBadEdge(edges);
      if (at >= 0) ctx.addIssue({ code: 'custom', path: [at], message: 'must be strictly increasing' });
    });
}

/** The problem at `path` when `name` is not one of the inputs, else null. */
export function inputNameProblem(
  inputs: readonly string[],
  name: string,
  path: (string | number)[],
): FormatProblem | null {
  return inputs.includes(name) ? null : { path, message: 'must name one of the inputs' };
}

/**
 * Checks that `x` holds n rows of `nFeatures` and that `out` (when given) holds at least n × `outputs`
 * values; returns `out` or a new array. A mismatch is a {@link ModelInputError} (the caller's input,
 * not the parameter file, is wrong) whose message starts with the format name.
 */
export function checkBaselineRows(
  format: string,
  x: Float32Array,
  n: number,
  nFeatures: number,
  outputs: number,
  out: Float32Array | undefined,
): Float32Array {
  const bad = (field: string, message: string): never => {
    throw new ModelInputError(`${format}: ${field} ${message}`, { field });
  };
  if (!Number.isInteger(n) || n < 0) bad('n', `must be a non-negative integer, got ${n}`);
  if (x.length !== n * nFeatures) bad('x', `has ${x.length} values for ${n} rows of ${nFeatures} features`);
  if (out === undefined) return new Float32Array(n * outputs);
  if (out.length < n * outputs) bad('out', `has ${out.length} values, needs ${n * outputs}`);
  return out;
}
