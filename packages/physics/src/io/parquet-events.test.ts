import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors.ts';
import { bytesSource } from './byte-source.ts';
import type { EventTable } from './events.ts';
import { inspectParquet, readParquetEvents, readParquetEventTable, writeParquetEvents } from './parquet-events.ts';

const table: EventTable = {
  name: 'demo',
  n: 5,
  columns: {
    run: Int32Array.from([1, 1, 2, 2, 3]),
    MET_pt: Float32Array.from([10.5, 20, 30, 40, 50]),
    weight: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]),
    tag: ['a', 'b', 'c', 'd', 'e'],
  },
  jagged: {
    Muon_pt: { offsets: Int32Array.from([0, 2, 2, 3, 6, 6]), values: Float32Array.from([40, 25, 15, 1, 2, 3]) },
    Muon_charge: { offsets: Int32Array.from([0, 2, 2, 3, 6, 6]), values: Int32Array.from([1, -1, 1, -1, 1, -1]) },
    Jet_e: { offsets: Int32Array.from([0, 1, 1, 1, 1, 2]), values: Float64Array.from([100.25, 7]) },
  },
  counters: {},
  units: { Muon_pt: 'GeV', MET_pt: 'GeV' },
};

// awkward-array's layout for a jagged float: optional group (LIST) { repeated group list { element } }.
const awkwardLike = (): ArrayBuffer =>
  parquetWriteBuffer({
    columnData: [
      { name: 'nMuon', data: Int32Array.from([2, 0, 1]) },
      { name: 'Muon_pt', data: [[40, 25], [], [15]] },
      { name: 'Muon_id', data: [[true, false], [], [true]] },
      { name: 'event', data: [BigInt(7), BigInt(8), BigInt(9)] },
    ],
    schema: [
      { name: 'schema', num_children: 4 },
      { name: 'nMuon', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'Muon_pt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
      { name: 'Muon_id', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'item', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
      { name: 'event', type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
  });

describe('Parquet with list columns', () => {
  it('round-trips an event table: lists as LIST columns, scalars, text and units', async () => {
    const back = await readParquetEventTable(writeParquetEvents(table), { file: 'demo.parquet' });
    expect(back.n).toBe(5);
    expect(back.name).toBe('demo.parquet');
    expect(back.columns).toEqual(table.columns);
    expect(back.jagged).toEqual(table.jagged);
    expect(back.units).toEqual(table.units);
  });

  it('reads the awkward layout (optional lists, element/item), booleans and INT64', async () => {
    const info = await inspectParquet(awkwardLike(), { file: 'ak.parquet' });
    expect(info.rows).toBe(3);
    expect(info.fields).toEqual([
      { name: 'nMuon', type: 'INT32', jagged: false },
      { name: 'Muon_pt', type: 'list<FLOAT>', jagged: true },
      { name: 'Muon_id', type: 'list<BOOLEAN>', jagged: true },
      { name: 'event', type: 'INT64', jagged: false },
    ]);
    const t = await readParquetEventTable(awkwardLike());
    expect(Array.from(t.jagged.Muon_pt?.offsets ?? [])).toEqual([0, 2, 2, 3]);
    expect(Array.from(t.jagged.Muon_pt?.values ?? [])).toEqual([40, 25, 15]);
    expect(t.jagged.Muon_pt?.values).toBeInstanceOf(Float32Array);
    expect(Array.from(t.jagged.Muon_id?.values ?? [])).toEqual([1, 0, 1]);
    expect(Array.from(t.columns.event as Float64Array)).toEqual([7, 8, 9]);
  });

  it('reads row groups as chunks with progress, through a byte source', async () => {
    const bytes = writeParquetEvents(table, { rowGroupSize: 2 });
    const parts: EventTable[] = [];
    const seen: number[] = [];
    for await (const part of readParquetEvents(bytesSource(bytes, 'chunks.parquet'), {
      chunkRows: 2,
      columns: ['Muon_pt', 'run'],
      onProgress: (p) => seen.push(p.entries),
    })) {
      parts.push(part);
    }
    expect(parts.map((p) => p.n)).toEqual([2, 2, 1]);
    expect(seen).toEqual([2, 4, 5]);
    expect(Array.from(parts[1]?.jagged.Muon_pt?.offsets ?? [])).toEqual([0, 1, 4]);
    expect(Array.from(parts[1]?.jagged.Muon_pt?.values ?? [])).toEqual([15, 1, 2, 3]);
    expect(Object.keys(parts[0]?.columns ?? {})).toEqual(['run']);
  });

  it('names the file, column and row of bad input', async () => {
    const withNull = parquetWriteBuffer({
      columnData: [{ name: 'x', data: [1.5, null, 2] }],
      schema: [
        { name: 'root', num_children: 1 },
        { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      ],
    });
    await expect(readParquetEventTable(withNull, { file: 'n.parquet' })).rejects.toThrow(
      'n.parquet: row 1, column x: null value',
    );
    await expect(
      readParquetEventTable(writeParquetEvents(table), { file: 'd.parquet', columns: ['nope'] }),
    ).rejects.toThrow('d.parquet: no column nope');
    const struct = parquetWriteBuffer({
      columnData: [{ name: 's', data: [{ a: 1 }, { a: 2 }] }],
      schema: [
        { name: 'root', num_children: 1 },
        { name: 's', repetition_type: 'REQUIRED', num_children: 1 },
        { name: 'a', type: 'INT32', repetition_type: 'REQUIRED' },
      ],
    });
    await expect(readParquetEventTable(struct, { file: 's.parquet' })).rejects.toThrow(
      's.parquet: column s cannot be read, it is a struct',
    );
    const bytes = writeParquetEvents(table);
    await expect(readParquetEventTable(bytes.slice(0, bytes.byteLength - 10), { file: 'cut.parquet' })).rejects.toThrow(
      DataFormatError,
    );
  });
});
