// Issue 19: the import CLI's library — format detection, the spec's inputs matched with the file's
// features, standardisation folded into tree thresholds, and the lineage of an imported bundle.
import { FieldError, Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../bundle/hash.ts';
import { exportOnnx } from '../export/onnx.ts';
import { evaluateGbdt } from '../runtime/baselines/gbdt.ts';
import type { GbdtParams } from '../runtime/baselines/gbdt-format.ts';
import { createRunner } from '../runtime/runner.ts';
import { detectModelFormat, foldStandardisation, importModelFile, matchSpecInputs } from './model-file.ts';
import { type ImportSpecV1, readImportSpec, taskImportSpec } from './spec.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/** One stump per feature of a two-feature model: x_f < t_f goes left (−v), else right (+v). */
function stumps(inputs: string[]): GbdtParams {
  return {
    inputs,
    objective: 'l2',
    numClass: 1,
    initScore: [0.5],
    scaleBy: null,
    trees: [0.25, -1.5].map((t, f) => ({
      feature: Int32Array.from([f, -1, -1]),
      threshold: Float64Array.from([t, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, -(f + 1), f + 1]),
    })),
  };
}

/** The same stumps as XGBoost JSON (reg:squarederror), with or without feature names. */
function xgboost(names: string[] | []): string {
  return JSON.stringify({
    version: [2, 0, 3],
    learner: {
      feature_names: names,
      learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: '2' },
      objective: { name: 'reg:squarederror' },
      gradient_booster: {
        name: 'gbtree',
        model: {
          tree_info: [0, 0],
          trees: [0.25, -1.5].map((t, f) => ({
            left_children: [1, -1, -1],
            right_children: [2, -1, -1],
            split_indices: [f, 0, 0],
            split_conditions: [t, -(f + 1), f + 1],
            default_left: [0, 0, 0],
          })),
        },
      },
    },
  });
}

const spec = (inputs: ImportSpecV1['inputs'], extra: Partial<ImportSpecV1> = {}): ImportSpecV1 => ({
  inputs,
  ...extra,
});

describe('detectModelFormat', () => {
  it('tells the formats apart by content and extension, and names the file otherwise', () => {
    expect(detectModelFormat(enc(xgboost([])), 'm.json')).toBe('xgboost-json');
    expect(detectModelFormat(enc('{"inputs": [], "layers": []}'), 'net.json')).toBe('lwtnn-json');
    expect(detectModelFormat(enc('tree\nversion=v4\nnum_class=1\n'), 'model.txt')).toBe('lightgbm-text');
    expect(detectModelFormat(new Uint8Array([0x08, 0x07, 0x12]), 'model.bin')).toBe('onnx');
    expect(detectModelFormat(new Uint8Array([1, 2]), 'x.onnx')).toBe('onnx');
    expect(() => detectModelFormat(enc('{"a": 1}'), 'a.json')).toThrow(/a\.json: JSON model is neither XGBoost/);
    expect(() => detectModelFormat(enc('{'), 'b.json')).toThrow(/b\.json: not JSON/);
    expect(() => detectModelFormat(enc('hello'), 'c.dat')).toThrow(/c\.dat: unknown model format/);
  });
});

describe('matchSpecInputs', () => {
  const a = { name: 'a', unit: 'GeV' };
  const b = { name: 'b', unit: '1' };
  it('matches named features by name (any order), generic ones by position', () => {
    expect(matchSpecInputs(['b', 'a'], 2, spec([a, b]), 'm')).toEqual([b, a]);
    expect(matchSpecInputs(['f0', 'f1'], 2, spec([b, a]), 'm')).toEqual([b, a]);
    expect(matchSpecInputs(['Column_0', 'Column_1'], 2, spec([a, b]), 'm')).toEqual([a, b]);
    expect(matchSpecInputs(undefined, 2, spec([a, b]), 'm')).toEqual([a, b]);
    expect(matchSpecInputs(['a'], 1, spec([a, b]), 'm', { allowUnused: true })).toEqual([a]);
  });
  it('refuses a feature the spec lacks, an input the model lacks, a count that differs', () => {
    expect(() => matchSpecInputs(['a', 'c'], 2, spec([a, b]), 'm.json')).toThrow(
      /inputs: m\.json names features the spec does not: c/,
    );
    expect(() => matchSpecInputs(['a'], 1, spec([a, b]), 'm.json')).toThrow(/inputs: b not among the features/);
    expect(() => matchSpecInputs(undefined, 3, spec([a, b]), 'm')).toThrow(/reads 3 inputs, the spec names 2/);
  });
});

describe('foldStandardisation', () => {
  it('trees on raw inputs give what the trees on (x − offset)/scale gave, x at the thresholds included', () => {
    const params = stumps(['a', 'b']);
    const inputs = [
      { name: 'a', unit: 'GeV', offset: 40, scale: 12.5 },
      { name: 'b', unit: '1', offset: -0.5, scale: 0.25 },
    ];
    const folded = foldStandardisation(params, inputs);
    const rng = new Rng(19);
    const n = 400;
    const raw = new Float32Array(2 * n);
    const standardised = new Float32Array(2 * n);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < 2; k++) {
        const { offset, scale } = inputs[k] as { offset: number; scale: number };
        // Every fourth row sits exactly on the (raw) threshold.
        const t = (params.trees[k]?.threshold[0] as number) * scale + offset;
        const x = r % 4 === 0 ? t : offset + scale * rng.range(-3, 3);
        raw[2 * r + k] = x;
        standardised[2 * r + k] = (x - offset) / scale;
      }
    }
    expect(Array.from(evaluateGbdt(folded, raw, n, undefined, 'ts'))).toEqual(
      Array.from(evaluateGbdt(params, standardised, n, undefined, 'ts')),
    );
    expect(
      foldStandardisation(params, [
        { name: 'a', unit: '1' },
        { name: 'b', unit: '1' },
      ]),
    ).toBe(params);
    expect(() =>
      foldStandardisation(params, [
        { name: 'a', unit: '1', scale: -1 },
        { name: 'b', unit: '1' },
      ]),
    ).toThrow(/inputs\[0\]\.scale: must be positive for a tree ensemble/);
  });
});

describe('importModelFile', () => {
  it('an XGBoost file without feature names: the spec names, units and descriptions; lineage with sha256 and producer', async () => {
    const bytes = enc(xgboost([]));
    const bundle = await importModelFile({
      bytes,
      file: 'model.json',
      name: 'xgb',
      createdAt: '2026-12-03T00:00:00Z',
      spec: spec(
        [
          { name: 'et', unit: 'GeV', description: 'transverse energy' },
          { name: 'eta', unit: '1' },
        ],
        { task: 'electron-id' },
      ),
    });
    const m = bundle.manifest;
    expect(m.task).toBe('electron-id');
    expect(m.inputs).toEqual([
      { name: 'et', unit: 'GeV', offset: 0, scale: 1, description: 'transverse energy' },
      { name: 'eta', unit: '1', offset: 0, scale: 1 },
    ]);
    expect(m.lineage).toEqual({
      datasetHash: `import:${await sha256Hex(bytes)}`,
      codeVersion: 'xgboost 2.0.3',
      seed: 0,
      createdAt: '2026-12-03T00:00:00Z',
      backend: 'imported',
      source: {
        format: 'xgboost-json',
        file: 'model.json',
        sha256: await sha256Hex(bytes),
        producer: 'xgboost',
        producerVersion: '2.0.3',
      },
    });
    const y = createRunner(m, Object.fromEntries(bundle.files)).predict(Float32Array.from([0.25, -1.5, 0, -2]), 2);
    // Row 1: both at their thresholds → right (+1, +2); row 2: both below → left (−1, −2); base 0.5.
    expect(Array.from(y)).toEqual([3.5, -2.5]);
  });

  it('an lwtnn file keeps its own standardisation: offset or scale in the spec is refused', async () => {
    const net = {
      inputs: [{ name: 'x', offset: 1, scale: 2 }],
      layers: [{ architecture: 'dense', activation: 'sigmoid', weights: [0.5], bias: [0] }],
      outputs: ['score'],
    };
    const bytes = enc(JSON.stringify(net));
    const ok = await importModelFile({ bytes, file: 'n.json', name: 'n', spec: spec([{ name: 'x', unit: 'GeV' }]) });
    expect(ok.manifest.inputs[0]).toMatchObject({ name: 'x', unit: 'GeV', offset: -1, scale: 0.5 });
    expect(ok.manifest.lineage.source?.format).toBe('lwtnn-json');
    await expect(
      importModelFile({ bytes, file: 'n.json', name: 'n', spec: spec([{ name: 'x', unit: 'GeV', offset: 3 }]) }),
    ).rejects.toThrow(/inputs\[0\]: an lwtnn file carries its own offset and scale/);
  });

  it('a transform in the spec: an ONNX network reads ln(max(x + shift, floor)); trees and lwtnn refuse it', async () => {
    // A 2-input dense network written by our ONNX exporter (raw inputs), imported as trained on ln x.
    const chain = {
      inputs: [
        { name: 'a', unit: '1', offset: 0, scale: 1 },
        { name: 'b', unit: 'GeV', offset: 0, scale: 1 },
      ],
      layers: [
        { units: 1, activation: 'linear' as const, kernel: Float32Array.of(0.5, -2), bias: Float32Array.of(0.25) },
      ],
      outputs: [{ name: 'response', unit: '1' }],
      discriminants: [],
    };
    const onnx = exportOnnx(chain, { name: 'lin', metadata: {} });
    const transform = { kind: 'log' as const, shift: 1, floor: 1 };
    const bundle = await importModelFile({
      bytes: onnx,
      file: 'lin.onnx',
      name: 'lin',
      spec: spec([
        { name: 'a', unit: '1', offset: 2, scale: 4, transform },
        { name: 'b', unit: 'GeV' },
      ]),
    });
    expect(bundle.manifest.inputs[0]?.transform).toEqual(transform);
    const y = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(
      Float32Array.of(Math.E - 1, 3, -5, 1),
      2,
    );
    // Row 1: (ln e − 2)/4 = −0.25; row 2: ln(max(−4, 1)) = 0 → (0 − 2)/4 = −0.5.
    expect(y[0]).toBeCloseTo(0.5 * -0.25 - 2 * 3 + 0.25, 5);
    expect(y[1]).toBeCloseTo(0.5 * -0.5 - 2 * 1 + 0.25, 5);
    const xgb = enc(xgboost([]));
    const treeSpec = spec([
      { name: 'et', unit: 'GeV' },
      { name: 'eta', unit: '1', transform },
    ]);
    await expect(importModelFile({ bytes: xgb, file: 'model.json', name: 'x', spec: treeSpec })).rejects.toThrow(
      /inputs\[1\]\.transform: a tree ensemble reads raw values/,
    );
    const net = {
      inputs: [{ name: 'x', offset: 0, scale: 1 }],
      layers: [{ architecture: 'dense', activation: 'linear', weights: [1], bias: [0] }],
      outputs: ['y'],
    };
    await expect(
      importModelFile({
        bytes: enc(JSON.stringify(net)),
        file: 'n.json',
        name: 'n',
        spec: spec([{ name: 'x', unit: '1', transform }]),
      }),
    ).rejects.toThrow(/inputs\[0\]\.transform: lwtnn/);
  });
});

describe('the import spec', () => {
  it('reads a spec strictly, naming the file and field', () => {
    const good = readImportSpec(
      enc('{"task": "bjet", "inputs": [{"name": "pUds", "unit": "1", "scale": 2}]}'),
      's.json',
    );
    expect(good.inputs[0]).toEqual({ name: 'pUds', unit: '1', scale: 2 });
    expect(() => readImportSpec(enc('{"inputs": []}'), 's.json')).toThrow(
      /^s\.json: inputs: must be a non-empty array/,
    );
    expect(() => readImportSpec(enc('{"inputs": [{"name": "a", "unit": "1", "scale": 0}]}'), 's.json')).toThrow(
      /s\.json: inputs\[0\]\.scale: must not be zero/,
    );
    expect(() =>
      readImportSpec(enc('{"inputs": [{"name": "a", "unit": "1"}, {"name": "a", "unit": "1"}]}'), 's.json'),
    ).toThrow(/inputs\[1\]\.name: duplicate input "a"/);
    expect(() => readImportSpec(enc('{"inputs": [{"name": "a", "unit": "1"}], "extra": 1}'), 's.json')).toThrow(
      FieldError,
    );
  });

  it("a reference task's spec carries its variables with units and descriptions", () => {
    const s = taskImportSpec('electron-id');
    expect(s.task).toBe('electron-id');
    expect(s.inputs).toHaveLength(22);
    expect(s.inputs[0]).toEqual({ name: 'et', unit: 'GeV', description: 'transverse energy of the electron cluster' });
    expect(taskImportSpec('energy-regression').inputs.at(-1)).toMatchObject({ name: 'eCalStandard', unit: 'GeV' });
    expect(() => taskImportSpec('muon-id')).toThrow(/--task must be one of electron-id, bjet/);
  });
});
