/**
 * Row-major feature matrices for the baselines, built from a columnar sample (Workers-safe: no
 * Node, no tfjs). The baselines' evaluators take raw inputs in the order of their `inputs` list, as
 * the bundle runtime hands them over.
 */

import type { ColumnarSample } from '@hepml/physics';
import { at } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';

/** A training set for a baseline: n rows of `inputs.length` raw features, row-major. */
export interface FeatureMatrix {
  /** Input names, in column order. */
  inputs: string[];
  /** n × inputs.length raw values (units as in the sample), row-major. */
  features: Float32Array;
  n: number;
}

/**
 * Copies the named columns of `sample` into a row-major matrix, for the rows listed in `rows`
 * (default: all rows, in order). A missing column is a {@link ModelInputError} naming it.
 */
export function sampleMatrix(
  sample: ColumnarSample,
  inputs: readonly string[],
  rows?: ArrayLike<number>,
): FeatureMatrix {
  const d = inputs.length;
  const cols = inputs.map((name) => {
    const c = sample.columns[name];
    if (!c) throw new ModelInputError(`sample has no column "${name}"`, { field: name });
    return c;
  });
  const n = rows ? rows.length : sample.n;
  const features = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows ? at(rows, i) : i;
    if (!(r >= 0 && r < sample.n)) throw new ModelInputError(`row ${r} is outside the sample`, { field: 'rows' });
    for (let j = 0; j < d; j++) features[i * d + j] = at(cols, j)[r] as number;
  }
  return { inputs: [...inputs], features, n };
}

/** Values of `array` at `rows`, as a new typed array of the same kind. */
export function pickRows<T extends Float32Array | Uint8Array | Float64Array | Int32Array>(
  array: T,
  rows: ArrayLike<number>,
): T {
  const out = new (array.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = array[at(rows, i)] as number;
  return out;
}

/** Index of input `name` in `inputs`; a {@link ModelInputError} when it is not there. */
export function inputIndex(inputs: readonly string[], name: string, field: string): number {
  const k = inputs.indexOf(name);
  if (k < 0) throw new ModelInputError(`${field}: "${name}" is not one of the inputs`, { field });
  return k;
}
