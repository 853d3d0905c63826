import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { trainTaskSuite } from './suite.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainTaskSuite', () => {
  it('trains the network and the baselines of a task on one split, all evaluated alike', async () => {
    const names: string[] = [];
    const entries = await trainTaskSuite({
      task: 'bjet',
      n: 2500,
      epochs: 2,
      seed: 9,
      backend: 'cpu',
      trees: 5,
      onDone: (e) => names.push(e.name),
    });
    expect(names).toEqual(['bjet-aleph-nn', 'bjet-cuts', 'bjet-likelihood', 'bjet-gbdt']);
    for (const e of entries) {
      const m = (await readBundle(e.bundle.files)).manifest;
      expect(m.evaluation?.split).toEqual({ train: 1500, validation: 500, test: 500 });
      expect(m.metrics.auc).toBeGreaterThan(0.6);
      expect(m.workingPoints).toHaveLength(3);
      expect(e.kind).toBe(e.name === 'bjet-aleph-nn' ? 'network' : 'baseline');
    }
  }, 30_000);

  it('include selects models by name', async () => {
    const entries = await trainTaskSuite({
      task: 'boosted-jet',
      n: 2000,
      epochs: 1,
      seed: 9,
      backend: 'cpu',
      trees: 3,
      include: (name) => name === 'boosted-jet-cuts',
    });
    expect(entries.map((e) => e.name)).toEqual(['boosted-jet-cuts']);
    expect(entries[0]?.bundle.manifest.evaluation?.massSculpting?.points.length).toBeGreaterThan(0);
  }, 30_000);
});
