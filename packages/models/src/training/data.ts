import type { CaloShowerSample, ColumnarSample, Dataset } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';

/**
 * A columnar sample from a dataset read by `@hepml/physics` (CSV, Parquet, ROOT): numeric columns
 * become float32; the label, weight and truth come from the dataset's own fields or, for flat
 * files, from the columns `label`, `weight` and `truth_<name>` / `truth.<name>` (as `writeCsv` and
 * `writeParquet` write them); the image travels as is. Text columns are dropped. The columns
 * `required` must be present (a {@link ModelInputError} naming the first missing one), as must a
 * label unless `needLabel` is false. Weights default to 1.
 */
export function sampleFromDataset(
  ds: Dataset,
  task: string,
  required: readonly string[],
  options: { needLabel?: boolean; truth?: readonly string[] } = {},
): CaloShowerSample {
  const columns: Record<string, Float32Array> = {};
  const truth: Record<string, Float32Array | Int32Array> = { ...(ds.truth ?? {}) };
  let label = ds.label;
  let weight = ds.weight;
  for (const [name, col] of Object.entries(ds.columns)) {
    if (Array.isArray(col)) continue;
    const f32 = col instanceof Float32Array ? col : Float32Array.from(col);
    if (name === 'label' && !label) label = Uint8Array.from(f32);
    else if (name === 'weight' && !weight) weight = f32;
    else if (name.startsWith('truth_') || name.startsWith('truth.')) truth[name.slice(6)] = f32;
    else columns[name] = f32;
  }
  for (const name of required) {
    if (!columns[name])
      throw new ModelInputError(`${ds.name}: column "${name}" is missing (task ${task})`, { field: name });
  }
  for (const name of options.truth ?? []) {
    if (!truth[name])
      throw new ModelInputError(`${ds.name}: truth "${name}" is missing (task ${task})`, { field: name });
  }
  if (!label) {
    if (options.needLabel ?? true)
      throw new ModelInputError(`${ds.name}: no label column (task ${task})`, { field: 'label' });
    label = new Uint8Array(ds.n);
  }
  return {
    task,
    n: ds.n,
    columns,
    label,
    weight: weight ?? new Float32Array(ds.n).fill(1),
    truth,
    units: { ...ds.units },
    seed: 0,
    image: ds.image?.data ?? new Float32Array(0),
    imageShape: ds.image?.shape ?? [0, 0, 0],
    imageChannels: [],
  } satisfies ColumnarSample & CaloShowerSample;
}
