/**
 * One door to event data in any of the formats physicists bring — ROOT TTrees, Parquet (flat or
 * with list columns), CSV — read chunk by chunk into {@link EventTable}s, then laid out as the
 * flat {@link Dataset} that training reads ({@link eventsToDataset}): objects flattened, padded,
 * or scalars only. The format is told by the file's first bytes (`root`, `PAR1`), else CSV.
 */
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import { type ByteSource, bytesSource, type ReadProgress } from './byte-source.ts';
import { readCsv } from './csv.ts';
import type { Dataset } from './dataset.ts';
import {
  collections,
  concatEventTables,
  type EventTable,
  eventTableFromDataset,
  flattenObjects,
  gatherObjects,
  type ObjectGather,
  padObjects,
} from './events.ts';
import { inspectParquet, readParquetEvents } from './parquet-events.ts';
import { inspectRoot, readRootEvents } from './root-events.ts';

/** The formats {@link readEvents} reads. */
export type EventFormat = 'root' | 'parquet' | 'csv';

/** The format of a source from its first four bytes: `root` (ROOT), `PAR1` (Parquet), else CSV. */
export async function detectFormat(source: ByteSource): Promise<EventFormat> {
  const head = await source.read(0, Math.min(4, source.size));
  const magic = String.fromCharCode(...head);
  if (magic === 'root') return 'root';
  if (magic === 'PAR1') return 'parquet';
  return 'csv';
}

/**
 * The names among `available` that `patterns` select, in the order of the patterns (and, within
 * one glob, of `available`), without repeats. A pattern is a name or a glob (`*` any run of
 * characters, `?` one). Throws {@link DataFormatError} naming `what` (`"x.root: TTree events"`)
 * and the first pattern that selects nothing (`… has no branch Muon_ptt`).
 */
export function matchNames(
  available: readonly string[],
  patterns: readonly string[],
  what: string,
  noun: 'branch' | 'column' = 'branch',
): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    let hits: string[];
    if (/[*?]/.test(pattern)) {
      const re = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replaceAll('*', '.*')
          .replaceAll('?', '.')}$`,
      );
      hits = available.filter((name) => re.test(name));
      if (hits.length === 0)
        throw new DataFormatError(`${what} has no ${noun} matching ${pattern}`, { column: pattern });
    } else {
      if (!available.includes(pattern))
        throw new DataFormatError(`${what} has no ${noun} ${pattern}`, { column: pattern });
      hits = [pattern];
    }
    for (const h of hits) if (!out.includes(h)) out.push(h);
  }
  return out;
}

/** A source's columns before reading: names, entries and which are jagged. */
export interface EventSourceInfo {
  format: EventFormat;
  file: string;
  /** The TTree read (ROOT only). */
  tree?: string;
  entries: number;
  columns: { name: string; type: string; jagged: boolean; counter?: string; unsupported?: string }[];
}

/** Describes what {@link readEvents} would read from a source (for ROOT: the chosen tree). */
export async function describeEvents(
  source: ByteSource | ArrayBuffer,
  options: { file?: string; format?: EventFormat; tree?: string } = {},
): Promise<EventSourceInfo> {
  const src = source instanceof ArrayBuffer ? bytesSource(source, options.file) : source;
  const file = options.file ?? src.name;
  const format = options.format ?? (await detectFormat(src));
  if (format === 'root') {
    const info = await inspectRoot(src, { file });
    const trees = info.trees.map((t) => t.name);
    const tree = info.trees.find((t) => t.name === (options.tree ?? trees[0]));
    if (!tree) {
      throw new DataFormatError(
        trees.length === 0
          ? `${file}: no TTree in the top directory`
          : `${file}: no TTree named ${options.tree} (TTrees: ${trees.join(', ')})`,
        { file, column: options.tree },
      );
    }
    return {
      format,
      file,
      tree: tree.name,
      entries: tree.entries,
      columns: tree.branches.map((b) => ({
        name: b.name,
        type: b.shape === 'jagged' ? `${b.type}[${b.counter}]` : b.shape === 1 ? b.type : `${b.type}[${b.shape}]`,
        jagged: b.shape !== 1,
        ...(b.counter ? { counter: b.counter } : {}),
        ...(b.unsupported ? { unsupported: b.unsupported } : {}),
      })),
    };
  }
  if (format === 'parquet') {
    const info = await inspectParquet(src, { file });
    return { format, file, entries: info.rows, columns: info.fields };
  }
  const ds = await readCsvSource(src, file);
  return {
    format,
    file,
    entries: ds.n,
    columns: Object.entries(ds.columns).map(([name, col]) => ({
      name,
      type: Array.isArray(col) ? 'string' : col.constructor.name.replace('Array', '').toLowerCase(),
      jagged: false,
    })),
  };
}

// TextDecoder is in every runtime physics targets (Workers, browsers, Node) but not in its ES lib.
const Utf8Decoder = (
  globalThis as unknown as {
    TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
  }
).TextDecoder;

async function readCsvSource(src: ByteSource, file: string): Promise<Dataset> {
  const bytes = await src.read(0, src.size);
  let text: string;
  try {
    text = new Utf8Decoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new DataFormatError(`${file}: neither ROOT, Parquet nor UTF-8 CSV`, { file, cause });
  }
  return readCsv(text, { file }).dataset;
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /** File name for messages and the table's name (default: the source's name). */
  file?: string;
  /** Format (default: told by the first bytes, see {@link detectFormat}). */
  format?: EventFormat;
  /** TTree (ROOT; default the first). */
  tree?: string;
  /**
   * Branches or columns to read, as names or globs (`Muon_*`); default all. Jagged branches bring
   * their counters (ROOT).
   */
  branches?: readonly string[];
  /** Entries per chunk (ROOT: default sized to `chunkBytes`; Parquet: whole row groups up to it, default 100,000). */
  chunkEntries?: number;
  /** Memory budget of one ROOT chunk in bytes (default 64 MiB). */
  chunkBytes?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Reads events chunk by chunk from a ROOT, Parquet or CSV source (CSV in one chunk: its text is
 * read whole). Throws {@link DataFormatError} naming the file (tree, branch, row) of bad input.
 */
export async function* readEvents(
  source: ByteSource | ArrayBuffer,
  options: ReadEventsOptions = {},
): AsyncGenerator<EventTable, void, undefined> {
  const src = source instanceof ArrayBuffer ? bytesSource(source, options.file) : source;
  const file = options.file ?? src.name;
  if (src.size === 0) throw new DataFormatError(`${file}: empty file`, { file });
  const format = options.format ?? (await detectFormat(src));
  let branches: string[] | undefined;
  if (options.branches) {
    const info = await describeEvents(src, { file, format, ...(options.tree ? { tree: options.tree } : {}) });
    branches =
      format === 'root'
        ? matchNames(
            info.columns.map((c) => c.name),
            options.branches,
            `${file}: TTree ${info.tree}`,
          )
        : matchNames(
            info.columns.map((c) => c.name),
            options.branches,
            file,
            'column',
          );
  }
  if (format === 'root') {
    yield* readRootEvents(src, {
      file,
      ...(options.tree ? { tree: options.tree } : {}),
      ...(branches ? { branches } : {}),
      ...(options.chunkEntries ? { chunkEntries: options.chunkEntries } : {}),
      ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return;
  }
  if (format === 'parquet') {
    yield* readParquetEvents(src, {
      file,
      ...(branches ? { columns: branches } : {}),
      ...(options.chunkEntries ? { chunkRows: options.chunkEntries } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return;
  }
  const ds = await readCsvSource(src, file);
  const table = eventTableFromDataset(ds);
  if (branches) {
    const columns: EventTable['columns'] = {};
    for (const b of branches) columns[b] = table.columns[b] as EventTable['columns'][string];
    table.columns = columns;
  }
  options.onProgress?.({ file, entries: table.n, totalEntries: table.n, bytes: src.size, totalBytes: src.size });
  yield table;
}

/** Reads a whole source (see {@link readEvents}) into one {@link EventTable}. */
export async function readEventTable(
  source: ByteSource | ArrayBuffer,
  options: ReadEventsOptions = {},
): Promise<EventTable> {
  const parts: EventTable[] = [];
  for await (const part of readEvents(source, options)) parts.push(part);
  return concatEventTables(parts);
}

/** How an event table becomes rows: one per object of a collection, or one per event. */
export interface EventLayout {
  /** One row per object of this collection (`Muon`), the event's scalars broadcast. */
  objects?: string;
  /** Collections to pad per event to their first k objects (`{ Jet: 4 }` → `Jet_pt[0..3]`). */
  pad?: Readonly<Record<string, number>>;
  /** Value of missing padded objects (default NaN). */
  padValue?: number;
  /**
   * Columns gathered across collections before the layout ({@link gatherObjects}: `Jet_genPt` =
   * `GenJet_pt` at `Jet_genJetIdx`); the `from` columns are then left out, unless their collection
   * is flattened or padded.
   */
  gather?: readonly ObjectGather[];
  /** Keep only the event scalars, leaving out every jagged column not flattened or padded (default: an error names them). */
  dropJagged?: boolean;
}

/**
 * The flat rows of an event table: {@link flattenObjects} when `objects` is set (other collections
 * padded by `pad`), else {@link padObjects}; jagged columns of collections neither flattened nor
 * padded are an error naming them (so nothing is dropped silently) unless `dropJagged`; `gather`
 * first adds the cross-referenced columns ({@link gatherObjects}).
 */
export function eventsToDataset(events: EventTable, layout: EventLayout = {}): Dataset {
  const pad = layout.pad ?? {};
  const used = new Set([...(layout.objects ? [layout.objects] : []), ...Object.keys(pad)]);
  let table = events;
  if (layout.gather && layout.gather.length > 0) {
    const gathered = gatherObjects(events, layout.gather);
    const jagged = { ...gathered.jagged };
    for (const g of layout.gather) {
      const cut = g.from.indexOf('_');
      if (!used.has(cut > 0 ? g.from.slice(0, cut) : g.from)) delete jagged[g.from];
    }
    table = { ...gathered, jagged };
  }
  const unused = collections(table).filter((c) => !used.has(c));
  if (unused.length > 0 && !layout.dropJagged) {
    throw new PhysicsInputError(
      `${table.name}: jagged collections ${unused.join(', ')} are neither flattened nor padded; choose objects, pad or leave them out of the branches`,
      { field: unused[0] as string },
    );
  }
  const opts = layout.padValue === undefined ? {} : { padValue: layout.padValue };
  if (layout.objects) return flattenObjects(table, layout.objects, { ...opts, pad });
  return padObjects(table, pad, opts);
}

/** The branch a column of a laid-out dataset comes from: `Jet_pt[2]` → `Jet_pt`. */
export function sourceBranch(column: string): string {
  return column.replace(/\[\d+\]$/, '');
}
