import { generateBTagging } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { BundleManifestV1 } from '../bundle/manifest.ts';
import { SUITE_DEFAULTS, suiteLineageProfile, TRAINING_PROFILE_SETTINGS, trainTaskSuite } from './suite.ts';

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

  it('a profile sets epochs and GBDT rounds and is written into every lineage (issue 22)', async () => {
    const sample = generateBTagging({ n: 1000, seed: 4 });
    const epochsSeen: number[] = [];
    const entries = await trainTaskSuite({
      task: 'bjet',
      sample,
      seed: 4,
      backend: 'cpu',
      profile: 'full',
      include: (name) => name === 'bjet-aleph-nn' || name === 'bjet-gbdt',
      onStart: (_name, e) => epochsSeen.push(e),
    });
    const full = TRAINING_PROFILE_SETTINGS.full.bjet;
    expect(epochsSeen[0]).toBe(full.epochs);
    expect(entries.map((e) => e.name)).toEqual(['bjet-aleph-nn', 'bjet-gbdt']);
    for (const e of entries) {
      const m = (await readBundle(e.bundle.files)).manifest;
      expect(m.lineage.profile).toBe('full');
    }
    expect(entries[1]?.bundle.manifest.description).toContain(`${full.trees} trees`);
  }, 60_000);

  it('records custom when n, epochs or trees override the profile, default otherwise', async () => {
    expect(suiteLineageProfile({})).toBe('default');
    expect(suiteLineageProfile({ profile: 'full' })).toBe('full');
    expect(suiteLineageProfile({ profile: 'full', epochs: 3 })).toBe('custom');
    expect(suiteLineageProfile({ trees: 3 })).toBe('custom');
    expect(suiteLineageProfile({ n: 1000 })).toBe('custom');
    const [cuts] = await trainTaskSuite({
      task: 'bjet',
      n: 1500,
      seed: 4,
      backend: 'cpu',
      trees: 3,
      include: (name) => name === 'bjet-cuts',
    });
    expect(cuts?.bundle.manifest.lineage.profile).toBe('custom');
  }, 30_000);

  it('the full profile trains more than the default one on every task; the manifest accepts only known profiles', () => {
    for (const [task, d] of Object.entries(TRAINING_PROFILE_SETTINGS.default)) {
      const f = TRAINING_PROFILE_SETTINGS.full[task as keyof typeof SUITE_DEFAULTS];
      expect(f.n).toBeGreaterThan(d.n);
      expect(f.epochs).toBeGreaterThan(d.epochs);
      expect(f.trees).toBeGreaterThan(d.trees);
      expect(f.cnnTrainRows).toBeGreaterThanOrEqual(d.cnnTrainRows);
      expect(SUITE_DEFAULTS[task as keyof typeof SUITE_DEFAULTS]).toBe(d);
    }
    const lineage = BundleManifestV1.shape.lineage;
    const base = { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: 't', backend: 'cpu' };
    expect(lineage.safeParse({ ...base, profile: 'full' }).success).toBe(true);
    expect(lineage.safeParse(base).success).toBe(true);
    const bad = lineage.safeParse({ ...base, profile: 'fast' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['profile']);
  });
});
