// Issue 7: the GBDT baseline exported as an ai.onnx.ml tree ensemble gives, under onnxruntime-node,
// the outputs of `createRunner` (the runtime, which evaluates it with `evaluateGbdt`) within 1e-5 relative.
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fitGbdt } from '../baselines/gbdt.ts';
import { buildBundle } from '../bundle/build.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { type GbdtObjective, gbdtParameterCount, parseGbdt, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { createRunner } from '../runtime/runner.ts';
import { exportVariableSpec } from './lwtnn.ts';
import { exportBundleOnnx } from './onnx.ts';

const NAMES = ['e_raw', 'eta', 'rhad'];

/** Seeded rows: e_raw in 20–120 GeV, η in ±2.5, a shower-shape-like rhad; a few NaNs in rhad. */
function sample(rng: Rng, n: number): { features: Float32Array; classes: Int32Array; energy: Float64Array } {
  const features = new Float32Array(n * 3);
  const classes = new Int32Array(n);
  const energy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = 20 + 100 * rng.uniform();
    const eta = rng.range(-2.5, 2.5);
    const k = Math.floor(3 * rng.uniform());
    const rhad = 0.05 * k + 0.04 * rng.normal();
    features.set([e, eta, rhad], i * 3);
    classes[i] = k;
    energy[i] = e * (1.05 + 0.03 * Math.abs(eta) - 0.2 * rhad) * (1 + 0.02 * rng.normal());
  }
  return { features, classes, energy };
}

const CASES: { objective: GbdtObjective; outputs: BundleManifestV1['outputs'] }[] = [
  { objective: 'binary', outputs: [{ name: 'score', kind: 'score', unit: '1' }] },
  {
    objective: 'multiclass',
    outputs: [
      { name: 'p_w', kind: 'class-score', unit: '1' },
      { name: 'p_top', kind: 'class-score', unit: '1' },
      { name: 'p_qcd', kind: 'class-score', unit: '1' },
    ],
  },
  { objective: 'l2', outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }] },
];

describe('GBDT baseline as an ONNX-ML TreeEnsembleRegressor', () => {
  for (const [ci, c] of CASES.entries()) {
    it(`equals evaluateGbdt within 1e-5 relative: ${c.objective}`, async () => {
      const rng = new Rng(900 + ci);
      const n = 600;
      const train = sample(rng, n);
      const target =
        c.objective === 'binary'
          ? Array.from(train.classes, (k) => (k === 0 ? 1 : 0))
          : c.objective === 'multiclass'
            ? Array.from(train.classes)
            : Array.from(train.energy);
      const fitted = fitGbdt({
        inputs: NAMES,
        features: train.features,
        n,
        target,
        objective: c.objective,
        trees: 20,
        maxLeaves: 8,
        maxBins: 32,
        minDataInLeaf: 10,
        ...(c.objective === 'l2' ? { scaleBy: 'e_raw' } : {}),
      });
      const json = new TextEncoder().encode(JSON.stringify(serializeGbdt(fitted)));
      const params = parseGbdt(JSON.parse(new TextDecoder().decode(json)));
      const bundle = await buildBundle(
        {
          format: 'hepml-bundle',
          formatVersion: 1,
          name: 'gbdt-export-test',
          task: 'test',
          description: c.objective,
          inputs: NAMES.map((name, i) => ({ name, unit: i === 0 ? 'GeV' : '1', offset: 0, scale: 1 })),
          outputs: c.outputs,
          architecture: { kind: 'gbdt', parameters: gbdtParameterCount(params), format: 'hepml-gbdt/1' },
          weights: 'gbdt.json',
          metrics: {},
          workingPoints: [],
          lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'ts' },
        },
        new Map([['gbdt.json', json]]),
      );
      const m = 200;
      const test = sample(rng, m);
      test.features[5 * 3 + 2] = Number.NaN; // NaN goes right in both
      const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(test.features, m);
      const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'gbdt' });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const result = await session.run({ input: new ort.Tensor('float32', test.features, [m, 3]) });
      await session.release();
      const got = result.output?.data as Float32Array;
      expect(result.output?.dims).toEqual([m, c.outputs.length]);
      const floor = 1e-3 * Math.max(...Array.from(expected, Math.abs));
      let worst = 0;
      for (let k = 0; k < expected.length; k++) {
        const e = expected[k] as number;
        worst = Math.max(worst, Math.abs((got[k] as number) - e) / Math.max(Math.abs(e), floor));
      }
      expect(worst).toBeLessThan(1e-5);
      // Trees that split: the outputs vary over the rows.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.05 * Math.max(...expected));
      const spec = exportVariableSpec(bundle.manifest);
      expect(spec.inputs[0]?.variables.map((v) => [v.name, v.offset, v.scale])).toEqual(
        NAMES.map((name) => [name, -0, 1]),
      );
      expect(spec.hepml_lwtnn).toBe(false);
    });
  }
});
