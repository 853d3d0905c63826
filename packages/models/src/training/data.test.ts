import { datasetFromSample, generateBTagging, readCsv, writeCsv } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.ts';
import { sampleFromDataset } from './data.ts';

describe('sampleFromDataset', () => {
  const sample = generateBTagging({ n: 50, seed: 1 });
  const names = Object.keys(sample.columns);

  it('recovers columns, label, weight and truth from a CSV round trip', () => {
    const ds = readCsv(writeCsv(datasetFromSample(sample)), { file: 'jets.csv' }).dataset;
    const back = sampleFromDataset(ds, 'bjet', names);
    expect(back.n).toBe(50);
    expect(Array.from(back.label)).toEqual(Array.from(sample.label));
    for (const name of names)
      expect(Array.from(back.columns[name] ?? [])).toEqual(Array.from(sample.columns[name] ?? []));
    expect(Object.keys(back.columns)).not.toContain('label');
    expect(Object.keys(back.truth).sort()).toEqual(Object.keys(sample.truth).sort());
  });

  it('names a missing column or label', () => {
    const ds = datasetFromSample(sample);
    expect(() => sampleFromDataset(ds, 'bjet', [...names, 'nope'])).toThrow(ModelInputError);
    try {
      sampleFromDataset(ds, 'bjet', ['nope']);
    } catch (err) {
      expect((err as ModelInputError).field).toBe('nope');
    }
    const { label: _label, ...unlabelled } = ds;
    expect(() => sampleFromDataset(unlabelled, 'bjet', names)).toThrow(/no label/);
    expect(() => sampleFromDataset(ds, 'energy-regression', names, { truth: ['eTrue'] })).toThrow(/truth "eTrue"/);
  });
});
