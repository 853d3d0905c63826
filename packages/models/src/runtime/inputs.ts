import { at } from '@hepml/physics';
import type { BundleInputV1 } from '../bundle/manifest.ts';
import { ModelInputError } from '../errors.ts';

/** Rows as objects keyed by input name (`{"rows": [{"et": 40.1, …}]}`). */
export type InputRows = readonly Record<string, unknown>[];

/** Options of {@link rowsToMatrix}. */
export interface RowsToMatrixOptions {
  /** Keys a row may carry besides the model's inputs (e.g. `pt`, `eta` for scale factors). */
  allowedExtra?: ReadonlySet<string>;
}

/**
 * Packs rows into a row-major Float32Array in the manifest's input order. A row that is not an
 * object, lacks an input, carries an unknown key, or has a value that is not a finite number is a
 * {@link ModelInputError} whose `field` names it (`rows[3].et`).
 */
export function rowsToMatrix(
  inputs: readonly BundleInputV1[],
  rows: InputRows,
  options: RowsToMatrixOptions = {},
): Float32Array {
  const k = inputs.length;
  const out = new Float32Array(rows.length * k);
  const names = new Set(inputs.map((i) => i.name));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new ModelInputError(`rows[${r}] must be an object keyed by input name`, { field: `rows[${r}]` });
    }
    for (let i = 0; i < k; i++) {
      const name = at(inputs, i).name;
      const v = row[name];
      if (v === undefined) throw new ModelInputError(`rows[${r}].${name} is missing`, { field: `rows[${r}].${name}` });
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new ModelInputError(`rows[${r}].${name} must be a finite number`, { field: `rows[${r}].${name}` });
      }
      out[r * k + i] = v;
    }
    for (const key of Object.keys(row)) {
      if (!names.has(key) && !options.allowedExtra?.has(key)) {
        throw new ModelInputError(`rows[${r}].${key} is not an input of this model`, { field: `rows[${r}].${key}` });
      }
    }
  }
  return out;
}
