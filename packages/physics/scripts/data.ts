/**
 * Looks into and converts physicists' own files: ROOT TTrees (flat and jagged, NanoAOD), Parquet
 * (flat or with list columns) and CSV.
 *
 *   pnpm data inspect FILE [--tree T]
 *   pnpm data convert FILE... [--tree T] [--branches GLOB,…] [--objects PREFIX] [--pad PREFIX:K,…]
 *                    [--pad-value X] [--select EXPR] [--chunk-entries N] --out OUT.csv|OUT.parquet
 *
 * `inspect` lists, like uproot's `show()`, each tree with its entries and each branch with its
 * type, counter and storage. `convert` reads the files chunk by chunk (bounded memory, a progress
 * bar with rows/s and MB/s on stderr), lays the events out — `--objects Muon`: one row per muon
 * with the event's scalars; `--pad Jet:4`: `Jet_pt[0]`…`Jet_pt[3]` per event (NaN when missing,
 * or `--pad-value`) — keeps the rows where `--select` is true and appends them to OUT. Without
 * `--branches` it reads every scalar branch and the collections named by --objects and --pad; the
 * other collections are left out, and said so. Bad input (no such file, tree, branch or column,
 * an unreadable or truncated file, a syntax error) is one line on stderr and exit status 2.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import {
  compileExpression,
  DataFormatError,
  type Dataset,
  describeEvents,
  type EventLayout,
  type EventSourceInfo,
  ExpressionColumnError,
  ExpressionSyntaxError,
  eventsToDataset,
  FieldError,
  filterDataset,
  inspectParquet,
  inspectRoot,
  matchNames,
  PARQUET_META,
  readEvents,
  sourceBranch,
  writeCsv,
} from '../src/index.ts';
import { type FileSource, openFileSource } from './file-source.ts';
import { formatRate, ReadProgressBar } from './progress.ts';

class UsageError extends Error {}

function fail(message: string): never {
  process.stderr.write(`data: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

async function open(path: string): Promise<FileSource> {
  let src: FileSource;
  try {
    src = await openFileSource(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, not a file`);
    if (code === 'EACCES') throw new UsageError(`${path}: permission denied`);
    throw new UsageError(`${path}: cannot be opened (${(cause as Error).message})`);
  }
  // The name promises a format: hold the file to it rather than read a broken ROOT file as CSV.
  const magic = String.fromCharCode(...(await src.read(0, 4)));
  const promised = path.endsWith('.root') ? 'root' : path.endsWith('.parquet') ? 'PAR1' : undefined;
  if (promised && magic !== promised) {
    await src.close();
    throw new UsageError(
      `${src.name}: not a ${promised === 'root' ? 'ROOT' : 'Parquet'} file (it does not start with "${promised}")`,
    );
  }
  return src;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((c, j) => c.padEnd(widths[j] ?? 0))
      .join(' | ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}

async function inspect(paths: string[], tree: string | undefined): Promise<void> {
  if (paths.length === 0) throw new UsageError('inspect needs a FILE');
  for (const path of paths) {
    const src = await open(path);
    try {
      const head = await src.read(0, 4);
      const magic = String.fromCharCode(...head);
      if (magic === 'root') {
        const info = await inspectRoot(src);
        const trees = tree ? info.trees.filter((t) => t.name === tree) : info.trees;
        if (tree && trees.length === 0) {
          throw new DataFormatError(
            `${info.file}: no TTree named ${tree} (TTrees: ${info.trees.map((t) => t.name).join(', ')})`,
          );
        }
        process.stdout.write(
          `${info.file}: ROOT file, ${info.size} bytes, keys: ${info.keys.map((k) => `${k.name};${k.cycle} (${k.className})`).join(', ')}\n`,
        );
        for (const t of trees) {
          process.stdout.write(
            `\nTTree ${t.name}${t.title ? ` "${t.title}"` : ''}: ${t.entries} entries, ${t.branches.length} branches\n`,
          );
          const rows = [['name', 'type', 'counter', 'storage', 'zipped bytes']];
          for (const b of t.branches) {
            const type = b.shape === 'jagged' ? `${b.type}[]` : b.shape === 1 ? b.type : `${b.type}[${b.shape}]`;
            rows.push([b.name, type, b.counter ?? '', b.storage ?? `not read: ${b.unsupported}`, String(b.zipBytes)]);
          }
          process.stdout.write(`${table(rows)}\n`);
        }
      } else if (magic === 'PAR1') {
        const info = await inspectParquet(src);
        process.stdout.write(
          `${info.file}: Parquet file, ${info.size} bytes, ${info.rows} rows in ${info.rowGroups.length} row groups\n\n`,
        );
        const rows = [['name', 'type', 'jagged']];
        for (const f of info.fields)
          rows.push([f.name, f.unsupported ? `${f.type} (not read: ${f.unsupported})` : f.type, f.jagged ? 'yes' : '']);
        process.stdout.write(`${table(rows)}\n`);
      } else {
        const info = await describeEvents(src, { format: 'csv' });
        process.stdout.write(`${info.file}: CSV file, ${src.size} bytes, ${info.entries} rows\n\n`);
        process.stdout.write(`${table([['name', 'type'], ...info.columns.map((c) => [c.name, c.type])])}\n`);
      }
    } finally {
      await src.close();
    }
  }
}

/** Appends datasets of the same columns to a CSV or Parquet file, chunk after chunk. */
interface Sink {
  write(ds: Dataset): void;
  close(): void;
  rows: number;
  columns: number;
}

function csvSink(out: string): Sink {
  const fd = openSync(out, 'w');
  let names: string[] | undefined;
  const sink: Sink = {
    rows: 0,
    columns: 0,
    write(ds) {
      const text = writeCsv(ds, { includeLabelWeightTruth: false });
      if (names === undefined) {
        names = Object.keys(ds.columns);
        sink.columns = names.length;
        writeSync(fd, text);
      } else {
        checkSameColumns(names, ds);
        writeSync(fd, text.slice(text.indexOf('\n') + 1));
      }
      sink.rows += ds.n;
    },
    close: () => closeSync(fd),
  };
  return sink;
}

function checkSameColumns(names: string[], ds: Dataset): void {
  const got = Object.keys(ds.columns);
  if (got.join('\u0000') !== names.join('\u0000')) {
    const missing = names.find((n) => !got.includes(n)) ?? got.find((n) => !names.includes(n));
    throw new DataFormatError(`${ds.name}: its columns differ from the first file's (${missing})`, { column: missing });
  }
}

function parquetSink(out: string): Sink {
  let writer: ParquetWriter | undefined;
  let names: string[] | undefined;
  const sink: Sink = {
    rows: 0,
    columns: 0,
    write(ds) {
      const type = (c: Dataset['columns'][string]) =>
        Array.isArray(c)
          ? 'BYTE_ARRAY'
          : c instanceof Float32Array
            ? 'FLOAT'
            : c instanceof Float64Array
              ? 'DOUBLE'
              : 'INT32';
      if (names === undefined) {
        names = Object.keys(ds.columns);
        sink.columns = names.length;
        const schema = [
          { name: 'root', num_children: names.length },
          ...names.map((name) => {
            const t = type(ds.columns[name] as Dataset['columns'][string]);
            return t === 'BYTE_ARRAY'
              ? { name, type: t, converted_type: 'UTF8' as const, repetition_type: 'REQUIRED' as const }
              : { name, type: t, repetition_type: 'REQUIRED' as const };
          }),
        ];
        writer = new ParquetWriter({
          writer: fileWriter(out),
          schema: schema as ConstructorParameters<typeof ParquetWriter>[0]['schema'],
          kvMetadata: [{ key: PARQUET_META.units, value: JSON.stringify(ds.units) }],
        });
      } else checkSameColumns(names, ds);
      if (ds.n > 0) {
        (writer as ParquetWriter).write({
          columnData: (names as string[]).map((name) => ({
            name,
            data: ds.columns[name] as Dataset['columns'][string],
          })),
          rowGroupSize: 100_000,
        });
      }
      sink.rows += ds.n;
    },
    close() {
      writer?.finish();
    },
  };
  return sink;
}

function parsePad(text: string | undefined): Record<string, number> {
  const pad: Record<string, number> = {};
  if (!text) return pad;
  for (const part of text.split(',')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):([0-9]+)$/.exec(part.trim());
    if (!m || Number(m[2]) < 1) throw new UsageError(`--pad wants PREFIX:K with K ≥ 1, e.g. Jet:4 (got ${part})`);
    pad[m[1] as string] = Number(m[2]);
  }
  return pad;
}

/** The branches to read: as asked (globs) plus the selection's; else every scalar and the named collections. */
function branchesFor(
  info: EventSourceInfo,
  asked: string[] | undefined,
  layout: EventLayout,
  selectColumns: readonly string[],
): { branches: string[]; leftOut: string[] } {
  const used = [...(layout.objects ? [layout.objects] : []), ...Object.keys(layout.pad ?? {})];
  const inCollection = (name: string, prefix: string) => name === prefix || name.startsWith(`${prefix}_`);
  const known = new Set(info.columns.map((c) => c.name));
  const fromSelect = selectColumns.map(sourceBranch).filter((b) => known.has(b));
  if (asked) return { branches: [...new Set([...asked, ...fromSelect])], leftOut: [] };
  const branches: string[] = [];
  const leftOut = new Set<string>();
  for (const c of info.columns) {
    if (c.unsupported) {
      leftOut.add(`${c.name} (${c.unsupported})`);
      continue;
    }
    if (!c.jagged || used.some((p) => inCollection(c.name, p))) branches.push(c.name);
    else leftOut.add(c.name.includes('_') ? c.name.slice(0, c.name.indexOf('_')) : c.name);
  }
  return { branches, leftOut: [...leftOut] };
}

async function convert(paths: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  if (paths.length === 0) throw new UsageError('convert needs at least one FILE');
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('convert needs --out OUT.csv or OUT.parquet');
  const sinkOf = out.endsWith('.parquet') ? parquetSink : out.endsWith('.csv') ? csvSink : undefined;
  if (!sinkOf) throw new UsageError(`--out must end in .csv or .parquet (got ${out})`);
  const layout: EventLayout = { pad: parsePad(values.pad as string | undefined), dropJagged: true };
  if (values.objects) layout.objects = values.objects as string;
  if (values['pad-value'] !== undefined) {
    const v = Number(values['pad-value']);
    if (Number.isNaN(v) && values['pad-value'] !== 'nan')
      throw new UsageError(`--pad-value must be a number (got ${values['pad-value']})`);
    layout.padValue = v;
  }
  const select = values.select as string | undefined;
  let selectColumns: readonly string[] = [];
  if (select !== undefined) {
    try {
      selectColumns = compileExpression(select).columns;
    } catch (e) {
      if (e instanceof ExpressionSyntaxError) {
        throw new UsageError(`--select: ${e.message.split('\n')[0]} of "${select}"`);
      }
      throw e;
    }
  }
  const chunkEntries = values['chunk-entries'] === undefined ? undefined : Number(values['chunk-entries']);
  if (chunkEntries !== undefined && !(Number.isInteger(chunkEntries) && chunkEntries > 0)) {
    throw new UsageError(`--chunk-entries must be a positive integer (got ${values['chunk-entries']})`);
  }
  const asked = (values.branches as string | undefined)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  // Check every file's tree, collections, branches and the selection's columns before writing anything.
  const sources: { src: FileSource; info: EventSourceInfo; branches: string[] }[] = [];
  const notes: string[] = [];
  for (const path of paths) {
    const src = await open(path);
    const info = await describeEvents(src, values.tree ? { tree: values.tree as string } : {});
    const names = info.columns.map((c) => c.name);
    const jagged = info.columns.filter((c) => c.jagged).map((c) => c.name);
    const prefixOf = (name: string) => (name.includes('_') ? name.slice(0, name.indexOf('_')) : name);
    const known = [...new Set(jagged.map(prefixOf))];
    const padded: string[] = [];
    for (const prefix of [...(layout.objects ? [layout.objects] : []), ...Object.keys(layout.pad ?? {})]) {
      const members = jagged.filter((n) => n === prefix || n.startsWith(`${prefix}_`));
      if (members.length === 0) {
        throw new UsageError(
          `${info.file}: ${info.tree ? `TTree ${info.tree}: ` : ''}no jagged branches ${prefix}_* (collections: ${known.join(', ') || 'none'})`,
        );
      }
      const k = layout.pad?.[prefix];
      if (k !== undefined) for (const m of members) for (let j = 0; j < k; j++) padded.push(`${m}[${j}]`);
    }
    if (select !== undefined) {
      try {
        compileExpression(select, [...names, ...padded]);
      } catch (e) {
        if (e instanceof ExpressionColumnError) {
          throw new UsageError(`${info.file}: ${info.tree ? `TTree ${info.tree}: ` : ''}--select: ${e.message}`);
        }
        throw e;
      }
    }
    if (asked)
      matchNames(
        names,
        asked,
        info.tree ? `${info.file}: TTree ${info.tree}` : info.file,
        info.tree ? 'branch' : 'column',
      );
    const { branches, leftOut } = branchesFor(info, asked, layout, selectColumns);
    if (leftOut.length > 0) {
      notes.push(
        `data: ${info.file}: left out ${leftOut.join(', ')} (name them with --objects, --pad or --branches to keep them)\n`,
      );
    }
    sources.push({ src, info, branches });
  }

  let sink: Sink;
  try {
    sink = sinkOf(out);
  } catch (cause) {
    throw new UsageError(`${out}: cannot be written (${(cause as Error).message})`);
  }
  for (const note of notes) process.stderr.write(note);
  const t0 = performance.now();
  let events = 0;
  let bytes = 0;
  try {
    for (const { src, info, branches } of sources) {
      const bar = new ReadProgressBar(`data ${info.file}`);
      let fileBytes = 0;
      for await (const chunk of readEvents(src, {
        ...(values.tree ? { tree: values.tree as string } : {}),
        branches,
        ...(chunkEntries ? { chunkEntries } : {}),
        onProgress: (p) => {
          fileBytes = p.bytes;
          bar.update(p.entries, p.totalEntries, p.bytes, p.entries === p.totalEntries);
        },
      })) {
        let ds = eventsToDataset(chunk, layout);
        if (select !== undefined) {
          try {
            ds = filterDataset(ds, select);
          } catch (e) {
            if (e instanceof ExpressionColumnError) throw new UsageError(`${info.file}: --select: ${e.message}`);
            throw e;
          }
        }
        sink.write(ds);
        events += chunk.n;
      }
      bar.done();
      bytes += fileBytes;
      await src.close();
    }
  } catch (e) {
    // Leave no half-written output behind a failure.
    sink.close();
    rmSync(out, { force: true });
    throw e;
  }
  sink.close();
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(
    `data: ${events} events from ${paths.length} file${paths.length === 1 ? '' : 's'} → ${sink.rows} rows × ${sink.columns} columns in ${out}; ` +
      `${secs.toFixed(2)} s, ${formatRate(events / secs)} events/s, ${(bytes / 1e6 / secs).toFixed(1)} MB/s read\n`,
  );
}

const USAGE =
  'usage: pnpm data inspect FILE [--tree T] | pnpm data convert FILE... --out OUT.csv|OUT.parquet [options]';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      allowPositionals: true,
      options: {
        tree: { type: 'string' },
        branches: { type: 'string' },
        objects: { type: 'string' },
        pad: { type: 'string' },
        'pad-value': { type: 'string' },
        select: { type: 'string' },
        'chunk-entries': { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (${USAGE})`);
  }
  const [command, ...paths] = parsed.positionals;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (command === 'inspect') await inspect(paths, values.tree as string | undefined);
  else if (command === 'convert') await convert(paths, values);
  else throw new UsageError(USAGE);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError || e instanceof DataFormatError || e instanceof FieldError) fail((e as Error).message);
  // Anything else is a bug of ours: still one line, never a trace, and a distinct status.
  process.stderr.write(`data: internal error: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
