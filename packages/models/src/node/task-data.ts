import { basename } from 'node:path';
import {
  compileExpression,
  concatDatasets,
  type Dataset,
  type DatasetColumn,
  eventsToDataset,
  expressionColumns,
  parseExpression,
  type ReadProgress,
  readEvents,
  selectRows,
  sourceBranch,
} from '@hepml/physics';
import { type FileSource, openFileSource } from '@hepml/physics/file-source';
import { ModelInputError } from '../errors.ts';
import type { TaskV1 } from '../tasks/task-v1.ts';

/** Options of {@link readTaskData}. */
export interface ReadTaskDataOptions {
  /** Called after each chunk of a file. */
  onProgress?: (progress: ReadProgress) => void;
  /** Called after each chunk with its rows once laid out and those its selection keeps. */
  onRows?: (rows: number, selected: number) => void;
  /** Events per chunk (default: the readers' own, sized to 64 MiB for ROOT). */
  chunkEntries?: number;
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
  if (task.target?.baseline) add({ expression: task.target.baseline });
  if (task.weight) add({ expression: task.weight });
  if (task.selection) add({ expression: task.selection });
  if (task.object) for (const c of [task.object.pt, task.object.eta]) names.add(c);
  return [...names];
}

/**
 * Reads the files of a task (ROOT TTrees with jagged branches, Parquet with list columns, CSV;
 * the format told by the first bytes) through `@hepml/physics`' chunked reader (`readEvents`, by
 * positioned reads, never a file whole — but CSV, whose text is read whole): only the branches the
 * task reads (with their counters); each chunk laid out as the task says (`eventsToDataset`: one
 * row per object of `data.objects`, the first k objects of `data.pad` as columns, the columns of
 * `data.gather` taken across collections first), cut by the
 * task's selection and kept with only the columns the task names, so memory is bounded by the
 * selected rows and one chunk, not by the files. The rows of all files follow one another in file
 * order, the same rows as a whole-file read then selected. Throws {@link ModelInputError} for a
 * file that cannot be opened; the readers' `DataFormatError`s name the file, tree and branch
 * (`x.root: TTree Events has no branch Jet_ptt`), the selection's errors the unknown column.
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
  const wanted = taskColumns(task);
  const gathered = new Set(data.gather?.map((g) => g.name));
  const branches = [
    ...new Set([
      ...wanted.filter((c) => !gathered.has(sourceBranch(c))).map(sourceBranch),
      ...(data.gather ?? []).flatMap((g) => [g.from, g.index]),
    ]),
  ];
  const layout = {
    ...(data.objects ? { objects: data.objects } : {}),
    ...(data.pad ? { pad: data.pad } : {}),
    ...(data.gather ? { gather: data.gather } : {}),
  };
  const parts: Dataset[] = [];
  for (const path of paths) {
    const file = basename(path);
    let source: FileSource;
    try {
      source = await openFileSource(path);
    } catch (err) {
      throw new ModelInputError(`${path}: ${(err as Error).message}`, { field: 'data', cause: err });
    }
    try {
      for await (const table of readEvents(source, {
        file,
        branches,
        ...(data.tree ? { tree: data.tree } : {}),
        ...(options.chunkEntries ? { chunkEntries: options.chunkEntries } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      })) {
        const chunk = eventsToDataset(table, layout);
        const rows = task.selection
          ? compileExpression(task.selection, Object.keys(chunk.columns)).select(chunk.columns, chunk.n)
          : undefined;
        const columns: Record<string, DatasetColumn> = {};
        for (const name of wanted) {
          const col = chunk.columns[name];
          if (col !== undefined) columns[name] = col;
        }
        const narrow: Dataset = { ...chunk, columns };
        const kept = rows ? selectRows(narrow, rows) : narrow;
        options.onRows?.(chunk.n, kept.n);
        parts.push(kept);
      }
    } finally {
      await source.close();
    }
  }
  if (parts.length === 0) throw new ModelInputError(`task ${task.name}: the files hold no event`, { field: 'data' });
  return concatDatasets(parts);
}
