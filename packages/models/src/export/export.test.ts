import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type BundleManifestV1, type DenseLayerV1, mlpParameterCount } from '../bundle/manifest.ts';
import { createMlpRunner } from '../runtime/mlp.ts';
import { denseChainOf } from './dense-chain.ts';
import { evaluateLwtnn, exportLwtnn } from './lwtnn.ts';
import { exportOnnx } from './onnx.ts';

/** Deterministic pseudo-random numbers in [-1, 1) (a fixed LCG, so the test is reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function network(layers: DenseLayerV1[], seed: number) {
  const rand = lcg(seed);
  const names = ['et', 'eta', 'rhad', 'reta', 'weta2'];
  const inputs = names.map((name, i) => ({ name, unit: i === 0 ? 'GeV' : '1', offset: rand() * 3, scale: 0.5 + i }));
  const parameters = mlpParameterCount(names.length, layers);
  const weights = Float32Array.from({ length: parameters }, () => rand() * 0.9);
  const manifest = {
    inputs,
    outputs: [{ name: 'score', kind: 'score', unit: '1' }],
    architecture: { kind: 'mlp', inputSize: names.length, layers, parameters },
  } as unknown as BundleManifestV1;
  const raw = Float32Array.from({ length: 64 * names.length }, () => rand() * 4);
  return { manifest, weights, raw, names };
}

const CASES: [string, DenseLayerV1[]][] = [
  [
    'relu → sigmoid',
    [
      { type: 'dense', units: 16, activation: 'relu' },
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ],
  ],
  [
    'tanh, elu → softmax (3 classes)',
    [
      { type: 'dense', units: 10, activation: 'tanh' },
      { type: 'dense', units: 10, activation: 'elu' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  ],
  [
    'linear (regression)',
    [
      { type: 'dense', units: 6, activation: 'elu' },
      { type: 'dense', units: 1, activation: 'linear' },
    ],
  ],
];

describe('ONNX export, checked by ONNX Runtime', () => {
  for (const [label, layers] of CASES) {
    it(`gives the hepml runtime's outputs within 1e-5: ${label}`, async () => {
      const { manifest, weights, raw, names } = network(layers, label.length);
      const expected = createMlpRunner(manifest, weights).predict(raw, 64);
      const bytes = exportOnnx(denseChainOf(manifest, weights), { name: 'test', metadata: { version: '1' } });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['output']);
      const result = await session.run({ input: new ort.Tensor('float32', raw, [64, names.length]) });
      const got = result.output?.data as Float32Array;
      const units = layers.at(-1)?.units ?? 0;
      expect(result.output?.dims).toEqual([64, units]);
      // Relative to the size of the outputs: the runtime folds the standardisation into the first
      // layer while ONNX applies it as Sub/Div, so values near zero differ by float32 rounding only.
      const size = Math.max(...Array.from(expected, Math.abs));
      let worst = 0;
      for (let k = 0; k < expected.length; k++) {
        worst = Math.max(worst, Math.abs((got[k] as number) - (expected[k] as number)) / size);
      }
      expect(worst).toBeLessThan(1e-5);
      // A wrong export could still agree on a constant output: check the outputs vary.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.01);
      await session.release();
    });
  }

  it('refuses what it cannot write exactly', () => {
    const manifest = { architecture: { kind: 'gbdt' } } as unknown as BundleManifestV1;
    expect(() => denseChainOf(manifest, new Float32Array(0))).toThrow(/architecture.kind/);
  });
});

describe('lwtnn JSON export', () => {
  it('evaluates, with lwtnn conventions, to the runtime outputs', () => {
    const [, layers] = CASES[1] as [string, DenseLayerV1[]];
    const { manifest, weights, raw, names } = network(layers, 7);
    const expected = createMlpRunner(manifest, weights).predict(raw, 64);
    const net = exportLwtnn(denseChainOf(manifest, weights));
    expect(net.inputs[0]).toEqual({
      name: 'et',
      offset: -(manifest.inputs[0]?.offset ?? 0),
      scale: 1 / (manifest.inputs[0]?.scale ?? 1),
    });
    expect(net.layers.map((l) => l.activation)).toEqual(['tanh', 'elu', 'softmax']);
    for (let r = 0; r < 64; r++) {
      const row = Object.fromEntries(names.map((n, i) => [n, raw[r * names.length + i] as number]));
      const out = evaluateLwtnn(net, row);
      for (let k = 0; k < 3; k++) expect(out[k]).toBeCloseTo(expected[r * 3 + k] as number, 5);
    }
  });
});
