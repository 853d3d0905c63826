// Issue 7: the cut-based baseline exported as ONNX gives, under onnxruntime-node, exactly the level
// counts of `createRunner` (the runtime's `evaluateCuts`) (with and without ET × |η| bins).
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fitCuts } from '../baselines/cuts.ts';
import { buildBundle } from '../bundle/build.ts';
import { cutsParameterCount, parseCuts, serializeCuts } from '../runtime/baselines/cuts.ts';
import { createRunner } from '../runtime/runner.ts';
import { exportBundleOnnx } from './onnx.ts';

const NAMES = ['et', 'eta', 'rhad', 'reta'];

/** Seeded electron-like rows: ET 15–100 GeV, η in ±2.47, signal narrower in rhad and reta; some NaNs and edges. */
function sample(rng: Rng, n: number): { features: Float32Array; labels: Int32Array } {
  const features = new Float32Array(n * 4);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = rng.uniform() < 0.5 ? 1 : 0;
    labels[i] = s;
    features.set(
      [
        15 + 85 * rng.uniform(),
        rng.range(-2.47, 2.47),
        (s ? 0.01 : 0.05) + 0.03 * rng.normal(),
        (s ? 0.95 : 0.85) + 0.04 * rng.normal(),
      ],
      i * 4,
    );
  }
  return { features, labels };
}

describe('cuts baseline as ONNX', () => {
  for (const binned of [false, true]) {
    it(`gives evaluateCuts' level counts exactly (${binned ? 'ET × |η| bins' : 'inclusive'})`, async () => {
      const rng = new Rng(binned ? 31 : 30);
      const n = 1500;
      const train = sample(rng, n);
      const fitted = fitCuts({
        inputs: NAMES,
        features: train.features,
        n,
        labels: train.labels,
        variables: ['rhad', 'reta'],
        binning: binned
          ? { etInput: 'et', etaInput: 'eta', etEdges: [15, 40, 100], absEtaEdges: [0, 1.37, 2.47] }
          : null,
        levels: [0.98, 0.9, 0.8, 0.6],
        maxBins: 32,
        minSignalPerBin: 50,
      });
      const json = new TextEncoder().encode(JSON.stringify(serializeCuts(fitted)));
      const params = parseCuts(JSON.parse(new TextDecoder().decode(json)));
      const bundle = await buildBundle(
        {
          format: 'hepml-bundle',
          formatVersion: 1,
          name: 'cuts-export-test',
          task: 'electron-id',
          description: 'cuts',
          inputs: NAMES.map((name, i) => ({ name, unit: i === 0 ? 'GeV' : '1', offset: 0, scale: 1 })),
          outputs: [{ name: 'level', kind: 'score', unit: '1' }],
          architecture: { kind: 'cuts', parameters: cutsParameterCount(params), format: 'hepml-cuts/1' },
          weights: 'cuts.json',
          metrics: {},
          workingPoints: [],
          lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'ts' },
        },
        new Map([['cuts.json', json]]),
      );
      const m = 800;
      const test = sample(rng, m);
      test.features[3 * 4 + 2] = Number.NaN; // fails the loosest level in both
      test.features[4 * 4] = 40; // exactly on an ET edge: the upper bin
      test.features[5 * 4] = 500; // beyond the last edge: clamped into the last bin
      const lowestWindow = params.lower.find((v) => Number.isFinite(v));
      if (lowestWindow !== undefined) test.features[6 * 4 + 2] = lowestWindow; // on a lower edge: passes (≤)
      const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(test.features, m);
      const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'cuts' });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const result = await session.run({ input: new ort.Tensor('float32', test.features, [m, 4]) });
      await session.release();
      expect(result.output?.dims).toEqual([m, 1]);
      expect(Array.from(result.output?.data as Float32Array)).toEqual(Array.from(expected));
      // Every level count occurs, from 0 (NaN, background) to all 4 passed.
      expect(new Set(expected).size).toBe(5);
    });
  }
});
