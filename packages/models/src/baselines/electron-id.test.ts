/**
 * The baselines against each other on the electron-identification sample: the expected ordering
 * rectangular cuts < projective likelihood < GBDT (the GBDT uses the correlations the product of
 * one-dimensional densities ignores), measured on one held-out half.
 */
import { auc, ELECTRON_ID_VARIABLES, generateElectronId, rocCurve } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { backgroundEfficiencyAtSignal } from '../evaluation/classifier.ts';
import { evaluateCuts } from '../runtime/baselines/cuts.ts';
import { evaluateGbdt } from '../runtime/baselines/gbdt.ts';
import { evaluateLikelihood } from '../runtime/baselines/likelihood.ts';
import { ELECTRON_ABS_ETA_EDGES, ELECTRON_ET_EDGES } from './binning.ts';
import { fitCuts } from './cuts.ts';
import { fitGbdt } from './gbdt.ts';
import { fitLikelihood } from './likelihood.ts';
import { sampleMatrix } from './matrix.ts';

const inputs = Object.keys(ELECTRON_ID_VARIABLES);
const variables = inputs.filter((name) => !['et', 'eta', 'mu'].includes(name));
const sample = generateElectronId({ n: 40_000, seed: 41 });
const half = 20_000;
const train = sampleMatrix(
  sample,
  inputs,
  Array.from({ length: half }, (_, i) => i),
);
const test = sampleMatrix(
  sample,
  inputs,
  Array.from({ length: half }, (_, i) => half + i),
);
const trainLabels = sample.label.subarray(0, half);
const testLabels = sample.label.subarray(half);
const binning = {
  etInput: 'et',
  etaInput: 'eta',
  etEdges: [...ELECTRON_ET_EDGES],
  absEtaEdges: [...ELECTRON_ABS_ETA_EDGES],
};
const common = { inputs, features: train.features, n: train.n, labels: trainLabels, variables };

describe('electron-ID baselines (n = 20k train, 20k test, seed 41)', () => {
  // Measured: cuts AUC 0.9829 (εB 3.0 % at εS 90 %), likelihood 0.9875 (3.5 %), GBDT 50 trees 0.9970 (0.9 %).
  const cuts = evaluateCuts(fitCuts(common), test.features, test.n);
  const likelihood = evaluateLikelihood(fitLikelihood({ ...common, binning }), test.features, test.n);
  const gbdt = evaluateGbdt(
    fitGbdt({
      inputs,
      features: train.features,
      n: train.n,
      target: trainLabels,
      objective: 'binary',
      trees: 50,
      learningRate: 0.2,
    }),
    test.features,
    test.n,
  );
  const aucCuts = auc(cuts, testLabels);
  const aucLikelihood = auc(likelihood, testLabels);
  const aucGbdt = auc(gbdt, testLabels);

  it('orders the AUCs cuts < projective likelihood < GBDT, with margins', () => {
    expect(aucCuts).toBeGreaterThan(0.975);
    expect(aucLikelihood).toBeGreaterThan(aucCuts + 0.002);
    expect(aucGbdt).toBeGreaterThan(aucLikelihood + 0.005);
    expect(aucGbdt).toBeLessThan(0.9995);
  });

  it('has the GBDT keep less than half the background of either at εS = 90 %', () => {
    const at90 = (scores: Float32Array): number => backgroundEfficiencyAtSignal(rocCurve(scores, testLabels), 0.9);
    const gbdtEff = at90(gbdt);
    expect(gbdtEff).toBeLessThan(0.5 * at90(cuts));
    expect(gbdtEff).toBeLessThan(0.5 * at90(likelihood));
    expect(at90(cuts)).toBeLessThan(0.06);
  });
});
