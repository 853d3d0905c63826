// Issue 19: ONNX-ML tree ensembles, XGBoost JSON and LightGBM text models imported as hepml GBDTs
// give, under evaluateGbdt, what onnxruntime-node gives for the same model as ONNX-ML (built here,
// independently, from each format's documented semantics), within 1e-5: NaNs with their default
// directions and inputs exactly at thresholds included.
import { FieldError, Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { OnnxAttribute } from '../export/onnx-graph.ts';
import { OnnxGraph } from '../export/onnx-graph.ts';
import { evaluateGbdt } from '../runtime/baselines/gbdt.ts';
import { type GbdtParams, parseGbdt, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { createRunner } from '../runtime/runner.ts';
import { onnxTreeEnsembleBundle } from './gbdt-bundle.ts';
import type { OnnxAttributeValue, OnnxModel, OnnxNode } from './onnx/model.ts';
import { nextFloat32Above, treeEnsembleToGbdt } from './tree-ensemble.ts';

const D = 3;
const INPUTS = ['pt_gev', 'eta', 'rhad'];

/** The writer's attributes as the decoder's (what the onnx importer hands over). */
function asNode(op: string, attributes: Record<string, OnnxAttribute>): OnnxNode {
  const map = new Map<string, OnnxAttributeValue>();
  for (const [k, a] of Object.entries(attributes)) {
    if ('int' in a) map.set(k, { kind: 'int', value: a.int });
    else if ('ints' in a) map.set(k, { kind: 'ints', value: [...a.ints] });
    else if ('floats' in a) map.set(k, { kind: 'floats', value: a.floats.map(Math.fround) });
    else if ('strings' in a) map.set(k, { kind: 'strings', value: [...a.strings] });
    else if ('string' in a) map.set(k, { kind: 'string', value: a.string });
    else if ('doubles' in a)
      map.set(k, {
        kind: 'tensor',
        value: { name: k, type: 'double', dims: [a.doubles.length], data: Float64Array.from(a.doubles) },
      });
    else throw new Error(`attribute ${k}`);
  }
  return { name: 'trees', opType: op, domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'], attributes: map };
}

/** ONNX Runtime's output `out` of a one-node ai.onnx.ml graph on float rows [n, D]. */
async function runOrt(
  op: string,
  attributes: Record<string, OnnxAttribute>,
  x: Float32Array,
  n: number,
  K: number,
  tail?: 'sigmoid',
): Promise<Float32Array> {
  const g = new OnnxGraph(13).useOpset('ai.onnx.ml', 3);
  const input = g.input({ name: 'X', type: 'float', shape: ['N', D] });
  const classifier = op === 'TreeEnsembleClassifier';
  const outputs = classifier ? ['label', 'probabilities'] : ['scores'];
  g.node(op, [input], { domain: 'ai.onnx.ml', attributes, outputs });
  const last = classifier ? 'probabilities' : 'scores';
  if (tail === 'sigmoid') g.node('Sigmoid', [last], { output: 'out' });
  else g.node('Identity', [last], { output: 'out' });
  g.output({ name: 'out', type: 'float', shape: ['N', K] });
  if (classifier) g.output({ name: 'label', type: 'int64', shape: ['N'] });
  const session = await ort.InferenceSession.create(g.encode('t'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const r = await session.run({ X: new ort.Tensor('float32', x, [n, D]) });
  await session.release();
  return r.out?.data as Float32Array;
}

/** Rows whose entries are often exactly a threshold (or its neighbours), sometimes NaN. */
function rows(rng: Rng, n: number, thresholds: number[]): Float32Array {
  const x = new Float32Array(n * D);
  for (let i = 0; i < x.length; i++) {
    const u = rng.uniform();
    const t = thresholds[Math.floor(rng.uniform() * thresholds.length)] as number;
    if (u < 0.12) x[i] = Number.NaN;
    else if (u < 0.45) x[i] = t;
    else if (u < 0.55) x[i] = nextFloat32Above(t);
    else x[i] = rng.range(-2, 2);
  }
  return x;
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  expect(worst).toBeLessThan(1e-5);
}

function checkBoth(params: GbdtParams, x: Float32Array, n: number, want: Float32Array): void {
  const again = parseGbdt(JSON.parse(JSON.stringify(serializeGbdt(params))));
  expectClose(evaluateGbdt(again, x, n, undefined, 'ts'), want);
  expectClose(evaluateGbdt(params, x, n), want);
}

/** A random full tree of depth `depth` as ONNX-ML node attributes (all modes, NaN directions mixed). */
function randomEnsemble(rng: Rng, trees: number, depth: number, K: number, thresholds: number[], modes: string[]) {
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    tracks: [] as number[],
    lTree: [] as number[],
    lNode: [] as number[],
    lId: [] as number[],
    lWeight: [] as number[],
  };
  for (let t = 0; t < trees; t++) {
    const count = 2 ** (depth + 1) - 1;
    // Node ids shuffled so the converter cannot rely on ONNX ids being breadth first.
    const ids = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
    }
    for (let i = 0; i < count; i++) {
      const leaf = 2 * i + 1 >= count;
      a.treeIds.push(t);
      a.nodeIds.push(ids[i] as number);
      a.featureIds.push(leaf ? 0 : Math.floor(rng.uniform() * D));
      a.modes.push(leaf ? 'LEAF' : (modes[Math.floor(rng.uniform() * modes.length)] as string));
      a.values.push(leaf ? 0 : (thresholds[Math.floor(rng.uniform() * thresholds.length)] as number));
      a.trueIds.push(leaf ? 0 : (ids[2 * i + 1] as number));
      a.falseIds.push(leaf ? 0 : (ids[2 * i + 2] as number));
      a.tracks.push(rng.uniform() < 0.5 ? 1 : 0);
      if (leaf)
        for (let k = 0; k < K; k++) {
          a.lTree.push(t);
          a.lNode.push(ids[i] as number);
          a.lId.push(k);
          a.lWeight.push(Math.fround(rng.range(-1, 1)));
        }
    }
  }
  return a;
}

const THRESHOLDS = [-1.25, -0.3, 0, 0.1, 0.7, 1.5];

describe('ai.onnx.ml tree ensembles as hepml GBDTs', () => {
  it('TreeEnsembleRegressor, every branch mode, LOGISTIC: equals ONNX Runtime', async () => {
    const rng = new Rng(1901);
    const e = randomEnsemble(rng, 12, 3, 1, THRESHOLDS, ['BRANCH_LT', 'BRANCH_LEQ', 'BRANCH_GTE', 'BRANCH_GT']);
    const attributes: Record<string, OnnxAttribute> = {
      n_targets: { int: 1 },
      post_transform: { string: 'NONE' },
      base_values: { floats: [0.25] },
      nodes_treeids: { ints: e.treeIds },
      nodes_nodeids: { ints: e.nodeIds },
      nodes_featureids: { ints: e.featureIds },
      nodes_modes: { strings: e.modes },
      nodes_values: { floats: e.values },
      nodes_truenodeids: { ints: e.trueIds },
      nodes_falsenodeids: { ints: e.falseIds },
      nodes_missing_value_tracks_true: { ints: e.tracks },
      target_treeids: { ints: e.lTree },
      target_nodeids: { ints: e.lNode },
      target_ids: { ints: e.lId },
      target_weights: { floats: e.lWeight },
    };
    const n = 500;
    const x = rows(rng, n, THRESHOLDS);
    const raw = treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', attributes), INPUTS);
    expect(raw.objective).toBe('l2');
    checkBoth(raw, x, n, await runOrt('TreeEnsembleRegressor', attributes, x, n, 1));
    // LOGISTIC in the operator = σ after it; served as `binary`.
    const logistic = { ...attributes, post_transform: { string: 'LOGISTIC' } };
    const p = treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', logistic), INPUTS);
    expect(p.objective).toBe('binary');
    const want = await runOrt('TreeEnsembleRegressor', attributes, x, n, 1, 'sigmoid');
    checkBoth(p, x, n, want);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.3);
  });

  it('TreeEnsembleClassifier, three classes, SOFTMAX: equals ONNX Runtime', async () => {
    const rng = new Rng(1902);
    const e = randomEnsemble(rng, 8, 3, 3, THRESHOLDS, ['BRANCH_LEQ', 'BRANCH_GT', 'BRANCH_LT']);
    const attributes: Record<string, OnnxAttribute> = {
      classlabels_int64s: { ints: [0, 1, 2] },
      post_transform: { string: 'SOFTMAX' },
      base_values: { floats: [0.1, -0.2, 0.05] },
      nodes_treeids: { ints: e.treeIds },
      nodes_nodeids: { ints: e.nodeIds },
      nodes_featureids: { ints: e.featureIds },
      nodes_modes: { strings: e.modes },
      nodes_values: { floats: e.values },
      nodes_truenodeids: { ints: e.trueIds },
      nodes_falsenodeids: { ints: e.falseIds },
      nodes_missing_value_tracks_true: { ints: e.tracks },
      class_treeids: { ints: e.lTree },
      class_nodeids: { ints: e.lNode },
      class_ids: { ints: e.lId },
      class_weights: { floats: e.lWeight },
    };
    const n = 400;
    const x = rows(rng, n, THRESHOLDS);
    const p = treeEnsembleToGbdt(asNode('TreeEnsembleClassifier', attributes), INPUTS);
    expect([p.objective, p.numClass, p.trees.length]).toEqual(['multiclass', 3, 24]);
    const want = await runOrt('TreeEnsembleClassifier', attributes, x, n, 3);
    checkBoth(p, x, n, want);
    // The lone node (with a ZipMap after it) as a model: a GBDT bundle served by the runtime.
    const node = asNode('TreeEnsembleClassifier', attributes);
    const zipMap = { ...asNode('ZipMap', {}), name: 'zip', inputs: ['Z'], outputs: ['map'] };
    const model: OnnxModel = {
      irVersion: 8,
      producerName: 'skl2onnx',
      producerVersion: '1',
      opsets: new Map([
        ['', 13],
        ['ai.onnx.ml', 3],
      ]),
      graph: {
        name: 'g',
        nodes: [node, zipMap],
        initializers: new Map(),
        inputs: [{ name: 'X', type: 'float', shape: ['N', D] }],
        outputs: [{ name: 'Z', type: 'float', shape: ['N', 3] }],
      },
    };
    const bundle = await onnxTreeEnsembleBundle(model, new Uint8Array([1]), { name: 'onnx-trees', inputNames: INPUTS });
    expectClose(createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(x, n), want);
    const relu = { ...asNode('Relu', {}), domain: '', name: 'act' };
    await expect(
      onnxTreeEnsembleBundle({ ...model, graph: { ...model.graph, nodes: [node, relu] } }, new Uint8Array(), {
        name: 'x',
      }),
    ).rejects.toThrow(/graph\.node must be one ai\.onnx\.ml TreeEnsemble node.*"act" \(Relu\)/);
  });

  it('a binary TreeEnsembleClassifier as onnxmltools writes it (weights on class 0, one base value): p(class 1) equals ONNX Runtime', async () => {
    const rng = new Rng(1903);
    const e = randomEnsemble(rng, 6, 3, 1, THRESHOLDS, ['BRANCH_LEQ', 'BRANCH_LT']);
    const attributes: Record<string, OnnxAttribute> = {
      classlabels_int64s: { ints: [0, 1] },
      post_transform: { string: 'LOGISTIC' },
      base_values: { floats: [-0.3] },
      nodes_treeids: { ints: e.treeIds },
      nodes_nodeids: { ints: e.nodeIds },
      nodes_featureids: { ints: e.featureIds },
      nodes_modes: { strings: e.modes },
      nodes_values: { floats: e.values },
      nodes_truenodeids: { ints: e.trueIds },
      nodes_falsenodeids: { ints: e.falseIds },
      nodes_missing_value_tracks_true: { ints: e.tracks },
      class_treeids: { ints: e.lTree },
      class_nodeids: { ints: e.lNode },
      class_ids: { ints: e.lId.map(() => 0) },
      class_weights: { floats: e.lWeight },
    };
    const n = 400;
    const x = rows(rng, n, THRESHOLDS);
    const p = treeEnsembleToGbdt(asNode('TreeEnsembleClassifier', attributes), INPUTS);
    expect([p.objective, p.numClass]).toEqual(['binary', 1]);
    const both = await runOrt('TreeEnsembleClassifier', attributes, x, n, 2);
    const want = Float32Array.from({ length: n }, (_, r) => both[2 * r + 1] as number);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.3);
    checkBoth(p, x, n, want);
    // ONNX Runtime drops the base value when every weight is on class 1: refused, not served otherwise.
    const onOne = { ...attributes, class_ids: { ints: e.lId.map(() => 1) } };
    expect(() => treeEnsembleToGbdt(asNode('TreeEnsembleClassifier', onOne), INPUTS)).toThrow(/attribute base_values/);
  });

  it('refuses what the GBDT cannot serve, naming node and attribute', () => {
    const e = randomEnsemble(new Rng(3), 1, 1, 1, [0.5], ['BRANCH_EQ']);
    const base: Record<string, OnnxAttribute> = {
      nodes_treeids: { ints: e.treeIds },
      nodes_nodeids: { ints: e.nodeIds },
      nodes_featureids: { ints: e.featureIds },
      nodes_modes: { strings: e.modes },
      nodes_values: { floats: e.values },
      nodes_truenodeids: { ints: e.trueIds },
      nodes_falsenodeids: { ints: e.falseIds },
      target_treeids: { ints: e.lTree },
      target_nodeids: { ints: e.lNode },
      target_ids: { ints: e.lId },
      target_weights: { floats: e.lWeight },
    };
    expect(() => treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', base), INPUTS)).toThrow(
      /node "trees" \(TreeEnsembleRegressor\) attribute nodes_modes entry 0 = BRANCH_EQ/,
    );
    const probit = {
      ...base,
      nodes_modes: { strings: e.modes.map((m) => (m === 'LEAF' ? m : 'BRANCH_LT')) },
      post_transform: { string: 'PROBIT' },
    };
    expect(() => treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', probit), INPUTS)).toThrow(
      /attribute post_transform PROBIT/,
    );
    const short = { ...probit, post_transform: { string: 'NONE' }, nodes_values: { floats: [0.5] } };
    expect(() => treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', short), INPUTS)).toThrow(FieldError);
    expect(() => treeEnsembleToGbdt(asNode('TreeEnsembleRegressor', short), INPUTS)).toThrow(
      /nodes_values must have 3 entries/,
    );
  });
});
