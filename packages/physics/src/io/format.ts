/**
 * The shared part of the zod schemas of the files hepml-edge reads (bundle manifest, evaluation
 * block, baseline parameters, scale-factor tables, correctionlib): one parse that turns a failure
 * into the JSON path and message the house errors carry, the house wording of zod's issues, and the
 * building blocks every format uses the same way (non-empty strings and arrays, bin edges).
 */
import { z } from 'zod';
import { Axis } from '../histogram/axis.ts';

/** A failed parse as the house error envelope names it: the JSON path of the value and why. */
export interface FormatIssue {
  /** JSON path, e.g. `corrections[0].data.edges[2]`; the root's name for the document itself. */
  field: string;
  message: string;
}

/** Options of {@link parseFormat}. */
export interface ParseFormatOptions {
  /** Name of the document itself in `field` (default `(root)`; correctionlib says `$`). */
  root?: string;
  /** Path of the value inside its file (e.g. `evaluation`), put in front of every field. */
  at?: string;
}

/** Outcome of {@link parseFormat}: the typed value, or the first issue with zod's full error. */
export type FormatResult<T> = { success: true; data: T } | { success: false; issue: FormatIssue; error: z.ZodError };

/**
 * Parses `value` with a format's schema and reports the first issue (in the schema's key order)
 * as a {@link FormatIssue} in the house wording: "must be a finite number", "unknown key", … A
 * failed union (a content node that is a number or an object) reports the issue inside the one
 * alternative the value got past the type of, so the path points at the faulty leaf.
 */
export function parseFormat<T>(
  schema: z.ZodType<T>,
  value: unknown,
  options: ParseFormatOptions = {},
): FormatResult<T> {
  const result = schema.safeParse(value, { error: houseMessage });
  if (result.success) return { success: true, data: result.data };
  const first = result.error.issues[0];
  const issue: FormatIssue = first
    ? describe(innermost(first), options)
    : { field: options.at ?? options.root ?? '(root)', message: 'is not valid' };
  return { success: false, issue, error: result.error };
}

/** A fault a refinement found across fields: the path from the refined value, and why. */
export interface Fault {
  path: (string | number)[];
  message: string;
}

/** Adds `fault`, if there is one, to a refinement as a custom issue (checks return the first). */
export function reportFault(ctx: z.core.$RefinementCtx, fault: Fault | undefined): void {
  if (fault) ctx.addIssue({ code: 'custom', path: fault.path, message: fault.message, input: ctx.value });
}

/** A string of at least one character; anything else is `message`. */
export function nonEmptyString(message = 'must be a non-empty string') {
  return z.string({ error: message }).min(1, { error: message });
}

/** An array of at least one `item`; a non-array or an empty one is `message`. */
export function nonEmptyArray<T extends z.ZodType>(item: T, message = 'must be a non-empty array') {
  return z.array(item, { error: message }).min(1, { error: message });
}

/**
 * Bin edges as files store them: an array of at least two finite, strictly increasing numbers —
 * the rule of {@link Axis.variable}, checked by it ({@link refineBinEdges}).
 */
export const BinEdges = z.array(z.number(), { error: 'must be an array of numbers' }).superRefine((edges, ctx) => {
  refineBinEdges(edges, ctx);
});

/**
 * The one edge check ({@link Axis.variable}: at least two finite, strictly increasing edges) as a
 * zod refinement of edges the schema already holds to be finite numbers ({@link Axis.firstBadEdge}):
 * the issue names the first edge that breaks the order, at `offset + i` (edges of a longer list whose first
 * `offset` entries are checked elsewhere, e.g. correctionlib's "-inf").
 */
export function refineBinEdges(edges: readonly number[], ctx: z.core.$RefinementCtx, offset = 0): void {
  if (edges.length < 2) {
    ctx.addIssue({ code: 'custom', message: 'needs at least two edges', input: edges });
    return;
  }
  const i = Axis.firstBadEdge(edges);
  if (i < 0) return;
  const message = `edges must be strictly increasing (${edges[i]} after ${edges[i - 1]})`;
  ctx.addIssue({ code: 'custom', message, path: [offset + i], input: edges });
}

type Issue = z.core.$ZodIssue;

/**
 * The issue to report for `issue`: for a failed union, the innermost issue of the one alternative
 * whose type the value had (a content node object with a bad field, not the number it is not).
 */
function innermost(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const matching = issue.errors.filter((issues) => !wrongType(issues));
  const inner = matching.length === 1 ? matching[0]?.[0] : undefined;
  if (!inner) return issue;
  return innermost({ ...inner, path: [...issue.path, ...inner.path] });
}

/** Whether an alternative of a union failed on the value's own type rather than inside it. */
function wrongType(issues: readonly Issue[]): boolean {
  return issues.some(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' ||
        i.code === 'invalid_value' ||
        (i.code === 'invalid_union' && i.errors.length > 0 && i.errors.every(wrongType))),
  );
}

function describe(issue: Issue, options: ParseFormatOptions): FormatIssue {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return { field: fieldPath(path, options.at) || (options.root ?? '(root)'), message: issue.message };
}

/**
 * A zod issue path as the `field` of house errors, after `prefix` when one is given:
 * `['rows', 3, 'et']` → `rows[3].et`. The one translation, for files and for API inputs alike.
 */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let field = prefix;
  for (const key of path) {
    field += typeof key === 'number' ? `[${key}]` : field === '' ? String(key) : `.${String(key)}`;
  }
  return field;
}

/** The house wording of a zod issue that its schema did not word itself. */
function houseMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_MESSAGES[issue.expected] ?? `must be of type ${issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quote(issue.values[0])}`
        : `must be one of ${issue.values.map(quote).join(', ')}`;
    case 'invalid_union': {
      const options: readonly unknown[] = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
      return options.length > 0 ? `must be one of ${options.map(quote).join(', ')}` : 'has none of the allowed forms';
    }
    case 'unrecognized_keys':
      return 'unknown key';
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'set') {
        return Number(issue.minimum) === 1
          ? 'must be a non-empty array'
          : `must have at least ${issue.minimum} entries`;
      }
      if (issue.origin === 'string') return `must have at least ${issue.minimum} characters`;
      return issue.inclusive === false ? `must be greater than ${issue.minimum}` : `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${issue.maximum} entries`;
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return 'is not valid';
  }
}

const TYPE_MESSAGES: Partial<Record<string, string>> = {
  number: 'must be a finite number',
  int: 'must be an integer',
  string: 'must be a string',
  boolean: 'must be true or false',
  object: 'must be an object',
  record: 'must be an object',
  array: 'must be an array',
  tuple: 'must be an array',
};

function quote(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}
