import { auc, generateBoostedJets, generateBTagging, generateCaloShowers, generateElectronId } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.ts';
import { evaluateBaseline } from '../runtime/baselines/dispatch.ts';
import { buildBaselineBundle } from './bundle.ts';
import { sampleMatrix } from './matrix.ts';
import { fitTaskBaselines } from './suite.ts';

const lineage = {
  datasetHash: 'test',
  codeVersion: 'test',
  seed: 1,
  createdAt: '2026-11-23T00:00:00Z',
  backend: 'cpu',
};
const half = (n: number): { train: number[]; test: number[] } => ({
  train: Array.from({ length: n / 2 }, (_, i) => i),
  test: Array.from({ length: n / 2 }, (_, i) => n / 2 + i),
});

describe('fitTaskBaselines', () => {
  it('fits the three b-tagging baselines; each separates b jets and bundles', async () => {
    const sample = generateBTagging({ n: 6000, seed: 51 });
    const { train, test } = half(6000);
    const fitted = fitTaskBaselines('bjet', sample, train, { trees: 30 });
    expect(fitted.map((b) => b.name)).toEqual(['bjet-cuts', 'bjet-likelihood', 'bjet-gbdt']);
    const labels = Uint8Array.from(test, (r) => sample.label[r] as number);
    for (const b of fitted) {
      const m = sampleMatrix(sample, b.model.params.inputs, test);
      expect(auc(evaluateBaseline(b.model, m.features, m.n), labels), b.name).toBeGreaterThan(0.8);
      expect(b.fitSeconds).toBeGreaterThan(0);
      const bundle = await buildBaselineBundle({ ...b, task: 'bjet', units: sample.units, lineage });
      expect(bundle.manifest.inputs.find((i) => i.name === 'sumPt2')?.unit).toBe('GeV^2');
    }
  });

  it('fits W-against-QCD cuts and likelihood and a three-class GBDT for boosted jets', () => {
    const sample = generateBoostedJets({ n: 4000, seed: 52 });
    const { train, test } = half(4000);
    const [cuts, likelihood, gbdt] = fitTaskBaselines('boosted-jet', sample, train, { trees: 10 });
    expect(gbdt?.outputs.map((o) => o.name)).toEqual(['p_qcd', 'p_w', 'p_top', 'w_vs_qcd']);
    expect(gbdt?.outputs[3]?.discriminant).toEqual({ signal: ['p_w'], background: ['p_qcd'] });
    const wqcd = test.filter((r) => sample.label[r] !== 2);
    const labels = Uint8Array.from(wqcd, (r) => sample.label[r] as number);
    for (const b of [cuts, likelihood]) {
      if (!b) throw new Error('missing baseline');
      const m = sampleMatrix(sample, b.model.params.inputs, wqcd);
      expect(auc(evaluateBaseline(b.model, m.features, m.n), labels), b.name).toBeGreaterThan(0.75);
    }
  });

  it('gives electron ID cuts, an ET × |η| likelihood and a GBDT, and energy regression two energy baselines', () => {
    const electrons = generateElectronId({ n: 3000, seed: 53 });
    const e = fitTaskBaselines('electron-id', electrons, half(3000).train, { trees: 5 });
    expect(e.map((b) => b.model.kind)).toEqual(['cuts', 'likelihood', 'gbdt']);
    const lh = e[1]?.model;
    expect(lh?.kind === 'likelihood' && lh.params.binning?.etEdges.length).toBe(6);
    const calo = generateCaloShowers({ n: 2000, seed: 54, images: false });
    const r = fitTaskBaselines('energy-regression', calo, half(2000).train, { trees: 5 });
    expect(r.map((b) => `${b.model.kind}:${b.outputs[0]?.name}`)).toEqual([
      'standard-calibration:energy',
      'gbdt:energy',
    ]);
    expect(() => fitTaskBaselines('higgs', calo, [0])).toThrow(ModelInputError);
  });
});
