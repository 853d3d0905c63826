/**
 * One columnar table for every source — simulated samples, CSV, ROOT TTrees, Parquet — with
 * deterministic train/validation/test splits. Numeric columns are typed arrays, text columns
 * string arrays; optional class labels, weights, generator truth and a per-row image travel with
 * the rows when a split or a selection takes them.
 */
import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import type { ColumnarSample } from '../sim/sample.ts';

/** One column: numbers (float32, float64, int32) or text (categorical values such as `EB`/`EE`). */
export type DatasetColumn = Float32Array | Float64Array | Int32Array | string[];

/** Storage type of a column, as readers are asked for it and writers declare it. */
export type ColumnType = 'float32' | 'float64' | 'int32' | 'string';

/** A columnar table of `n` rows. */
export interface Dataset {
  /** Where it came from: a file name or a generator's task. */
  name: string;
  /** Number of rows. */
  n: number;
  /** Columns by name, each of length `n`, in file order. */
  columns: Record<string, DatasetColumn>;
  /** Unit of each column where known (`GeV`, `rad`, `mm`, `1`). */
  units: Record<string, string>;
  /** Class label per row (simulation: 1 signal, 0 background; multi-class 0..k−1). */
  label?: Uint8Array;
  /** Weight per row. */
  weight?: Float32Array;
  /** Generator truth per row. */
  truth?: Record<string, Float32Array | Int32Array>;
  /** One image per row: `data` holds n × H × W × C float32 (HWC, row-major). */
  image?: { data: Float32Array; shape: readonly [number, number, number] };
}

/** Storage type of a column. */
export function columnType(column: DatasetColumn): ColumnType {
  if (Array.isArray(column)) return 'string';
  if (column instanceof Float32Array) return 'float32';
  if (column instanceof Float64Array) return 'float64';
  return 'int32';
}

/** Column types of a dataset, e.g. to read a written CSV back with the same storage. */
export function datasetTypes(ds: Dataset): Record<string, ColumnType> {
  const types: Record<string, ColumnType> = {};
  for (const [name, col] of Object.entries(ds.columns)) types[name] = columnType(col);
  return types;
}

/** A {@link Dataset} view of a generator's sample (columns, label, weight, truth and any image). */
export function datasetFromSample(
  sample: ColumnarSample & { image?: Float32Array; imageShape?: readonly [number, number, number] },
): Dataset {
  const ds: Dataset = {
    name: sample.task,
    n: sample.n,
    columns: { ...sample.columns },
    units: { ...sample.units },
    label: sample.label,
    weight: sample.weight,
    truth: { ...sample.truth },
  };
  if (sample.image && sample.imageShape && sample.image.length > 0) {
    ds.image = { data: sample.image, shape: sample.imageShape };
  }
  return ds;
}

/**
 * A {@link ColumnarSample} of a dataset's numeric columns (as float32; text columns are left out,
 * listed in `dropped`), for the training code that takes samples: label 0 and weight 1 when the
 * dataset has none, truth as is, `task` as given.
 */
export function sampleFromDataset(ds: Dataset, task: string): { sample: ColumnarSample; dropped: string[] } {
  const columns: Record<string, Float32Array> = {};
  const dropped: string[] = [];
  for (const [name, col] of Object.entries(ds.columns)) {
    if (Array.isArray(col)) dropped.push(name);
    else columns[name] = col instanceof Float32Array ? col : Float32Array.from(col);
  }
  const units: Record<string, string> = {};
  for (const name of Object.keys(columns)) units[name] = ds.units[name] ?? '1';
  return {
    sample: {
      task,
      n: ds.n,
      columns,
      label: ds.label ?? new Uint8Array(ds.n),
      weight: ds.weight ?? new Float32Array(ds.n).fill(1),
      truth: { ...(ds.truth ?? {}) },
      units,
      seed: 0,
    },
    dropped,
  };
}

/**
 * The rows `indices` of `ds`, in that order, as a new dataset (columns, label, weight, truth,
 * image copied). Throws {@link PhysicsInputError} for an index outside [0, n).
 */
export function selectRows(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const m = indices.length;
  for (let j = 0; j < m; j++) {
    const i = at(indices, j);
    if (!(Number.isInteger(i) && i >= 0 && i < ds.n)) {
      throw new PhysicsInputError(`row index ${i} outside [0, ${ds.n})`, { field: 'indices' });
    }
  }
  const take = <T extends DatasetColumn | Uint8Array>(col: T): T => {
    if (Array.isArray(col)) return Array.from({ length: m }, (_, j) => col[at(indices, j)]) as T;
    const typed = col as Exclude<T, string[]>;
    const ctor = typed.constructor as new (length: number) => typeof typed;
    const out = new ctor(m);
    for (let j = 0; j < m; j++) out[j] = at(typed, at(indices, j));
    return out as T;
  };
  const columns: Record<string, DatasetColumn> = {};
  for (const [name, col] of Object.entries(ds.columns)) columns[name] = take(col);
  const out: Dataset = { name: ds.name, n: m, columns, units: { ...ds.units } };
  if (ds.label) out.label = take(ds.label);
  if (ds.weight) out.weight = take(ds.weight);
  if (ds.truth) {
    out.truth = {};
    for (const [name, col] of Object.entries(ds.truth)) out.truth[name] = take(col);
  }
  if (ds.image) {
    const [h, w, c] = ds.image.shape;
    const size = h * w * c;
    const data = new Float32Array(m * size);
    for (let j = 0; j < m; j++) {
      const i = at(indices, j);
      data.set(ds.image.data.subarray(i * size, (i + 1) * size), j * size);
    }
    out.image = { data, shape: ds.image.shape };
  }
  return out;
}

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** Seed of the shuffle; the same seed gives the same split. */
  seed: number;
  /** Fraction of rows for validation (default 0.15). */
  validation?: number;
  /** Fraction of rows for test (default 0.15); the rest is for training. */
  test?: number;
}

/** Row indices of a train/validation/test split. */
export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Deterministic split of n rows: a seeded Fisher–Yates permutation ({@link Rng}), cut into test
 * (first round(n·test) rows), validation (next round(n·validation)) and train (the rest); each part
 * is sorted so that rows keep their file order. Throws {@link PhysicsInputError} when a fraction is
 * outside [0, 1) or validation + test ≥ 1.
 */
export function splitIndices(n: number, options: SplitOptions): SplitIndices {
  const validation = options.validation ?? 0.15;
  const test = options.test ?? 0.15;
  if (!Number.isInteger(n) || n < 0) throw new PhysicsInputError('n must be a non-negative integer', { field: 'n' });
  if (!(validation >= 0 && validation < 1)) {
    throw new PhysicsInputError('validation must lie in [0, 1)', { field: 'validation' });
  }
  if (!(test >= 0 && test < 1)) throw new PhysicsInputError('test must lie in [0, 1)', { field: 'test' });
  if (!(validation + test < 1)) throw new PhysicsInputError('validation + test must be below 1', { field: 'test' });
  const rng = new Rng(options.seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = at(perm, i);
    perm[i] = at(perm, j);
    perm[j] = t;
  }
  const nTest = Math.round(n * test);
  const nValidation = Math.round(n * validation);
  const sorted = (a: Int32Array): Int32Array => a.slice().sort();
  return {
    test: sorted(perm.subarray(0, nTest)),
    validation: sorted(perm.subarray(nTest, nTest + nValidation)),
    train: sorted(perm.subarray(nTest + nValidation)),
  };
}

/** Deterministic train/validation/test split of a dataset; see {@link splitIndices}. */
export function splitDataset(
  ds: Dataset,
  options: SplitOptions,
): { train: Dataset; validation: Dataset; test: Dataset } {
  const idx = splitIndices(ds.n, options);
  return {
    train: selectRows(ds, idx.train),
    validation: selectRows(ds, idx.validation),
    test: selectRows(ds, idx.test),
  };
}

/**
 * A float32 copy of a numeric column (for training inputs). Throws {@link PhysicsInputError} when
 * the column is missing or holds text.
 */
export function numericColumn(ds: Dataset, name: string): Float32Array {
  const col = ds.columns[name];
  if (col === undefined) throw new PhysicsInputError(`dataset ${ds.name} has no column ${name}`, { field: name });
  if (Array.isArray(col)) throw new PhysicsInputError(`column ${name} of ${ds.name} holds text`, { field: name });
  return col instanceof Float32Array ? col : Float32Array.from(col);
}

/**
 * The rows of `parts` one after the other, as one dataset named after the first. Every part must
 * have the same columns (names and storage), the same optional fields and the same image shape;
 * otherwise {@link PhysicsInputError} names the first difference.
 */
export function concatDatasets(parts: readonly Dataset[]): Dataset {
  const first = parts[0];
  if (!first) throw new PhysicsInputError('nothing to concatenate', { field: 'parts' });
  const n = parts.reduce((s, p) => s + p.n, 0);
  const names = Object.keys(first.columns);
  for (const p of parts) {
    for (const name of names) {
      const col = p.columns[name];
      if (col === undefined || columnType(col) !== columnType(first.columns[name] as DatasetColumn)) {
        throw new PhysicsInputError(`part ${p.name} lacks column ${name} or stores it differently`, { field: name });
      }
    }
    if (Object.keys(p.columns).length !== names.length) {
      throw new PhysicsInputError(`part ${p.name} has other columns than ${first.name}`, { field: 'columns' });
    }
    if (!p.label !== !first.label || !p.weight !== !first.weight || !p.image !== !first.image) {
      throw new PhysicsInputError(`part ${p.name} differs in label, weight or image`, { field: 'parts' });
    }
    if (p.image && first.image && p.image.shape.join() !== first.image.shape.join()) {
      throw new PhysicsInputError(`part ${p.name} has another image shape`, { field: 'image' });
    }
  }
  const join = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(cols: T[]): T => {
    const ctor = at(cols, 0).constructor as new (length: number) => T;
    const out = new ctor(cols.reduce((s, c) => s + c.length, 0));
    let offset = 0;
    for (const c of cols) {
      out.set(c as ArrayLike<number> & T, offset);
      offset += c.length;
    }
    return out;
  };
  const columns: Record<string, DatasetColumn> = {};
  for (const name of names) {
    const cols = parts.map((p) => p.columns[name] as DatasetColumn);
    columns[name] = Array.isArray(cols[0])
      ? (cols as string[][]).flat()
      : join(cols as (Float32Array | Float64Array | Int32Array)[]);
  }
  const out: Dataset = { name: first.name, n, columns, units: { ...first.units } };
  if (first.label) out.label = join(parts.map((p) => p.label as Uint8Array));
  if (first.weight) out.weight = join(parts.map((p) => p.weight as Float32Array));
  if (first.truth) {
    out.truth = {};
    for (const name of Object.keys(first.truth)) {
      out.truth[name] = join(
        parts.map((p) => {
          const t = p.truth?.[name];
          if (!t) throw new PhysicsInputError(`part ${p.name} lacks truth ${name}`, { field: name });
          return t;
        }),
      ) as Float32Array | Int32Array;
    }
  }
  if (first.image) {
    out.image = { data: join(parts.map((p) => (p.image as { data: Float32Array }).data)), shape: first.image.shape };
  }
  return out;
}
