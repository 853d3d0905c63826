// Issue 19: hand-written XGBoost JSON and LightGBM text models (from their documented formats)
// imported as hepml GBDTs equal, under evaluateGbdt, ONNX Runtime on the same model written as an
// ai.onnx.ml TreeEnsembleRegressor from the format's own split rule (XGBoost: x < c left, missing →
// default_left; LightGBM: x ≤ t left, missing per decision_type), NaNs and x == threshold included.
import { FieldError, Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraph } from '../export/onnx-graph.ts';
import { evaluateGbdt } from '../runtime/baselines/gbdt.ts';
import { parseGbdt, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { createRunner } from '../runtime/runner.ts';
import { lightgbmTextToGbdt, xgboostJsonToGbdt } from './boosters.ts';
import { importJsonModel, importLightgbmText, importXgboostJson } from './gbdt-bundle.ts';

const D = 3;

interface Flat {
  left: number[];
  right: number[];
  feature: number[];
  value: number[];
  /** NaN goes to the left child. */
  nanLeft: boolean[];
}

/** ONNX Runtime on one TreeEnsembleRegressor (mode per split, tree i adds to target i mod K), then σ / softmax / nothing. */
async function ortTrees(
  trees: Flat[],
  leafValue: (t: number, i: number) => number,
  mode: 'BRANCH_LT' | 'BRANCH_LEQ',
  K: number,
  base: number[],
  link: 'sigmoid' | 'softmax' | 'none',
  x: Float32Array,
  n: number,
): Promise<Float32Array> {
  const a = {
    tree: [] as number[],
    node: [] as number[],
    feat: [] as number[],
    modes: [] as string[],
    vals: [] as number[],
  };
  const links = { t: [] as number[], f: [] as number[], miss: [] as number[] };
  const tg = { tree: [] as number[], node: [] as number[], id: [] as number[], w: [] as number[] };
  trees.forEach((t, ti) => {
    t.left.forEach((l, i) => {
      const leaf = l < 0;
      a.tree.push(ti);
      a.node.push(i);
      a.feat.push(leaf ? 0 : (t.feature[i] as number));
      a.modes.push(leaf ? 'LEAF' : mode);
      a.vals.push(leaf ? 0 : (t.value[i] as number));
      links.t.push(leaf ? 0 : l);
      links.f.push(leaf ? 0 : (t.right[i] as number));
      links.miss.push(!leaf && t.nanLeft[i] ? 1 : 0);
      if (leaf) {
        tg.tree.push(ti);
        tg.node.push(i);
        tg.id.push(ti % K);
        tg.w.push(leafValue(ti, i));
      }
    });
  });
  const g = new OnnxGraph(13).useOpset('ai.onnx.ml', 3);
  const input = g.input({ name: 'X', type: 'float', shape: ['N', D] });
  const y = g.node('TreeEnsembleRegressor', [input], {
    domain: 'ai.onnx.ml',
    attributes: {
      n_targets: { int: K },
      base_values: { floats: base },
      nodes_treeids: { ints: a.tree },
      nodes_nodeids: { ints: a.node },
      nodes_featureids: { ints: a.feat },
      nodes_modes: { strings: a.modes },
      nodes_values: { floats: a.vals },
      nodes_truenodeids: { ints: links.t },
      nodes_falsenodeids: { ints: links.f },
      nodes_missing_value_tracks_true: { ints: links.miss },
      target_treeids: { ints: tg.tree },
      target_nodeids: { ints: tg.node },
      target_ids: { ints: tg.id },
      target_weights: { floats: tg.w },
    },
  });
  if (link === 'sigmoid') g.node('Sigmoid', [y], { output: 'out' });
  else if (link === 'softmax') g.node('Softmax', [y], { output: 'out', attributes: { axis: { int: -1 } } });
  else g.node('Identity', [y], { output: 'out' });
  g.output({ name: 'out', type: 'float', shape: ['N', K] });
  const s = await ort.InferenceSession.create(g.encode('t'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const r = await s.run({ X: new ort.Tensor('float32', x, [n, D]) });
  await s.release();
  return r.out?.data as Float32Array;
}

function rows(rng: Rng, n: number, thresholds: number[]): Float32Array {
  const x = new Float32Array(n * D);
  for (let i = 0; i < x.length; i++) {
    const u = rng.uniform();
    if (u < 0.15) x[i] = Number.NaN;
    else if (u < 0.5) x[i] = thresholds[Math.floor(rng.uniform() * thresholds.length)] as number;
    else x[i] = rng.range(-3, 3);
  }
  return x;
}

function worst(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs((a[i] as number) - (b[i] as number)));
  return w;
}

/** A random full tree of depth 3 in flat arrays (node i's children 2i+1, 2i+2). */
function randomTree(rng: Rng, thresholds: number[]): Flat {
  const m = 15;
  const t: Flat = { left: [], right: [], feature: [], value: [], nanLeft: [] };
  for (let i = 0; i < m; i++) {
    const leaf = 2 * i + 1 >= m;
    t.left.push(leaf ? -1 : 2 * i + 1);
    t.right.push(leaf ? -1 : 2 * i + 2);
    t.feature.push(leaf ? 0 : Math.floor(rng.uniform() * D));
    t.value.push(
      leaf ? Math.fround(rng.range(-0.5, 0.5)) : (thresholds[Math.floor(rng.uniform() * thresholds.length)] as number),
    );
    t.nanLeft.push(!leaf && rng.uniform() < 0.5);
  }
  return t;
}

const THRESHOLDS = [-1.5, -0.25, 0, 0.5, 2];

function xgboostJson(trees: Flat[], objective: string, K: number, baseScore: string) {
  return {
    version: [2, 0, 3],
    learner: {
      feature_names: ['pt_gev', 'eta', 'rhad'],
      learner_model_param: { base_score: baseScore, num_class: String(K === 1 ? 0 : K), num_feature: String(D) },
      objective: { name: objective },
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_trees: String(trees.length) },
          tree_info: trees.map((_, i) => i % K),
          trees: trees.map((t, id) => ({
            id,
            left_children: t.left,
            right_children: t.right,
            split_indices: t.feature,
            split_conditions: t.value,
            default_left: t.nanLeft.map((b) => (b ? 1 : 0)),
            base_weights: t.value,
            split_type: t.left.map(() => 0),
          })),
        },
      },
    },
  };
}

describe('XGBoost JSON as a hepml GBDT', () => {
  it('binary:logistic (base_score a probability) equals ONNX Runtime, NaN by default_left, x == condition right', async () => {
    const rng = new Rng(1911);
    const trees = Array.from({ length: 6 }, () => randomTree(rng, THRESHOLDS));
    const json = JSON.parse(JSON.stringify(xgboostJson(trees, 'binary:logistic', 1, '3E-1')));
    const p = xgboostJsonToGbdt(json);
    expect([p.objective, p.inputs]).toEqual(['binary', ['pt_gev', 'eta', 'rhad']]);
    const n = 500;
    const x = rows(rng, n, THRESHOLDS);
    const logit = Math.log(0.3 / 0.7);
    const want = await ortTrees(
      trees,
      (t, i) => trees[t]?.value[i] as number,
      'BRANCH_LT',
      1,
      [logit],
      'sigmoid',
      x,
      n,
    );
    expect(worst(evaluateGbdt(p, x, n), want)).toBeLessThan(1e-5);
    const again = parseGbdt(JSON.parse(JSON.stringify(serializeGbdt(p))));
    expect(worst(evaluateGbdt(again, x, n, undefined, 'ts'), want)).toBeLessThan(1e-5);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.2);
    // As a bundle, served by the runtime.
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    const bundle = await importXgboostJson(bytes, { name: 'xgb-test', createdAt: '2026-01-01T00:00:00Z' });
    expect(bundle.manifest.architecture).toMatchObject({ kind: 'gbdt', format: 'hepml-gbdt/1' });
    const served = createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(x, n);
    expect(worst(served, want)).toBeLessThan(1e-5);
    await expect(importXgboostJson(new TextEncoder().encode('{'), { name: 'x' })).rejects.toThrow(
      /XGBoost JSON: not JSON/,
    );
    const detected = await importJsonModel(bytes, { name: 'xgb-test' });
    expect(detected.manifest.architecture.kind).toBe('gbdt');
    await expect(importJsonModel(new TextEncoder().encode('{"a":1}'), { name: 'x' })).rejects.toThrow(
      /neither XGBoost/,
    );
  });

  it('blocks without NaN run on the wasm kernel, blocks with one on the TypeScript loops: same bits, equal to ONNX Runtime', async () => {
    const rng = new Rng(1914);
    const trees = Array.from({ length: 8 }, () => randomTree(rng, THRESHOLDS));
    const p = xgboostJsonToGbdt(xgboostJson(trees, 'reg:squarederror', 1, '5E-1'));
    const n = 700;
    const x = rows(rng, n, THRESHOLDS);
    // NaNs only in the third block of 256 rows.
    for (let i = 0; i < 512 * D; i++) if (Number.isNaN(x[i])) x[i] = 0.5;
    const want = await ortTrees(trees, (t, i) => trees[t]?.value[i] as number, 'BRANCH_LT', 1, [0.5], 'none', x, n);
    const auto = evaluateGbdt(p, x, n);
    expect(Array.from(auto)).toEqual(Array.from(evaluateGbdt(p, x, n, undefined, 'ts')));
    expect(worst(auto, want)).toBeLessThan(1e-5);
  });

  it('multi:softprob with three classes and reg:squarederror equal ONNX Runtime', async () => {
    const rng = new Rng(1912);
    const trees = Array.from({ length: 9 }, () => randomTree(rng, THRESHOLDS));
    const n = 300;
    const x = rows(rng, n, THRESHOLDS);
    const multi = xgboostJsonToGbdt(xgboostJson(trees, 'multi:softprob', 3, '5E-1'));
    const wantMulti = await ortTrees(
      trees,
      (t, i) => trees[t]?.value[i] as number,
      'BRANCH_LT',
      3,
      [0.5, 0.5, 0.5],
      'softmax',
      x,
      n,
    );
    expect(worst(evaluateGbdt(multi, x, n), wantMulti)).toBeLessThan(1e-5);
    const reg = xgboostJsonToGbdt(xgboostJson(trees, 'reg:squarederror', 1, '[1.25E1]'));
    const wantReg = await ortTrees(trees, (t, i) => trees[t]?.value[i] as number, 'BRANCH_LT', 1, [12.5], 'none', x, n);
    expect(worst(evaluateGbdt(reg, x, n), wantReg)).toBeLessThan(1e-5);
  });

  it('names the field on bad input', () => {
    const rng = new Rng(1913);
    const json = xgboostJson([randomTree(rng, THRESHOLDS)], 'binary:logistic', 1, '5E-1');
    const broken = JSON.parse(JSON.stringify(json));
    broken.learner.gradient_booster.model.trees[0].split_conditions = 'x';
    expect(() => xgboostJsonToGbdt(broken)).toThrow(/learner\.gradient_booster\.model\.trees\[0\]\.split_conditions/);
    const rank = JSON.parse(JSON.stringify(json));
    rank.learner.objective.name = 'rank:pairwise';
    expect(() => xgboostJsonToGbdt(rank)).toThrow(FieldError);
    const short = JSON.parse(JSON.stringify(json));
    short.learner.gradient_booster.model.trees[0].default_left.pop();
    expect(() => xgboostJsonToGbdt(short)).toThrow(/trees\[0\]\.default_left must have 15 entries/);
  });
});

/** LightGBM's text for trees in our flat form (splits renumbered, leaves as ~j). */
function lightgbmText(trees: Flat[], missingNan: boolean[][], objective: string, K: number): string {
  const out = [
    'tree',
    'version=v4',
    `num_class=${K}`,
    `num_tree_per_iteration=${K}`,
    'label_index=0',
    `max_feature_idx=${D - 1}`,
    `objective=${objective}`,
    'feature_names=pt_gev eta rhad',
    'feature_infos=[-3:3] [-3:3] [-3:3]',
    '',
  ];
  trees.forEach((t, ti) => {
    const splits: number[] = [];
    const leaves: number[] = [];
    for (const [i, l] of t.left.entries()) (l < 0 ? leaves : splits).push(i);
    const ref = (i: number) => ((t.left[i] as number) < 0 ? -(leaves.indexOf(i) + 1) : splits.indexOf(i));
    const dt = splits.map((i, s) => (missingNan[ti]?.[s] ? 8 : 0) | (t.nanLeft[i] ? 2 : 0));
    out.push(
      `Tree=${ti}`,
      `num_leaves=${leaves.length}`,
      'num_cat=0',
      `split_feature=${splits.map((i) => t.feature[i]).join(' ')}`,
      `split_gain=${splits.map(() => 1).join(' ')}`,
      `threshold=${splits.map((i) => t.value[i]).join(' ')}`,
      `decision_type=${dt.join(' ')}`,
      `left_child=${splits.map((i) => ref(t.left[i] as number)).join(' ')}`,
      `right_child=${splits.map((i) => ref(t.right[i] as number)).join(' ')}`,
      `leaf_value=${leaves.map((i) => t.value[i]).join(' ')}`,
      `leaf_weight=${leaves.map(() => 1).join(' ')}`,
      `leaf_count=${leaves.map(() => 10).join(' ')}`,
      `internal_value=${splits.map(() => 0).join(' ')}`,
      `internal_weight=${splits.map(() => 1).join(' ')}`,
      `internal_count=${splits.map(() => 10).join(' ')}`,
      'is_linear=0',
      'shrinkage=0.1',
      '',
      '',
    );
  });
  out.push(
    'end of trees',
    '',
    'feature_importances:',
    'eta=3',
    '',
    'parameters:',
    '[boosting: gbdt]',
    'end of parameters',
  );
  return out.join('\n');
}

describe('LightGBM text as a hepml GBDT', () => {
  it('binary sigmoid:1 equals ONNX Runtime: x ≤ threshold left, NaN default-left (missing NaN) or as 0 (missing none)', async () => {
    const rng = new Rng(1921);
    const trees = Array.from({ length: 6 }, () => randomTree(rng, THRESHOLDS));
    const missingNan = trees.map(() => Array.from({ length: 7 }, () => rng.uniform() < 0.6));
    const p = lightgbmTextToGbdt(lightgbmText(trees, missingNan, 'binary sigmoid:1', 1));
    expect([p.objective, p.inputs, p.trees.length]).toEqual(['binary', ['pt_gev', 'eta', 'rhad'], 6]);
    // ONNX: BRANCH_LEQ; NaN tracks the default (missing NaN) or goes where 0 goes (missing none).
    const onnx = trees.map((t, ti) => {
      let s = 0;
      return {
        ...t,
        nanLeft: t.left.map((l, i) =>
          l < 0 ? false : missingNan[ti]?.[s++] ? (t.nanLeft[i] as boolean) : 0 <= (t.value[i] as number),
        ),
      };
    });
    const n = 500;
    const x = rows(rng, n, THRESHOLDS);
    const want = await ortTrees(onnx, (t, i) => trees[t]?.value[i] as number, 'BRANCH_LEQ', 1, [0], 'sigmoid', x, n);
    expect(worst(evaluateGbdt(p, x, n), want)).toBeLessThan(1e-5);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.2);
  });

  it('multiclass num_class:3 equals ONNX Runtime; bad fields are named', async () => {
    const rng = new Rng(1922);
    const trees = Array.from({ length: 6 }, () => randomTree(rng, THRESHOLDS));
    const missingNan = trees.map(() => Array.from({ length: 7 }, () => true));
    const text = lightgbmText(trees, missingNan, 'multiclass num_class:3', 3);
    const p = lightgbmTextToGbdt(text);
    const n = 300;
    const x = rows(rng, n, THRESHOLDS);
    const want = await ortTrees(
      trees,
      (t, i) => trees[t]?.value[i] as number,
      'BRANCH_LEQ',
      3,
      [0, 0, 0],
      'softmax',
      x,
      n,
    );
    expect(worst(evaluateGbdt(p, x, n), want)).toBeLessThan(1e-5);
    const bundle = await importLightgbmText(new TextEncoder().encode(text), { name: 'lgbm-test' });
    expect(bundle.manifest.outputs.map((o) => o.name)).toEqual(['class_0', 'class_1', 'class_2']);
    expect(worst(createRunner(bundle.manifest, Object.fromEntries(bundle.files)).predict(x, n), want)).toBeLessThan(
      1e-5,
    );
    expect(() => lightgbmTextToGbdt(text.replace('objective=multiclass num_class:3', 'objective=lambdarank'))).toThrow(
      /objective lambdarank/,
    );
    expect(() => lightgbmTextToGbdt(text.replace(/\nleaf_value=[^\n]*/, '\nleaf_value=1 2'))).toThrow(
      /Tree=0: leaf_value must have 8 numbers/,
    );
    expect(() => lightgbmTextToGbdt(text.replace(/decision_type=\d+/, 'decision_type=1'))).toThrow(/categorical/);
  });
});
