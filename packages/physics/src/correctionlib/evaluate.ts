import { PhysicsInputError } from '../errors.ts';
import { type ContentV2, type CorrectionSetV2, type EdgeV2, edgeValue, type FlowV2 } from './schema-v2.ts';

/** Input values of a correction by input name: strings for string inputs, numbers otherwise. */
export type CorrectionInputs = Readonly<Record<string, string | number>>;

/**
 * Evaluates correction `name` of a (validated) correction set at one point, following correctionlib
 * semantics: a binning selects bin i with `edges[i] <= x < edges[i+1]`; a value outside the edges
 * is clamped to the first/last bin (`flow: "clamp"`), is an error (`"error"`), or evaluates the
 * flow node; a category without a matching key uses `default` or is an error.
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
      const index = binIndex(node.edges, inputs[node.input] as number, node.flow === 'clamp');
      if (index === null) return evaluateFlow(node.flow, node.input, inputs);
      return evaluateNode(node.content[index] as ContentV2, inputs);
    }
    case 'multibinning': {
      let flat = 0;
      for (let d = 0; d < node.inputs.length; d++) {
        const input = node.inputs[d] as string;
        const edges = node.edges[d] as EdgeV2[];
        const index = binIndex(edges, inputs[input] as number, node.flow === 'clamp');
        if (index === null) return evaluateFlow(node.flow, input, inputs);
        flat = flat * (edges.length - 1) + index;
      }
      return evaluateNode(node.content[flat] as ContentV2, inputs);
    }
  }
}

function evaluateFlow(flow: FlowV2, input: string, inputs: CorrectionInputs): number {
  if (flow === 'error') {
    throw new PhysicsInputError(`input "${input}" = ${inputs[input]} is outside the binning (flow "error")`, {
      field: input,
    });
  }
  // binIndex resolves 'clamp' itself, so it cannot overflow.
  if (flow === 'clamp') throw new Error('a clamped binning cannot overflow');
  return evaluateNode(flow, inputs);
}

/** Bin of x among `edges` (lo <= x < hi); outside, the first/last bin when clamping, else null. */
function binIndex(edges: readonly EdgeV2[], x: number, clamp: boolean): number | null {
  const n = edges.length - 1;
  if (x < edgeValue(edges[0] as EdgeV2)) return clamp ? 0 : null;
  if (x >= edgeValue(edges[n] as EdgeV2)) return clamp ? n - 1 : null;
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x >= edgeValue(edges[mid] as EdgeV2)) lo = mid;
    else hi = mid;
  }
  return lo;
}
