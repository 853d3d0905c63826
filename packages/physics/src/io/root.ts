/// <reference path="./jsroot.d.ts" />
/**
 * Reads flat TTrees of ROOT files through jsroot (https://root.cern/js/, pure JavaScript I/O;
 * jsroot/io opens an ArrayBuffer, jsroot/tree iterates entries with a TSelector). The caller
 * supplies the bytes, so no file system is touched here.
 */
import type { JsrootFile } from 'jsroot/io';
import { DataFormatError } from '../errors.ts';
import type { Dataset, DatasetColumn } from './dataset.ts';

/** Options of {@link readRootTree}. */
export interface RootReadOptions {
  /** File name for messages and the dataset's name (default `input.root`). */
  file?: string;
  /** TTree to read (default: the first TTree key of the top directory). */
  tree?: string;
  /** Branches to read, in this order (default: all). */
  branches?: readonly string[];
}

/** Storage per leaf class: F → float32, D and L (64-bit) → float64, other integers and O (bool) → int32. */
const LEAF_STORAGE: Record<string, 'float32' | 'float64' | 'int32'> = {
  TLeafF: 'float32',
  TLeafD: 'float64',
  TLeafL: 'float64',
  TLeafI: 'int32',
  TLeafS: 'int32',
  TLeafB: 'int32',
  TLeafO: 'int32',
};

interface JsrootLeaf {
  _typename: string;
  fName: string;
  fLen: number;
  fLeafCount: unknown;
}
interface JsrootBranch {
  _typename: string;
  fName: string;
  fBranches?: { arr: JsrootBranch[] };
  fLeaves?: { arr: JsrootLeaf[] };
}

/**
 * Reads the flat branches of a TTree (one scalar leaf per branch: `/F`, `/D`, `/I`, `/S`, `/B`,
 * `/O`, `/L`) into a {@link Dataset}; 64-bit integers must stay within ±2⁵³. Throws
 * {@link DataFormatError} naming the file (and the tree or branch): not a ROOT file, no such tree,
 * a missing requested branch, or a requested branch that is not flat (arrays, objects, sub-branches);
 * when all branches are read, the non-flat ones are an error too, so nothing is dropped silently.
 */
export async function readRootTree(buffer: ArrayBuffer, options: RootReadOptions = {}): Promise<Dataset> {
  const file = options.file ?? 'input.root';
  // Loaded on first use: jsroot is large, and importing @hepml/physics should not pay for it.
  const { openFile } = await import('jsroot/io');
  const { TSelector, treeProcess } = await import('jsroot/tree');
  let rootFile: JsrootFile;
  try {
    rootFile = await openFile(buffer);
  } catch (cause) {
    throw new DataFormatError(`${file}: not a readable ROOT file (${(cause as Error).message})`, { file, cause });
  }
  const treeName = options.tree ?? rootFile.fKeys.find((k) => k.fClassName === 'TTree')?.fName;
  if (treeName === undefined) throw new DataFormatError(`${file}: no TTree in the top directory`, { file });
  if (!rootFile.fKeys.some((k) => k.fName === treeName && k.fClassName === 'TTree')) {
    throw new DataFormatError(`${file}: no TTree named ${treeName}`, { file, column: treeName });
  }
  let tree: { fEntries: number | bigint; fBranches: { arr: JsrootBranch[] } };
  try {
    tree = (await rootFile.readObject(treeName)) as typeof tree;
  } catch (cause) {
    throw new DataFormatError(`${file}: TTree ${treeName} cannot be read (${(cause as Error).message})`, {
      file,
      cause,
    });
  }
  const all = tree.fBranches.arr;
  const names = options.branches ?? all.map((b) => b.fName);
  const selected = names.map((name) => {
    const branch = all.find((b) => b.fName === name);
    if (!branch) throw new DataFormatError(`${file}: TTree ${treeName} has no branch ${name}`, { file, column: name });
    const leaves = branch.fLeaves?.arr ?? [];
    const leaf = leaves[0];
    const storage = leaf ? LEAF_STORAGE[leaf._typename] : undefined;
    if (
      branch._typename !== 'TBranch' ||
      (branch.fBranches?.arr.length ?? 0) > 0 ||
      leaves.length !== 1 ||
      !leaf ||
      storage === undefined ||
      leaf.fLen !== 1 ||
      leaf.fLeafCount
    ) {
      throw new DataFormatError(`${file}: branch ${name} of ${treeName} is not a flat scalar branch`, {
        file,
        column: name,
      });
    }
    return { name, storage };
  });
  const n = Number(tree.fEntries);
  const columns: Record<string, DatasetColumn> = {};
  for (const { name, storage } of selected) {
    columns[name] =
      storage === 'float32' ? new Float32Array(n) : storage === 'float64' ? new Float64Array(n) : new Int32Array(n);
  }
  if (n > 0 && selected.length > 0) {
    const selector = new TSelector();
    for (const { name } of selected) selector.addBranch(name);
    let row = 0;
    let bad: string | null = null;
    const targets = selected.map(({ name }) => ({
      name,
      out: columns[name] as Float32Array | Float64Array | Int32Array,
    }));
    selector.Process = function process(this: { tgtobj: Record<string, unknown> }): void {
      for (const t of targets) {
        const v = this.tgtobj[t.name];
        const x = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : (v as number);
        if (typeof v === 'bigint' && !Number.isSafeInteger(x) && bad === null) bad = t.name;
        t.out[row] = x;
      }
      row++;
    };
    try {
      await treeProcess(tree, selector);
    } catch (cause) {
      throw new DataFormatError(`${file}: reading TTree ${treeName} failed (${(cause as Error).message})`, {
        file,
        cause,
      });
    }
    if (bad !== null) {
      throw new DataFormatError(`${file}: branch ${bad} holds 64-bit integers beyond 2^53`, { file, column: bad });
    }
    if (row !== n) {
      throw new DataFormatError(`${file}: TTree ${treeName} gave ${row} entries, its header says ${n}`, { file });
    }
  }
  return { name: file, n, columns, units: {} };
}
