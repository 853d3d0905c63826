import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import type { Pdf } from './pdf.ts';

/** One term of an extended model: a shape and the name of its yield parameter (events on the range). */
export interface FitComponent {
  pdf: Pdf;
  yield: string;
}

/**
 * A fit model: a single {@link Pdf} (shape-only fit, the total is the observed number of events)
 * or a sum of {@link FitComponent}s, e.g. signal + background, each with a free yield (extended
 * likelihood). Components may share parameters by giving them the same name.
 */
export type FitModel = Pdf | readonly FitComponent[];

/** A model resolved against one parameter vector: names and, per component, where its parameters sit. */
export interface ResolvedModel {
  names: string[];
  extended: boolean;
  range: readonly [number, number];
  components: {
    pdf: Pdf;
    /** Index of the yield in the parameter vector (−1 in a shape-only fit). */
    yieldIndex: number;
    /** Index of each shape parameter in the parameter vector. */
    parameterIndex: Int32Array;
    /** Scratch vector of the shape parameters. */
    values: Float64Array;
  }[];
}

/** Resolves a model: unique parameter names in first-appearance order; all components on one range. */
export function resolveModel(model: FitModel): ResolvedModel {
  const components: readonly FitComponent[] = isPdf(model) ? [{ pdf: model, yield: '' }] : model;
  if (components.length === 0) throw new PhysicsInputError('the model has no component', { field: 'model' });
  const names: string[] = [];
  const indexOf = (name: string): number => {
    const i = names.indexOf(name);
    if (i >= 0) return i;
    names.push(name);
    return names.length - 1;
  };
  const range = at(components, 0).pdf.range;
  const resolved = components.map((c) => {
    if (c.pdf.range[0] !== range[0] || c.pdf.range[1] !== range[1]) {
      throw new PhysicsInputError('all components must be normalised on the same range', { field: 'model' });
    }
    return {
      pdf: c.pdf,
      yieldIndex: isPdf(model) ? -1 : indexOf(c.yield),
      parameterIndex: Int32Array.from(c.pdf.parameters, indexOf),
      values: new Float64Array(c.pdf.parameters.length),
    };
  });
  return { names, extended: !isPdf(model), range, components: resolved };
}

/** Copies the shape parameters of component c out of the full vector. */
export function componentValues(c: ResolvedModel['components'][number], all: Float64Array): Float64Array {
  for (let k = 0; k < c.parameterIndex.length; k++) c.values[k] = at(all, at(c.parameterIndex, k));
  return c.values;
}

function isPdf(model: FitModel): model is Pdf {
  return !Array.isArray(model);
}
