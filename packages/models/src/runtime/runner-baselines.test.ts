// createRunner dispatches the baseline kinds (C5) to the baselines' strict parsers and evaluators.
import { ELECTRON_ID_VARIABLES, generateElectronId } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { buildBaselineBundle } from '../baselines/bundle.ts';
import { fitGbdt } from '../baselines/gbdt.ts';
import { sampleMatrix } from '../baselines/matrix.ts';
import { readBundle } from '../bundle/build.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { type BaselineModel, evaluateBaseline } from './baselines/dispatch.ts';
import { createRunner } from './runner.ts';

const inputs = Object.keys(ELECTRON_ID_VARIABLES);
const sample = generateElectronId({ n: 600, seed: 41 });
const { features, n } = sampleMatrix(sample, inputs);
const model: BaselineModel = {
  kind: 'gbdt',
  params: fitGbdt({ inputs, features, n, target: sample.label, objective: 'binary', trees: 4 }),
};

async function bundle() {
  return buildBaselineBundle({
    name: 'electron-id-gbdt',
    task: 'electron-id',
    description: 'gbdt baseline',
    model,
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 41, createdAt: '2026-11-23T00:00:00Z', backend: 'none' },
  });
}

describe('createRunner on baselines', () => {
  it('evaluates a gbdt bundle read back from its files exactly as the baseline evaluator', async () => {
    const read = await readBundle((await bundle()).files);
    const runner = createRunner(read.manifest, Object.fromEntries(read.files));
    expect([runner.inputSize, runner.imageSize, runner.outputSize]).toEqual([inputs.length, 0, 1]);
    const got = runner.predict(features, n);
    expect(Array.from(got)).toEqual(Array.from(evaluateBaseline(model, features, n)));
    // A boosted classifier's scores are probabilities that separate the classes.
    let sig = 0;
    let bkg = 0;
    for (let r = 0; r < n; r++) {
      if (sample.label[r] === 1) sig += got[r] ?? 0;
      else bkg += got[r] ?? 0;
    }
    const nSig = sample.label.reduce((a, b) => a + b, 0);
    expect(sig / nSig).toBeGreaterThan(bkg / (n - nSig));
  });

  it('names the file when the JSON is broken, and refuses wrong shapes', async () => {
    const b = await bundle();
    const files = Object.fromEntries(b.files);
    const runner = createRunner(b.manifest, files);
    expect(() => runner.predict(features.subarray(0, 5), 1)).toThrow(ModelInputError);
    const broken = { ...files, [b.manifest.weights]: new TextEncoder().encode('{"format": 1') };
    expect(() => createRunner(b.manifest, broken)).toThrow(BundleError);
    try {
      createRunner(b.manifest, broken);
    } catch (e) {
      expect((e as BundleError).field).toBe(b.manifest.weights);
    }
  });
});
