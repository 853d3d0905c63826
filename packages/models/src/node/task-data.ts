import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  concatEventTables,
  type Dataset,
  type EventTable,
  eventsToDataset,
  expressionColumns,
  parseExpression,
  type ReadProgress,
  readEventTable,
  sourceBranch,
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
 * Reads the files of a task (ROOT TTrees with jagged branches, Parquet with list columns, CSV;
 * the format told by the first bytes) through `@hepml/physics`' one door to event data
 * (`readEventTable`): only the branches the task reads (with their counters), chunk by chunk, the
 * events of all files one after the other, then laid out as the task says (`eventsToDataset`: one
 * row per object of `data.objects`, the first k objects of `data.pad` as columns). Throws
 * {@link ModelInputError} for a file that cannot be opened; the readers' `DataFormatError`s name
 * the file, tree and branch (`x.root: TTree Events has no branch Jet_ptt`).
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
  const branches = [...new Set(taskColumns(task).map(sourceBranch))];
  const tables: EventTable[] = [];
  for (const path of paths) {
    const file = basename(path);
    const bytes = await readFile(path).catch((err: Error) => {
      throw new ModelInputError(`${path}: ${err.message}`, { field: 'data', cause: err });
    });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    tables.push(
      await readEventTable(buffer, {
        file,
        branches,
        ...(data.tree ? { tree: data.tree } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
    );
  }
  return eventsToDataset(concatEventTables(tables), {
    ...(data.objects ? { objects: data.objects } : {}),
    ...(data.pad ? { pad: data.pad } : {}),
  });
}
