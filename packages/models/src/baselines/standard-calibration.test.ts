import { CALO_SHOWER_VARIABLES, defaultStandardCalibration, generateCaloShowers } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import {
  evaluateStandardCalibration,
  parseStandardCalibration,
  type StandardCalibrationV1,
  serializeStandardCalibration,
} from '../runtime/baselines/standard-calibration.ts';
import { sampleMatrix } from './matrix.ts';
import { fitStandardCalibrationBaseline, standardCalibrationFromPhysics } from './standard-calibration.ts';

const inputs = Object.keys(CALO_SHOWER_VARIABLES);
const sample = generateCaloShowers({ n: 30_000, seed: 21, images: false });
const eTrue = sample.truth.eTrue as Float32Array;
const rows = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const train = sampleMatrix(sample, inputs, rows(0, 15_000));
const test = sampleMatrix(sample, inputs, rows(15_000, 30_000));
const testTruth = eTrue.subarray(15_000);
const fitted = fitStandardCalibrationBaseline({
  inputs,
  features: train.features,
  n: train.n,
  target: eTrue.subarray(0, 15_000),
});
const wrapped = standardCalibrationFromPhysics(defaultStandardCalibration(), inputs);

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] as number;
}
/** Median of E/E_true and rIQR = (q75 − q25)/median of it. */
function response(e: Float32Array, truth: Float32Array): { median: number; rIqr: number } {
  const r = Array.from(e, (x, i) => x / (truth[i] as number));
  const median = quantile(r, 0.5);
  return { median, rIqr: (quantile(r, 0.75) - quantile(r, 0.25)) / median };
}

describe('standard calibration baseline', () => {
  it('wrapping the simulation’s calibration reproduces its eCalStandard column from the raw inputs', () => {
    const e = evaluateStandardCalibration(wrapped, test.features, test.n);
    const column = (sample.columns.eCalStandard as Float32Array).subarray(15_000);
    // The generator evaluates in double before rounding to float32, we from the float32 columns.
    for (let i = 0; i < test.n; i++)
      expect(Math.abs((e[i] as number) - (column[i] as number))).toBeLessThan(2e-6 * (column[i] as number) + 1e-5);
  });

  it('fitted on 15k showers: unbiased and as sharp as the simulation’s own (measured rIQR 0.041 vs raw 0.047)', () => {
    const fit = response(evaluateStandardCalibration(fitted, test.features, test.n), testTruth);
    const own = response(evaluateStandardCalibration(wrapped, test.features, test.n), testTruth);
    const raw = response(Float32Array.from(test.features.filter((_, k) => k % inputs.length === 0)), testTruth);
    expect(Math.abs(fit.median - 1)).toBeLessThan(0.005);
    expect(fit.rIqr).toBeLessThan(own.rIqr * 1.03);
    expect(fit.rIqr).toBeLessThan(raw.rIqr * 0.93);
    expect(raw.median).toBeLessThan(0.96); // the EM scale misses upstream losses and leakage
  });

  it('falls back to the category’s all-|η| fit in sparse bins', () => {
    const small = fitStandardCalibrationBaseline({
      inputs,
      features: train.features.subarray(0, 3000 * inputs.length),
      n: 3000,
      target: eTrue.subarray(0, 3000),
      absEtaUpperEdges: [0.02, 1.4],
    });
    // ~1000 showers per category: the narrow first bin (|η| < 0.02, ~15 of them) takes the inclusive fit.
    for (const cat of small.coefficients) expect(cat[0]).not.toEqual(cat[1]);
    const fallback = fitStandardCalibrationBaseline({
      inputs,
      features: train.features.subarray(0, 3000 * inputs.length),
      n: 3000,
      target: eTrue.subarray(0, 3000),
      absEtaUpperEdges: [1.4],
    });
    for (let c = 0; c < 3; c++) expect(small.coefficients[c]?.[0]).toEqual(fallback.coefficients[c]?.[0]);
  });

  it('is deterministic and round-trips through JSON with identical outputs', () => {
    const again = fitStandardCalibrationBaseline({
      inputs,
      features: train.features,
      n: train.n,
      target: eTrue.subarray(0, 15_000),
    });
    expect(again.coefficients).toEqual(fitted.coefficients);
    const text = JSON.stringify(serializeStandardCalibration(fitted));
    const back = parseStandardCalibration(JSON.parse(text));
    expect(evaluateStandardCalibration(back, test.features, test.n)).toEqual(
      evaluateStandardCalibration(fitted, test.features, test.n),
    );
    expect(JSON.stringify(serializeStandardCalibration(back))).toBe(text);
  });

  it('evaluates on inputs in any order, by name', () => {
    const reversed = [...inputs].reverse();
    const m = sampleMatrix(sample, reversed, rows(15_000, 15_100));
    const p = parseStandardCalibration({ ...serializeStandardCalibration(fitted), inputs: reversed });
    expect(evaluateStandardCalibration(p, m.features, m.n)).toEqual(
      evaluateStandardCalibration(fitted, test.features.subarray(0, 100 * inputs.length), 100),
    );
  });

  it('rejects malformed files naming the JSON path', () => {
    const good = serializeStandardCalibration(fitted);
    const edit =
      (f: (c: StandardCalibrationV1) => void) =>
      (j: StandardCalibrationV1): StandardCalibrationV1 => {
        const c = structuredClone(j);
        f(c);
        return c;
      };
    const cases: [string, (j: StandardCalibrationV1) => unknown][] = [
      ['format', (j) => ({ ...j, format: 'hepml-cuts' })],
      ['roles.eAcc', (j) => ({ ...j, roles: { ...j.roles, eAcc: 'eAccordion' } })],
      ['roles.extra', (j) => ({ ...j, roles: { ...j.roles, extra: 'eta' } })],
      ['absEtaUpperEdges[0]', (j) => ({ ...j, absEtaUpperEdges: [0, ...j.absEtaUpperEdges.slice(1)] })],
      ['categories[1]', (j) => ({ ...j, categories: ['electron', 'photon', 'converted-photon'] })],
      ['coefficients[2]', edit((c) => c.coefficients[2]?.pop())],
      ['coefficients[2][5]', edit((c) => c.coefficients[2]?.[5]?.push(1))],
      ['coefficients[1][3][4]', edit((c) => ((c.coefficients[1]?.[3] as unknown[])[4] = Number.NaN))],
    ];
    for (const [field, mutate] of cases) {
      let error: unknown;
      try {
        parseStandardCalibration(mutate(good));
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(BundleError);
      expect((error as BundleError).field, field).toBe(field);
    }
  });
});
