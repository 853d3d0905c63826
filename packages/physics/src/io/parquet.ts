/**
 * Parquet in and out through hyparquet (reader) and hyparquet-writer (writer), both pure
 * JavaScript: readers take an ArrayBuffer, the writer returns one, so this runs in Workers and
 * browsers as well as Node. Apache Parquet format: https://parquet.apache.org/docs/file-format/.
 */

import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { at } from '../array.ts';
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import type { Dataset, DatasetColumn } from './dataset.ts';

/** Key-value metadata keys written by {@link writeParquet} (and read back by {@link readParquet}). */
export const PARQUET_META = {
  units: 'hepml.units',
  imageShape: 'hepml.imageShape',
  name: 'hepml.name',
} as const;
/** Column names holding a dataset's label, weight, truth (prefix) and images. */
const LABEL = 'label';
const WEIGHT = 'weight';
const TRUTH_PREFIX = 'truth.';
const IMAGE = 'image';

/** Options of {@link readParquet}. */
export interface ParquetReadOptions {
  /** File name for messages and the dataset's name (default: the name stored by the writer, else `input.parquet`). */
  file?: string;
  /** Columns to keep, in this order; each must exist. Default: all data columns. */
  columns?: readonly string[];
}

type ParquetType = 'BOOLEAN' | 'INT32' | 'INT64' | 'INT96' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';

/**
 * Reads a flat Parquet file (one primitive column per field; no nested or repeated fields) into a
 * {@link Dataset}. Storage: FLOAT → float32, DOUBLE → float64, INT32 and BOOLEAN → int32, INT64 →
 * float64 when |x| ≤ 2⁵³ (else an error), UTF-8 byte arrays → text. Columns named `label`,
 * `weight`, `truth.*` and `image` (float32 LE bytes per row, shape in the `hepml.imageShape`
 * metadata), as {@link writeParquet} writes them, are restored into the dataset's fields; units
 * from `hepml.units`. Throws {@link DataFormatError} naming the file (and column, row) for a file
 * that is not Parquet, a nested schema, a missing requested column, or a null value.
 */
export async function readParquet(buffer: ArrayBuffer, options: ParquetReadOptions = {}): Promise<Dataset> {
  let file = options.file ?? 'input.parquet';
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(buffer);
  } catch (cause) {
    throw new DataFormatError(`${file}: not a readable Parquet file (${(cause as Error).message})`, { file, cause });
  }
  const kv = new Map((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  if (options.file === undefined && kv.has(PARQUET_META.name)) file = kv.get(PARQUET_META.name) as string;
  const [root, ...fields] = metadata.schema;
  if (!root || (root.num_children ?? 0) !== fields.length) {
    throw new DataFormatError(`${file}: nested Parquet schemas are not supported (flat columns only)`, { file });
  }
  const typeOf = new Map<string, { type: ParquetType; text: boolean }>();
  for (const f of fields) {
    if (f.num_children || f.repetition_type === 'REPEATED' || !f.type) {
      throw new DataFormatError(`${file}: column ${f.name} is nested or repeated (flat columns only)`, {
        file,
        column: f.name,
      });
    }
    const text = f.converted_type === 'UTF8' || f.logical_type?.type === 'STRING';
    typeOf.set(f.name, { type: f.type as ParquetType, text });
  }
  const n = Number(metadata.num_rows);
  const special = (name: string): boolean =>
    name === LABEL || name === WEIGHT || name === IMAGE || name.startsWith(TRUTH_PREFIX);
  const dataNames = options.columns ?? fields.map((f) => f.name).filter((name) => !special(name));
  for (const name of dataNames) {
    if (!typeOf.has(name)) {
      throw new DataFormatError(`${file}: missing column ${name}`, { file, column: name });
    }
  }
  const wanted = [
    ...dataNames,
    ...fields.map((f) => f.name).filter((name) => special(name) && !dataNames.includes(name)),
  ];
  const raw = new Map<string, unknown[]>();
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file: buffer,
      metadata,
      columns: wanted,
      utf8: false,
      onChunk: (chunk) => {
        const list = chunks.get(chunk.columnName) ?? [];
        list.push({ rowStart: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
        chunks.set(chunk.columnName, list);
      },
    });
  } catch (cause) {
    throw new DataFormatError(`${file}: corrupt Parquet data (${(cause as Error).message})`, { file, cause });
  }
  for (const name of wanted) {
    const values = new Array<unknown>(n);
    for (const c of chunks.get(name) ?? []) {
      for (let k = 0; k < c.data.length && c.rowStart + k < n; k++) values[c.rowStart + k] = c.data[k];
    }
    raw.set(name, values);
  }

  const convert = (name: string): DatasetColumn | Uint8Array[] => {
    const { type, text } = typeOf.get(name) as { type: ParquetType; text: boolean };
    const values = raw.get(name) as unknown[];
    for (let i = 0; i < n; i++) {
      if (values[i] === null || values[i] === undefined) {
        throw new DataFormatError(`${file}: row ${i}, column ${name}: null value`, { file, row: i, column: name });
      }
    }
    if (type === 'BYTE_ARRAY' || type === 'FIXED_LEN_BYTE_ARRAY') {
      // hyparquet decodes UTF-8-annotated byte arrays to strings itself.
      if (text) return values.map((v) => String(v));
      return values as Uint8Array[];
    }
    if (type === 'FLOAT') return Float32Array.from(values as number[]);
    if (type === 'DOUBLE') return Float64Array.from(values as number[]);
    if (type === 'INT32') return Int32Array.from(values as number[]);
    if (type === 'BOOLEAN') return Int32Array.from(values as boolean[], (v) => (v ? 1 : 0));
    if (type === 'INT64') {
      return Float64Array.from(values as bigint[], (v, i) => {
        const x = Number(v);
        if (!Number.isSafeInteger(x)) {
          throw new DataFormatError(`${file}: row ${i}, column ${name}: INT64 ${v} exceeds 2^53`, {
            file,
            row: i,
            column: name,
          });
        }
        return x;
      });
    }
    throw new DataFormatError(`${file}: column ${name} has unsupported type ${type}`, { file, column: name });
  };

  const columns: Record<string, DatasetColumn> = {};
  for (const name of dataNames) {
    const col = convert(name);
    if (Array.isArray(col) && col.some((v) => typeof v !== 'string')) {
      throw new DataFormatError(`${file}: column ${name} holds raw bytes, not text or numbers`, { file, column: name });
    }
    columns[name] = col as DatasetColumn;
  }
  let units: Record<string, string> = {};
  const unitsText = kv.get(PARQUET_META.units);
  if (unitsText) {
    try {
      units = JSON.parse(unitsText) as Record<string, string>;
    } catch (cause) {
      throw new DataFormatError(`${file}: metadata ${PARQUET_META.units} is not JSON`, { file, cause });
    }
  }
  const ds: Dataset = { name: file, n, columns, units };
  if (typeOf.has(LABEL)) ds.label = Uint8Array.from(convert(LABEL) as Int32Array);
  if (typeOf.has(WEIGHT)) ds.weight = Float32Array.from(convert(WEIGHT) as Float32Array);
  const truthNames = [...typeOf.keys()].filter((k) => k.startsWith(TRUTH_PREFIX));
  if (truthNames.length > 0) {
    ds.truth = {};
    for (const name of truthNames) {
      const col = convert(name);
      ds.truth[name.slice(TRUTH_PREFIX.length)] =
        col instanceof Int32Array ? col : Float32Array.from(col as Float32Array);
    }
  }
  if (typeOf.has(IMAGE)) {
    const shape = (kv.get(PARQUET_META.imageShape) ?? '').split(',').map(Number);
    if (shape.length !== 3 || !shape.every((x) => Number.isInteger(x) && x > 0)) {
      throw new DataFormatError(`${file}: image column without a valid ${PARQUET_META.imageShape} metadata`, {
        file,
        column: IMAGE,
      });
    }
    const size = at(shape, 0) * at(shape, 1) * at(shape, 2);
    const rows = convert(IMAGE) as Uint8Array[];
    const data = new Float32Array(n * size);
    const bytes = new Uint8Array(data.buffer);
    rows.forEach((row, i) => {
      if (!(row instanceof Uint8Array) || row.length !== size * 4) {
        throw new DataFormatError(`${file}: row ${i}, column image: expected ${size * 4} bytes`, {
          file,
          row: i,
          column: IMAGE,
        });
      }
      bytes.set(row, i * size * 4);
    });
    ds.image = { data, shape: shape as [number, number, number] };
  }
  return ds;
}

/**
 * Writes a {@link Dataset} as a Parquet file (one row group per 100,000 rows, Snappy): numeric
 * columns keep their storage (float32 → FLOAT, float64 → DOUBLE, int32 → INT32), text → UTF-8;
 * `label` (INT32), `weight` (FLOAT), `truth.<name>` and `image` (one float32 LE byte array per row,
 * shape in the `hepml.imageShape` metadata) are added when present, units go to `hepml.units`.
 * Columns are REQUIRED (no nulls). Throws {@link PhysicsInputError} for a column of the wrong length
 * or a data column whose name collides with those reserved ones.
 */
export function writeParquet(ds: Dataset): ArrayBuffer {
  type Source = {
    name: string;
    data: DatasetColumn | Uint8Array[];
    type: 'FLOAT' | 'DOUBLE' | 'INT32' | 'STRING' | 'BYTE_ARRAY';
  };
  const sources: Source[] = [];
  const add = (name: string, col: DatasetColumn | Uint8Array | Uint8Array[]): void => {
    if (col.length !== ds.n) {
      throw new PhysicsInputError(`column ${name} has ${col.length} rows, the dataset ${ds.n}`, { field: name });
    }
    if (col instanceof Uint8Array) sources.push({ name, data: Int32Array.from(col), type: 'INT32' });
    else if (col instanceof Float32Array) sources.push({ name, data: col, type: 'FLOAT' });
    else if (col instanceof Float64Array) sources.push({ name, data: col, type: 'DOUBLE' });
    else if (col instanceof Int32Array) sources.push({ name, data: col, type: 'INT32' });
    else if (col.every((v) => typeof v === 'string')) sources.push({ name, data: col as string[], type: 'STRING' });
    else sources.push({ name, data: col as Uint8Array[], type: 'BYTE_ARRAY' });
  };
  for (const [name, col] of Object.entries(ds.columns)) {
    if (name === LABEL || name === WEIGHT || name === IMAGE || name.startsWith(TRUTH_PREFIX)) {
      throw new PhysicsInputError(`column name ${name} is reserved in Parquet files of hepml`, { field: name });
    }
    add(name, col);
  }
  if (ds.label) add(LABEL, ds.label);
  if (ds.weight) add(WEIGHT, ds.weight);
  for (const [name, col] of Object.entries(ds.truth ?? {})) add(`${TRUTH_PREFIX}${name}`, col);
  const kvMetadata: { key: string; value: string }[] = [
    { key: PARQUET_META.units, value: JSON.stringify(ds.units) },
    { key: PARQUET_META.name, value: ds.name },
  ];
  if (ds.image) {
    const [h, w, c] = ds.image.shape;
    const size = h * w * c;
    if (ds.image.data.length !== ds.n * size) {
      throw new PhysicsInputError(`image holds ${ds.image.data.length} floats, expected ${ds.n * size}`, {
        field: 'image',
      });
    }
    const bytes = new Uint8Array(ds.image.data.buffer, ds.image.data.byteOffset, ds.image.data.byteLength);
    const rows = Array.from({ length: ds.n }, (_, i) => bytes.slice(i * size * 4, (i + 1) * size * 4));
    add(IMAGE, rows);
    kvMetadata.push({ key: PARQUET_META.imageShape, value: `${h},${w},${c}` });
  }
  return parquetWriteBuffer({
    columnData: sources.map((s) => ({ name: s.name, data: s.data, type: s.type, nullable: false })),
    kvMetadata,
    rowGroupSize: 100_000,
  });
}
