import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { trainBoostedJetNetwork, trainBTaggerNetwork, trainElectronIdNetwork } from './tasks.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('task trainers (small n)', () => {
  it('electron ID: a valid bundle whose figures say it separates', async () => {
    const { bundle, fit } = await trainElectronIdNetwork({ n: 3000, epochs: 3, seed: 5, backend: 'cpu', hidden: [8] });
    const again = await readBundle(bundle.files);
    expect(again.manifest.name).toBe('electron-id-mlp');
    const m = bundle.manifest.metrics;
    expect(m.auc).toBeGreaterThan(0.9);
    expect(m.rejectionAt50).toBeGreaterThan(10);
    expect(bundle.manifest.workingPoints.map((w) => w.name)).toEqual(['loose', 'medium', 'tight']);
    const e = bundle.manifest.evaluation;
    expect(e?.split).toEqual({ train: 1800, validation: 600, test: 600 });
    expect(e?.featureRanking?.entries).toHaveLength(22);
    expect(e?.overtraining?.signal.pValue).toBeGreaterThan(0);
    expect(fit.history.loss.length).toBe(3);
  }, 20_000);

  it('b-tagging: ALEPH 6-10-10-1 with 191 parameters', async () => {
    const { bundle } = await trainBTaggerNetwork({ n: 3000, epochs: 3, seed: 6, backend: 'cpu' });
    expect(bundle.manifest.architecture.parameters).toBe(191);
    expect(bundle.manifest.metrics.auc).toBeGreaterThan(0.8);
  }, 20_000);

  it('boosted jets: softmax outputs, per-class figures and mass sculpting', async () => {
    const { bundle } = await trainBoostedJetNetwork({ n: 3000, epochs: 3, seed: 7, backend: 'cpu', hidden: [8] });
    const m = bundle.manifest;
    expect(m.outputs.map((o) => `${o.name}:${o.kind}`)).toEqual([
      'p_qcd:class-score',
      'p_w:class-score',
      'p_top:class-score',
    ]);
    expect(m.evaluation?.reference).toBe('p_w');
    expect(m.evaluation?.classes?.map((c) => c.name)).toEqual(['qcd', 'w', 'top']);
    expect(m.evaluation?.massSculpting?.points.length).toBeGreaterThan(0);
    expect(m.metrics.auc_w).toBeGreaterThan(0.8);
    expect(m.metrics.jsdAt50).toBeGreaterThanOrEqual(0);
    expect(m.metrics.aucRatio).toBeGreaterThan(0.8);
  }, 20_000);
});
