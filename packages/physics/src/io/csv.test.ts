import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors.ts';
import { generateElectronId } from '../sim/electron-id.ts';
import { formatNumber, parseCsvRecords, readCsv, writeCsv } from './csv.ts';
import { datasetFromSample, datasetTypes } from './dataset.ts';

const CSV =
  'Run,Event,pt1,type1,note\n163286,109060857,37.5667,EE,"a, ""quoted"" note"\r\n163286,109275715,-1.5e2,EB,plain\n\n';

function thrown(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataFormatError) return e;
    throw e;
  }
  throw new Error('no DataFormatError thrown');
}

describe('parseCsvRecords', () => {
  it('handles quotes, escaped quotes, commas and line ends inside quotes, CRLF, BOM and blank lines', () => {
    const recs = parseCsvRecords('\ufeffa,b\n"x\ny","1,2"\r\n\n3,""\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ny', '1,2'] },
      { line: 5, fields: ['3', ''] },
    ]);
    expect(parseCsvRecords('a;b\n1;2', 'f', ';')[1]?.fields).toEqual(['1', '2']);
  });

  it('rejects an unterminated quote and stray quotes, naming the line', () => {
    expect(thrown(() => parseCsvRecords('a\n"open\n', 'f.csv')).row).toBe(2);
    expect(thrown(() => parseCsvRecords('a,b\n1,x"y\n', 'f.csv')).message).toMatch(/f\.csv: line 2/);
    expect(thrown(() => parseCsvRecords('a,b\n"1"x,2\n', 'f.csv')).message).toMatch(/after a closing quote/);
  });
});

describe('readCsv', () => {
  it('infers int32, float64 and string columns and keeps file order', () => {
    const { dataset, skipped } = readCsv(CSV, { file: 'z.csv', units: { pt1: 'GeV' } });
    expect(skipped).toBe(0);
    expect(dataset.n).toBe(2);
    expect(dataset.name).toBe('z.csv');
    expect(Object.keys(dataset.columns)).toEqual(['Run', 'Event', 'pt1', 'type1', 'note']);
    expect(dataset.columns.Run).toBeInstanceOf(Int32Array);
    expect(Array.from(dataset.columns.Event as Int32Array)).toEqual([109060857, 109275715]);
    expect(dataset.columns.pt1).toBeInstanceOf(Float64Array);
    expect(Array.from(dataset.columns.pt1 as Float64Array)).toEqual([37.5667, -150]);
    expect(dataset.columns.type1).toEqual(['EE', 'EB']);
    expect(dataset.columns.note).toEqual(['a, "quoted" note', 'plain']);
    expect(dataset.units).toEqual({ pt1: 'GeV' });
  });

  it('selects columns, applies given types, reads nan/inf', () => {
    const { dataset } = readCsv('x,y,z\n1,nan,2\n2.5,-inf,3\n', { columns: ['z', 'y'], types: { z: 'float32' } });
    expect(Object.keys(dataset.columns)).toEqual(['z', 'y']);
    expect(dataset.columns.z).toBeInstanceOf(Float32Array);
    const y = dataset.columns.y as Float64Array;
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('names file, row and column for a missing column, a short row and a bad number', () => {
    const missing = thrown(() => readCsv('a,b\n1,2\n', { file: 'm.csv', columns: ['a', 'c'] }));
    expect([missing.file, missing.row, missing.column]).toEqual(['m.csv', 1, 'c']);
    const short = thrown(() => readCsv('a,b,c\n1,2,3\n4,5\n', { file: 's.csv' }));
    expect([short.file, short.row, short.column]).toEqual(['s.csv', 3, 'c']);
    expect(short.message).toMatch(/s\.csv: row 3, column c/);
    const bad = thrown(() => readCsv('a,b\n1,2\n3,x4\n', { file: 'b.csv' }));
    expect([bad.row, bad.column]).toEqual([3, 'b']);
    const notInt = thrown(() => readCsv('a\n1\n2.5\n', { file: 'i.csv', types: { a: 'int32' } }));
    expect([notInt.row, notInt.column]).toEqual([3, 'a']);
    const empty = thrown(() => readCsv('a,b\n1,\n', { file: 'e.csv', types: { b: 'float64' } }));
    expect(empty.column).toBe('b');
    expect(thrown(() => readCsv('a,a\n1,2\n')).column).toBe('a');
    expect(thrown(() => readCsv('')).message).toMatch(/empty file/);
  });

  it('skips and counts malformed rows when asked', () => {
    const text = 'a,b\n1,2\n3\n4,x\n5,6\n7,8,9\n';
    const { dataset, skipped, problems } = readCsv(text, { onMalformed: 'skip', types: { b: 'int32' } });
    expect(skipped).toBe(3);
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, 'b'],
      [4, 'b'],
      [6, '(extra field)'],
    ]);
    expect(Array.from(dataset.columns.a as Int32Array)).toEqual([1, 5]);
  });
});

describe('writeCsv', () => {
  it('round-trips a simulated sample exactly (float32 shortest digits, labels, weights, truth)', () => {
    const ds = datasetFromSample(generateElectronId({ n: 300, seed: 4 }));
    const text = writeCsv(ds);
    const types = {
      ...datasetTypes(ds),
      label: 'int32' as const,
      weight: 'float32' as const,
      truth_origin: 'int32' as const,
      truth_brem: 'float32' as const,
      truth_emFraction: 'float32' as const,
    };
    const back = readCsv(text, { types }).dataset;
    expect(back.n).toBe(300);
    for (const [name, col] of Object.entries(ds.columns)) {
      expect(Array.from(back.columns[name] as Float32Array), name).toEqual(Array.from(col as Float32Array));
    }
    expect(Array.from(back.columns.label as Int32Array)).toEqual(Array.from(ds.label as Uint8Array));
    expect(Array.from(back.columns.truth_brem as Float32Array)).toEqual(Array.from(ds.truth?.brem as Float32Array));
  });

  it('quotes text that needs it and writes non-finite numbers readably', () => {
    const text = writeCsv({
      name: 't',
      n: 2,
      columns: { s: ['a,b', 'say "hi"'], x: Float64Array.from([Number.NaN, 0.1]) },
      units: {},
    });
    expect(text).toBe('s,x\n"a,b",nan\n"say ""hi""",0.1\n');
    const back = readCsv(text).dataset;
    expect(back.columns.s).toEqual(['a,b', 'say "hi"']);
    expect(formatNumber(Math.fround(0.1), true)).toBe('0.1');
    expect(formatNumber(1 / 3, false)).toBe(String(1 / 3));
  });
});
