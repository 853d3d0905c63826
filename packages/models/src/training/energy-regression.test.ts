import { generateCaloShowers } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { trainEnergyRegressionCnn, trainEnergyRegressionMlp } from './energy-regression.ts';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('energy regression trainers (small n)', () => {
  const sample = generateCaloShowers({ n: 1500, seed: 3 });

  it('MLP: a valid bundle with a correction output and figures against the standard calibration', async () => {
    const { bundle } = await trainEnergyRegressionMlp({
      n: 0,
      sample,
      epochs: 2,
      seed: 3,
      backend: 'wasm',
      hidden: [8],
    });
    const m = (await readBundle(bundle.files)).manifest;
    expect(m.outputs).toEqual([{ name: 'correction', kind: 'correction', unit: '1', energyBase: 'eRaw' }]);
    expect(m.metrics.eIqrStandard).toBeGreaterThan(0);
    expect(m.metrics.rIqr).toBeCloseTo((m.metrics.eIqr as number) / (m.metrics.eIqrStandard as number), 9);
    expect(m.evaluation?.regression?.bins.length).toBeGreaterThan(3);
    expect(m.evaluation?.featureRanking?.metric).toBe('mae');
    await expect(
      trainEnergyRegressionMlp({ n: 0, sample, epochs: 1, seed: 3, backend: 'wasm', loss: 'crystal-ball' }),
    ).rejects.toThrow(/crystal-ball needs the CNN/);
  }, 20_000);

  it('CNN+FiLM trains on wasm (registered filter gradient) and its bundle returns E and σ in GeV', async () => {
    const { bundle, backend, fit } = await trainEnergyRegressionCnn({
      n: 0,
      sample,
      epochs: 2,
      seed: 3,
      backend: 'wasm',
      hidden: [8],
    });
    expect(backend).toBe('wasm');
    expect(fit.history.loss.every(Number.isFinite)).toBe(true);
    const m = (await readBundle(bundle.files)).manifest;
    expect(m.architecture.kind).toBe('cnn-film');
    expect(m.image?.shape).toEqual([7, 11, 4]);
    expect(m.outputs.map((o) => `${o.kind}:${o.unit}`)).toEqual(['energy:GeV', 'resolution:GeV']);
    expect(m.architecture.kind === 'cnn-film' && m.architecture.outputScale).toBe('eRaw');
    // The response is near 1 already after two epochs: the network starts from the median E_true/E_raw.
    expect(Math.abs((m.metrics.response as number) - 1)).toBeLessThan(0.05);
  }, 30_000);
});
