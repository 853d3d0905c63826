import { at, effectiveIqr, generateCaloShowers, quantile } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { createRunner } from '../runtime/runner.ts';
import { pickImages, predictRows, rawMatrix } from './common.ts';
import {
  ENERGY_REGRESSION_INPUTS,
  prepareRegression,
  trainEnergyRegressionCnn,
  trainEnergyRegressionMlp,
} from './energy-regression.ts';

// Issue 22, the CNN+FiLM: it lost to the scalar MLP (default profile eIQR 0.0303 against 0.0280)
// because it regressed E_true/E_standard (the standard calibration's |η| steps, as the MLP did
// before) with one Crystal Ball NLL in (μ, σ), which weights each residual by the σ the network
// predicts. It now regresses E_true/E_raw with the MAE on μ and trains σ on |E − E_true| with μ
// stop-gradded (docs/study.md §5): 0.0276 with a pull width of 0.99.

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Robust width of a distribution: IQR/1.349 (the standard deviation of a Gaussian). */
function robustWidth(x: Float64Array): number {
  return (quantile(x, 0.75) - quantile(x, 0.25)) / 1.349;
}

describe('issue 22: the CNN+FiLM regresses E_true/E_raw, μ by MAE, σ without pulling μ', () => {
  it('matches the scalar MLP on three seeded samples, and its σ [GeV] has pulls of unit width', async () => {
    // 10 000 showers, 12 epochs. Measured: eIQR CNN 0.0308 / 0.0300 / 0.0284 against MLP
    // 0.0308 / 0.0308 / 0.0303 (mean ratio 0.99; the former recipe 1.065: 0.0327 / 0.0320 /
    // 0.0311); pull widths 0.94 / 0.89 / 1.12 at this size (0.99 on the default profile).
    const ratios: number[] = [];
    for (const seed of [22, 23, 24]) {
      const sample = generateCaloShowers({ n: 10_000, seed });
      const common = { n: 0, sample, epochs: 12, seed, backend: 'wasm', rankingRows: 200 };
      const mlp = await trainEnergyRegressionMlp(common);
      const cnn = await trainEnergyRegressionCnn(common);
      const m = (await readBundle(cnn.bundle.files)).manifest;
      expect(m.architecture.kind === 'cnn-film' && m.architecture.outputScale).toBe('eRaw');
      expect(m.outputs.map((o) => `${o.name}:${o.unit}`)).toEqual(['energy:GeV', 'resolution:GeV']);
      expect(m.description).toMatch(/E_true\/eRaw \(mae loss on μ, abs-residual loss on σ with μ held\)/);

      // What the runtime serves on the test split: E and σ in GeV.
      const test = prepareRegression(sample, seed).split.test;
      const runner = createRunner(m, Object.fromEntries(cnn.bundle.files));
      const out = predictRows(
        runner,
        rawMatrix(sample, ENERGY_REGRESSION_INPUTS, test),
        test.length,
        pickImages(sample.image, runner.imageSize, test),
      );
      const eTrue = sample.truth.eTrue as Float32Array;
      const energy = Float64Array.from(test, (_, r) => at(out, 2 * r));
      const truth = Float64Array.from(test, (i) => at(eTrue, i));
      expect(m.metrics.eIqr).toBeCloseTo(effectiveIqr(energy, truth), 6);
      const sigma = Float64Array.from(test, (_, r) => at(out, 2 * r + 1));
      expect(sigma.every((s) => s > 0)).toBe(true);
      const width = robustWidth(Float64Array.from(energy, (e, r) => (e - at(truth, r)) / at(sigma, r)));
      expect(width).toBeGreaterThan(0.8);
      expect(width).toBeLessThan(1.25);
      ratios.push((m.metrics.eIqr as number) / (mlp.bundle.manifest.metrics.eIqr as number));
    }
    const meanRatio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(meanRatio).toBeLessThan(1.02);
  }, 120_000);
});
