// Issue 7: the projective likelihood exported as ONNX gives, under onnxruntime-node, the d′ of
// `createRunner` (the runtime's `evaluateLikelihood`) within 1e-6 relative (with and without bins).
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fitLikelihood } from '../baselines/likelihood.ts';
import { buildBundle } from '../bundle/build.ts';
import { likelihoodParameterCount, parseLikelihood, serializeLikelihood } from '../runtime/baselines/likelihood.ts';
import { createRunner } from '../runtime/runner.ts';
import { exportBundleOnnx } from './onnx.ts';

const NAMES = ['et', 'eta', 'rhad', 'reta', 'nSi'];

/** Seeded electron-like rows; nSi integer-valued (one density bin per value). */
function sample(rng: Rng, n: number): { features: Float32Array; labels: Int32Array } {
  const features = new Float32Array(n * 5);
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
        Math.min(12, Math.max(5, Math.round((s ? 9 : 8) + rng.normal()))),
      ],
      i * 5,
    );
  }
  return { features, labels };
}

describe('projective likelihood as ONNX', () => {
  for (const binned of [false, true]) {
    it(`gives evaluateLikelihood's d′ within 1e-6 relative (${binned ? 'ET × |η| bins, bin prior' : 'inclusive'})`, async () => {
      const rng = new Rng(binned ? 51 : 50);
      const n = 3000;
      const train = sample(rng, n);
      const fitted = fitLikelihood({
        inputs: NAMES,
        features: train.features,
        n,
        labels: train.labels,
        variables: ['rhad', 'reta', 'nSi'],
        binning: binned
          ? { etInput: 'et', etaInput: 'eta', etEdges: [15, 40, 100], absEtaEdges: [0, 1.37, 2.47] }
          : null,
        bins: 12,
        minEventsPerBin: 100,
      });
      const v1 = serializeLikelihood(fitted);
      // A density with fewer edges than the others of its variable, so the +∞ padding is exercised.
      const short = v1.bins[0]?.pdfs[0];
      if (short) {
        const keep = (p: number[]) => {
          const head = p.slice(0, 4);
          const total = head.reduce((a, b) => a + b, 0);
          return head.map((v) => v / total);
        };
        short.edges = short.edges.slice(0, 3);
        short.signal = keep(short.signal);
        short.background = keep(short.background);
      }
      const json = new TextEncoder().encode(JSON.stringify(v1));
      const params = parseLikelihood(JSON.parse(new TextDecoder().decode(json)));
      const bundle = await buildBundle(
        {
          format: 'hepml-bundle',
          formatVersion: 1,
          name: 'likelihood-export-test',
          task: 'electron-id',
          description: 'likelihood',
          inputs: NAMES.map((name, i) => ({ name, unit: i === 0 ? 'GeV' : '1', offset: 0, scale: 1 })),
          outputs: [{ name: 'score', kind: 'score', unit: '1' }],
          architecture: {
            kind: 'likelihood',
            parameters: likelihoodParameterCount(params),
            format: 'hepml-likelihood/1',
          },
          weights: 'likelihood.json',
          metrics: {},
          workingPoints: [],
          lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'ts' },
        },
        new Map([['likelihood.json', json]]),
      );
      const m = 800;
      const test = sample(rng, m);
      test.features[3 * 5 + 2] = Number.NaN; // NaN: the first density bin, as evaluateLikelihood puts it
      test.features[4 * 5 + 3] = Number.POSITIVE_INFINITY; // +∞: the last real bin, not the padding
      test.features[5 * 5] = 40; // on an ET edge: the upper bin
      test.features[6 * 5 + 2] = params.pdfs[0]?.[0]?.edges[2] ?? 0; // on a density edge: the upper bin
      test.features.set([20, 0.5, Number.POSITIVE_INFINITY], 7 * 5); // +∞ in the short density's bin
      const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(test.features, m);
      const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'lh' });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const result = await session.run({ input: new ort.Tensor('float32', test.features, [m, 5]) });
      await session.release();
      const got = result.output?.data as Float32Array;
      expect(result.output?.dims).toEqual([m, 1]);
      const floor = 1e-3 * Math.max(...Array.from(expected, Math.abs));
      let worst = 0;
      for (let k = 0; k < m; k++) {
        const e = expected[k] as number;
        worst = Math.max(worst, Math.abs((got[k] as number) - e) / Math.max(Math.abs(e), floor));
      }
      expect(worst).toBeLessThan(1e-6);
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
    });
  }
});
