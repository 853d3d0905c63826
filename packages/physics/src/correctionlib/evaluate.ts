import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis, type OutOfRange } from '../histogram/axis.ts';
import { type ContentV2, type CorrectionSetV2, type EdgeV2, edgeValue, type FlowV2 } from './schema-v2.ts';

/** Input values of a correction by input name: strings for string inputs, numbers otherwise. */
export type CorrectionInputs = Readonly<Record<string, string | number>>;

/**
 * Evaluates correction `name` of a (validated) correction set at one point, following correctionlib
 * semantics: a binning selects bin i with `edges[i] <= x < edges[i+1]` ({@link Axis}, "-inf"/"inf"
 * as open edge bins); a value outside the edges is clamped to the first/last bin (`flow: "clamp"`,
 * Axis rule `clamp`), is an error (`"error"`), or evaluates the flow node; a category without a
 * matching key uses `default` or is an error. The axis of each binning is built once per edges
 * array and reused, so the set must not be changed after it was first evaluated.
 *
 * Throws {@link PhysicsInputError} for an unknown correction, a missing input, an input of the
 * wrong type (string vs number, non-integer int), a NaN input, an out-of-range value with
 * `flow: "error"`, or an unknown category key without a default.
 */
export function evaluateCorrection(set: CorrectionSetV2, name: string, inputs: CorrectionInputs): number {
  const correction = set.corrections.find((c) => c.name === name);
  if (!correction) throw new PhysicsInputError(`no correction named "${name}"`, { field: 'name' });
  for (const v of correction.inputs) {
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
  return evaluateNode(correction.data, inputs);
}

function evaluateNode(node: ContentV2, inputs: CorrectionInputs): number {
  if (typeof node === 'number') return node;
  switch (node.nodetype) {
    case 'category': {
      const key = inputs[node.input];
      const item = node.content.find((c) => c.key === key);
      if (item) return evaluateNode(item.value, inputs);
      if (node.default !== undefined) return evaluateNode(node.default, inputs);
      throw new PhysicsInputError(`no category ${JSON.stringify(key)} for input "${node.input}"`, {
        field: node.input,
      });
    }
    case 'binning': {
      const index = axisOf(node.edges, node.input).find(inputs[node.input] as number, ruleOf(node.flow));
      if (index < 0) return evaluateFlow(node.flow, node.input, inputs);
      return evaluateNode(at(node.content, index), inputs);
    }
    case 'multibinning': {
      let flat = 0;
      for (let d = 0; d < node.inputs.length; d++) {
        const input = at(node.inputs, d);
        const edges = at(node.edges, d);
        const axis = axisOf(edges, input);
        const index = axis.find(inputs[input] as number, ruleOf(node.flow));
        if (index < 0) return evaluateFlow(node.flow, input, inputs);
        flat = flat * axis.nBins + index;
      }
      return evaluateNode(at(node.content, flat), inputs);
    }
  }
}

function evaluateFlow(flow: FlowV2, input: string, inputs: CorrectionInputs): number {
  if (flow === 'error') {
    throw new PhysicsInputError(`input "${input}" = ${inputs[input]} is outside the binning (flow "error")`, {
      field: input,
    });
  }
  // Axis.find resolves 'clamp' itself, and NaN inputs were rejected: a clamped binning cannot overflow.
  if (flow === 'clamp') throw new Error('a clamped binning cannot overflow');
  return evaluateNode(flow, inputs);
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

function ruleOf(flow: FlowV2): OutOfRange {
  return flow === 'clamp' ? 'clamp' : 'drop';
}
