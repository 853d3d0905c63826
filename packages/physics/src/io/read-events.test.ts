import { describe, expect, it } from 'vitest';
import { bytesSource } from './byte-source.ts';
import { writeCsv } from './csv.ts';
import type { EventTable } from './events.ts';
import { filterDataset, withDerivedColumns } from './expression.ts';
import { writeParquetEvents } from './parquet-events.ts';
import { describeEvents, detectFormat, eventsToDataset, matchNames, readEventTable } from './read-events.ts';
import { writeRootTree } from './root-writer.ts';

const table: EventTable = {
  name: 'demo',
  n: 3,
  columns: { MET_px: Float64Array.from([3, 0, -6]), MET_py: Float64Array.from([4, 1, 8]) },
  jagged: {
    Muon_pt: { offsets: Int32Array.from([0, 2, 2, 3]), values: Float32Array.from([40, 25, 15]) },
    Jet_pt: { offsets: Int32Array.from([0, 1, 1, 2]), values: Float32Array.from([100, 50]) },
  },
  counters: {},
  units: {},
};
const encode = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('readEvents: one door to ROOT, Parquet and CSV', () => {
  it('tells the format by the first bytes', async () => {
    const root = writeRootTree({ name: 'x', n: 1, columns: { a: Float32Array.from([1]) }, units: {} });
    expect(await detectFormat(bytesSource(root))).toBe('root');
    expect(await detectFormat(bytesSource(writeParquetEvents(table)))).toBe('parquet');
    expect(await detectFormat(bytesSource(encode('a,b\n1,2\n')))).toBe('csv');
  });

  it('matches names and globs, naming what selects nothing', () => {
    const names = ['nMuon', 'Muon_pt', 'Muon_eta', 'Jet_pt', 'MET_pt'];
    expect(matchNames(names, ['Muon_*', 'MET_pt', 'Muon_pt'], 'x')).toEqual(['Muon_pt', 'Muon_eta', 'MET_pt']);
    expect(matchNames(names, ['?et_pt'], 'x')).toEqual(['Jet_pt']);
    expect(() => matchNames(names, ['Tau_*'], 'f.root: TTree Events')).toThrow(
      'f.root: TTree Events has no branch matching Tau_*',
    );
    expect(() => matchNames(names, ['Muon_ptt'], 'f.parquet', 'column')).toThrow('f.parquet has no column Muon_ptt');
  });

  it('reads Parquet with lists and CSV through the same door, with branch globs', async () => {
    const pq = await readEventTable(writeParquetEvents(table), { file: 't.parquet', branches: ['Muon_*', 'MET_px'] });
    expect(Object.keys(pq.jagged)).toEqual(['Muon_pt']);
    expect(Object.keys(pq.columns)).toEqual(['MET_px']);
    const csv = await readEventTable(encode('a,b,c\n1,2,x\n3,4,y\n').buffer as ArrayBuffer, {
      file: 't.csv',
      branches: ['a', 'c'],
    });
    expect(csv.n).toBe(2);
    expect(Object.keys(csv.columns)).toEqual(['a', 'c']);
    expect(csv.columns.c).toEqual(['x', 'y']);
    const info = await describeEvents(writeParquetEvents(table));
    expect(info.columns.map((c) => [c.name, c.jagged])).toEqual([
      ['MET_px', false],
      ['MET_py', false],
      ['Muon_pt', true],
      ['Jet_pt', true],
    ]);
    await expect(readEventTable(new ArrayBuffer(0), { file: 'e.csv' })).rejects.toThrow('e.csv: empty file');
    await expect(readEventTable(Uint8Array.from([0xff, 0xfe, 0x00, 0x01]).buffer, { file: 'b.bin' })).rejects.toThrow(
      'b.bin: neither ROOT, Parquet nor UTF-8 CSV',
    );
  });

  it('lays out events: objects flattened, others padded, unused collections named', () => {
    expect(() => eventsToDataset(table, { objects: 'Muon' })).toThrow(
      'demo: jagged collections Jet are neither flattened nor padded',
    );
    const ds = eventsToDataset(table, { objects: 'Muon', pad: { Jet: 1 } });
    expect(ds.n).toBe(3);
    expect(Array.from(ds.columns['Jet_pt[0]'] as Float32Array)).toEqual([100, 100, 50]);
    const scalars = eventsToDataset(table, { dropJagged: true });
    expect(Object.keys(scalars.columns)).toEqual(['MET_px', 'MET_py']);
    const withMet = withDerivedColumns(scalars, { MET: 'hypot(MET_px, MET_py)' });
    expect(Array.from(withMet.columns.MET as Float64Array)).toEqual([5, 1, 10]);
    expect(filterDataset(withMet, 'MET > 2 && MET_px < 0').n).toBe(1);
    expect(() => filterDataset(withMet, 'MTE > 2')).toThrow(/unknown column MTE .*did you mean MET\?/);
    expect(() => withDerivedColumns(withMet, { MET: '1' })).toThrow(/exists already/);
    const csvText = writeCsv(eventsToDataset(table, { pad: { Muon: 2, Jet: 1 } }));
    expect(csvText.split('\n')[0]).toBe('MET_px,MET_py,Muon_pt[0],Muon_pt[1],Jet_pt[0]');
    expect(csvText.split('\n')[2]).toBe('0,1,nan,nan,nan');
  });
});
