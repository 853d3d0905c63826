import { describe, expect, it } from 'vitest';
import { generateCaloShowers } from '../sim/calo-showers.ts';
import {
  concatDatasets,
  datasetFromSample,
  numericColumn,
  sampleFromDataset,
  selectRows,
  splitDataset,
  splitIndices,
} from './dataset.ts';

describe('splitIndices', () => {
  it('partitions every row exactly once in the asked proportions, sorted, the same for the same seed', () => {
    const a = splitIndices(1000, { seed: 3, validation: 0.2, test: 0.1 });
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([700, 200, 100]);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(a.test)).toEqual([...a.test].sort((x, y) => x - y));
    const b = splitIndices(1000, { seed: 3, validation: 0.2, test: 0.1 });
    expect(Array.from(b.test)).toEqual(Array.from(a.test));
    const c = splitIndices(1000, { seed: 4, validation: 0.2, test: 0.1 });
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
    // A random permutation: the test rows are spread over the whole file.
    expect(a.test[0]).toBeLessThan(100);
    expect(a.test[99]).toBeGreaterThan(900);
  });

  it('rejects fractions that do not leave a training set', () => {
    expect(() => splitIndices(10, { seed: 1, validation: 0.5, test: 0.5 })).toThrow(/below 1/);
    expect(() => splitIndices(10, { seed: 1, test: -0.1 })).toThrow(/test/);
    expect(() => splitIndices(-1, { seed: 1 })).toThrow(/n must/);
  });
});

describe('splitDataset / selectRows', () => {
  it('carries columns, labels, weights, truth and images with the rows', () => {
    const sample = generateCaloShowers({ n: 60, seed: 2 });
    const ds = datasetFromSample(sample);
    expect(ds.image?.shape).toEqual([7, 11, 4]);
    const { train, validation, test } = splitDataset(ds, { seed: 9 });
    expect(train.n + validation.n + test.n).toBe(60);
    const picked = selectRows(ds, [5, 0]);
    expect(picked.n).toBe(2);
    expect(picked.columns.eRaw?.[0]).toBe(sample.columns.eRaw?.[5]);
    expect(picked.truth?.eTrue?.[1]).toBe(sample.truth.eTrue?.[0]);
    expect(picked.label?.[0]).toBe(sample.label[5]);
    const size = 7 * 11 * 4;
    expect(Array.from(picked.image?.data.subarray(0, size) ?? [])).toEqual(
      Array.from(sample.image.subarray(5 * size, 6 * size)),
    );
    expect(() => selectRows(ds, [60])).toThrow(/outside/);
    expect(numericColumn(ds, 'eta')).toBe(sample.columns.eta);
    expect(() => numericColumn(ds, 'nope')).toThrow(/no column nope/);
  });
});

describe('concatDatasets', () => {
  it('joins rows of every field in order and refuses mismatched parts', () => {
    const a = datasetFromSample(generateCaloShowers({ n: 20, seed: 1 }));
    const b = datasetFromSample(generateCaloShowers({ n: 30, seed: 2 }));
    const ab = concatDatasets([a, b]);
    expect(ab.n).toBe(50);
    expect(ab.columns.eRaw?.[20]).toBe(b.columns.eRaw?.[0]);
    expect(ab.truth?.eTrue?.[49]).toBe(b.truth?.eTrue?.[29]);
    expect(ab.label?.[25]).toBe(b.label?.[5]);
    expect(ab.image?.data.length).toBe(50 * 308);
    expect(ab.image?.data[20 * 308 + 7]).toBe(b.image?.data[7]);
    const { eRaw: _dropped, ...fewer } = b.columns;
    expect(() => concatDatasets([a, { ...b, columns: fewer }])).toThrow(/lacks column eRaw/);
    expect(() => concatDatasets([])).toThrow(/nothing/);
  });
});

describe('sampleFromDataset', () => {
  it('turns numeric columns into a float32 sample with default label and weight, listing text columns', () => {
    const { sample, dropped } = sampleFromDataset(
      {
        name: 'cms.csv',
        n: 2,
        columns: { pt1: Float64Array.from([40.5, 45.25]), Q1: Int32Array.from([1, -1]), type1: ['EB', 'EE'] },
        units: { pt1: 'GeV' },
      },
      'cms-zee',
    );
    expect(dropped).toEqual(['type1']);
    expect(Object.keys(sample.columns)).toEqual(['pt1', 'Q1']);
    expect(Array.from(sample.columns.pt1 as Float32Array)).toEqual([40.5, 45.25]);
    expect(sample.units).toEqual({ pt1: 'GeV', Q1: '1' });
    expect(Array.from(sample.label)).toEqual([0, 0]);
    expect(Array.from(sample.weight)).toEqual([1, 1]);
    expect(sample.task).toBe('cms-zee');
  });
});
