/**
 * The chunked reader's throughput and memory bound (issue 18), on files the bench writes into a
 * temporary folder (uncompressed, so the size on disk is the size of the data) and deletes:
 * 1. a flat Parquet file of BENCH_DATA_GB gigabytes (default 2) of NanoAOD-like events padded per
 *    event (`run`, `event`, `MET_pt`, `MET_phi`, `nMuon`, `nJet`, `Muon_pt[0..1]`, `Muon_eta[0..1]`,
 *    `Jet_pt[0..3]`, …; one seeded row group of 500k events written again with new event numbers
 *    until the size is reached), read back chunk by chunk through
 *    `readEvents` over positioned file reads with a selection on each chunk;
 * 2. a Parquet file with list columns (`Muon_pt/eta/phi/mass`, `Jet_*` as `list<float>`) of
 *    BENCH_JAGGED_MB megabytes (default 64), row groups of 50k events, read back with the muons
 *    flattened (two jets padded) and selected, as `pnpm data convert --objects Muon` does;
 * 3. the real ROOT files of ../shared/data/root/, whole, all branches (jsroot's decompression).
 * It prints events/s, MB/s, the peak RSS (the process's high-water mark, so later steps inherit
 * earlier ones') and the peak live memory (JS heap + ArrayBuffers, sampled after each row group
 * or chunk) of each step against the file's size.
 *
 *   BENCH_DATA_GB=2 pnpm exec tsx bench/data-read.bench.ts
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventsToDataset, filterDataset, flattenObjects, Rng, readEvents, readRootEvents } from '@hepml/physics';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { openFileSource } from '../packages/physics/scripts/file-source.ts';
import { type BenchRow, report } from './lib.ts';

const FLAT_BYTES = Number(process.env.BENCH_DATA_GB ?? '2') * 1e9;
const JAGGED_BYTES = Number(process.env.BENCH_JAGGED_MB ?? '64') * 1e6;
const FLAT_GROUP = 500_000;
const JAGGED_GROUP = 50_000;

const memory = { rss: 0, heap: 0 };
const sample = () => {
  const m = process.memoryUsage();
  memory.rss = Math.max(memory.rss, m.rss);
  // Live memory: the JS heap and the ArrayBuffers outside it (typed arrays, file pages).
  memory.heap = Math.max(memory.heap, m.heapUsed + m.arrayBuffers);
};

const LIST = (name: string) => [
  { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
];
const JAGGED = ['Muon_pt', 'Muon_eta', 'Muon_phi', 'Muon_mass', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass'];
const SCALARS = [
  { name: 'run', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'event', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'MET_pt', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'MET_phi', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'nMuon', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'nJet', type: 'INT32', repetition_type: 'REQUIRED' },
];
const PAD: Record<string, number> = { Muon: 2, Jet: 4 };
const padded = (name: string) =>
  Array.from({ length: PAD[name.slice(0, name.indexOf('_'))] as number }, (_, j) => `${name}[${j}]`);
const flatSchema = [
  { name: 'root', num_children: SCALARS.length + JAGGED.flatMap(padded).length },
  ...SCALARS,
  ...JAGGED.flatMap(padded).map((name) => ({ name, type: 'FLOAT', repetition_type: 'REQUIRED' })),
];
const jaggedSchema = [
  { name: 'root', num_children: 6 + JAGGED.length },
  { name: 'run', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'event', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'MET_pt', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'MET_phi', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'nMuon', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'nJet', type: 'INT32', repetition_type: 'REQUIRED' },
  ...JAGGED.flatMap(LIST),
];

/** One row group of events: lists per event (`jagged`) or the leading objects padded with NaN. */
function group(rng: Rng, first: number, GROUP: number, jagged: boolean): { name: string; data: unknown }[] {
  const nMuon = new Int32Array(GROUP);
  const nJet = new Int32Array(GROUP);
  const lists: Record<string, number[][]> = Object.fromEntries(JAGGED.map((n) => [n, new Array(GROUP)]));
  const pads: Record<string, Float32Array> = Object.fromEntries(
    JAGGED.flatMap(padded).map((n) => [n, new Float32Array(GROUP).fill(Number.NaN)]),
  );
  for (let i = 0; i < GROUP; i++) {
    nMuon[i] = rng.poisson(1.5);
    nJet[i] = rng.poisson(4);
    for (const [prefix, k] of [
      ['Muon', nMuon[i] as number],
      ['Jet', nJet[i] as number],
    ] as const) {
      const pt: number[] = [];
      const eta: number[] = [];
      const phi: number[] = [];
      const mass: number[] = [];
      for (let j = 0; j < k; j++) {
        pt.push(Math.fround(5 + rng.exponential(prefix === 'Muon' ? 20 : 40)));
        eta.push(Math.fround(rng.range(-2.5, 2.5)));
        phi.push(Math.fround(rng.range(-Math.PI, Math.PI)));
        mass.push(prefix === 'Muon' ? 0.10566 : Math.fround(rng.exponential(8)));
      }
      pt.sort((a, b) => b - a);
      const values: Record<string, number[]> = { pt, eta, phi, mass };
      for (const [q, v] of Object.entries(values)) {
        const name = `${prefix}_${q}`;
        if (jagged) (lists[name] as number[][])[i] = v;
        else
          for (let j = 0; j < Math.min(v.length, PAD[prefix] as number); j++)
            (pads[`${name}[${j}]`] as Float32Array)[i] = v[j] as number;
      }
    }
  }
  return [
    { name: 'run', data: new Int32Array(GROUP).fill(1) },
    { name: 'event', data: Float64Array.from({ length: GROUP }, (_, i) => first + i) },
    { name: 'MET_pt', data: Float32Array.from({ length: GROUP }, () => rng.exponential(30)) },
    { name: 'MET_phi', data: Float32Array.from({ length: GROUP }, () => rng.range(-Math.PI, Math.PI)) },
    { name: 'nMuon', data: nMuon },
    { name: 'nJet', data: nJet },
    ...(jagged
      ? JAGGED.map((name) => ({ name, data: lists[name] }))
      : JAGGED.flatMap(padded).map((name) => ({ name, data: pads[name] }))),
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'hepml-data-bench-'));
const rows: BenchRow[] = [];
const notes: string[] = [];

/** Writes row groups until the file reaches `target` bytes; returns events written, size, seconds, memory. */
function writeFile(path: string, target: number, jagged: boolean, size: number) {
  memory.rss = 0;
  memory.heap = 0;
  const rng = new Rng(18);
  const t0 = performance.now();
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: (jagged ? jaggedSchema : flatSchema) as ConstructorParameters<typeof ParquetWriter>[0]['schema'],
    codec: 'UNCOMPRESSED',
    statistics: false,
  });
  let events = 0;
  // One seeded row group, written again and again with its event numbers moved on: the bench
  // measures the reader, and generating 20M events in JavaScript would take longer than reading them.
  const columns = group(rng, 0, size, jagged).map((c) => (jagged ? c : { ...c, encoding: 'PLAIN' }));
  const eventColumn = columns.find((c) => c.name === 'event') as { data: Float64Array };
  while (!existsSync(path) || statSync(path).size < target) {
    for (let i = 0; i < size; i++) eventColumn.data[i] = events + i;
    writer.write({
      columnData: columns as Parameters<ParquetWriter['write']>[0]['columnData'],
      rowGroupSize: size,
    });
    events += size;
    sample();
  }
  writer.finish();
  return { events, bytes: statSync(path).size, seconds: (performance.now() - t0) / 1000, memory: { ...memory } };
}

try {
  for (const jagged of [false, true]) {
    const path = join(dir, jagged ? 'jagged.parquet' : 'flat.parquet');
    const size = jagged ? JAGGED_GROUP : FLAT_GROUP;
    const w = writeFile(path, jagged ? JAGGED_BYTES : FLAT_BYTES, jagged, size);
    rows.push({
      step: `write ${jagged ? 'list columns' : 'flat (padded)'} (hyparquet-writer)`,
      'file MB': w.bytes / 1e6,
      events: w.events,
      seconds: w.seconds,
      'events/s': w.events / w.seconds,
      'MB/s': w.bytes / 1e6 / w.seconds,
      'peak RSS MB': w.memory.rss / 1e6,
      'peak heap+buffers MB': w.memory.heap / 1e6,
    });
    memory.rss = 0;
    memory.heap = 0;
    const src = await openFileSource(path);
    const r0 = performance.now();
    let events = 0;
    let objects = 0;
    let selected = 0;
    let bytes = 0;
    for await (const chunk of readEvents(src, {
      chunkEntries: size,
      onProgress: (p) => {
        bytes = p.bytes;
      },
    })) {
      events += chunk.n;
      const flat = jagged ? flattenObjects(chunk, 'Muon', { pad: { Jet: 2 } }) : eventsToDataset(chunk);
      objects += flat.n;
      selected += filterDataset(
        flat,
        jagged
          ? 'Muon_pt > 20 && abs(Muon_eta) < 2.4 && Jet_pt[0] > 30'
          : 'Muon_pt[0] > 20 && abs(Muon_eta[0]) < 2.4 && Jet_pt[0] > 30',
      ).n;
      sample();
    }
    await src.close();
    const s = (performance.now() - r0) / 1000;
    if (events !== w.events) throw new Error(`read ${events} events, wrote ${w.events}`);
    rows.push({
      step: jagged ? 'read chunked + flatten Muon + select' : 'read chunked + select',
      'file MB': w.bytes / 1e6,
      events,
      seconds: s,
      'events/s': events / s,
      'MB/s': bytes / 1e6 / s,
      'peak RSS MB': memory.rss / 1e6,
      'peak heap+buffers MB': memory.heap / 1e6,
    });
    notes.push(
      `${jagged ? 'list columns' : 'flat'}: ${objects} ${jagged ? 'muon rows' : 'event rows'} (${(objects / s).toFixed(0)} rows/s), ${selected} pass the selection; ` +
        `peak RSS ${(memory.rss / 1e6).toFixed(0)} MB while reading ${(w.bytes / 1e6).toFixed(0)} MB in chunks of ${size} events.`,
    );
    rmSync(path, { force: true });
  }

  // The real ROOT files: jsroot decompression and our assembly, whole file, all branches.
  const shared = fileURLToPath(new URL('../../shared/data/root/', import.meta.url));
  for (const f of [
    'uproot-HZZ.root',
    'uproot-HZZ-lz4.root',
    'uproot-HZZ-zstd.root',
    'uproot-HZZ-lzma.root',
    'nanoAOD_2015_CMS_Open_Data_ttbar.root',
  ]) {
    if (!existsSync(join(shared, f))) throw new Error(`shared ROOT file missing: ${join(shared, f)}`);
    const b = readFileSync(join(shared, f));
    const buffer = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    let n = 0;
    let branchBytes = 0;
    const t0 = performance.now();
    for await (const chunk of readRootEvents(buffer, { file: f })) {
      n += chunk.n;
      for (const c of Object.values(chunk.columns)) branchBytes += Array.isArray(c) ? 0 : c.byteLength;
      for (const j of Object.values(chunk.jagged)) branchBytes += j.values.byteLength + j.offsets.byteLength;
    }
    const s = (performance.now() - t0) / 1000;
    rows.push({
      step: `ROOT ${f} (all branches)`,
      'file MB': b.byteLength / 1e6,
      events: n,
      seconds: s,
      'events/s': n / s,
      'MB/s': b.byteLength / 1e6 / s,
      'peak RSS MB': null,
      'peak heap+buffers MB': null,
    });
    notes.push(
      `${f}: ${(branchBytes / 1e6).toFixed(1)} MB of values decoded, ${(branchBytes / 1e6 / s).toFixed(1)} MB/s.`,
    );
  }
  report('Data readers: chunked Parquet, flat and with lists (bounded memory), and real ROOT files', rows, notes);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
