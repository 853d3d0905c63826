// Issue 7: the standard calibration exported as ONNX gives, under onnxruntime-node, the energies of
// `createRunner` (the runtime's `evaluateStandardCalibration`) within 1e-6 relative.
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle/build.ts';
import {
  parseStandardCalibration,
  STANDARD_CALIBRATION_CATEGORIES,
  standardCalibrationParameterCount,
} from '../runtime/baselines/standard-calibration.ts';
import { createRunner } from '../runtime/runner.ts';
import { exportBundleOnnx } from './onnx.ts';

// Input order deliberately not the role order, so the column mapping is exercised.
const NAMES = ['eta', 'eAcc', 'isConverted', 'ePs', 'showerDepth', 'isPhoton', 'mu'];

describe('standard calibration as ONNX', () => {
  it('gives evaluateStandardCalibration energies within 1e-6 relative (categories, |η| bins, ln floor, NaN flags)', async () => {
    const rng = new Rng(41);
    const edges = [0.4, 0.8, 1.2, 1.4];
    const json = {
      format: 'hepml-standard-calibration',
      formatVersion: 1,
      inputs: NAMES,
      roles: {
        ePs: 'ePs',
        eAcc: 'eAcc',
        showerDepth: 'showerDepth',
        eta: 'eta',
        isPhoton: 'isPhoton',
        isConverted: 'isConverted',
      },
      absEtaUpperEdges: edges,
      categories: [...STANDARD_CALIBRATION_CATEGORIES],
      coefficients: STANDARD_CALIBRATION_CATEGORIES.map(() =>
        edges.map(() => [
          rng.range(-1, 1),
          rng.range(0.5, 2),
          rng.range(0.9, 1.2),
          rng.range(-0.02, 0.02),
          rng.range(-0.01, 0.01),
        ]),
      ),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    const params = parseStandardCalibration(json);
    const bundle = await buildBundle(
      {
        format: 'hepml-bundle',
        formatVersion: 1,
        name: 'standard-calibration-export-test',
        task: 'energy-regression',
        description: 'standard calibration',
        inputs: NAMES.map((name) => ({
          name,
          unit: name.startsWith('e') && name !== 'eta' ? 'GeV' : '1',
          offset: 0,
          scale: 1,
        })),
        outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
        architecture: {
          kind: 'standard-calibration',
          parameters: standardCalibrationParameterCount(params),
          format: 'hepml-standard-calibration/1',
        },
        weights: 'calibration.json',
        metrics: {},
        workingPoints: [],
        lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'ts' },
      },
      new Map([['calibration.json', bytes]]),
    );
    const n = 600;
    const features = new Float32Array(n * NAMES.length);
    for (let i = 0; i < n; i++) {
      const eAcc = i % 50 === 0 ? 0.2 : 5 + 200 * rng.uniform(); // some below the 0.5 GeV ln floor
      features.set(
        [
          rng.range(-1.6, 1.6),
          eAcc,
          rng.uniform() < 0.3 ? 1 : 0,
          3 * rng.uniform(),
          8 + 6 * rng.uniform(),
          rng.uniform() < 0.5 ? 1 : 0,
          30,
        ],
        i * NAMES.length,
      );
    }
    features[1 * NAMES.length] = 0.8; // exactly on an |η| edge: the next bin (|η| < upper)
    features[2 * NAMES.length] = 3; // beyond the last edge: the last bin
    features[3 * NAMES.length] = Number.NaN; // NaN η: the last bin, as the runtime
    features[4 * NAMES.length + 5] = Number.NaN; // NaN isPhoton: false, an electron
    const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(features, n);
    const onnx = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'std' });
    const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const result = await session.run({ input: new ort.Tensor('float32', features, [n, NAMES.length]) });
    await session.release();
    const got = result.output?.data as Float32Array;
    expect(result.output?.dims).toEqual([n, 1]);
    let worst = 0;
    for (let k = 0; k < n; k++) {
      const e = expected[k] as number;
      worst = Math.max(worst, Math.abs((got[k] as number) - e) / Math.abs(e));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(Math.max(...expected)).toBeGreaterThan(100);
  });
});
