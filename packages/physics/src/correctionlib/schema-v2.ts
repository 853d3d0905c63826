/**
 * The subset of the correctionlib JSON schema version 2 (https://cms-nanoaod.github.io/correctionlib/,
 * `correctionlib.schemav2`) that hepml-edge writes and reads: a CorrectionSet of Corrections whose
 * content nodes are numbers, `category`, `binning` and `multibinning`. Formulas, transforms,
 * uniform binnings, generic formulas and compound corrections are outside the subset and are
 * rejected by the validator rather than ignored.
 */

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
