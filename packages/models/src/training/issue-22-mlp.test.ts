import {
  at,
  calibrationCategory,
  defaultStandardCalibration,
  effectiveIqr,
  generateCaloShowers,
  median,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/build.ts';
import { energyFromCorrection } from '../runtime/energy.ts';
import { createRunner } from '../runtime/runner.ts';
import { rawMatrix } from './common.ts';
import {
  ENERGY_REGRESSION_INPUTS,
  ENERGY_REGRESSION_MLP_BASE,
  prepareRegression,
  type RegressionEnergyBase,
  trainEnergyRegressionMlp,
} from './energy-regression.ts';

// Issue 22: the scalar MLP lost to the GBDT (eIQR 0.0283 against 0.0262) because it regressed
// E_true/E_standard, which inherits the standard calibration's steps at its |η| bin edges; it now
// regresses the smooth E_true/E_raw (docs/study.md §2).

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('issue 22: the energy-regression MLP regresses E_true/E_raw', () => {
  const sample = generateCaloShowers({ n: 1500, seed: 22, images: false });
  const eTrue = sample.truth.eTrue as Float32Array;

  it('prepareRegression: the target is E_true over the chosen base, E_standard by default', () => {
    const p = prepareRegression(sample, 22);
    const rows = p.split.train.subarray(0, 50);
    const eStd = sample.columns[STANDARD_CALIBRATION_COLUMN] as Float32Array;
    const eRaw = sample.columns.eRaw as Float32Array;
    const byDefault = p.target(rows);
    const overRaw = p.target(rows, 'eRaw');
    rows.forEach((i, r) => {
      expect(at(byDefault, r)).toBeCloseTo(at(eTrue, i) / at(eStd, i), 5);
      expect(at(overRaw, r)).toBeCloseTo(at(eTrue, i) / at(eRaw, i), 5);
    });
    // Another column can be zero or negative on usable rows (e.g. ePs, noise only): refused.
    expect(() => p.target(rows, 'ePs' as RegressionEnergyBase)).toThrow(
      /energy base "ePs" must be eCalStandard or eRaw/,
    );
  });

  it('the bundle multiplies eRaw, and its published eIQR is what the runtime answers with that base', async () => {
    expect(ENERGY_REGRESSION_MLP_BASE).toBe('eRaw');
    const { bundle } = await trainEnergyRegressionMlp({
      n: 0,
      sample,
      epochs: 3,
      seed: 22,
      backend: 'wasm',
      hidden: [8],
    });
    const m = (await readBundle(bundle.files)).manifest;
    expect(m.outputs).toEqual([{ name: 'correction', kind: 'correction', unit: '1', energyBase: 'eRaw' }]);
    expect(m.description).toMatch(/regressing E_true\/eRaw \(mae loss\); E = correction × eRaw/);
    const base = energyFromCorrection(m);
    expect(base && m.inputs[base.input]?.name).toBe('eRaw');

    const test = prepareRegression(sample, 22).split.test;
    const runner = createRunner(m, Object.fromEntries(bundle.files));
    const out = runner.predict(rawMatrix(sample, ENERGY_REGRESSION_INPUTS, test), test.length);
    const eRaw = sample.columns.eRaw as Float32Array;
    const eReco = Float64Array.from(test, (i, r) => at(out, r) * at(eRaw, i));
    const truth = Float64Array.from(test, (i) => at(eTrue, i));
    expect(m.metrics.eIqr).toBeCloseTo(effectiveIqr(eReco, truth), 6);
  }, 30_000);

  it('energyBase eCalStandard and loss huber train the former recipe', async () => {
    const { bundle } = await trainEnergyRegressionMlp({
      n: 0,
      sample,
      epochs: 1,
      seed: 22,
      backend: 'wasm',
      hidden: [8],
      loss: 'huber',
      energyBase: STANDARD_CALIBRATION_COLUMN,
      learningRate: 1e-3,
    });
    const m = (await readBundle(bundle.files)).manifest;
    expect(m.outputs[0]?.energyBase).toBe('eCalStandard');
    expect(m.description).toMatch(/E_true\/eCalStandard \(huber loss\)/);
  }, 30_000);
});

describe('issue 22: why E_raw and not E_standard', () => {
  it('E_true/E_standard steps at the standard calibration |η| bin edges, E_true/E_raw does not', () => {
    // 200 000 scalar showers, E_true > 25 GeV (resolution below 2.5 %): per category and inner bin
    // edge, the median ratio just above the edge (0.02 wide) minus the one just below.
    const s = generateCaloShowers({ n: 200_000, seed: 99, images: false });
    const col = (name: string) => s.columns[name] as Float32Array;
    const [eta, eRaw, eStd, isPhoton, isConverted] = [
      'eta',
      'eRaw',
      STANDARD_CALIBRATION_COLUMN,
      'isPhoton',
      'isConverted',
    ].map(col) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const eTrue = s.truth.eTrue as Float32Array;
    const edges = defaultStandardCalibration().etaEdges.slice(0, -1);
    const half = 0.02;
    // sides[category][edge][below 0 / above 1] → row indices
    const sides = [0, 1, 2].map(() => edges.map(() => [[], []] as number[][]));
    for (let i = 0; i < s.n; i++) {
      if (!(at(eTrue, i) > 25 && at(eRaw, i) > 0 && at(eStd, i) > 0)) continue;
      const a = Math.abs(at(eta, i));
      const c = calibrationCategory(at(isPhoton, i), at(isConverted, i));
      edges.forEach((edge, e) => {
        if (a >= edge - half && a < edge) sides[c]?.[e]?.[0]?.push(i);
        else if (a >= edge && a < edge + half) sides[c]?.[e]?.[1]?.push(i);
      });
    }
    const rmsStep = (base: Float32Array) => {
      let s2 = 0;
      let m = 0;
      for (const perEdge of sides) {
        for (const [below, above] of perEdge) {
          const med = (rows: number[]) => median(Float64Array.from(rows, (i) => at(eTrue, i) / at(base, i)));
          s2 += (med(above ?? []) - med(below ?? [])) ** 2;
          m++;
        }
      }
      return Math.sqrt(s2 / m);
    };
    const stepStandard = rmsStep(eStd);
    const stepRaw = rmsStep(eRaw);
    // Measured: 0.6 % against 0.2 % (the latter the statistical noise of the two medians).
    expect(stepStandard).toBeGreaterThan(0.004);
    expect(stepStandard).toBeGreaterThan(2 * stepRaw);
  }, 30_000);
});
