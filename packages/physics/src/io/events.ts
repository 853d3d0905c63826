/**
 * Event tables: the columnar form of real analysis data, where each event carries scalars (`run`,
 * `MET_pt`) and a variable number of objects (`nMuon` muons with `Muon_pt`, `Muon_eta`, …). A
 * jagged column is stored as awkward-array's ListOffsetArray: `offsets` (n + 1 ascending indices,
 * `offsets[0] = 0`) into one flat `values` array, so event i owns `values[offsets[i] ..
 * offsets[i+1])`. Two ways out to the flat {@link Dataset} that training reads:
 * {@link flattenObjects} (one row per object, the event's scalars broadcast) and
 * {@link padObjects} (one row per event, the first k objects as `Jet_pt[0]` … `Jet_pt[k-1]`).
 */
import { PhysicsInputError } from '../errors.ts';
import type { Dataset, DatasetColumn } from './dataset.ts';

/** The numeric storage of a jagged column's values. */
export type JaggedValues = Float32Array | Float64Array | Int32Array;

/** A variable-length list per event: event i's values are `values.subarray(offsets[i], offsets[i+1])`. */
export interface JaggedColumn {
  /** n + 1 ascending offsets, the first 0, the last `values.length`. */
  offsets: Int32Array;
  /** All events' values, one after the other. */
  values: JaggedValues;
}

/** A table of `n` events: scalar columns (one value per event) and jagged columns. */
export interface EventTable {
  /** Where it came from (file names). */
  name: string;
  /** Number of events. */
  n: number;
  /** One value per event, in file order. */
  columns: Record<string, DatasetColumn>;
  /** A list per event, in file order. */
  jagged: Record<string, JaggedColumn>;
  /** The counter column of a jagged column where the file names one (`Muon_pt` → `nMuon`). */
  counters: Record<string, string>;
  /** Unit of a column where known (`GeV`, `rad`). */
  units: Record<string, string>;
}

/** The number of objects of event i in a jagged column. */
export function jaggedLength(col: JaggedColumn, i: number): number {
  return (col.offsets[i + 1] as number) - (col.offsets[i] as number);
}

/** Checks a jagged column's offsets against `n` events; throws {@link PhysicsInputError} naming it. */
export function checkJagged(name: string, col: JaggedColumn, n: number): void {
  const { offsets, values } = col;
  if (offsets.length !== n + 1 || offsets[0] !== 0 || offsets[n] !== values.length) {
    throw new PhysicsInputError(
      `jagged column ${name}: offsets do not span its ${values.length} values over ${n} events`,
      {
        field: name,
      },
    );
  }
  for (let i = 0; i < n; i++) {
    if ((offsets[i + 1] as number) < (offsets[i] as number)) {
      throw new PhysicsInputError(`jagged column ${name}: offsets decrease at event ${i}`, { field: name });
    }
  }
}

/** The jagged columns of one collection: names `${prefix}_…`, or `prefix` itself (NanoAOD's `LHEPdfWeight`). */
export function collectionColumns(table: EventTable, prefix: string): string[] {
  return Object.keys(table.jagged).filter((name) => name === prefix || name.startsWith(`${prefix}_`));
}

/** The collections (prefixes before the first `_`) of a table's jagged columns, in file order. */
export function collections(table: EventTable): string[] {
  const out: string[] = [];
  for (const name of Object.keys(table.jagged)) {
    const cut = name.indexOf('_');
    const prefix = cut > 0 ? name.slice(0, cut) : name;
    if (!out.includes(prefix)) out.push(prefix);
  }
  return out;
}

function requireCollection(table: EventTable, prefix: string): string[] {
  const names = collectionColumns(table, prefix);
  if (names.length === 0) {
    const known = collections(table);
    throw new PhysicsInputError(
      `${table.name}: no jagged columns ${prefix}_* (collections: ${known.length > 0 ? known.join(', ') : 'none'})`,
      { field: prefix },
    );
  }
  const first = table.jagged[names[0] as string] as JaggedColumn;
  for (const name of names.slice(1)) {
    const col = table.jagged[name] as JaggedColumn;
    for (let i = 0; i <= table.n; i++) {
      if (col.offsets[i] !== first.offsets[i]) {
        throw new PhysicsInputError(
          `${table.name}: ${name} and ${names[0]} hold different numbers of objects at event ${Math.max(0, i - 1)}`,
          { field: name },
        );
      }
    }
  }
  return names;
}

type NumericCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;

function ctorOf(values: JaggedValues): NumericCtor {
  if (values instanceof Float32Array) return Float32Array;
  if (values instanceof Float64Array) return Float64Array;
  return Int32Array;
}

function broadcast(col: DatasetColumn, offsets: Int32Array, n: number): DatasetColumn {
  const m = offsets[n] as number;
  if (Array.isArray(col)) {
    const out = new Array<string>(m);
    for (let i = 0; i < n; i++)
      for (let j = offsets[i] as number; j < (offsets[i + 1] as number); j++) out[j] = col[i] as string;
    return out;
  }
  const out = new (col.constructor as NumericCtor)(m);
  for (let i = 0; i < n; i++) out.fill(col[i] as number, offsets[i], offsets[i + 1]);
  return out;
}

/** Options of {@link padObjects} and of the padded collections of {@link flattenObjects}. */
export interface PadOptions {
  /**
   * Value of the missing objects (default NaN, which passes no cut of the expression language and
   * which the GBDT routes as missing). With NaN, integer columns become float64; with an integer
   * value they stay int32.
   */
  padValue?: number;
}

function padColumns(
  table: EventTable,
  prefix: string,
  k: number,
  padValue: number,
  out: Record<string, DatasetColumn>,
): void {
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new PhysicsInputError(`pad count of ${prefix} must be a positive integer, got ${k}`, { field: prefix });
  }
  for (const name of requireCollection(table, prefix)) {
    const { offsets, values } = table.jagged[name] as JaggedColumn;
    let ctor = ctorOf(values);
    if (ctor === Int32Array && !(Number.isInteger(padValue) && Math.abs(padValue) <= 2 ** 31 - 1)) ctor = Float64Array;
    for (let j = 0; j < k; j++) {
      const col = new ctor(table.n);
      for (let i = 0; i < table.n; i++) {
        const at = (offsets[i] as number) + j;
        col[i] = at < (offsets[i + 1] as number) ? (values[at] as number) : padValue;
      }
      out[`${name}[${j}]`] = col;
    }
  }
}

/**
 * One row per event with the first `k` objects of each collection in `pad` as columns
 * `${name}[0]` … `${name}[k-1]` (objects in file order — NanoAOD sorts by pt — and events with
 * fewer objects filled with `padValue`), beside the event's scalar columns. Jagged columns of other
 * collections are left out. Throws {@link PhysicsInputError} for an unknown collection, a k that is
 * not a positive integer, or columns of one collection whose object counts differ.
 */
export function padObjects(
  table: EventTable,
  pad: Readonly<Record<string, number>>,
  options: PadOptions = {},
): Dataset {
  const padValue = options.padValue ?? Number.NaN;
  const columns: Record<string, DatasetColumn> = { ...table.columns };
  for (const [prefix, k] of Object.entries(pad)) padColumns(table, prefix, k, padValue, columns);
  return { name: table.name, n: table.n, columns, units: unitsFor(table, columns) };
}

/** Options of {@link flattenObjects}. */
export interface FlattenOptions extends PadOptions {
  /** Other collections to carry padded per event (`{ Jet: 2 }`: the two leading jets on each muon's row). */
  pad?: Readonly<Record<string, number>>;
  /** Add the column `${prefix}_index`, the object's position in its event (0-based; default false). */
  index?: boolean;
}

/**
 * One row per object of the collection `prefix` (every jagged column `${prefix}_…`), the event's
 * scalar columns (`run`, `event`, `MET_pt`, the counters) repeated on each of its objects' rows,
 * and any collections in `options.pad` padded per event then repeated likewise. Events without an
 * object give no row. Jagged columns of other collections are left out. Throws
 * {@link PhysicsInputError} for an unknown collection or columns of it whose object counts differ.
 */
export function flattenObjects(table: EventTable, prefix: string, options: FlattenOptions = {}): Dataset {
  const names = requireCollection(table, prefix);
  const offsets = (table.jagged[names[0] as string] as JaggedColumn).offsets;
  const m = offsets[table.n] as number;
  const columns: Record<string, DatasetColumn> = {};
  for (const name of names) columns[name] = (table.jagged[name] as JaggedColumn).values;
  if (options.index) {
    const index = new Int32Array(m);
    for (let i = 0; i < table.n; i++) {
      for (let j = offsets[i] as number; j < (offsets[i + 1] as number); j++) index[j] = j - (offsets[i] as number);
    }
    columns[`${prefix}_index`] = index;
  }
  const perEvent: Record<string, DatasetColumn> = { ...table.columns };
  const padValue = options.padValue ?? Number.NaN;
  for (const [other, k] of Object.entries(options.pad ?? {})) {
    if (other === prefix)
      throw new PhysicsInputError(`collection ${prefix} cannot be both flattened and padded`, { field: prefix });
    padColumns(table, other, k, padValue, perEvent);
  }
  for (const [name, col] of Object.entries(perEvent)) columns[name] = broadcast(col, offsets, table.n);
  return { name: table.name, n: m, columns, units: unitsFor(table, columns) };
}

function unitsFor(table: EventTable, columns: Record<string, DatasetColumn>): Record<string, string> {
  const units: Record<string, string> = {};
  for (const name of Object.keys(columns)) {
    const base = name.replace(/\[\d+\]$/, '');
    const unit = table.units[name] ?? table.units[base];
    if (unit !== undefined) units[name] = unit;
  }
  return units;
}

/** An event table of a flat dataset: its columns as scalars, no jagged columns. */
export function eventTableFromDataset(ds: Dataset): EventTable {
  return { name: ds.name, n: ds.n, columns: { ...ds.columns }, jagged: {}, counters: {}, units: { ...ds.units } };
}

/**
 * The events of `parts` one after the other (several files or chunks), named after the parts
 * joined by `+` when they differ. Every part must have the same columns with the same storage;
 * otherwise {@link PhysicsInputError} names the first difference.
 */
export function concatEventTables(parts: readonly EventTable[]): EventTable {
  const first = parts[0];
  if (!first) throw new PhysicsInputError('nothing to concatenate', { field: 'parts' });
  if (parts.length === 1) return first;
  const kind = (c: DatasetColumn | JaggedValues): string => (Array.isArray(c) ? 'string' : c.constructor.name);
  for (const p of parts) {
    for (const [name, col] of Object.entries(first.columns)) {
      const other = p.columns[name];
      if (other === undefined || kind(other) !== kind(col)) {
        throw new PhysicsInputError(`${p.name} lacks column ${name} of ${first.name} or stores it differently`, {
          field: name,
        });
      }
    }
    for (const [name, col] of Object.entries(first.jagged)) {
      const other = p.jagged[name];
      if (other === undefined || kind(other.values) !== kind(col.values)) {
        throw new PhysicsInputError(`${p.name} lacks jagged column ${name} of ${first.name} or stores it differently`, {
          field: name,
        });
      }
    }
    if (
      Object.keys(p.columns).length !== Object.keys(first.columns).length ||
      Object.keys(p.jagged).length !== Object.keys(first.jagged).length
    ) {
      throw new PhysicsInputError(`${p.name} has other columns than ${first.name}`, { field: 'columns' });
    }
  }
  const n = parts.reduce((s, p) => s + p.n, 0);
  const joinTyped = <T extends JaggedValues | Int32Array>(cols: T[]): T => {
    const out = new ((cols[0] as T).constructor as new (length: number) => T)(cols.reduce((s, c) => s + c.length, 0));
    let at = 0;
    for (const c of cols) {
      out.set(c as ArrayLike<number> & T, at);
      at += c.length;
    }
    return out;
  };
  const columns: Record<string, DatasetColumn> = {};
  for (const name of Object.keys(first.columns)) {
    const cols = parts.map((p) => p.columns[name] as DatasetColumn);
    columns[name] = Array.isArray(cols[0]) ? (cols as string[][]).flat() : joinTyped(cols as JaggedValues[]);
  }
  const jagged: Record<string, JaggedColumn> = {};
  for (const name of Object.keys(first.jagged)) {
    const cols = parts.map((p) => p.jagged[name] as JaggedColumn);
    const offsets = new Int32Array(n + 1);
    let event = 0;
    let base = 0;
    for (const c of cols) {
      const events = c.offsets.length - 1;
      for (let i = 1; i <= events; i++) offsets[event + i] = base + (c.offsets[i] as number);
      event += events;
      base += c.values.length;
    }
    jagged[name] = { offsets, values: joinTyped(cols.map((c) => c.values)) };
  }
  const names = [...new Set(parts.map((p) => p.name))];
  return { name: names.join('+'), n, columns, jagged, counters: { ...first.counters }, units: { ...first.units } };
}

/**
 * The events `indices` of a table (ascending or not), as a new table; e.g. the events a selection
 * on scalars kept. Throws {@link PhysicsInputError} for an index outside [0, n).
 */
export function selectEvents(table: EventTable, indices: ArrayLike<number>): EventTable {
  const m = indices.length;
  for (let j = 0; j < m; j++) {
    const i = indices[j] as number;
    if (!(Number.isInteger(i) && i >= 0 && i < table.n)) {
      throw new PhysicsInputError(`event index ${i} outside [0, ${table.n})`, { field: 'indices' });
    }
  }
  const columns: Record<string, DatasetColumn> = {};
  for (const [name, col] of Object.entries(table.columns)) {
    if (Array.isArray(col)) columns[name] = Array.from({ length: m }, (_, j) => col[indices[j] as number] as string);
    else {
      const out = new (col.constructor as NumericCtor)(m);
      for (let j = 0; j < m; j++) out[j] = col[indices[j] as number] as number;
      columns[name] = out;
    }
  }
  const jagged: Record<string, JaggedColumn> = {};
  for (const [name, col] of Object.entries(table.jagged)) {
    const offsets = new Int32Array(m + 1);
    for (let j = 0; j < m; j++) offsets[j + 1] = (offsets[j] as number) + jaggedLength(col, indices[j] as number);
    const values = new (ctorOf(col.values))(offsets[m] as number);
    for (let j = 0; j < m; j++) {
      const i = indices[j] as number;
      values.set(col.values.subarray(col.offsets[i], col.offsets[i + 1]), offsets[j]);
    }
    jagged[name] = { offsets, values };
  }
  return { name: table.name, n: m, columns, jagged, counters: { ...table.counters }, units: { ...table.units } };
}

/** A growable typed array, for readers that learn the number of values as they go. */
export class ValuesBuilder {
  private data: JaggedValues;
  length = 0;
  constructor(
    private readonly ctor: NumericCtor,
    capacity = 1024,
  ) {
    this.data = new ctor(Math.max(16, capacity));
  }
  push(x: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = x;
  }
  pushAll(xs: ArrayLike<number>): void {
    const need = this.length + xs.length;
    if (need > this.data.length) this.grow(need);
    for (let k = 0; k < xs.length; k++) this.data[this.length + k] = xs[k] as number;
    this.length = need;
  }
  private grow(need: number): void {
    const next = new this.ctor(Math.max(need, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** The values pushed, in a typed array of exactly that length. */
  finish(): JaggedValues {
    return this.data.length === this.length ? this.data : this.data.slice(0, this.length);
  }
}

/** One gather of {@link gatherObjects}: `name[j] = from[index[j]]` within each event. */
export interface ObjectGather {
  /** The new jagged column, in the index's collection (`Jet_genPt` beside `Jet_genJetIdx`). */
  name: string;
  /** The jagged column read (`GenJet_pt`). */
  from: string;
  /** The jagged column of per-object indices into `from`'s objects of the same event (`Jet_genJetIdx`). */
  index: string;
}

/**
 * Cross-references between collections, as NanoAOD stores them (`Jet_genJetIdx`: the position of
 * the jet's matched generator jet among the event's `GenJet`s, −1 when unmatched): for each object j
 * of the index's collection in event i, `name[i][j] = from[i][index[i][j]]` (float64), and NaN where
 * the index is negative, not an integer, or not below the number of `from` objects of that event
 * (no match; an out-of-range index is not an error, since skimmed files drop objects). The new
 * column shares the index's offsets and counter, so it is flattened or padded with that collection.
 * Throws {@link PhysicsInputError} for an unknown column, a name that exists already, or a name
 * outside the index's collection (`name` must start with the index's prefix and `_`).
 */
export function gatherObjects(table: EventTable, gathers: readonly ObjectGather[]): EventTable {
  if (gathers.length === 0) return table;
  const jagged = { ...table.jagged };
  const counters = { ...table.counters };
  for (const g of gathers) {
    const from = jagged[g.from];
    const index = jagged[g.index];
    if (!from)
      throw new PhysicsInputError(`${table.name}: gather ${g.name}: no jagged column ${g.from}`, { field: g.from });
    if (!index) {
      throw new PhysicsInputError(`${table.name}: gather ${g.name}: no jagged column ${g.index}`, { field: g.index });
    }
    const cut = g.index.indexOf('_');
    const prefix = cut > 0 ? g.index.slice(0, cut) : g.index;
    if (!g.name.startsWith(`${prefix}_`)) {
      throw new PhysicsInputError(
        `gather ${g.name}: the name must start with ${prefix}_ (the collection of ${g.index})`,
        {
          field: g.name,
        },
      );
    }
    if (g.name in jagged || g.name in table.columns) {
      throw new PhysicsInputError(`${table.name}: gather ${g.name}: column exists already`, { field: g.name });
    }
    const values = new Float64Array(index.values.length);
    for (let i = 0; i < table.n; i++) {
      const lo = from.offsets[i] as number;
      const count = (from.offsets[i + 1] as number) - lo;
      for (let j = index.offsets[i] as number; j < (index.offsets[i + 1] as number); j++) {
        const k = index.values[j] as number;
        values[j] = Number.isInteger(k) && k >= 0 && k < count ? (from.values[lo + k] as number) : Number.NaN;
      }
    }
    jagged[g.name] = { offsets: index.offsets, values };
    const counter = counters[g.index];
    if (counter !== undefined) counters[g.name] = counter;
  }
  return { ...table, jagged, counters };
}
