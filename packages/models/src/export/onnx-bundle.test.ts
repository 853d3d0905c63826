// Issue 7 (export for the experiments' own software): every network kind exported to ONNX by our
// writer gives, under onnxruntime-node, the outputs of `createRunner` (the hepml runtime) within
// 1e-5 relative, on seeded random weights and inputs.
import { Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle/build.ts';
import { type CnnFilmArchitectureV1, cnnFilmParameterCount, planCnnTrunk } from '../bundle/cnn-film.ts';
import { type BundleManifestV1, type DenseLayerV1, mlpParameterCount } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { createRunner } from '../runtime/runner.ts';
import { denseChainOf } from './dense-chain.ts';
import { evaluateLwtnn, exportLwtnn, exportVariableSpec } from './lwtnn.ts';
import { exportBundleOnnx } from './onnx.ts';

const INPUTS = [
  { name: 'e_raw', unit: 'GeV', offset: 60, scale: 25 },
  { name: 'eta', unit: '1', offset: 0, scale: 1.4 },
  { name: 'mu', unit: '1', offset: 30, scale: 10 },
];

type Outputs = BundleManifestV1['outputs'];
type CnnArch = Omit<CnnFilmArchitectureV1, 'parameters' | 'kind'>;

function manifestOf(
  architecture: BundleManifestV1['architecture'],
  outputs: Outputs,
  image?: [number, number, number],
): Omit<BundleManifestV1, 'files'> {
  const m: Omit<BundleManifestV1, 'files'> = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'export-test',
    task: 'test',
    description: 'export test',
    inputs: INPUTS,
    outputs,
    architecture,
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 7, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
  };
  if (image) m.image = { name: 'cells', shape: image, unit: 'GeV' };
  return m;
}

/** Largest |got − expected| / max(|expected|, 1e-3 · max|expected|): relative, with a floor near zero. */
function worstRelative(got: Float32Array, expected: Float32Array): number {
  const floor = 1e-3 * Math.max(...Array.from(expected, Math.abs));
  let worst = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k] as number;
    worst = Math.max(worst, Math.abs((got[k] as number) - e) / Math.max(Math.abs(e), floor));
  }
  return worst;
}

async function runOnnx(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const result = await session.run(feeds);
    const out = result.output;
    if (!out) throw new Error('no output');
    return out;
  } finally {
    await session.release();
  }
}

function scalarRows(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n * INPUTS.length }, (_, k) => {
    const input = INPUTS[k % INPUTS.length] ?? INPUTS[0];
    // Energies positive (they scale the outputs), the others around their offsets.
    return k % INPUTS.length === 0
      ? 20 + 80 * rng.uniform()
      : (input?.offset ?? 0) + (input?.scale ?? 1) * rng.normal();
  });
}

const MLP_CASES: [string, DenseLayerV1[], Outputs][] = [
  [
    'multi-class softmax (W/top/QCD)',
    [
      { type: 'dense', units: 12, activation: 'relu' },
      { type: 'dense', units: 8, activation: 'tanh' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
    [
      { name: 'p_w', kind: 'class-score', unit: '1' },
      { name: 'p_top', kind: 'class-score', unit: '1' },
      { name: 'p_qcd', kind: 'class-score', unit: '1' },
    ],
  ],
  [
    'energy regression (linear: energy and resolution in GeV)',
    [
      { type: 'dense', units: 10, activation: 'elu' },
      { type: 'dense', units: 2, activation: 'linear' },
    ],
    [
      { name: 'energy', kind: 'energy', unit: 'GeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ],
  ],
  [
    'correction factor (sigmoid score and a correction)',
    [
      { type: 'dense', units: 6, activation: 'sigmoid' },
      { type: 'dense', units: 1, activation: 'linear' },
    ],
    [{ name: 'correction', kind: 'correction', unit: '1' }],
  ],
  [
    'multi-class softmax with the W-vs-QCD discriminant p_w/(p_w + p_qcd) appended',
    [
      { type: 'dense', units: 12, activation: 'relu' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
    [
      { name: 'p_qcd', kind: 'class-score', unit: '1' },
      { name: 'p_w', kind: 'class-score', unit: '1' },
      { name: 'p_top', kind: 'class-score', unit: '1' },
      { name: 'w_vs_qcd', kind: 'score', unit: '1', discriminant: { signal: ['p_w'], background: ['p_qcd'] } },
      { name: 'top_vs_qcd', kind: 'score', unit: '1', discriminant: { signal: ['p_top'], background: ['p_qcd'] } },
    ],
  ],
];

describe('ONNX export of mlp bundles vs createRunner', () => {
  for (const [ci, [label, layers, outputs]] of MLP_CASES.entries()) {
    it(`equals the runtime within 1e-5 relative: ${label}`, async () => {
      const rng = new Rng(700 + ci);
      const parameters = mlpParameterCount(INPUTS.length, layers);
      const weights = Float32Array.from({ length: parameters }, () => rng.range(-0.8, 0.8));
      const arch = { kind: 'mlp' as const, inputSize: INPUTS.length, layers, parameters };
      const bundle = await buildBundle(
        manifestOf(arch, outputs),
        new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
      );
      const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
      const n = 40;
      const features = scalarRows(rng, n);
      const expected = runner.predict(features, n);
      const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'mlp' });
      const out = await runOnnx(bytes, { input: new ort.Tensor('float32', features, [n, INPUTS.length]) });
      expect(out.dims).toEqual([n, outputs.length]);
      expect(worstRelative(out.data as Float32Array, expected)).toBeLessThan(1e-5);
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.01);
    });
  }
});

describe('sigmoid scores deep in the tails', () => {
  it("keeps 1e-5 relative down to σ ≈ 1e-8 (ONNX Runtime's own Sigmoid operator does not)", async () => {
    // One dense sigmoid unit on e_raw alone: logits 8·(e_raw − 60)/25 − 5 from about −18 to +8.
    const layers: DenseLayerV1[] = [{ type: 'dense', units: 1, activation: 'sigmoid' }];
    const weights = Float32Array.from([8, 0, 0, -5]);
    const arch = { kind: 'mlp' as const, inputSize: 3, layers, parameters: 4 };
    const bundle = await buildBundle(
      manifestOf(arch, [{ name: 'score', kind: 'score', unit: '1' }]),
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    const n = 101;
    const features = Float32Array.from({ length: n * 3 }, (_, k) => (k % 3 === 0 ? 3 + Math.floor(k / 3) : 0));
    const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(features, n);
    expect(Math.min(...expected)).toBeLessThan(1e-7);
    const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'tails' });
    const out = await runOnnx(bytes, { input: new ort.Tensor('float32', features, [n, 3]) });
    const got = out.data as Float32Array;
    let worst = 0;
    for (let k = 0; k < n; k++) {
      worst = Math.max(worst, Math.abs((got[k] as number) - (expected[k] as number)) / (expected[k] as number));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});

const CNN_CASES: { name: string; shape: [number, number, number]; arch: CnnArch; outputs: Outputs }[] = [
  {
    name: 'same conv + batch norm (folded by the runtime) + FiLM with hidden layer + max pool + global average + concat + output scale',
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
    name: 'strided same conv, unfolded batch norm, same avg pool, FiLM without hidden layer, same max pool, flatten, softmax',
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
];

/** Random weights in bundle order; batch-norm variances (and γ) positive as a trained net has them. */
function cnnWeights(shape: [number, number, number], arch: CnnArch, rng: Rng): Float32Array {
  const total = cnnFilmParameterCount(shape, arch);
  const weights = Float32Array.from({ length: total }, () => rng.range(-0.6, 0.6));
  let at = 0;
  for (const plan of planCnnTrunk(shape, arch.inputSize, arch.layers).plans) {
    if (plan.layer.type === 'batch-norm') {
      const c = plan.parameters / 4;
      for (let k = 0; k < c; k++) {
        weights[at + k] = rng.range(0.5, 1.5);
        weights[at + 3 * c + k] = rng.range(0.5, 1.5);
      }
    }
    at += plan.parameters;
  }
  return weights;
}

describe('ONNX export of cnn-film bundles vs createRunner', () => {
  for (const [ci, c] of CNN_CASES.entries()) {
    it(`equals the runtime within 1e-5 relative: ${c.name}`, async () => {
      const rng = new Rng(800 + ci);
      const weights = cnnWeights(c.shape, c.arch, rng);
      const arch = { kind: 'cnn-film' as const, ...c.arch, parameters: weights.length };
      const bundle = await buildBundle(
        manifestOf(arch, c.outputs, c.shape),
        new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
      );
      const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
      const n = 16;
      const features = scalarRows(rng, n);
      const imageSize = c.shape[0] * c.shape[1] * c.shape[2];
      // Sparse, positive cell energies as in a calorimeter window (GeV).
      const image = Float32Array.from({ length: n * imageSize }, () => (rng.uniform() < 0.4 ? 0 : 20 * rng.uniform()));
      const expected = runner.predict(features, n, image);
      const bytes = exportBundleOnnx(bundle.manifest, Object.fromEntries(bundle.files), { name: 'cnn' });
      const out = await runOnnx(bytes, {
        input: new ort.Tensor('float32', features, [n, INPUTS.length]),
        image: new ort.Tensor('float32', image, [n, ...c.shape]),
      });
      expect(out.dims).toEqual([n, c.outputs.length]);
      expect(worstRelative(out.data as Float32Array, expected)).toBeLessThan(1e-5);
      // The outputs must depend on the rows, or agreeing proves little.
      const spread = Math.max(...expected) - Math.min(...expected);
      expect(spread).toBeGreaterThan(1e-3 * Math.max(...Array.from(expected, Math.abs)));
      // And on the image: the same scalars with another image change them (the layout matters).
      const flipped = image.slice().reverse();
      const other = await runOnnx(bytes, {
        input: new ort.Tensor('float32', features, [n, INPUTS.length]),
        image: new ort.Tensor('float32', flipped, [n, ...c.shape]),
      });
      expect(worstRelative(other.data as Float32Array, runner.predict(features, n, flipped))).toBeLessThan(1e-5);
      expect(worstRelative(other.data as Float32Array, expected)).toBeGreaterThan(1e-3);
    });
  }
});

describe('lwtnn variable spec beside the ONNX file', () => {
  it('names the inputs in order with lwtnn offsets and scales, the outputs, the image layout', async () => {
    const c = CNN_CASES[0] as (typeof CNN_CASES)[0];
    const weights = cnnWeights(c.shape, c.arch, new Rng(1));
    const arch = { kind: 'cnn-film' as const, ...c.arch, parameters: weights.length };
    const { manifest } = await buildBundle(
      manifestOf(arch, c.outputs, c.shape),
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    const spec = exportVariableSpec(manifest);
    expect(spec.inputs).toEqual([
      {
        name: 'input',
        variables: [
          { name: 'e_raw', offset: -60, scale: 1 / 25 },
          { name: 'eta', offset: -0, scale: 1 / 1.4 },
          { name: 'mu', offset: -30, scale: 1 / 10 },
        ],
      },
    ]);
    expect(spec.outputs).toEqual([{ name: 'output', labels: ['energy', 'sigma'] }]);
    expect(spec.hepml_image).toEqual({
      name: 'cells',
      tensor: 'image',
      shape: [7, 7, 2],
      layout: 'NHWC',
      unit: 'GeV',
      imageScale: 5,
    });
    expect(spec.hepml_output_scale).toBe('e_raw');
    expect(spec.hepml_lwtnn).toBe(false);
  });

  it('the mlp lwtnn network evaluates to the runtime outputs (softmax classes)', async () => {
    const [, layers, outputs] = MLP_CASES[0] as (typeof MLP_CASES)[0];
    const rng = new Rng(5);
    const parameters = mlpParameterCount(INPUTS.length, layers);
    const weights = Float32Array.from({ length: parameters }, () => rng.range(-0.8, 0.8));
    const arch = { kind: 'mlp' as const, inputSize: INPUTS.length, layers, parameters };
    const bundle = await buildBundle(
      manifestOf(arch, outputs),
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    const n = 10;
    const features = scalarRows(rng, n);
    const expected = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(features, n);
    const net = exportLwtnn(denseChainOf(bundle.manifest, weights));
    expect(net.outputs).toEqual(['p_w', 'p_top', 'p_qcd']);
    const spec = exportVariableSpec(bundle.manifest);
    expect(spec.hepml_lwtnn).toBe(true);
    for (let r = 0; r < n; r++) {
      const row = Object.fromEntries(INPUTS.map((inp, i) => [inp.name, features[r * 3 + i] as number]));
      const got = evaluateLwtnn(net, row);
      for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(expected[r * 3 + k] as number, 5);
    }
  });

  it('lwtnn keeps the network outputs and names the discriminants it cannot compute', async () => {
    const [, layers, outputs] = MLP_CASES.find(([label]) => label.includes('discriminant')) as (typeof MLP_CASES)[0];
    const parameters = mlpParameterCount(INPUTS.length, layers);
    const weights = new Float32Array(parameters).fill(0.1);
    const arch = { kind: 'mlp' as const, inputSize: INPUTS.length, layers, parameters };
    const bundle = await buildBundle(
      manifestOf(arch, outputs),
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    const net = exportLwtnn(denseChainOf(bundle.manifest, weights));
    expect(net.outputs).toEqual(['p_qcd', 'p_w', 'p_top']);
    expect(JSON.parse(net.miscellaneous.discriminants ?? '[]')).toEqual([
      { name: 'w_vs_qcd', signal: ['p_w'], background: ['p_qcd'] },
      { name: 'top_vs_qcd', signal: ['p_top'], background: ['p_qcd'] },
    ]);
    expect(exportVariableSpec(bundle.manifest).hepml_outputs[3]?.discriminant).toEqual({
      signal: ['p_w'],
      background: ['p_qcd'],
    });
  });

  it('refuses a baseline file that does not match its manifest, naming the field', () => {
    const m = manifestOf({ kind: 'likelihood', parameters: 3, format: 'hepml-likelihood/1' }, [
      { name: 'score', kind: 'score', unit: '1' },
    ]) as BundleManifestV1;
    const files = { 'weights.bin': new TextEncoder().encode('{"format": "hepml-likelihood"') };
    expect(() => exportBundleOnnx(m, files, { name: 'x' })).toThrow(BundleError);
    expect(() => exportBundleOnnx(m, files, { name: 'x' })).toThrow(/weights.bin: not valid UTF-8 JSON/);
  });
});
