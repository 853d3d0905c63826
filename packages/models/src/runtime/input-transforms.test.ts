import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  type BundleInputV1,
  type BundleManifestV1,
  type DenseLayerV1,
  mlpParameterCount,
  parseManifest,
  transformInput,
} from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { denseChainOf } from '../export/dense-chain.ts';
import { exportLwtnn, exportVariableSpec, lwtnnExpresses } from '../export/lwtnn.ts';
import { exportOnnx } from '../export/onnx.ts';
import { createCnnFilmRunner } from './cnn-film.ts';
import { createMlpRunner } from './mlp.ts';

/** Deterministic pseudo-random numbers in [0, 1) (a fixed LCG, so the test is reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LAYERS: DenseLayerV1[] = [
  { type: 'dense', units: 8, activation: 'tanh' },
  { type: 'dense', units: 1, activation: 'sigmoid' },
];

// P_uds-like (decades, exact zeros), a χ² difference (ln(1 + x)), and one plain input.
const INPUTS: BundleInputV1[] = [
  { name: 'pUds', unit: '1', offset: -8, scale: 12, transform: { kind: 'log', shift: 0, floor: 1e-30 } },
  { name: 'deltaChi2', unit: '1', offset: 1.5, scale: 1.2, transform: { kind: 'log', shift: 1, floor: 1 } },
  { name: 'sumPt2', unit: 'GeV^2', offset: 3, scale: 2 },
];

function mlpManifest(inputs: BundleInputV1[]): BundleManifestV1 {
  const parameters = mlpParameterCount(inputs.length, LAYERS);
  return {
    inputs,
    outputs: [{ name: 'score', kind: 'score', unit: '1' }],
    architecture: { kind: 'mlp', inputSize: inputs.length, layers: LAYERS, parameters },
  } as unknown as BundleManifestV1;
}

/** Rows covering the transforms' corners: zeros, values under the floor, decades, a negative χ². */
function rows(n: number): Float32Array {
  const rand = lcg(11);
  const raw = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) {
    raw[r * 3] = r % 7 === 0 ? 0 : r % 7 === 1 ? 1e-35 : 10 ** (-20 * rand());
    raw[r * 3 + 1] = r % 5 === 0 ? 0 : r % 5 === 1 ? -0.5 : 10 ** (3 * rand());
    raw[r * 3 + 2] = 8 * rand();
  }
  return raw;
}

/** The network in float64 straight from its definition: (t(x) − offset)/scale, tanh, sigmoid. */
function reference(inputs: BundleInputV1[], weights: Float32Array, raw: Float32Array, n: number): Float64Array {
  const k = inputs.length;
  const hidden = LAYERS[0]?.units ?? 0;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = inputs.map(
      (input, i) => (transformInput(raw[r * k + i] as number, input.transform) - input.offset) / input.scale,
    );
    let z = weights[k * hidden + hidden + hidden] as number; // the output bias
    for (let j = 0; j < hidden; j++) {
      let a = weights[k * hidden + j] as number;
      for (let i = 0; i < k; i++) a += (x[i] as number) * (weights[i * hidden + j] as number);
      z += Math.tanh(a) * (weights[k * hidden + hidden + j] as number);
    }
    out[r] = 1 / (1 + Math.exp(-z));
  }
  return out;
}

function weightsFor(count: number, seed: number): Float32Array {
  const rand = lcg(seed);
  return Float32Array.from({ length: count }, () => 2 * rand() - 1);
}

describe('input transforms (ln(max(x + shift, floor)) before the standardisation)', () => {
  const manifest = mlpManifest(INPUTS);
  const weights = weightsFor(manifest.architecture.kind === 'mlp' ? manifest.architecture.parameters : 0, 3);
  const n = 300;
  const raw = rows(n);
  const expected = reference(INPUTS, weights, raw, n);

  it('the manifest takes a transform and names a bad one', () => {
    const m = parseManifest({
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'bjet-test',
      task: 'bjet',
      description: 'test',
      inputs: INPUTS,
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: manifest.architecture,
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
      files: [{ path: 'weights.bin', bytes: weights.length * 4, sha256: 'a'.repeat(64) }],
    });
    expect(m.inputs[0]?.transform).toEqual({ kind: 'log', shift: 0, floor: 1e-30 });
    const bad = (transform: unknown) => {
      try {
        parseManifest({ ...m, inputs: [{ ...INPUTS[0], transform }, ...INPUTS.slice(1)] });
      } catch (err) {
        return err instanceof BundleError ? err.field : String(err);
      }
      return 'accepted';
    };
    expect(bad({ kind: 'log', shift: 0, floor: 0 })).toBe('inputs[0].transform.floor');
    expect(bad({ kind: 'sqrt', shift: 0, floor: 1 })).toBe('inputs[0].transform.kind');
    expect(bad({ kind: 'log', shift: 0 })).toBe('inputs[0].transform.floor');
  });

  it('the MLP runner applies them, on the TypeScript and the wasm kernels, at batch 1 and 300', () => {
    // Without the transforms the network gives other scores: the check below can fail.
    const plain = createMlpRunner(mlpManifest(INPUTS.map(({ transform: _, ...i }) => i)), weights, {
      kernels: 'ts',
    }).predict(raw, n);
    expect(Math.max(...Array.from(plain, (v, r) => Math.abs(v - (expected[r] as number))))).toBeGreaterThan(0.05);
    for (const kernels of ['ts', 'wasm'] as const) {
      const runner = createMlpRunner(manifest, weights, { kernels });
      const got = runner.predict(raw, n);
      for (let r = 0; r < n; r++) expect(got[r]).toBeCloseTo(expected[r] as number, 5);
      const one = runner.predict(raw.subarray(0, 3), 1);
      expect(one[0]).toBeCloseTo(expected[0] as number, 5);
      // The caller's raw values are left as they were.
      expect(raw[0]).toBe(0);
    }
  });

  it('the ONNX export writes them as nodes, checked by ONNX Runtime', async () => {
    const bytes = exportOnnx(denseChainOf(manifest, weights), { name: 'test', metadata: {} });
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const result = await session.run({ input: new ort.Tensor('float32', raw, [n, 3]) });
    const got = result.output?.data as Float32Array;
    for (let r = 0; r < n; r++) expect(got[r]).toBeCloseTo(expected[r] as number, 5);
    await session.release();
  });

  it('lwtnn, whose preprocessing is affine, is not written; the variable spec documents them', () => {
    expect(lwtnnExpresses(manifest)).toBe(false);
    expect(() => exportLwtnn(denseChainOf(manifest, weights))).toThrow(/inputs\[0\]\.transform: lwtnn/);
    const spec = exportVariableSpec(manifest);
    expect(spec.hepml_lwtnn).toBe(false);
    expect(spec.hepml_transforms).toEqual({ pUds: INPUTS[0]?.transform, deltaChi2: INPUTS[1]?.transform });
  });

  it('the CNN runner transforms the network input and scales its outputs by the raw value', () => {
    const shape: [number, number, number] = [3, 3, 1];
    const arch = {
      kind: 'cnn-film' as const,
      inputSize: 2,
      imageScale: 10,
      layers: [
        {
          type: 'conv2d' as const,
          filters: 2,
          kernelSize: [3, 3] as [number, number],
          strides: [1, 1] as [number, number],
          padding: 'same' as const,
          useBias: true,
          activation: 'relu' as const,
        },
        { type: 'global-avg-pool' as const },
      ],
      concatScalars: true,
      head: [{ type: 'dense' as const, units: 1, activation: 'linear' as const }],
      outputScale: 'eRaw',
      // conv 3·3·1·2 + 2 = 20, head (2 + 2)·1 + 1 = 5
      parameters: 25,
    };
    const cnnManifest = (transform: boolean) =>
      ({
        inputs: [
          {
            name: 'eRaw',
            unit: 'GeV',
            offset: 3.5,
            scale: 1,
            ...(transform ? { transform: { kind: 'log', shift: 0, floor: 1 } } : {}),
          },
          { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
        ],
        image: { name: 'cells', shape, unit: 'GeV' },
        outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
        architecture: arch,
      }) as unknown as BundleManifestV1;
    const w = weightsFor(arch.parameters, 5);
    const rand = lcg(9);
    const m = 16;
    const e = Float32Array.from({ length: m }, () => 5 + 200 * rand());
    const features = new Float32Array(m * 2);
    const logged = new Float32Array(m * 2);
    for (let r = 0; r < m; r++) {
      const eta = 2.4 * rand() - 1.2;
      features.set([e[r] as number, eta], r * 2);
      logged.set([Math.log(e[r] as number), eta], r * 2);
    }
    const image = Float32Array.from({ length: m * 9 }, () => 20 * rand());
    const got = createCnnFilmRunner(cnnManifest(true), w).predict(features, m, image);
    // The same network fed ln E by hand: its outputs are scaled by ln E, which is undone here.
    const byHand = createCnnFilmRunner(cnnManifest(false), w).predict(logged, m, image);
    for (let r = 0; r < m; r++) {
      const expectedEnergy = ((byHand[r] as number) / (logged[r * 2] as number)) * (e[r] as number);
      expect(got[r]).toBeCloseTo(expectedEnergy, 3);
    }
  });
});
