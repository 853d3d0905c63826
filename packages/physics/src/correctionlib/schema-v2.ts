/**
 * The correctionlib JSON schema version 2 (https://cms-nanoaod.github.io/correctionlib/,
 * `correctionlib.schemav2`) as correctionlib writes it: a CorrectionSet (with its `$schema` URL)
 * of Corrections and CompoundCorrections whose content nodes are numbers, `category`, `binning`
 * and `multibinning` (edges as lists or uniform `{n, low, high}`, flow clamp/error/wrap/node),
 * `formula` (TFormula), `formularef` (to the correction's `generic_formulas`), `transform` and
 * `hashprng`. Only `lwtnn` (an opaque neural network) is refused, by name.
 *
 * Each type has its zod schema of the same name (`CorrectionSetV2` …), which mirrors the pydantic
 * models of `schemav2.py`: unknown keys are errors (`extra = "forbid"`); optionals may be null;
 * edges strictly increasing (here also: at least two, finite, with "inf"/"+inf" and "-inf" only as
 * the last and first edge); content lengths equal to the number of bins; category keys unique;
 * correction names unique; output type "real". The schemas add what correctionlib's evaluator would
 * reject at load: inputs declared once, nodes referring only to declared inputs of the right type
 * (category: string/int; binning, formula, transform, hashprng: int/real), category keys of their
 * input's type, formulas that parse with enough variables and parameters, formularef indices in
 * range, and compound stacks naming corrections whose inputs the compound declares.
 */
import { z } from 'zod';
import { type Fault, nonEmptyArray, nonEmptyString, refineBinEdges, reportFault } from '../io/format.ts';
import { FormulaSyntaxError, type ParsedFormula, parseFormula } from './formula.ts';
import type { HashPrngDistribution } from './hash-prng.ts';

/** A bin edge: a number, or the strings "inf"/"+inf"/"-inf" that correctionlib accepts for open edges. */
export type EdgeV2 = number | 'inf' | '+inf' | '-inf';

/** `n` equal bins in [low, high) (`UniformBinning`): bin ⌊n·(x − low)/(high − low)⌋. */
export interface UniformBinningV2 {
  n: number;
  low: number;
  high: number;
}

/** The edges of one axis: a strictly increasing list, or a uniform binning. */
export type EdgesV2 = EdgeV2[] | UniformBinningV2;

/**
 * Out-of-range behaviour of a binning: clamp to the first/last bin, throw, wrap periodically into
 * [first edge, last edge) (x → low + (x − low) mod (high − low)), or evaluate a content node.
 */
export type FlowV2 = 'clamp' | 'error' | 'wrap' | ContentV2;

/** An input or output variable of a correction. */
export interface VariableV2 {
  name: string;
  type: 'string' | 'int' | 'real';
  description?: string;
}

/** One key → value item of a category node; the key type matches the input (string or int). */
export interface CategoryItemV2 {
  key: string | number;
  value: ContentV2;
}

/** Categorical lookup on a string or integer input. */
export interface CategoryV2 {
  nodetype: 'category';
  input: string;
  content: CategoryItemV2[];
  default?: ContentV2;
}

/** One-dimensional binning: `edges[i] <= x < edges[i+1]` selects `content[i]`. */
export interface BinningV2 {
  nodetype: 'binning';
  input: string;
  edges: EdgesV2;
  content: ContentV2[];
  flow: FlowV2;
}

/**
 * N-dimensional rectangular binning; `content` is C-ordered (the last input varies fastest):
 * content[d1·i0 + i1] for two inputs with d1 = edges[1].length − 1.
 */
export interface MultiBinningV2 {
  nodetype: 'multibinning';
  inputs: string[];
  edges: EdgesV2[];
  content: ContentV2[];
  flow: FlowV2;
}

/**
 * A TFormula-like expression (`formula.ts`) of the inputs `variables` (x, y, z, t or x[i] in that
 * order) and the `parameters` [0], [1], … .
 */
export interface FormulaV2 {
  nodetype: 'formula';
  expression: string;
  parser: 'TFormula';
  variables: string[];
  parameters?: number[];
}

/** The correction's generic formula `index` evaluated with these `parameters`. */
export interface FormulaRefV2 {
  nodetype: 'formularef';
  index: number;
  parameters: number[];
}

/** Evaluates `content` with input `input` replaced by the value of `rule` (rounded for an int input). */
export interface TransformV2 {
  nodetype: 'transform';
  input: string;
  rule: ContentV2;
  content: ContentV2;
}

/** A pseudorandom number, deterministic in `inputs` (`hash-prng.ts`). */
export interface HashPrngV2 {
  nodetype: 'hashprng';
  inputs: string[];
  distribution: HashPrngDistribution;
}

/** A content node. (`lwtnn` nodes, a neural network in an opaque blob, are refused.) */
export type ContentV2 =
  | number
  | CategoryV2
  | BinningV2
  | MultiBinningV2
  | FormulaV2
  | FormulaRefV2
  | TransformV2
  | HashPrngV2;

/** One correction: a function of its inputs returning a real number. */
export interface CorrectionV2 {
  name: string;
  description?: string;
  /** Integer that increases with bug fixes of the correction. */
  version: number;
  inputs: VariableV2[];
  output: VariableV2;
  /** Formulas the `formularef` nodes of `data` refer to by index. */
  generic_formulas?: FormulaV2[];
  data: ContentV2;
}

/**
 * Corrections applied in sequence (`stack`): each step's output updates the `inputs_update`
 * inputs by `input_op` before the next step, and the outputs are accumulated by `output_op`
 * (`last`: the last step's output).
 */
export interface CompoundCorrectionV2 {
  name: string;
  description?: string;
  inputs: VariableV2[];
  output: VariableV2;
  inputs_update: string[];
  input_op: '+' | '*' | '/';
  output_op: '+' | '*' | '/' | 'last';
  stack: string[];
}

/** The top-level document. */
export interface CorrectionSetV2 {
  /** URL of the JSON schema (written by correctionlib ≥ 2.8 as `$schema`). */
  $schema?: string;
  schema_version: 2;
  description?: string;
  corrections: CorrectionV2[];
  compound_corrections?: CompoundCorrectionV2[];
}

/** Numeric value of an edge ("inf" → +∞). */
export function edgeValue(edge: EdgeV2): number {
  if (edge === 'inf' || edge === '+inf') return Number.POSITIVE_INFINITY;
  if (edge === '-inf') return Number.NEGATIVE_INFINITY;
  return edge;
}

/** A strict object whose unknown keys are named with the keys it allows (pydantic's `extra = "forbid"`). */
function strict<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown or unsupported key (allowed: ${allowed})` : undefined,
  });
}

/** An optional string that correctionlib also writes as null (dropped here). */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

export const EdgeV2: z.ZodType<EdgeV2> = z.union([z.number(), z.enum(['inf', '+inf', '-inf'])], {
  error: (issue) => `must be a finite number, "inf", "+inf" or "-inf", found ${JSON.stringify(issue.input)}`,
});

/** The edges of one axis: "-inf" only first, "inf"/"+inf" only last, the finite ones by the one edge check. */
const EdgeList = z
  .array(EdgeV2, { error: 'must be an array of edges or a uniform binning {n, low, high}' })
  .superRefine((edges, ctx) => {
    if (edges.length < 2) {
      ctx.addIssue({ code: 'custom', message: 'needs at least two edges', input: edges });
      return;
    }
    for (const [i, e] of edges.entries()) {
      if ((e === 'inf' || e === '+inf') && i !== edges.length - 1) {
        const message = `"${e}" is allowed only as the last edge`;
        ctx.addIssue({ code: 'custom', message, path: [i], input: edges });
        return;
      }
      if (e === '-inf' && i !== 0) {
        ctx.addIssue({ code: 'custom', message: '"-inf" is allowed only as the first edge', path: [i], input: edges });
        return;
      }
    }
    const finite = edges.filter((e): e is number => typeof e === 'number');
    if (finite.length >= 2) refineBinEdges(finite, ctx, edges[0] === '-inf' ? 1 : 0);
  });

export const UniformBinningV2 = strict({
  n: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({
    error: 'must be a positive integer',
  }),
  low: z.number({ error: 'must be a finite number' }),
  high: z.number({ error: 'must be a finite number' }),
}).superRefine((u, ctx) => {
  if (!(u.low < u.high)) {
    const message = `must be above low (${u.low})`;
    ctx.addIssue({ code: 'custom', message, path: ['high'], input: u });
  }
});

const Edges: z.ZodType<EdgesV2> = z.union([EdgeList, UniformBinningV2], {
  error: 'must be an array of edges or a uniform binning {n, low, high}',
});

/** The edges of an axis as numbers ("inf" → ±∞; uniform: low + i·(high − low)/n, i = 0 … n). */
export function edgeValues(edges: EdgesV2): number[] {
  if (Array.isArray(edges)) return edges.map(edgeValue);
  const { n, low, high } = edges;
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? high : low + (i * (high - low)) / n));
}

/** Number of bins of an axis. */
export function binCount(edges: EdgesV2): number {
  return Array.isArray(edges) ? edges.length - 1 : edges.n;
}

export const ContentV2: z.ZodType<ContentV2> = z.lazy(() =>
  z.union([z.number(), ContentNode], {
    error: (issue) =>
      issue.input === undefined
        ? 'is missing'
        : typeof issue.input === 'number'
          ? 'must be a finite number'
          : 'must be an object',
  }),
);

export const FlowV2: z.ZodType<FlowV2> = z.union([z.enum(['clamp', 'error', 'wrap']), ContentV2], {
  error: (issue) =>
    issue.input === undefined
      ? 'is missing (state "clamp", "error", "wrap" or a content node)'
      : typeof issue.input === 'string'
        ? `must be "clamp", "error", "wrap" or a content node, found "${issue.input}"`
        : 'must be an object',
});

export const VariableV2 = strict({
  name: nonEmptyString(),
  type: z.enum(['string', 'int', 'real'], {
    error: (issue) => `must be "string", "int" or "real", found ${JSON.stringify(issue.input)}`,
  }),
  description: optionalText,
});

export const CategoryItemV2 = strict({
  key: z.union([z.string(), z.number()], { error: 'must be a string or an integer' }),
  value: ContentV2,
});

export const CategoryV2 = strict({
  nodetype: z.literal('category'),
  input: nonEmptyString(),
  content: z.array(CategoryItemV2),
  default: ContentV2.nullish().transform((v) => v ?? undefined),
}).superRefine((node, ctx) => {
  const keys = new Set<string | number>();
  for (const [i, { key }] of node.content.entries()) {
    if (keys.has(key)) {
      const message = `duplicate key ${JSON.stringify(key)}`;
      ctx.addIssue({ code: 'custom', message, path: ['content', i, 'key'], input: node });
    }
    keys.add(key);
  }
});

export const BinningV2 = strict({
  nodetype: z.literal('binning'),
  input: nonEmptyString(),
  edges: Edges,
  content: z.array(ContentV2),
  flow: FlowV2,
}).superRefine((node, ctx) => {
  const bins = binCount(node.edges);
  if (node.content.length !== bins) {
    const message = `has ${node.content.length} entries for ${bins} bins`;
    ctx.addIssue({ code: 'custom', message, path: ['content'], input: node });
  }
  if (node.flow === 'wrap' && !finiteEdges(node.edges)) {
    ctx.addIssue({ code: 'custom', message: WRAP_NEEDS_FINITE_EDGES, path: ['flow'], input: node });
  }
});

const WRAP_NEEDS_FINITE_EDGES = '"wrap" needs finite first and last edges (the period is last − first)';

/** Whether an axis has finite first and last edges (what `wrap` needs for its period). */
function finiteEdges(edges: EdgesV2): boolean {
  return !Array.isArray(edges) || edges.every((e) => typeof e === 'number');
}

export const MultiBinningV2 = strict({
  nodetype: z.literal('multibinning'),
  inputs: nonEmptyArray(z.string()),
  edges: z.array(Edges, { error: 'must be an array of edge arrays, one per input' }),
  content: z.array(ContentV2),
  flow: FlowV2,
}).superRefine((node, ctx) => {
  if (node.edges.length !== node.inputs.length) {
    const message = `must be an array of ${node.inputs.length} edge arrays, one per input`;
    ctx.addIssue({ code: 'custom', message, path: ['edges'], input: node });
    return;
  }
  const bins = node.edges.reduce((n, e) => n * binCount(e), 1);
  if (node.content.length !== bins) {
    const message = `has ${node.content.length} entries, the product of the axis sizes is ${bins}`;
    ctx.addIssue({ code: 'custom', message, path: ['content'], input: node });
  }
  if (node.flow === 'wrap' && !node.edges.every(finiteEdges)) {
    ctx.addIssue({ code: 'custom', message: WRAP_NEEDS_FINITE_EDGES, path: ['flow'], input: node });
  }
});

const VARIABLE_NAMES = ['x', 'y', 'z', 't'];

export const FormulaV2 = strict({
  nodetype: z.literal('formula'),
  expression: z.string({ error: 'must be a string' }),
  parser: z.literal('TFormula', { error: 'must be "TFormula" (the only parser of schema v2)' }),
  variables: z.array(nonEmptyString(), { error: 'must be an array of input names' }),
  parameters: z
    .array(z.number({ error: 'must be a finite number' }), { error: 'must be an array of numbers' })
    .nullish()
    .transform((v) => v ?? undefined),
}).superRefine((node, ctx) => {
  let parsed: ParsedFormula;
  try {
    parsed = parseFormula(node.expression);
  } catch (error) {
    if (!(error instanceof FormulaSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, path: ['expression'], input: node });
    return;
  }
  if (parsed.maxVariable >= node.variables.length) {
    const i = parsed.maxVariable;
    const message = `uses variable ${VARIABLE_NAMES[i] ?? `x[${i}]`} (index ${i}) but ${node.variables.length} variable(s) are listed`;
    ctx.addIssue({ code: 'custom', message, path: ['expression'], input: node });
  }
});

export const FormulaRefV2 = strict({
  nodetype: z.literal('formularef'),
  index: z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, {
    error: 'must be a non-negative integer',
  }),
  parameters: z.array(z.number({ error: 'must be a finite number' }), { error: 'must be an array of numbers' }),
});

export const TransformV2 = strict({
  nodetype: z.literal('transform'),
  input: nonEmptyString(),
  rule: ContentV2,
  content: ContentV2,
});

export const HashPrngV2 = strict({
  nodetype: z.literal('hashprng'),
  inputs: nonEmptyArray(nonEmptyString()),
  distribution: z.enum(['stdflat', 'stdnormal', 'normal'], {
    error: (issue) => `must be "stdflat", "stdnormal" or "normal", found ${JSON.stringify(issue.input)}`,
  }),
});

const NODE_TYPES = 'category, binning, multibinning, formula, formularef, transform, hashprng, number';

const ContentNode = z.discriminatedUnion(
  'nodetype',
  [CategoryV2, BinningV2, MultiBinningV2, FormulaV2, FormulaRefV2, TransformV2, HashPrngV2],
  {
    error: (issue) => {
      const input: unknown = issue.input;
      const nodetype = typeof input === 'object' && input !== null ? Reflect.get(input, 'nodetype') : undefined;
      return issue.code === 'invalid_union'
        ? `unsupported node type ${JSON.stringify(nodetype)} (supported: ${NODE_TYPES}; lwtnn is not)`
        : undefined;
    },
  },
);

export const CorrectionV2 = strict({
  name: nonEmptyString(),
  version: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }),
  inputs: z.array(VariableV2),
  output: VariableV2,
  generic_formulas: z
    .array(FormulaV2, { error: 'must be an array of formulas' })
    .nullish()
    .transform((v) => v ?? undefined),
  data: ContentV2,
  description: optionalText,
}).superRefine((correction, ctx) => {
  const types = new Map<string, VariableV2['type']>();
  for (const [i, v] of correction.inputs.entries()) {
    if (types.has(v.name)) {
      ctx.addIssue({ code: 'custom', message: `duplicate input "${v.name}"`, path: ['inputs', i, 'name'], input: v });
    }
    types.set(v.name, v.type);
  }
  if (correction.output.type !== 'real') {
    const message = 'must be "real" (correctionlib supports real outputs only)';
    ctx.addIssue({ code: 'custom', message, path: ['output', 'type'], input: correction.output });
  }
  for (const [i, f] of (correction.generic_formulas ?? []).entries()) {
    const fault = checkVariables(f.variables, ['generic_formulas', i, 'variables'], types, 'formula');
    if (fault) return reportFault(ctx, fault);
  }
  reportFault(ctx, checkInputs(correction.data, ['data'], { types, generic: correction.generic_formulas ?? [] }));
});

/** What a node's inputs are checked against: the correction's inputs and generic formulas. */
interface CheckContext {
  types: ReadonlyMap<string, VariableV2['type']>;
  generic: readonly FormulaV2[];
}

/** The first of `names` (at `path`) that is not a numeric (int or real) input of the correction. */
function checkVariables(
  names: readonly string[],
  path: (string | number)[],
  types: ReadonlyMap<string, VariableV2['type']>,
  what: string,
): Fault | undefined {
  for (const [i, name] of names.entries()) {
    const type = types.get(name);
    if (type === undefined) return { path: [...path, i], message: `"${name}" is not an input of the correction` };
    if (type === 'string')
      return { path: [...path, i], message: `${what} input "${name}" must be of type real or int` };
  }
  return undefined;
}

/** Parameters a formula needs: the highest index it uses + 1 (0 for one that does not parse, reported by its own schema). */
function parametersNeeded(formula: FormulaV2): number {
  try {
    return parseFormula(formula.expression).maxParameter + 1;
  } catch (error) {
    if (error instanceof FormulaSyntaxError) return 0;
    throw error;
  }
}

/** The first node under `node` (at `path`) that uses an undeclared input or one of a type it cannot take. */
function checkInputs(node: ContentV2, path: (string | number)[], context: CheckContext): Fault | undefined {
  if (typeof node === 'number') return undefined;
  const { types } = context;
  const children = (nodes: readonly ContentV2[], flow: FlowV2): Fault | undefined => {
    for (const [i, c] of nodes.entries()) {
      const fault = checkInputs(c, [...path, 'content', i], context);
      if (fault) return fault;
    }
    return typeof flow === 'string' ? undefined : checkInputs(flow, [...path, 'flow'], context);
  };
  switch (node.nodetype) {
    case 'category': {
      const type = types.get(node.input);
      const at = [...path, 'input'];
      if (type === undefined) return { path: at, message: `"${node.input}" is not an input of the correction` };
      if (type === 'real') return { path: at, message: `category input "${node.input}" must be of type string or int` };
      for (const [i, { key, value }] of node.content.entries()) {
        const matches = type === 'string' ? typeof key === 'string' : typeof key === 'number' && Number.isInteger(key);
        if (!matches) {
          const message = `must be ${type === 'string' ? 'a string' : 'an integer'} to match input "${node.input}"`;
          return { path: [...path, 'content', i, 'key'], message };
        }
        const fault = checkInputs(value, [...path, 'content', i, 'value'], context);
        if (fault) return fault;
      }
      return node.default === undefined ? undefined : checkInputs(node.default, [...path, 'default'], context);
    }
    case 'binning': {
      const binned = checkVariables([node.input], path, types, 'binned');
      if (binned) return { ...binned, path: [...path, 'input'] };
      return children(node.content, node.flow);
    }
    case 'multibinning':
      return checkVariables(node.inputs, [...path, 'inputs'], types, 'binned') ?? children(node.content, node.flow);
    case 'formula': {
      const fault = checkVariables(node.variables, [...path, 'variables'], types, 'formula');
      if (fault) return fault;
      const needed = parametersNeeded(node);
      const given = node.parameters?.length ?? 0;
      if (needed > given) {
        const message = `uses parameter [${needed - 1}] but ${given} parameter(s) are given`;
        return { path: [...path, 'expression'], message };
      }
      return undefined;
    }
    case 'formularef': {
      const formula = context.generic[node.index];
      if (formula === undefined) {
        const message = `refers to generic formula ${node.index}, but the correction's generic_formulas has ${context.generic.length}`;
        return { path: [...path, 'index'], message };
      }
      const needed = parametersNeeded(formula);
      if (needed > node.parameters.length) {
        const message = `generic formula ${node.index} uses parameter [${needed - 1}] but ${node.parameters.length} parameter(s) are given`;
        return { path: [...path, 'parameters'], message };
      }
      return undefined;
    }
    case 'transform': {
      const fault = checkVariables([node.input], path, types, 'transformed');
      if (fault) return { ...fault, path: [...path, 'input'] };
      return (
        checkInputs(node.rule, [...path, 'rule'], context) ?? checkInputs(node.content, [...path, 'content'], context)
      );
    }
    case 'hashprng':
      return checkVariables(node.inputs, [...path, 'inputs'], types, 'hashprng');
  }
}

export const CompoundCorrectionV2 = strict({
  name: nonEmptyString(),
  description: optionalText,
  inputs: z.array(VariableV2),
  output: VariableV2,
  inputs_update: z.array(z.string({ error: 'must be an input name' })),
  input_op: z.enum(['+', '*', '/'], { error: (i) => `must be "+", "*" or "/", found ${JSON.stringify(i.input)}` }),
  output_op: z.enum(['+', '*', '/', 'last'], {
    error: (i) => `must be "+", "*", "/" or "last", found ${JSON.stringify(i.input)}`,
  }),
  stack: z.array(z.string({ error: 'must be a correction name' })),
});

/** The first fault of a compound correction: stack names, their inputs, the updated inputs. */
function checkCompound(compound: CompoundCorrectionV2, corrections: readonly CorrectionV2[]): Fault | undefined {
  const types = new Map(compound.inputs.map((v) => [v.name, v.type]));
  for (const [i, name] of compound.inputs_update.entries()) {
    if (types.get(name) !== 'real') {
      return { path: ['inputs_update', i], message: `"${name}" must be a real input of the compound correction` };
    }
  }
  if (compound.output.type !== 'real') return { path: ['output', 'type'], message: 'must be "real"' };
  for (const [i, name] of compound.stack.entries()) {
    const correction = corrections.find((c) => c.name === name);
    if (!correction) return { path: ['stack', i], message: `no correction named "${name}" in the set` };
    for (const input of correction.inputs) {
      const type = types.get(input.name);
      if (type !== input.type) {
        const message = `correction "${name}" needs input "${input.name}" (${input.type}), which the compound correction ${type === undefined ? 'lacks' : `declares as ${type}`}`;
        return { path: ['stack', i], message };
      }
    }
  }
  return undefined;
}

export const CorrectionSetV2: z.ZodType<CorrectionSetV2> = strict({
  $schema: z
    .string({ error: 'must be the URL of the schema' })
    .nullish()
    .transform((v) => v ?? undefined),
  schema_version: z.literal(2, { error: (issue) => `must be 2, found ${JSON.stringify(issue.input)}` }),
  description: optionalText,
  corrections: z.array(CorrectionV2),
  compound_corrections: z
    .array(CompoundCorrectionV2, { error: 'must be an array of compound corrections' })
    .nullish()
    .transform((v) => v ?? undefined),
}).superRefine((set, ctx) => {
  const names = new Set<string>();
  for (const [i, c] of set.corrections.entries()) {
    if (names.has(c.name)) {
      const message = `duplicate correction name "${c.name}"`;
      ctx.addIssue({ code: 'custom', message, path: ['corrections', i, 'name'], input: c });
    }
    names.add(c.name);
  }
  const compoundNames = new Set<string>();
  for (const [i, c] of (set.compound_corrections ?? []).entries()) {
    if (compoundNames.has(c.name)) {
      const message = `duplicate compound correction name "${c.name}"`;
      ctx.addIssue({ code: 'custom', message, path: ['compound_corrections', i, 'name'], input: c });
    }
    compoundNames.add(c.name);
    const fault = checkCompound(c, set.corrections);
    if (fault) reportFault(ctx, { ...fault, path: ['compound_corrections', i, ...fault.path] });
  }
});
