// The cnn-film runtime against TensorFlow.js (issue 5: outputs equal tfjs's within 1e-5 relative on
// random inputs): the same schema built as a tfjs functional model with the same weights.
import { Rng } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCaloTrunk } from '../architectures/cnn-film.ts';
import { buildBundle } from '../bundle/build.ts';
import { type CnnFilmArchitectureV1, cnnFilmParameterCount, planCnnTrunk } from '../bundle/cnn-film.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { ModelInputError } from '../errors.ts';
import { CNN_BLOCK, createCnnFilmRunner } from './cnn-film.ts';
import { createRunner } from './runner.ts';
import { wasmKernels } from './wasm-kernels.ts';

type Arch = Omit<CnnFilmArchitectureV1, 'parameters' | 'kind'>;

interface Case {
  name: string;
  shape: [number, number, number];
  arch: Arch;
  outputs: BundleManifestV1['outputs'];
}

const INPUTS = [
  { name: 'e_raw', unit: 'GeV', offset: 60, scale: 25 },
  { name: 'eta', unit: '1', offset: 0, scale: 1.4 },
  { name: 'mu', unit: '1', offset: 30, scale: 10 },
];

const CASES: Case[] = [
  {
    name: 'same conv + folded batch norm + FiLM with a hidden layer + max pool + global average + concat',
    shape: [7, 7, 2],
    arch: {
      inputSize: 3,
      imageScale: 5,
      layers: [
        {
          type: 'conv2d',
          filters: 6,
          kernelSize: [3, 3],
          strides: [1, 1],
          padding: 'same',
          useBias: true,
          activation: 'linear',
        },
        { type: 'batch-norm', epsilon: 0.001 },
        { type: 'activation', activation: 'relu' },
        { type: 'film', hidden: [{ type: 'dense', units: 8, activation: 'elu' }] },
        { type: 'max-pool', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
        {
          type: 'conv2d',
          filters: 4,
          kernelSize: [2, 2],
          strides: [1, 1],
          padding: 'valid',
          useBias: false,
          activation: 'tanh',
        },
        { type: 'global-avg-pool' },
      ],
      concatScalars: true,
      head: [
        { type: 'dense', units: 10, activation: 'relu' },
        { type: 'dense', units: 2, activation: 'sigmoid' },
      ],
      outputScale: 'e_raw',
    },
    outputs: [
      { name: 'energy', kind: 'energy', unit: 'GeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ],
  },
  {
    name: 'strided same conv, unfolded batch norm, same avg pool, FiLM without hidden layer, flatten, softmax',
    shape: [9, 8, 1],
    arch: {
      inputSize: 3,
      imageScale: 2,
      layers: [
        {
          type: 'conv2d',
          filters: 5,
          kernelSize: [3, 2],
          strides: [2, 1],
          padding: 'same',
          useBias: true,
          activation: 'relu',
        },
        { type: 'batch-norm', epsilon: 0.01 },
        { type: 'film', hidden: [] },
        { type: 'avg-pool', poolSize: [3, 3], strides: [2, 2], padding: 'same' },
        { type: 'activation', activation: 'sigmoid' },
        { type: 'max-pool', poolSize: [2, 3], strides: [1, 2], padding: 'same' },
        { type: 'flatten' },
      ],
      concatScalars: false,
      head: [{ type: 'dense', units: 3, activation: 'softmax' }],
    },
    outputs: [
      { name: 'p_w', kind: 'class-score', unit: '1' },
      { name: 'p_top', kind: 'class-score', unit: '1' },
      { name: 'p_qcd', kind: 'class-score', unit: '1' },
    ],
  },
  // Issue 10: the default calorimeter trunk (8 and 16 filters, the wasm tiles of 8), then 13
  // strided filters with elu (tiles of 8 and 4, one filter alone; FiLM not fused).
  {
    name: 'default calorimeter trunk, then 13 strided filters with elu and FiLM',
    shape: [7, 11, 4],
    arch: {
      inputSize: 3,
      imageScale: 50,
      layers: [
        ...defaultCaloTrunk().slice(0, -1),
        {
          type: 'conv2d',
          filters: 13,
          kernelSize: [2, 3],
          strides: [1, 2],
          padding: 'same',
          useBias: true,
          activation: 'elu',
        },
        { type: 'film', hidden: [] },
        { type: 'flatten' },
      ],
      concatScalars: true,
      head: [
        { type: 'dense', units: 32, activation: 'relu' },
        { type: 'dense', units: 2, activation: 'linear' },
      ],
    },
    outputs: [
      { name: 'energy', kind: 'energy', unit: 'GeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ],
  },
];

/** The schema as a tfjs model on (image / imageScale, standardised scalars), and its weights in bundle order. */
function buildTfjs(c: Case, rng: Rng): { model: tf.LayersModel; weights: Float32Array } {
  const { arch, shape } = c;
  const chunks: Float32Array[] = [];
  const assign = (layer: tf.layers.Layer, positive: ReadonlySet<number> = new Set()) => {
    const values = layer.getWeights().map((t, k) => {
      const v = Float32Array.from({ length: t.size }, () =>
        positive.has(k) ? rng.range(0.5, 1.5) : rng.range(-0.6, 0.6),
      );
      chunks.push(v);
      return tf.tensor(v, t.shape);
    });
    layer.setWeights(values);
  };
  const imageIn = tf.input({ shape });
  const scalarsIn = tf.input({ shape: [arch.inputSize] });
  const { plans } = planCnnTrunk(shape, arch.inputSize, arch.layers);
  const pending: [tf.layers.Layer, Set<number>][] = [];
  const use = <T extends tf.layers.Layer>(layer: T, positive: Set<number> = new Set()): T => {
    pending.push([layer, positive]);
    return layer;
  };
  let x = imageIn as tf.SymbolicTensor;
  for (const { layer, input } of plans) {
    switch (layer.type) {
      case 'conv2d':
        x = use(tf.layers.conv2d({ ...layer, kernelSize: layer.kernelSize, strides: layer.strides })).apply(
          x,
        ) as tf.SymbolicTensor;
        break;
      case 'batch-norm':
        x = use(tf.layers.batchNormalization({ epsilon: layer.epsilon }), new Set([3])).apply(x) as tf.SymbolicTensor;
        break;
      case 'activation':
        x = tf.layers.activation({ activation: layer.activation }).apply(x) as tf.SymbolicTensor;
        break;
      case 'max-pool':
      case 'avg-pool': {
        const make = layer.type === 'max-pool' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
        x = make({ poolSize: layer.poolSize, strides: layer.strides, padding: layer.padding }).apply(
          x,
        ) as tf.SymbolicTensor;
        break;
      }
      case 'film': {
        const channels = input[2] ?? 1;
        let h = scalarsIn as tf.SymbolicTensor;
        for (const d of layer.hidden) {
          h = use(tf.layers.dense({ units: d.units, activation: d.activation })).apply(h) as tf.SymbolicTensor;
        }
        const gamma = use(tf.layers.dense({ units: channels })).apply(h) as tf.SymbolicTensor;
        const beta = use(tf.layers.dense({ units: channels })).apply(h) as tf.SymbolicTensor;
        const g = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(gamma) as tf.SymbolicTensor;
        const b = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(beta) as tf.SymbolicTensor;
        const scaled = tf.layers.multiply().apply([x, g]) as tf.SymbolicTensor;
        x = tf.layers.add().apply([scaled, b]) as tf.SymbolicTensor;
        break;
      }
      case 'global-avg-pool':
        x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
        break;
      case 'flatten':
        x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
        break;
    }
  }
  if (arch.concatScalars) x = tf.layers.concatenate().apply([x, scalarsIn]) as tf.SymbolicTensor;
  for (const d of arch.head)
    x = use(tf.layers.dense({ units: d.units, activation: d.activation })).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [imageIn, scalarsIn], outputs: x });
  for (const [layer, positive] of pending) assign(layer, positive);
  const total = chunks.reduce((s, v) => s + v.length, 0);
  const weights = new Float32Array(total);
  let o = 0;
  for (const v of chunks) {
    weights.set(v, o);
    o += v.length;
  }
  return { model, weights };
}

function manifestOf(c: Case): Omit<BundleManifestV1, 'files'> {
  return {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'cnn-film-test',
    task: 'energy-regression',
    description: c.name,
    inputs: INPUTS,
    image: { name: 'cells', shape: c.shape, unit: 'GeV' },
    outputs: c.outputs,
    architecture: { kind: 'cnn-film', ...c.arch, parameters: cnnFilmParameterCount(c.shape, c.arch) },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 7, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cnn-film runtime vs tfjs', () => {
  for (const [ci, c] of CASES.entries()) {
    it(`equals tfjs within 1e-5 relative: ${c.name}`, async () => {
      const rng = new Rng(100 + ci);
      const { model, weights } = buildTfjs(c, rng);
      const bundle = await buildBundle(manifestOf(c), new Map([['weights.bin', new Uint8Array(weights.buffer)]]));
      const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
      const n = 12;
      const imageSize = c.shape[0] * c.shape[1] * c.shape[2];
      expect([runner.inputSize, runner.imageSize, runner.outputSize]).toEqual([3, imageSize, c.outputs.length]);
      const features = Float32Array.from({ length: n * 3 }, (_, k) => {
        const input = INPUTS[k % 3] ?? INPUTS[0];
        return input ? input.offset + input.scale * rng.normal() : 0;
      });
      // Sparse, positive cell energies as in a calorimeter window (GeV).
      const image = Float32Array.from({ length: n * imageSize }, () => (rng.uniform() < 0.4 ? 0 : 20 * rng.uniform()));
      expect(wasmKernels()).not.toBeNull();
      const tsRunner = createCnnFilmRunner(bundle.manifest, new Float32Array(weights), { kernels: 'ts' });

      const scalars = features.map((v, k) => {
        const input = INPUTS[k % 3];
        return input ? (v - input.offset) / input.scale : v;
      });
      const out = tf.tidy(() => {
        const y = model.predict([
          tf.tensor(image, [n, ...c.shape]).div(c.arch.imageScale),
          tf.tensor(scalars, [n, 3]),
        ]) as tf.Tensor;
        return y.dataSync().slice();
      });
      const expected = Float32Array.from(out, (v, k) =>
        c.arch.outputScale ? v * (features[Math.floor(k / c.outputs.length) * 3] ?? 0) : v,
      );
      // Both paths: convolutions on the wasm kernels (createRunner's default) and on TypeScript loops.
      for (const [path, r] of [
        ['wasm', runner],
        ['ts', tsRunner],
      ] as const) {
        const got = r.predict(features, n, image);
        expect(got).toHaveLength(expected.length);
        const floor = 1e-3 * Math.max(...expected.map(Math.abs));
        let worst = 0;
        for (let k = 0; k < expected.length; k++) {
          const e = expected[k] ?? 0;
          worst = Math.max(worst, Math.abs((got[k] ?? 0) - e) / Math.max(Math.abs(e), floor));
        }
        expect(worst, path).toBeLessThan(1e-5);
      }
      // The outputs must depend on the image and on the scalars (FiLM), or the comparison proves little.
      const spread = Math.max(...expected) - Math.min(...expected);
      expect(spread).toBeGreaterThan(1e-3 * Math.max(...expected.map(Math.abs)));
      model.dispose();
    });
  }

  // Issue 10: the wasm path runs every layer on blocks of CNN_BLOCK rows and tiles convolutions by
  // 4 output pixels × 8 filters; row counts and filter counts off those multiples take the tails.
  for (const [ci, c] of CASES.entries()) {
    it(`gives the same outputs on wasm and TypeScript kernels at 1, 7, ${CNN_BLOCK + 1} and 300 rows: ${c.name}`, async () => {
      const rng = new Rng(900 + ci);
      // Weights in bundle order with positive batch-norm variances, as for the tfjs comparison.
      const { model, weights } = buildTfjs(c, rng);
      model.dispose();
      const manifest = manifestOf(c) as BundleManifestV1;
      const wasm = createCnnFilmRunner(manifest, weights);
      const ts = createCnnFilmRunner(manifest, weights, { kernels: 'ts' });
      const imageSize = c.shape[0] * c.shape[1] * c.shape[2];
      for (const n of [1, 7, CNN_BLOCK + 1, 300]) {
        const features = Float32Array.from({ length: n * 3 }, (_, k) => {
          const input = INPUTS[k % 3];
          return input ? input.offset + input.scale * rng.normal() : 0;
        });
        const image = Float32Array.from({ length: n * imageSize }, () =>
          rng.uniform() < 0.4 ? 0 : 20 * rng.uniform(),
        );
        const a = wasm.predict(features, n, image);
        const b = ts.predict(features, n, image);
        expect(a).toHaveLength(b.length);
        // Both paths round to float32 at every step, in different orders: an output near zero that
        // is a difference of terms near the largest output differs by a few ulps of that scale.
        const scale = Math.max(...b.map(Math.abs));
        let worst = 0;
        for (let k = 0; k < b.length; k++) {
          const e = b[k] ?? 0;
          worst = Math.max(worst, Math.abs((a[k] ?? Number.NaN) - e) / (1e-5 * Math.abs(e) + 1e-6 * scale));
        }
        expect(worst, `n=${n}`).toBeLessThan(1);
        // Rows must differ, or a block computed once and copied would pass.
        if (n > 1) expect(a[a.length - 1]).not.toBe(a[c.outputs.length - 1]);
      }
    });
  }

  it('refuses a missing or mis-sized image', async () => {
    const c = CASES[0] as Case;
    const { model, weights } = buildTfjs(c, new Rng(1));
    model.dispose();
    const bundle = await buildBundle(manifestOf(c), new Map([['weights.bin', new Uint8Array(weights.buffer)]]));
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    expect(() => runner.predict(new Float32Array(3), 1)).toThrow(ModelInputError);
    expect(() => runner.predict(new Float32Array(3), 1, new Float32Array(97))).toThrow(ModelInputError);
  });
});
