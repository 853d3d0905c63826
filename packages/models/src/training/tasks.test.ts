import { auc, BOOSTED_JET_PROCESS, generateBoostedJets } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { createRunner } from '../runtime/runner.ts';
import { rawMatrix } from './common.ts';
import { BOOSTED_JET_INPUTS, trainBoostedJetNetwork, trainBTaggerNetwork, trainElectronIdNetwork } from './tasks.ts';

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

  it('boosted jets: softmax outputs, the W-vs-QCD discriminant as the score, per-class figures and mass sculpting', async () => {
    const { bundle } = await trainBoostedJetNetwork({ n: 3000, epochs: 3, seed: 7, backend: 'cpu', hidden: [8] });
    const m = bundle.manifest;
    expect(m.outputs.map((o) => `${o.name}:${o.kind}`)).toEqual([
      'p_qcd:class-score',
      'p_w:class-score',
      'p_top:class-score',
      'w_vs_qcd:score',
    ]);
    expect(m.outputs[3]?.discriminant).toEqual({ signal: ['p_w'], background: ['p_qcd'] });
    expect(m.evaluation?.reference).toBe('w_vs_qcd');
    expect(m.evaluation?.classes?.map((c) => c.name)).toEqual(['qcd', 'w', 'top']);
    expect(m.evaluation?.massSculpting?.points.length).toBeGreaterThan(0);
    expect(m.metrics.auc_w).toBeGreaterThan(0.8);
    expect(m.metrics.jsdAt50).toBeGreaterThanOrEqual(0);
    expect(m.metrics.aucProbability).toBeGreaterThan(0.8);

    // The served column is p_w/(p_w + p_qcd), and the bundle's AUC and working points are on it.
    const sample = generateBoostedJets({ n: 3000, seed: 7 });
    const runner = createRunner(m, Object.fromEntries(bundle.files));
    const rows = Uint32Array.from({ length: sample.n }, (_, i) => i);
    const out = runner.predict(rawMatrix(sample, BOOSTED_JET_INPUTS, rows), sample.n);
    const wqcd: number[] = [];
    const labels: number[] = [];
    for (let r = 0; r < sample.n; r++) {
      const [pq, pw, , d] = [0, 1, 2, 3].map((c) => out[r * 4 + c] as number) as [number, number, number, number];
      expect(d).toBeCloseTo(pw / (pw + pq), 6);
      const l = sample.label[r];
      if (l === BOOSTED_JET_PROCESS.top) continue;
      wqcd.push(d);
      labels.push(l === BOOSTED_JET_PROCESS.w ? 1 : 0);
    }
    expect(auc(wqcd, labels)).toBeGreaterThan(0.8);
    const tight = m.workingPoints.find((w) => w.name === 'tight');
    const wRows = wqcd.filter((_, i) => labels[i] === 1);
    const passing = wRows.filter((d) => d >= (tight?.threshold ?? 2)).length / wRows.length;
    expect(passing).toBeGreaterThan(0.7);
    expect(passing).toBeLessThan(0.9);
  }, 20_000);
});
