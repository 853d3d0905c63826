import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors.ts';
import { generateCaloShowers } from '../sim/calo-showers.ts';
import { hashSample } from '../sim/sample-stats.ts';
import { type Dataset, datasetFromSample } from './dataset.ts';
import { readParquet, writeParquet } from './parquet.ts';

describe('Parquet', () => {
  it('round-trips a calorimeter sample bit for bit: columns, label, weight, truth, images, units', async () => {
    const sample = generateCaloShowers({ n: 150, seed: 12 });
    const ds = datasetFromSample(sample);
    const bytes = writeParquet(ds);
    // A Parquet file starts and ends with the magic "PAR1".
    const ascii = (b: Uint8Array): string => String.fromCharCode(...b);
    const head = ascii(new Uint8Array(bytes, 0, 4));
    const tail = ascii(new Uint8Array(bytes, bytes.byteLength - 4));
    expect([head, tail]).toEqual(['PAR1', 'PAR1']);
    const back = await readParquet(bytes);
    expect(back.name).toBe('calo-showers');
    expect(back.n).toBe(150);
    expect(Object.keys(back.columns)).toEqual(Object.keys(ds.columns));
    expect(back.units).toEqual(ds.units);
    const asSample = {
      ...sample,
      columns: back.columns as Record<string, Float32Array>,
      label: back.label as Uint8Array,
      weight: back.weight as Float32Array,
      truth: back.truth as Record<string, Float32Array | Int32Array>,
    };
    expect(hashSample(asSample)).toBe(hashSample(sample));
    expect(back.truth?.particle).toBeInstanceOf(Int32Array);
    expect(back.image?.shape).toEqual([7, 11, 4]);
    expect(back.image?.data.every((v, i) => Object.is(v, sample.image[i]))).toBe(true);
  });

  it('keeps int32, float64 and text columns and selects columns', async () => {
    const ds: Dataset = {
      name: 'mixed',
      n: 3,
      columns: {
        run: Int32Array.from([1, 2, 3]),
        x: Float64Array.from([0.1, Math.PI, -1e300]),
        kind: ['EB', 'EE', 'EB'],
      },
      units: { x: 'GeV' },
    };
    const back = await readParquet(writeParquet(ds), { columns: ['kind', 'x'] });
    expect(Object.keys(back.columns)).toEqual(['kind', 'x']);
    expect(back.columns.kind).toEqual(['EB', 'EE', 'EB']);
    expect(Array.from(back.columns.x as Float64Array)).toEqual([0.1, Math.PI, -1e300]);
    const all = await readParquet(writeParquet(ds));
    expect(Array.from(all.columns.run as Int32Array)).toEqual([1, 2, 3]);
    expect(all.columns.run).toBeInstanceOf(Int32Array);
  });

  it('names the file and column for bad input', async () => {
    const ds: Dataset = { name: 'd', n: 2, columns: { a: Float32Array.from([1, 2]) }, units: {} };
    await expect(readParquet(writeParquet(ds), { file: 'd.parquet', columns: ['b'] })).rejects.toThrow(
      /d\.parquet: missing column b/,
    );
    const junk = Uint8Array.from('not a parquet file at all', (c) => c.charCodeAt(0)).buffer;
    const err = await readParquet(junk, { file: 'junk.parquet' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as DataFormatError).file).toBe('junk.parquet');
    expect(() => writeParquet({ ...ds, columns: { a: Float32Array.from([1]) } })).toThrow(/1 rows, the dataset 2/);
    expect(() => writeParquet({ ...ds, columns: { label: Float32Array.from([1, 2]) } })).toThrow(/reserved/);
  });
});
