/// <reference path="./jsroot.d.ts" />
/**
 * Reads real ROOT TTrees — flat, fixed-size and counter-indexed (jagged) leaves, as NanoAOD writes
 * them (`nMuon` and `Muon_pt[nMuon]`) — into {@link EventTable}s, chunk by chunk. jsroot
 * (https://root.cern/js/) does the bytes: `openFile` on a `FileProxy` (so a large file is read
 * piecewise through a {@link ByteSource}, never whole), the baskets' decompression (zlib, LZ4, ZSTD,
 * LZMA) and `treeProcess` with a `TSelector` over an entry range. This module adds the tree's
 * description ({@link inspectRoot}), the columnar assembly (offsets + values), chunks sized to a
 * memory budget, progress and the errors that name file, tree and branch.
 *
 * Leaves and their storage: `F` float32; `D` float64; `I`, `S`, `B` signed and `S`, `B` unsigned
 * int32; `I` unsigned float64 (exact up to 2³²); `L`, `G` (64-bit, signed or not) float64, and an
 * error for a value beyond ±2⁵³; `O` (bool) int32 0/1; `C` (text) strings. Branches of objects
 * (TBranchElement, sub-branches, several leaves) are described by {@link inspectRoot} but not read.
 */
import type { JsrootFile } from 'jsroot/io';
import { DataFormatError } from '../errors.ts';
import { type ByteSource, bytesSource, type ReadProgress } from './byte-source.ts';
import type { ColumnType, DatasetColumn } from './dataset.ts';
import { concatEventTables, type EventTable, type JaggedColumn, ValuesBuilder } from './events.ts';

/** One branch as {@link inspectRoot} describes it. */
export interface RootBranchInfo {
  name: string;
  /** The branch's title as ROOT stores it (`Muon_pt[nMuon]`, the leaflist). */
  title: string;
  /** C++ type of one value (`float`, `uint32_t`, `bool`, `char*`); for other branches their class. */
  type: string;
  /** Leaf class (`TLeafF`, `TLeafI`, …), or the branch class when it is not a simple leaf. */
  leaf: string;
  /** Storage of its values when read; undefined when this reader cannot read it. */
  storage: ColumnType | undefined;
  /** Values per entry: `1` scalar, `k` a fixed-size array, `'jagged'` counter-indexed. */
  shape: 1 | number | 'jagged';
  /** The counter branch of a jagged branch (`nMuon`). */
  counter?: string;
  /** Why it cannot be read, when it cannot. */
  unsupported?: string;
  /** Compressed and uncompressed bytes of its baskets. */
  zipBytes: number;
  totBytes: number;
}

/** One TTree as {@link inspectRoot} describes it. */
export interface RootTreeInfo {
  name: string;
  title: string;
  entries: number;
  branches: RootBranchInfo[];
}

/** What a ROOT file holds: its top-directory keys and its TTrees. */
export interface RootFileInfo {
  file: string;
  size: number;
  keys: { name: string; className: string; cycle: number }[];
  trees: RootTreeInfo[];
}

interface JsrootLeaf {
  _typename: string;
  fName: string;
  fTitle: string;
  fLen: number;
  fIsUnsigned?: boolean;
  fLeafCount: { fName: string } | null;
}
interface JsrootBranch {
  _typename: string;
  fName: string;
  fTitle: string;
  fClassName?: string;
  fZipBytes: number | bigint;
  fTotBytes: number | bigint;
  fBranches?: { arr: JsrootBranch[] };
  fLeaves?: { arr: JsrootLeaf[] };
}
interface JsrootTree {
  fName: string;
  fTitle: string;
  fEntries: number | bigint;
  fBranches: { arr: JsrootBranch[] };
}

const CPP_TYPES: Record<string, [signed: string, unsigned: string]> = {
  TLeafF: ['float', 'float'],
  TLeafD: ['double', 'double'],
  TLeafI: ['int32_t', 'uint32_t'],
  TLeafS: ['int16_t', 'uint16_t'],
  TLeafB: ['int8_t', 'uint8_t'],
  TLeafL: ['int64_t', 'uint64_t'],
  TLeafG: ['int64_t', 'uint64_t'],
  TLeafO: ['bool', 'bool'],
  TLeafC: ['char*', 'char*'],
};

function storageOf(leaf: JsrootLeaf): ColumnType | undefined {
  switch (leaf._typename) {
    case 'TLeafF':
      return 'float32';
    case 'TLeafD':
      return 'float64';
    case 'TLeafI':
      return leaf.fIsUnsigned ? 'float64' : 'int32';
    case 'TLeafS':
    case 'TLeafB':
    case 'TLeafO':
      return 'int32';
    case 'TLeafL':
    case 'TLeafG':
      return 'float64';
    case 'TLeafC':
      return 'string';
    default:
      return undefined;
  }
}

function describeBranch(branch: JsrootBranch): RootBranchInfo {
  const leaves = branch.fLeaves?.arr ?? [];
  const leaf = leaves[0];
  const base = {
    name: branch.fName,
    title: branch.fTitle,
    zipBytes: Number(branch.fZipBytes),
    totBytes: Number(branch.fTotBytes),
  };
  const unsupported = (why: string, type: string, leafName: string): RootBranchInfo => ({
    ...base,
    type,
    leaf: leafName,
    storage: undefined,
    shape: 1,
    unsupported: why,
  });
  if (branch._typename !== 'TBranch') {
    return unsupported(
      `a ${branch._typename} (objects are not read)`,
      branch.fClassName || branch._typename,
      branch._typename,
    );
  }
  if ((branch.fBranches?.arr.length ?? 0) > 0)
    return unsupported('a branch with sub-branches', 'struct', branch._typename);
  if (leaves.length !== 1 || !leaf) return unsupported(`a leaflist of ${leaves.length} leaves`, 'leaflist', 'TBranch');
  const cpp = CPP_TYPES[leaf._typename];
  const storage = storageOf(leaf);
  if (!cpp || storage === undefined) return unsupported(`a ${leaf._typename} leaf`, leaf._typename, leaf._typename);
  const type = cpp[leaf.fIsUnsigned ? 1 : 0];
  if (leaf.fLeafCount) {
    if (leaf.fLen !== 1)
      return unsupported('a jagged array of fixed-size arrays', `${type}[][${leaf.fLen}]`, leaf._typename);
    if (storage === 'string') return unsupported('a jagged text leaf', 'char*[]', leaf._typename);
    return { ...base, type, leaf: leaf._typename, storage, shape: 'jagged', counter: leaf.fLeafCount.fName };
  }
  if (leaf.fLen > 1 && storage === 'string') {
    // TLeafC's fLen is the longest string plus one, not an array.
    return { ...base, type, leaf: leaf._typename, storage, shape: 1 };
  }
  return { ...base, type, leaf: leaf._typename, storage, shape: Math.max(leaf.fLen, 1) };
}

let jsrootModules: Promise<{ io: typeof import('jsroot/io'); tree: typeof import('jsroot/tree') }> | undefined;
/** jsroot, loaded on first use: it is large, and importing @hepml/physics should not pay for it. */
function jsroot() {
  jsrootModules ??= Promise.all([import('jsroot/io'), import('jsroot/tree')]).then(([io, tree]) => ({ io, tree }));
  return jsrootModules;
}

/** An open ROOT file and the bytes read from it so far. */
interface OpenRoot {
  file: JsrootFile;
  name: string;
  size: number;
  bytesRead: () => number;
}

async function openRoot(source: ByteSource | ArrayBuffer, name?: string): Promise<OpenRoot> {
  const src = source instanceof ArrayBuffer ? bytesSource(source, name) : source;
  const fileName = name ?? src.name;
  const { io } = await jsroot();
  let bytes = 0;
  // jsroot reads through a FileProxy: open, size, and DataViews of the ranges it asks for.
  class SourceProxy extends io.FileProxy {
    override async openFile(): Promise<boolean> {
      return true;
    }
    override getFileName(): string {
      return fileName;
    }
    override getFileSize(): number {
      return src.size;
    }
    override async readBuffer(position: number, length: number): Promise<DataView> {
      if (position < 0 || position + length > src.size) {
        throw new Error(
          `reads ${length} bytes at ${position}, beyond the end of the file (${src.size} bytes): truncated?`,
        );
      }
      const chunk = await src.read(position, length);
      if (chunk.byteLength < length) {
        throw new Error(`short read: ${chunk.byteLength} of ${length} bytes at ${position}: truncated?`);
      }
      bytes += length;
      return new DataView(chunk.buffer, chunk.byteOffset, length);
    }
  }
  let file: JsrootFile | null;
  try {
    file = await io.openFile(new SourceProxy());
  } catch (cause) {
    throw new DataFormatError(`${fileName}: not a readable ROOT file (${(cause as Error).message})`, {
      file: fileName,
      cause,
    });
  }
  if (!file) throw new DataFormatError(`${fileName}: not a readable ROOT file`, { file: fileName });
  return { file, name: fileName, size: src.size, bytesRead: () => bytes };
}

function treeKeys(root: OpenRoot): string[] {
  const names: string[] = [];
  for (const k of root.file.fKeys) if (k.fClassName === 'TTree' && !names.includes(k.fName)) names.push(k.fName);
  return names;
}

async function readTree(root: OpenRoot, treeName: string | undefined): Promise<JsrootTree> {
  const trees = treeKeys(root);
  const name = treeName ?? trees[0];
  if (name === undefined) throw new DataFormatError(`${root.name}: no TTree in the top directory`, { file: root.name });
  if (!trees.includes(name)) {
    throw new DataFormatError(
      `${root.name}: no TTree named ${name} (TTrees: ${trees.length > 0 ? trees.join(', ') : 'none'})`,
      { file: root.name, column: name },
    );
  }
  try {
    return (await root.file.readObject(name)) as JsrootTree;
  } catch (cause) {
    throw new DataFormatError(`${root.name}: TTree ${name} cannot be read (${(cause as Error).message})`, {
      file: root.name,
      cause,
    });
  }
}

/**
 * Describes a ROOT file as uproot's `show()` does: its keys and, per TTree, the entries and each
 * branch with its C++ type, counter (for jagged branches), storage when read and compressed size.
 * Throws {@link DataFormatError} naming the file when it is not a readable ROOT file.
 */
export async function inspectRoot(
  source: ByteSource | ArrayBuffer,
  options: { file?: string } = {},
): Promise<RootFileInfo> {
  const root = await openRoot(source, options.file);
  const trees: RootTreeInfo[] = [];
  for (const name of treeKeys(root)) {
    const tree = await readTree(root, name);
    trees.push({
      name,
      title: tree.fTitle,
      entries: Number(tree.fEntries),
      branches: tree.fBranches.arr.map(describeBranch),
    });
  }
  return {
    file: root.name,
    size: root.size,
    keys: root.file.fKeys.map((k) => ({
      name: k.fName,
      className: k.fClassName,
      cycle: (k as { fCycle?: number }).fCycle ?? 1,
    })),
    trees,
  };
}

/** Options of {@link readRootEvents}. */
export interface RootEventsOptions {
  /** File name for messages and the table's name (default: the source's name). */
  file?: string;
  /** TTree to read (default: the first TTree of the top directory). */
  tree?: string;
  /**
   * Branches to read, in this order (default: all). A jagged branch's counter is read with it.
   * Each must exist and be readable; with the default, any unreadable branch is an error too (so
   * nothing is dropped silently).
   */
  branches?: readonly string[];
  /**
   * Entries per chunk. Default: as many as fit `chunkBytes` for the chosen branches (their
   * baskets' total bytes over the entries, or 8 bytes a value and 4 objects a jagged entry when
   * larger or when the file does not record basket sizes), at least 1.
   */
  chunkEntries?: number;
  /** Memory budget of one chunk's values in bytes (default 64 MiB), when `chunkEntries` is not given. */
  chunkBytes?: number;
  /** First entry to read and how many (default: all). */
  firstEntry?: number;
  numEntries?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
}

interface Target {
  name: string;
  info: RootBranchInfo;
  scalar?: Float32Array | Float64Array | Int32Array;
  text?: string[];
  values?: ValuesBuilder;
  offsets?: Int32Array;
}

/** The branches to read: as asked, or all; each checked, counters of jagged ones added. */
function chooseBranches(
  file: string,
  treeName: string,
  infos: RootBranchInfo[],
  asked?: readonly string[],
): RootBranchInfo[] {
  const byName = new Map(infos.map((b) => [b.name, b]));
  const names = asked ?? infos.map((b) => b.name);
  const out: RootBranchInfo[] = [];
  for (const name of names) {
    const info = byName.get(name);
    if (!info) {
      throw new DataFormatError(`${file}: TTree ${treeName} has no branch ${name}`, { file, column: name });
    }
    if (info.unsupported) {
      throw new DataFormatError(
        `${file}: TTree ${treeName}, branch ${name}: cannot be read, it is ${info.unsupported}`,
        {
          file,
          column: name,
        },
      );
    }
    if (!out.includes(info)) out.push(info);
  }
  for (const info of [...out]) {
    if (info.counter && !out.some((b) => b.name === info.counter)) {
      const counter = byName.get(info.counter);
      if (counter && !counter.unsupported) out.push(counter);
    }
  }
  return out;
}

/**
 * Reads a TTree chunk by chunk (entry ranges sized to `chunkBytes`, see {@link RootEventsOptions}),
 * yielding one {@link EventTable} per chunk: scalar branches as columns, fixed-size and jagged
 * branches as jagged columns (offsets + values) with their counters recorded. Memory is bounded by
 * one chunk plus the baskets jsroot holds while decoding it, whatever the file's size. Throws
 * {@link DataFormatError} naming the file, tree and branch: not a ROOT file, truncated, no such
 * tree or branch, an unreadable branch, 64-bit integers beyond 2⁵³, or a jagged branch whose
 * lengths disagree with its counter.
 */
export async function* readRootEvents(
  source: ByteSource | ArrayBuffer,
  options: RootEventsOptions = {},
): AsyncGenerator<EventTable, void, undefined> {
  const root = await openRoot(source, options.file);
  const file = root.name;
  const tree = await readTree(root, options.tree);
  const treeName = tree.fName;
  const infos = tree.fBranches.arr.map(describeBranch);
  const chosen = chooseBranches(file, treeName, infos, options.branches);
  const entries = Number(tree.fEntries);
  const first = Math.max(0, Math.min(entries, options.firstEntry ?? 0));
  const last = Math.min(entries, first + (options.numEntries ?? entries));
  // Bytes per entry held in memory: from the baskets' sizes where the file records them, else
  // (some writers leave fTotBytes 0) from the types, counting 4 objects per jagged entry; the
  // larger of the two, and 8 bytes a value since values may widen to float64.
  const fromBaskets = entries > 0 ? chosen.reduce((s, b) => s + b.totBytes, 0) / entries : 0;
  const fromTypes = chosen.reduce((s, b) => s + 8 * (b.shape === 'jagged' ? 4 : b.shape === 1 ? 1 : b.shape), 0);
  const bytesPerEntry = Math.max(fromBaskets, fromTypes, 1);
  const chunk = Math.max(
    1,
    Math.floor(options.chunkEntries ?? (options.chunkBytes ?? 64 * 2 ** 20) / Math.max(1, bytesPerEntry)),
  );
  const { tree: jt } = await jsroot();
  const counters: Record<string, string> = {};
  for (const b of chosen) if (b.counter) counters[b.name] = b.counter;

  for (let start = first; start < last || (start === first && last === first); start += chunk) {
    const n = Math.min(chunk, last - start);
    const targets: Target[] = chosen.map((info) => {
      const t: Target = { name: info.name, info };
      if (info.shape === 1) {
        if (info.storage === 'string') t.text = new Array<string>(n);
        else
          t.scalar = new (
            info.storage === 'float32' ? Float32Array : info.storage === 'float64' ? Float64Array : Int32Array
          )(n);
      } else {
        const ctor = info.storage === 'float32' ? Float32Array : info.storage === 'float64' ? Float64Array : Int32Array;
        t.values = new ValuesBuilder(ctor, info.shape === 'jagged' ? n * 4 : n * info.shape);
        t.offsets = new Int32Array(n + 1);
      }
      return t;
    });
    let row = 0;
    let bad: { branch: string; message: string } | null = null;
    if (n > 0 && targets.length > 0) {
      const selector = new jt.TSelector();
      // Counters first: jsroot adds a jagged branch's counter itself and refuses it a second time.
      const isCounter = new Set(Object.values(counters));
      const order = [...targets.filter((t) => isCounter.has(t.name)), ...targets.filter((t) => !isCounter.has(t.name))];
      for (const t of order) selector.addBranch(t.name);
      selector.Process = function process(this: { tgtobj: Record<string, unknown> }): void {
        if (row >= n) return;
        for (const t of targets) {
          const v = this.tgtobj[t.name];
          if (t.scalar) {
            const x = typeof v === 'bigint' || typeof v === 'boolean' ? Number(v) : (v as number);
            if (typeof v === 'bigint' && !Number.isSafeInteger(x) && bad === null) {
              bad = { branch: t.name, message: `holds the 64-bit integer ${v}, beyond 2^53, at entry ${start + row}` };
            }
            t.scalar[row] = x;
          } else if (t.text) {
            t.text[row] = typeof v === 'string' ? v : String(v ?? '');
          } else {
            const values = t.values as ValuesBuilder;
            const arr = v as ArrayLike<number | bigint | boolean>;
            if (arr.length > 0 && typeof arr[0] !== 'number') {
              for (let k = 0; k < arr.length; k++) {
                const x = Number(arr[k]);
                if (typeof arr[k] === 'bigint' && !Number.isSafeInteger(x) && bad === null) {
                  bad = {
                    branch: t.name,
                    message: `holds the 64-bit integer ${arr[k]}, beyond 2^53, at entry ${start + row}`,
                  };
                }
                values.push(x);
              }
            } else values.pushAll(arr as ArrayLike<number>);
            (t.offsets as Int32Array)[row + 1] = values.length;
          }
        }
        row++;
      };
      // Flat branches only: jsroot can hand over whole baskets' values at once (its "arrays"
      // mode), many times faster than entry by entry; it falls back to Process when it cannot.
      if (targets.every((t) => t.scalar)) {
        (selector as unknown as { ProcessArrays: (entry: number) => void }).ProcessArrays = function processArrays(
          this: { tgtarr: Record<string, ArrayLike<number | bigint | boolean>> },
          entry: number,
        ): void {
          const r0 = entry - start;
          let len = 0;
          for (const t of targets) {
            const arr = this.tgtarr[t.name] as ArrayLike<number | bigint | boolean>;
            const out = t.scalar as Float32Array | Float64Array | Int32Array;
            len = Math.min(arr.length, n - r0);
            if (len > 0 && typeof arr[0] === 'number') {
              for (let k = 0; k < len; k++) out[r0 + k] = arr[k] as number;
            } else {
              for (let k = 0; k < len; k++) {
                const v = arr[k];
                const x = Number(v);
                if (typeof v === 'bigint' && !Number.isSafeInteger(x) && bad === null) {
                  bad = {
                    branch: t.name,
                    message: `holds the 64-bit integer ${v}, beyond 2^53, at entry ${entry + k}`,
                  };
                }
                out[r0 + k] = x;
              }
            }
          }
          row = r0 + len;
        };
      }
      try {
        await jt.treeProcess(tree, selector, { firstentry: start, numentries: n });
      } catch (cause) {
        throw new DataFormatError(
          `${file}: TTree ${treeName}: reading entries ${start}–${start + n - 1} failed (${(cause as Error).message})`,
          { file, cause },
        );
      }
    }
    if (bad !== null) {
      const { branch, message } = bad as { branch: string; message: string };
      throw new DataFormatError(`${file}: TTree ${treeName}, branch ${branch} ${message}`, { file, column: branch });
    }
    if (row !== n) {
      throw new DataFormatError(
        `${file}: TTree ${treeName} gave ${row} of entries ${start}–${start + n - 1}: truncated?`,
        {
          file,
        },
      );
    }
    const columns: Record<string, DatasetColumn> = {};
    const jagged: Record<string, JaggedColumn> = {};
    for (const t of targets) {
      if (t.scalar) columns[t.name] = t.scalar;
      else if (t.text) columns[t.name] = t.text;
      else jagged[t.name] = { offsets: t.offsets as Int32Array, values: (t.values as ValuesBuilder).finish() };
    }
    // The counter must agree with the lists it counts: a check on jsroot and on the file.
    for (const [name, counter] of Object.entries(counters)) {
      const count = columns[counter];
      const col = jagged[name];
      if (!count || Array.isArray(count) || !col) continue;
      for (let i = 0; i < n; i++) {
        if ((col.offsets[i + 1] as number) - (col.offsets[i] as number) !== count[i]) {
          throw new DataFormatError(
            `${file}: TTree ${treeName}, branch ${name}: entry ${start + i} holds ${(col.offsets[i + 1] as number) - (col.offsets[i] as number)} values, its counter ${counter} says ${count[i]}`,
            { file, column: name },
          );
        }
      }
    }
    options.onProgress?.({
      file,
      entries: start + n - first,
      totalEntries: last - first,
      bytes: root.bytesRead(),
      totalBytes: root.size,
    });
    yield { name: file, n, columns, jagged, counters: { ...counters }, units: {} };
    if (n === 0) break;
  }
}

/** Reads a whole TTree (see {@link readRootEvents}) into one {@link EventTable}. */
export async function readRootEventTable(
  source: ByteSource | ArrayBuffer,
  options: RootEventsOptions = {},
): Promise<EventTable> {
  const parts: EventTable[] = [];
  for await (const part of readRootEvents(source, options)) parts.push(part);
  return concatEventTables(parts);
}
