import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import { type FormulaFunction, parseFormula } from './formula.ts';
import { hashPrng, hashWord } from './hash-prng.ts';
import {
  type CompoundCorrectionV2,
  type ContentV2,
  type CorrectionSetV2,
  type CorrectionV2,
  type EdgesV2,
  type EdgeV2,
  edgeValue,
  type FlowV2,
  type FormulaV2,
  type VariableV2,
} from './schema-v2.ts';

/** Input values of a correction by input name: strings for string inputs, numbers otherwise. */
export type CorrectionInputs = Readonly<Record<string, string | number>>;

/**
 * Evaluates correction or compound correction `name` of a (validated) correction set at one
 * point, following correctionlib's C++ evaluator (`src/correction.cc`):
 * - binning: bin i with `edges[i] <= x < edges[i+1]` ({@link Axis}, "-inf"/"inf" as open edge
 *   bins; uniform edges: i = ⌊n·(x − low)/(high − low)⌋); out of range: `clamp` to the first/last
 *   bin, `error` throws, `wrap` maps x to low + (x − low) mod (high − low), a node is evaluated;
 * - multibinning: the same per axis, content in C order;
 * - category: the item whose key equals the input, else `default`, else an error;
 * - formula / formularef: the TFormula expression (`formula.ts`) of the listed inputs (ints as
 *   reals) with the node's (or the ref's) parameters;
 * - transform: `content` evaluated with `input` replaced by the value of `rule` (an int input
 *   rounded half away from zero, as `std::round`);
 * - hashprng: `hash-prng.ts`;
 * - compound: each correction of `stack` in turn on the current inputs; after each step the
 *   `inputs_update` inputs are combined with its output by `input_op` (x ← x op out), and the
 *   outputs by `output_op` (the first output starts the accumulation; `last` keeps the last).
 * Compiled formulas and axes are cached per node, so the set must not be changed after it was
 * first evaluated.
 *
 * Throws {@link PhysicsInputError} for an unknown correction, a missing input, an input of the
 * wrong type (string vs number, non-integer int), a NaN input, an out-of-range value with
 * `flow: "error"`, or an unknown category key without a default.
 */
export function evaluateCorrection(set: CorrectionSetV2, name: string, inputs: CorrectionInputs): number {
  const correction = set.corrections.find((c) => c.name === name);
  if (correction) {
    checkInputValues(correction.inputs, inputs);
    return evaluateNode(correction.data, inputs, correction);
  }
  const compound = set.compound_corrections?.find((c) => c.name === name);
  if (compound) return evaluateCompound(set, compound, inputs);
  throw new PhysicsInputError(`no correction named "${name}"`, { field: 'name' });
}

function checkInputValues(variables: readonly VariableV2[], inputs: CorrectionInputs): void {
  for (const v of variables) {
    const x = inputs[v.name];
    if (x === undefined) throw new PhysicsInputError(`input "${v.name}" is missing`, { field: v.name });
    if (v.type === 'string' ? typeof x !== 'string' : typeof x !== 'number') {
      throw new PhysicsInputError(`input "${v.name}" must be of type ${v.type}`, { field: v.name });
    }
    if (typeof x === 'number' && Number.isNaN(x))
      throw new PhysicsInputError(`input "${v.name}" is NaN`, { field: v.name });
    if (v.type === 'int' && !Number.isInteger(x)) {
      throw new PhysicsInputError(`input "${v.name}" must be an integer`, { field: v.name });
    }
  }
}

function evaluateCompound(set: CorrectionSetV2, compound: CompoundCorrectionV2, inputs: CorrectionInputs): number {
  checkInputValues(compound.inputs, inputs);
  const values: Record<string, string | number> = { ...inputs };
  let out = 0;
  for (const [step, name] of compound.stack.entries()) {
    const correction = set.corrections.find((c) => c.name === name);
    if (!correction) throw new PhysicsInputError(`no correction named "${name}"`, { field: 'stack' });
    const output = evaluateNode(correction.data, values, correction);
    for (const input of compound.inputs_update) {
      values[input] = combine(compound.input_op, values[input] as number, output);
    }
    out = step === 0 ? output : compound.output_op === 'last' ? output : combine(compound.output_op, out, output);
  }
  return out;
}

function combine(op: '+' | '*' | '/', a: number, b: number): number {
  return op === '+' ? a + b : op === '*' ? a * b : a / b;
}

function evaluateNode(node: ContentV2, inputs: CorrectionInputs, correction: CorrectionV2): number {
  if (typeof node === 'number') return node;
  switch (node.nodetype) {
    case 'category': {
      const key = inputs[node.input];
      const item = node.content.find((c) => c.key === key);
      if (item) return evaluateNode(item.value, inputs, correction);
      if (node.default !== undefined) return evaluateNode(node.default, inputs, correction);
      throw new PhysicsInputError(`no category ${JSON.stringify(key)} for input "${node.input}"`, {
        field: node.input,
      });
    }
    case 'binning': {
      const index = binIndex(node.edges, node.flow, node.input, inputs);
      if (index < 0) return evaluateFlow(node.flow, node.input, inputs, correction);
      return evaluateNode(at(node.content, index), inputs, correction);
    }
    case 'multibinning': {
      let flat = 0;
      for (let d = 0; d < node.inputs.length; d++) {
        const input = at(node.inputs, d);
        const edges = at(node.edges, d);
        const index = binIndex(edges, node.flow, input, inputs);
        if (index < 0) return evaluateFlow(node.flow, input, inputs, correction);
        flat = flat * (Array.isArray(edges) ? edges.length - 1 : edges.n) + index;
      }
      return evaluateNode(at(node.content, flat), inputs, correction);
    }
    case 'formula':
      return compiled(node)(
        node.variables.map((v) => inputs[v] as number),
        node.parameters ?? [],
      );
    case 'formularef': {
      const formula = at(correction.generic_formulas ?? [], node.index);
      return compiled(formula)(
        formula.variables.map((v) => inputs[v] as number),
        node.parameters,
      );
    }
    case 'transform': {
      const value = evaluateNode(node.rule, inputs, correction);
      const type = correction.inputs.find((v) => v.name === node.input)?.type;
      const rewritten = type === 'int' ? Math.sign(value) * Math.round(Math.abs(value)) : value;
      return evaluateNode(node.content, { ...inputs, [node.input]: rewritten }, correction);
    }
    case 'hashprng': {
      const words = node.inputs.map((name) => {
        const type = correction.inputs.find((v) => v.name === name)?.type;
        return hashWord(inputs[name] as number, type === 'int' ? 'int' : 'real');
      });
      return hashPrng(words, node.distribution);
    }
  }
}

/** Bin of `inputs[input]` on `edges`, or −1 when it is out of range and `flow` is a node or "error". */
function binIndex(edges: EdgesV2, flow: FlowV2, input: string, inputs: CorrectionInputs): number {
  const x = inputs[input] as number;
  if (Array.isArray(edges)) {
    const axis = axisOf(edges, input);
    if (flow === 'wrap') {
      const lo = at(axis.edges, 0);
      const hi = at(axis.edges, axis.nBins);
      const norm = (x - lo) / (hi - lo);
      return axis.find(lo + (norm - Math.floor(norm)) * (hi - lo), 'clamp');
    }
    return axis.find(x, flow === 'clamp' ? 'clamp' : 'drop');
  }
  const { n, low, high } = edges;
  let norm = (x - low) / (high - low);
  if (x < low || x >= high) {
    if (flow === 'clamp') return x < low ? 0 : n - 1;
    if (flow !== 'wrap') return -1;
    norm -= Math.floor(norm);
  }
  // Rounding can put a value just below `high` at n: it belongs to the last bin.
  return Math.min(n - 1, Math.floor(n * norm));
}

function evaluateFlow(flow: FlowV2, input: string, inputs: CorrectionInputs, correction: CorrectionV2): number {
  if (flow === 'error') {
    throw new PhysicsInputError(`input "${input}" = ${inputs[input]} is outside the binning (flow "error")`, {
      field: input,
    });
  }
  // binIndex resolves 'clamp' and 'wrap' itself, and NaN inputs were rejected: they cannot overflow.
  if (flow === 'clamp' || flow === 'wrap') throw new Error(`a binning with flow "${flow}" cannot overflow`);
  return evaluateNode(flow, inputs, correction);
}

/** Axes of the binnings evaluated so far, by edges array (a validated set is not changed afterwards). */
const axes = new WeakMap<readonly EdgeV2[], Axis>();

/** The {@link Axis} of a binning's edges, built and checked on first use. */
function axisOf(edges: readonly EdgeV2[], input: string): Axis {
  let axis = axes.get(edges);
  if (axis === undefined) {
    axis = Axis.variable(edges.map(edgeValue), { field: input, openEnds: true });
    axes.set(edges, axis);
  }
  return axis;
}

/** Compiled formulas by node. */
const formulas = new WeakMap<FormulaV2, FormulaFunction>();

function compiled(formula: FormulaV2): FormulaFunction {
  let f = formulas.get(formula);
  if (f === undefined) {
    f = parseFormula(formula.expression).evaluate;
    formulas.set(formula, f);
  }
  return f;
}
