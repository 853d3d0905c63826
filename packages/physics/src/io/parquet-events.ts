/**
 * Reads Parquet files with list columns — what awkward-array and uproot write for jagged data
 * (`Muon_pt: list<element: float>`, the LIST logical type of the Parquet format,
 * https://github.com/apache/parquet-format/blob/master/LogicalTypes.md#lists) — into
 * {@link EventTable}s, one row group at a time (merged up to a chunk size), through hyparquet's
 * byte-range reads, so a large file is never in memory whole.
 *
 * Columns: a primitive field is a scalar column (FLOAT float32, DOUBLE float64, INT32 and BOOLEAN
 * int32, INT64 float64 within ±2⁵³, UTF-8 text strings); a LIST of a primitive (three-level
 * `group (LIST) { repeated group list { element } }`, the legacy names `array`/`item`/`bag`
 * too) or a repeated primitive is a jagged column. Structs, maps and lists of lists are refused,
 * naming the column. Nulls are refused, naming row and column.
 */
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DataFormatError } from '../errors.ts';
import { type ByteSource, bytesSource, type ReadProgress, readRange } from './byte-source.ts';
import type { DatasetColumn } from './dataset.ts';
import { concatEventTables, type EventTable, type JaggedColumn, ValuesBuilder } from './events.ts';
import { PARQUET_META } from './parquet.ts';

type Storage = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string';

/** One top-level field of a Parquet file as {@link inspectParquet} describes it. */
export interface ParquetFieldInfo {
  name: string;
  /** Physical type of the values (`FLOAT`, `INT64`, …) and, for lists, `list<…>`. */
  type: string;
  jagged: boolean;
  /** Why it cannot be read, when it cannot. */
  unsupported?: string;
}

/** What a Parquet file holds: rows, row groups and its top-level fields. */
export interface ParquetFileInfo {
  file: string;
  size: number;
  rows: number;
  rowGroups: number[];
  fields: ParquetFieldInfo[];
}

interface SchemaElement {
  name: string;
  type?: string;
  repetition_type?: string;
  num_children?: number;
  converted_type?: string;
  logical_type?: { type: string };
}

interface FieldPlan extends ParquetFieldInfo {
  storage?: Storage;
}

function primitiveStorage(e: SchemaElement): Storage | undefined {
  switch (e.type) {
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    case 'INT32':
      return 'int32';
    case 'INT64':
      return 'int64';
    case 'BOOLEAN':
      return 'bool';
    case 'BYTE_ARRAY':
      return e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING' ? 'string' : undefined;
    default:
      return undefined;
  }
}

/** The top-level fields of a flattened schema (depth-first, as Parquet stores it). */
function planFields(schema: SchemaElement[]): FieldPlan[] {
  const fields: FieldPlan[] = [];
  let k = 1;
  const subtree = (): SchemaElement[] => {
    const out: SchemaElement[] = [];
    let pending = 1;
    while (pending > 0 && k < schema.length) {
      const e = schema[k++] as SchemaElement;
      out.push(e);
      pending += (e.num_children ?? 0) - 1;
    }
    return out;
  };
  const rootChildren = schema[0]?.num_children ?? 0;
  for (let c = 0; c < rootChildren; c++) {
    const [head, ...rest] = subtree();
    if (!head) break;
    const name = head.name;
    if (!head.num_children) {
      const storage = primitiveStorage(head);
      const jagged = head.repetition_type === 'REPEATED';
      const type = jagged ? `list<${head.type}>` : (head.type ?? '?');
      if (!storage)
        fields.push({ name, type, jagged, unsupported: `of physical type ${head.type} without a text annotation` });
      else if (jagged && storage === 'string') fields.push({ name, type, jagged, unsupported: 'a list of text' });
      else fields.push({ name, type, jagged, storage });
      continue;
    }
    const isList = head.converted_type === 'LIST' || head.logical_type?.type === 'LIST';
    const [repeated, leaf, ...deeper] = rest;
    if (isList && repeated?.repetition_type === 'REPEATED' && leaf && !leaf.num_children && deeper.length === 0) {
      const storage = primitiveStorage(leaf);
      const type = `list<${leaf.type}>`;
      if (!storage || storage === 'string') {
        fields.push({ name, type, jagged: true, unsupported: `a list of ${leaf.type}${storage ? ' text' : ''}` });
      } else fields.push({ name, type, jagged: true, storage });
    } else if (isList && repeated && !repeated.num_children && rest.length === 1) {
      // Two-level list: `group (LIST) { repeated float element }`.
      const storage = primitiveStorage(repeated);
      if (!storage || storage === 'string') {
        fields.push({ name, type: `list<${repeated.type}>`, jagged: true, unsupported: `a list of ${repeated.type}` });
      } else fields.push({ name, type: `list<${repeated.type}>`, jagged: true, storage });
    } else {
      const what = isList ? 'a list of lists or structs' : head.converted_type === 'MAP' ? 'a map' : 'a struct';
      fields.push({ name, type: isList ? 'list<…>' : 'group', jagged: false, unsupported: what });
    }
  }
  return fields;
}

async function open(source: ByteSource | ArrayBuffer, name?: string) {
  const src = source instanceof ArrayBuffer ? bytesSource(source, name ?? 'input.parquet') : source;
  const file = name ?? src.name;
  let bytes = 0;
  const asyncBuffer = {
    byteLength: src.size,
    slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
      const stop = end ?? src.size;
      if (start < 0 || stop > src.size || stop < start) {
        throw new Error(`reads bytes ${start}–${stop}, beyond the end of the file (${src.size} bytes): truncated?`);
      }
      const out = await readRange(src, start, stop - start);
      if (out.byteLength < stop - start) throw new Error(`short read at ${start}: truncated?`);
      bytes += out.byteLength;
      return out;
    },
  };
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(asyncBuffer);
  } catch (cause) {
    throw new DataFormatError(`${file}: not a readable Parquet file (${(cause as Error).message})`, { file, cause });
  }
  const fields = planFields(metadata.schema as SchemaElement[]);
  return { src, file, asyncBuffer, metadata, fields, bytesRead: () => bytes };
}

/** Describes a Parquet file: rows, row-group sizes, each top-level field with its type. */
export async function inspectParquet(
  source: ByteSource | ArrayBuffer,
  options: { file?: string } = {},
): Promise<ParquetFileInfo> {
  const { file, src, metadata, fields } = await open(source, options.file);
  return {
    file,
    size: src.size,
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.map((g) => Number(g.num_rows)),
    fields: fields.map(({ storage: _, ...info }) => info),
  };
}

/** Options of {@link readParquetEvents}. */
export interface ParquetEventsOptions {
  /** File name for messages and the table's name (default: the source's name). */
  file?: string;
  /** Top-level fields to read, in this order (default: all; then any unreadable one is an error). */
  columns?: readonly string[];
  /** Rows per chunk: row groups are merged until they reach it (default 100,000; a row group is never split). */
  chunkRows?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Reads a Parquet file chunk by chunk (whole row groups) into {@link EventTable}s: primitive
 * fields as columns, lists as jagged columns (see the module comment). Memory is bounded by one
 * chunk and hyparquet's pages of it. Units come from the `hepml.units` metadata when present.
 * Throws {@link DataFormatError} naming the file, the column (and row for a null).
 */
export async function* readParquetEvents(
  source: ByteSource | ArrayBuffer,
  options: ParquetEventsOptions = {},
): AsyncGenerator<EventTable, void, undefined> {
  const { file, src, asyncBuffer, metadata, fields, bytesRead } = await open(source, options.file);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const names = options.columns ?? fields.map((f) => f.name);
  const chosen = names.map((name) => {
    const f = byName.get(name);
    if (!f) throw new DataFormatError(`${file}: no column ${name}`, { file, column: name });
    if (f.unsupported) {
      throw new DataFormatError(`${file}: column ${name} cannot be read, it is ${f.unsupported}`, {
        file,
        column: name,
      });
    }
    return f;
  });
  let units: Record<string, string> = {};
  const unitsText = (metadata.key_value_metadata ?? []).find((e) => e.key === PARQUET_META.units)?.value;
  if (unitsText) {
    try {
      units = JSON.parse(unitsText) as Record<string, string>;
    } catch (cause) {
      throw new DataFormatError(`${file}: metadata ${PARQUET_META.units} is not JSON`, { file, cause });
    }
  }
  const total = Number(metadata.num_rows);
  const chunkRows = options.chunkRows ?? 100_000;
  const groups = metadata.row_groups.map((g) => Number(g.num_rows));
  let rowStart = 0;
  let g = 0;
  if (groups.length === 0) groups.push(0);
  while (g < groups.length) {
    let rowEnd = rowStart;
    do rowEnd += groups[g++] as number;
    while (g < groups.length && rowEnd - rowStart + (groups[g] as number) <= chunkRows);
    const n = rowEnd - rowStart;
    const raw = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
    if (n > 0 && chosen.length > 0) {
      try {
        await parquetRead({
          file: asyncBuffer,
          metadata,
          columns: chosen.map((f) => f.name),
          rowStart,
          rowEnd,
          utf8: true,
          onChunk: (chunk) => {
            const list = raw.get(chunk.columnName) ?? [];
            list.push({ rowStart: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
            raw.set(chunk.columnName, list);
          },
        });
      } catch (cause) {
        throw new DataFormatError(
          `${file}: rows ${rowStart}–${rowEnd - 1}: corrupt Parquet data (${(cause as Error).message})`,
          {
            file,
            cause,
          },
        );
      }
    }
    const columns: Record<string, DatasetColumn> = {};
    const jagged: Record<string, JaggedColumn> = {};
    for (const f of chosen) {
      const parts = raw.get(f.name) ?? [];
      const ctor =
        f.storage === 'float32'
          ? Float32Array
          : f.storage === 'float64' || f.storage === 'int64'
            ? Float64Array
            : Int32Array;
      // Fast path: numeric pages that hyparquet decoded to typed arrays (no nulls possible in them).
      if (!f.jagged && f.storage !== 'string' && f.storage !== 'int64' && f.storage !== 'bool') {
        if (parts.every((c) => ArrayBuffer.isView(c.data))) {
          const col = new ctor(n);
          let filled = 0;
          for (const c of parts) {
            const from = Math.max(0, rowStart - c.rowStart);
            const to = Math.min(c.data.length, rowStart + n - c.rowStart);
            if (to > from) {
              col.set((c.data as Float32Array).subarray(from, to), c.rowStart - rowStart + from);
              filled += to - from;
            }
          }
          if (filled === n) {
            columns[f.name] = col;
            continue;
          }
        }
      }
      const values = new Array<unknown>(n);
      for (const c of parts) {
        for (let k = 0; k < c.data.length; k++) {
          const at = c.rowStart - rowStart + k;
          if (at >= 0 && at < n) values[at] = c.data[k];
        }
      }
      const nullAt = (row: number): never => {
        throw new DataFormatError(`${file}: row ${rowStart + row}, column ${f.name}: null value`, {
          file,
          row: rowStart + row,
          column: f.name,
        });
      };
      const toNumber = (v: unknown, row: number): number => {
        if (v === null || v === undefined) return nullAt(row);
        if (typeof v === 'bigint') {
          const x = Number(v);
          if (!Number.isSafeInteger(x)) {
            throw new DataFormatError(`${file}: row ${rowStart + row}, column ${f.name}: INT64 ${v} exceeds 2^53`, {
              file,
              row: rowStart + row,
              column: f.name,
            });
          }
          return x;
        }
        return typeof v === 'boolean' ? Number(v) : (v as number);
      };
      if (f.jagged) {
        const offsets = new Int32Array(n + 1);
        const builder = new ValuesBuilder(ctor, n * 2);
        for (let i = 0; i < n; i++) {
          const list = values[i] as ArrayLike<unknown> | null | undefined;
          if (list === null || list === undefined) nullAt(i);
          const l = list as ArrayLike<unknown>;
          for (let k = 0; k < l.length; k++) builder.push(toNumber(l[k], i));
          offsets[i + 1] = builder.length;
        }
        jagged[f.name] = { offsets, values: builder.finish() };
      } else if (f.storage === 'string') {
        columns[f.name] = values.map((v, i) => (v === null || v === undefined ? nullAt(i) : String(v)));
      } else {
        const col = new ctor(n);
        for (let i = 0; i < n; i++) col[i] = toNumber(values[i], i);
        columns[f.name] = col;
      }
    }
    options.onProgress?.({ file, entries: rowEnd, totalEntries: total, bytes: bytesRead(), totalBytes: src.size });
    yield { name: file, n, columns, jagged, counters: {}, units: { ...units } };
    rowStart = rowEnd;
  }
}

/** Reads a whole Parquet file (see {@link readParquetEvents}) into one {@link EventTable}. */
export async function readParquetEventTable(
  source: ByteSource | ArrayBuffer,
  options: ParquetEventsOptions = {},
): Promise<EventTable> {
  const parts: EventTable[] = [];
  for await (const part of readParquetEvents(source, options)) parts.push(part);
  return concatEventTables(parts);
}

/**
 * Writes an event table as Parquet: scalar columns as primitives, jagged columns as three-level
 * LIST columns (`list<element>`, as awkward-array writes them), units in `hepml.units`. For
 * converting ROOT files to Parquet with their jagged structure kept, and for tests.
 */
export function writeParquetEvents(table: EventTable, options: { rowGroupSize?: number } = {}): ArrayBuffer {
  const physical = (c: DatasetColumn | JaggedColumn['values']): string =>
    Array.isArray(c)
      ? 'BYTE_ARRAY'
      : c instanceof Float32Array
        ? 'FLOAT'
        : c instanceof Float64Array
          ? 'DOUBLE'
          : 'INT32';
  const schema: Record<string, unknown>[] = [
    { name: 'root', num_children: Object.keys(table.columns).length + Object.keys(table.jagged).length },
  ];
  const columnData: { name: string; data: unknown }[] = [];
  for (const [name, col] of Object.entries(table.columns)) {
    const type = physical(col);
    schema.push(
      type === 'BYTE_ARRAY'
        ? { name, type, converted_type: 'UTF8', repetition_type: 'REQUIRED' }
        : { name, type, repetition_type: 'REQUIRED' },
    );
    columnData.push({ name, data: col });
  }
  for (const [name, col] of Object.entries(table.jagged)) {
    schema.push(
      { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: physical(col.values), repetition_type: 'REQUIRED' },
    );
    const rows = Array.from({ length: table.n }, (_, i) =>
      Array.from(col.values.subarray(col.offsets[i], col.offsets[i + 1])),
    );
    columnData.push({ name, data: rows });
  }
  return parquetWriteBuffer({
    columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
    schema: schema as unknown as Parameters<typeof parquetWriteBuffer>[0]['schema'],
    kvMetadata: [{ key: PARQUET_META.units, value: JSON.stringify(table.units) }],
    rowGroupSize: options.rowGroupSize ?? 100_000,
  });
}
