/**
 * Reads flat TTrees into a {@link Dataset}: the flat view of {@link readRootEventTable}, which
 * does the reading (jsroot, chunked, every leaf type); jagged branches are refused here, since a
 * flat table has no place for them — read them with `readEvents` and flatten or pad them.
 */
import { DataFormatError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { readRootEventTable } from './root-events.ts';

/** Options of {@link readRootTree}. */
export interface RootReadOptions {
  /** File name for messages and the dataset's name (default `input.root`). */
  file?: string;
  /** TTree to read (default: the first TTree key of the top directory). */
  tree?: string;
  /** Branches to read, in this order (default: all). */
  branches?: readonly string[];
}

/**
 * Reads the flat branches of a TTree (one scalar leaf per branch: `/F`, `/D`, `/I`, `/S`, `/B`,
 * `/O`, `/L`, unsigned too, `/C` text) into a {@link Dataset}; storage as {@link readRootEvents}
 * gives it (64-bit integers exact within ±2⁵³). Throws {@link DataFormatError} naming the file
 * (and the tree or branch): not a ROOT file, no such tree, a missing requested branch, or a
 * branch that is not flat (jagged or fixed-size arrays, objects, sub-branches); when all branches
 * are read, the non-flat ones are an error too, so nothing is dropped silently.
 */
export async function readRootTree(buffer: ArrayBuffer, options: RootReadOptions = {}): Promise<Dataset> {
  const file = options.file ?? 'input.root';
  const table = await readRootEventTable(buffer, {
    file,
    ...(options.tree ? { tree: options.tree } : {}),
    ...(options.branches ? { branches: options.branches } : {}),
  });
  const jagged = Object.keys(table.jagged)[0];
  if (jagged !== undefined) {
    throw new DataFormatError(
      `${file}: branch ${jagged} is not a flat scalar branch (read it with readEvents, then flatten or pad it)`,
      { file, column: jagged },
    );
  }
  const columns = options.branches
    ? Object.fromEntries(options.branches.map((b) => [b, table.columns[b] as Dataset['columns'][string]]))
    : table.columns;
  return { name: file, n: table.n, columns, units: {} };
}
