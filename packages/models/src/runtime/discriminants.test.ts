import { describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle/build.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { scoreOutputIndex } from './discriminants.ts';
import { createRunner } from './runner.ts';

const OUTPUTS: BundleManifestV1['outputs'] = [
  { name: 'p_qcd', kind: 'class-score', unit: '1' },
  { name: 'p_w', kind: 'class-score', unit: '1' },
  { name: 'p_top', kind: 'class-score', unit: '1' },
  { name: 'w_vs_qcd', kind: 'score', unit: '1', discriminant: { signal: ['p_w'], background: ['p_qcd'] } },
  {
    name: 'signal_vs_qcd',
    kind: 'score',
    unit: '1',
    discriminant: { signal: ['p_w', 'p_top'], background: ['p_qcd'] },
  },
];

/** A one-layer softmax on two inputs whose logits are the inputs themselves and 0: z = (x0, x1, 0). */
async function softmaxBundle() {
  const weights = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0]);
  const draft: Omit<BundleManifestV1, 'files'> = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'softmax',
    task: 'boosted-jet',
    description: 'test',
    inputs: [
      { name: 'z_qcd', unit: '1', offset: 0, scale: 1 },
      { name: 'z_w', unit: '1', offset: 0, scale: 1 },
    ],
    outputs: OUTPUTS,
    architecture: {
      kind: 'mlp',
      inputSize: 2,
      layers: [{ type: 'dense', units: 3, activation: 'softmax' }],
      parameters: 9,
    },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    evaluation: { split: { train: 1, validation: 1, test: 1 }, reference: 'w_vs_qcd' },
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
  };
  return buildBundle(draft, new Map([['weights.bin', new Uint8Array(weights.buffer)]]));
}

describe('discriminant outputs', () => {
  it('appends p_w/(p_w + p_qcd) = σ(z_w − z_qcd) and sums of classes, on both kernels', async () => {
    const bundle = await softmaxBundle();
    const rows = [
      [0, 0],
      [2, -1],
      [-30, 40],
      [5, 5],
    ];
    for (const kernels of ['auto', 'ts'] as const) {
      const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files), { kernels });
      expect(runner.outputSize).toBe(5);
      const out = runner.predict(Float32Array.from(rows.flat()), rows.length);
      rows.forEach(([zq, zw], r) => {
        const sigmoid = 1 / (1 + Math.exp(-((zw as number) - (zq as number))));
        expect(out[r * 5 + 3]).toBeCloseTo(sigmoid, 6);
        const e = [Math.exp(zq as number), Math.exp(zw as number), 1];
        expect(out[r * 5 + 4]).toBeCloseTo(((e[1] as number) + 1) / ((e[0] as number) + (e[1] as number) + 1), 6);
        const probabilities = Array.from(out.subarray(r * 5, r * 5 + 3));
        expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      });
    }
  });

  it('gives 0 when both class sums are 0', async () => {
    const bundle = await softmaxBundle();
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files), { kernels: 'ts' });
    // z_top = 0 against −200: p_qcd and p_w underflow to 0 in float32.
    const out = runner.predict(Float32Array.from([-200, -200]), 1);
    expect(out[1]).toBe(0);
    expect(out[3]).toBe(0);
    expect(out[2]).toBe(1);
  });

  it('serves the evaluation reference as the score', async () => {
    const bundle = await softmaxBundle();
    expect(scoreOutputIndex(bundle.manifest)).toBe(3);
    const { evaluation: _, ...noReference } = bundle.manifest;
    expect(scoreOutputIndex(noReference)).toBe(3);
    expect(scoreOutputIndex({ outputs: OUTPUTS.slice(0, 3) })).toBe(0);
    expect(scoreOutputIndex({ outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }] })).toBe(-1);
  });
});
