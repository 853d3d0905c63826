/**
 * The subset of the correctionlib JSON schema version 2 (https://cms-nanoaod.github.io/correctionlib/,
 * `correctionlib.schemav2`) that hepml-edge writes and reads: a CorrectionSet of Corrections whose
 * content nodes are numbers, `category`, `binning` and `multibinning`. Formulas, transforms,
 * uniform binnings, generic formulas and compound corrections are outside the subset and are
 * rejected rather than ignored.
 *
 * Each type has its zod schema of the same name (`CorrectionSetV2` …), which mirrors the pydantic
 * models of `schemav2.py`: unknown keys are errors (`extra = "forbid"`); `flow` is "clamp", "error"
 * or a content node; edges strictly increasing (here also: at least two, finite, with "inf" and
 * "-inf" only as the last and first edge); content lengths equal to the number of bins; category
 * keys unique; correction names unique; output type "real". {@link CorrectionSetV2} adds what the
 * correctionlib evaluator would reject later: inputs declared once, nodes referring only to declared
 * inputs of the right type (category: string/int, binning: int/real) and category keys of their
 * input's type.
 */
import { z } from 'zod';
import { type Fault, nonEmptyArray, nonEmptyString, refineBinEdges, reportFault } from '../io/format.ts';

/** A bin edge: a number, or the strings "inf"/"-inf" that correctionlib accepts for open edges. */
export type EdgeV2 = number | 'inf' | '-inf';

/** Overflow behaviour of a binning: clamp to the first/last bin, throw, or evaluate a content node. */
export type FlowV2 = 'clamp' | 'error' | ContentV2;

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
  edges: EdgeV2[];
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
  edges: EdgeV2[][];
  content: ContentV2[];
  flow: FlowV2;
}

/** A content node of the subset. */
export type ContentV2 = number | CategoryV2 | BinningV2 | MultiBinningV2;

/** One correction: a function of its inputs returning a real number. */
export interface CorrectionV2 {
  name: string;
  description?: string;
  /** Integer that increases with bug fixes of the correction. */
  version: number;
  inputs: VariableV2[];
  output: VariableV2;
  data: ContentV2;
}

/** The top-level document. */
export interface CorrectionSetV2 {
  schema_version: 2;
  description?: string;
  corrections: CorrectionV2[];
}

/** Numeric value of an edge ("inf" → +∞). */
export function edgeValue(edge: EdgeV2): number {
  if (edge === 'inf') return Number.POSITIVE_INFINITY;
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

export const EdgeV2: z.ZodType<EdgeV2> = z.union([z.number(), z.enum(['inf', '-inf'])], {
  error: (issue) => `must be a finite number, "inf" or "-inf", found ${JSON.stringify(issue.input)}`,
});

/** The edges of one axis: "-inf" only first, "inf" only last, the finite ones by the one edge check. */
const Edges = z
  .array(EdgeV2, { error: 'must be an array of edges (uniform binnings are outside the supported subset)' })
  .superRefine((edges, ctx) => {
    if (edges.length < 2) {
      ctx.addIssue({ code: 'custom', message: 'needs at least two edges', input: edges });
      return;
    }
    for (const [i, e] of edges.entries()) {
      if (e === 'inf' && i !== edges.length - 1) {
        ctx.addIssue({ code: 'custom', message: '"inf" is allowed only as the last edge', path: [i], input: edges });
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

export const FlowV2: z.ZodType<FlowV2> = z.union([z.enum(['clamp', 'error']), ContentV2], {
  error: (issue) =>
    issue.input === undefined
      ? 'is missing (state "clamp", "error" or a content node)'
      : typeof issue.input === 'string'
        ? `must be "clamp", "error" or a content node, found "${issue.input}"`
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
  const bins = node.edges.length - 1;
  if (node.content.length !== bins) {
    const message = `has ${node.content.length} entries for ${bins} bins`;
    ctx.addIssue({ code: 'custom', message, path: ['content'], input: node });
  }
});

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
  const bins = node.edges.reduce((n, e) => n * (e.length - 1), 1);
  if (node.content.length !== bins) {
    const message = `has ${node.content.length} entries, the product of the axis sizes is ${bins}`;
    ctx.addIssue({ code: 'custom', message, path: ['content'], input: node });
  }
});

const ContentNode = z.discriminatedUnion('nodetype', [CategoryV2, BinningV2, MultiBinningV2], {
  error: (issue) => {
    const input: unknown = issue.input;
    const nodetype = typeof input === 'object' && input !== null ? Reflect.get(input, 'nodetype') : undefined;
    return issue.code === 'invalid_union'
      ? `unsupported node type ${JSON.stringify(nodetype)} (this subset: category, binning, multibinning, number)`
      : undefined;
  },
});

export const CorrectionV2 = strict({
  name: nonEmptyString(),
  version: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }),
  inputs: z.array(VariableV2),
  output: VariableV2,
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
  reportFault(ctx, checkInputs(correction.data, ['data'], types));
});

/** The first node under `node` (at `path`) that uses an undeclared input or one of a type it cannot take. */
function checkInputs(
  node: ContentV2,
  path: (string | number)[],
  types: ReadonlyMap<string, VariableV2['type']>,
): Fault | undefined {
  if (typeof node === 'number') return undefined;
  const binned = (input: string, at: (string | number)[]): Fault | undefined => {
    const type = types.get(input);
    if (type === undefined) return { path: at, message: `"${input}" is not an input of the correction` };
    if (type === 'string') return { path: at, message: `binned input "${input}" must be of type real or int` };
    return undefined;
  };
  const children = (nodes: readonly ContentV2[], flow: FlowV2): Fault | undefined => {
    for (const [i, c] of nodes.entries()) {
      const fault = checkInputs(c, [...path, 'content', i], types);
      if (fault) return fault;
    }
    return flow === 'clamp' || flow === 'error' ? undefined : checkInputs(flow, [...path, 'flow'], types);
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
        const fault = checkInputs(value, [...path, 'content', i, 'value'], types);
        if (fault) return fault;
      }
      return node.default === undefined ? undefined : checkInputs(node.default, [...path, 'default'], types);
    }
    case 'binning':
      return binned(node.input, [...path, 'input']) ?? children(node.content, node.flow);
    case 'multibinning':
      for (const [i, input] of node.inputs.entries()) {
        const fault = binned(input, [...path, 'inputs', i]);
        if (fault) return fault;
      }
      return children(node.content, node.flow);
  }
}

export const CorrectionSetV2: z.ZodType<CorrectionSetV2> = strict({
  schema_version: z.literal(2, { error: (issue) => `must be 2, found ${JSON.stringify(issue.input)}` }),
  description: optionalText,
  corrections: z.array(CorrectionV2),
}).superRefine((set, ctx) => {
  const names = new Set<string>();
  for (const [i, c] of set.corrections.entries()) {
    if (names.has(c.name)) {
      const message = `duplicate correction name "${c.name}"`;
      ctx.addIssue({ code: 'custom', message, path: ['corrections', i, 'name'], input: c });
    }
    names.add(c.name);
  }
});
