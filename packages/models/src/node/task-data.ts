import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  concatEventTables,
  type Dataset,
  type EventTable,
  eventTableFromDataset,
  expressionColumns,
  flattenObjects,
  inspectRoot,
  padObjects,
  parseExpression,
  type ReadProgress,
  readCsv,
  readParquet,
  readRootEventTable,
} from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import type { TaskV1 } from '../tasks/task-v1.ts';

/** Options of {@link readTaskData}. */
export interface ReadTaskDataOptions {
  /** Called after each chunk of a ROOT file. */
  onProgress?: (progress: ReadProgress) => void;
}

/** The column names a task reads (inputs, label, target, weight, selection, object pt/η), `[k]` kept. */
export function taskColumns(task: TaskV1): string[] {
  const names = new Set<string>();
  const add = (ref: { column?: string; expression?: string } | undefined, fallback?: string) => {
    if (!ref) return;
    if (ref.expression !== undefined) for (const c of expressionColumns(parseExpression(ref.expression))) names.add(c);
    else if (ref.column ?? fallback) names.add((ref.column ?? fallback) as string);
  };
  for (const input of task.inputs) add(input, input.name);
  add(task.label);
  add(task.target);
  if (task.weight) add({ expression: task.weight });
  if (task.selection) add({ expression: task.selection });
  if (task.object) for (const c of [task.object.pt, task.object.eta]) names.add(c);
  return [...names];
}

/**
 * Reads the files of a task (`.root` TTrees with jagged branches, `.parquet`, `.csv`) into the
 * one table its rows come from: events of all files one after the other, then flattened one row
 * per object of `data.objects` (the event's scalars broadcast) and/or with the first k objects of
 * `data.pad` as columns, as the task says. From ROOT files only the branches the task reads are
 * read (with their counters). Throws {@link ModelInputError} naming the file for an unreadable
 * file, an unknown extension, or a branch the task reads that the tree lacks; the readers'
 * `DataFormatError`s name file, tree and branch.
 */
export async function readTaskData(
  task: TaskV1,
  paths: readonly string[],
  options: ReadTaskDataOptions = {},
): Promise<Dataset> {
  if (task.data.source !== 'files') {
    throw new ModelInputError(`task ${task.name} reads the built-in simulation, not files`, { field: 'data.source' });
  }
  if (paths.length === 0) throw new ModelInputError(`task ${task.name}: no data files`, { field: 'data.files' });
  const data = task.data;
  const wanted = taskColumns(task).map((c) => c.replace(/\[\d+\]$/, ''));
  const tables: EventTable[] = [];
  for (const path of paths) {
    const file = basename(path);
    const bytes = await readFile(path).catch((err: Error) => {
      throw new ModelInputError(`${path}: ${err.message}`, { field: 'data', cause: err });
    });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const ext = extname(path).toLowerCase();
    if (ext === '.root') {
      const info = await inspectRoot(buffer, { file });
      const tree = data.tree ? info.trees.find((t) => t.name === data.tree) : info.trees[0];
      if (!tree) throw new ModelInputError(`${file}: no TTree ${data.tree ?? ''}`.trim(), { field: 'data.tree' });
      const branches = new Set(tree.branches.map((b) => b.name));
      const missing = wanted.find((c) => !branches.has(c));
      if (missing) {
        throw new ModelInputError(`${file}: TTree ${tree.name} has no branch ${missing} (the task reads it)`, {
          field: missing,
        });
      }
      tables.push(
        await readRootEventTable(buffer, {
          file,
          tree: tree.name,
          branches: wanted,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        }),
      );
    } else if (ext === '.parquet') tables.push(eventTableFromDataset(await readParquet(buffer, { file })));
    else if (ext === '.csv') tables.push(eventTableFromDataset(readCsv(bytes.toString('utf8'), { file }).dataset));
    else throw new ModelInputError(`${file}: unknown extension "${ext}" (root, parquet, csv)`, { field: 'data' });
  }
  const events = concatEventTables(tables);
  if (data.objects) return flattenObjects(events, data.objects, data.pad ? { pad: data.pad } : {});
  return padObjects(events, data.pad ?? {});
}
