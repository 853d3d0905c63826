import { describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle/build.ts';
import { mlpParameterCount } from '../bundle/manifest.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { createRunner } from './runner.ts';

const layers = [
  { type: 'dense' as const, units: 3, activation: 'relu' as const },
  { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
];

async function tinyBundle() {
  const parameters = mlpParameterCount(2, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => ((i * 37) % 11) / 10 - 0.5);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'tiny',
      task: 'electron-id',
      description: 'runner test',
      inputs: [
        { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
        { name: 'eta', unit: '1', offset: 0, scale: 2 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 2, layers, parameters },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'none' },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
  return { bundle, weights };
}

/** The MLP written out by hand in float64: standardise, dense+relu, dense+sigmoid. */
function reference(weights: Float32Array, et: number, eta: number): number {
  const w = Array.from(weights);
  const [x0, x1] = [(et - 40) / 10, eta / 2];
  const h = [0, 1, 2].map((j) => Math.max(0, (w[6 + j] ?? 0) + x0 * (w[j] ?? 0) + x1 * (w[3 + j] ?? 0)));
  let z = w[12] ?? 0;
  for (let j = 0; j < 3; j++) z += (h[j] ?? 0) * (w[9 + j] ?? 0);
  return 1 / (1 + Math.exp(-z));
}

describe('createRunner', () => {
  it('evaluates an mlp bundle on raw inputs like the hand-written network', async () => {
    const { bundle, weights } = await tinyBundle();
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    expect([runner.inputSize, runner.imageSize, runner.outputSize]).toEqual([2, 0, 1]);
    const rows = [
      [35, -1.2],
      [60, 0.3],
      [12, 2.4],
    ];
    const out = runner.predict(Float32Array.from(rows.flat()), rows.length);
    expect(out).toHaveLength(3);
    for (const [r, [et = 0, eta = 0]] of rows.entries()) expect(out[r]).toBeCloseTo(reference(weights, et, eta), 6);
  });

  it('gives the same outputs with the TypeScript kernels forced', async () => {
    const { bundle } = await tinyBundle();
    const files = Object.fromEntries(bundle.files);
    const x = Float32Array.from([35, -1.2, 60, 0.3, 12, 2.4, 41, 0]);
    const a = createRunner(bundle.manifest, files).predict(x, 4);
    const b = createRunner(bundle.manifest, files, { kernels: 'ts' }).predict(x, 4);
    for (let k = 0; k < 4; k++) expect(a[k]).toBeCloseTo(b[k] ?? Number.NaN, 6);
  });

  it('refuses wrong lengths, an image, and a missing weights file', async () => {
    const { bundle } = await tinyBundle();
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    expect(() => runner.predict(new Float32Array(5), 3)).toThrow(ModelInputError);
    expect(() => runner.predict(new Float32Array(2), 1, new Float32Array(4))).toThrow(ModelInputError);
    expect(() => createRunner(bundle.manifest, {})).toThrow(BundleError);
  });
});
