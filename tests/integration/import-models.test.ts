/**
 * Issue 19 end to end: models trained elsewhere, written here from their documented formats
 * (XGBoost's JSON model schema, LightGBM's text model, lwtnn's JSON network, an ONNX-ML
 * TreeEnsembleClassifier as onnxmltools writes for boosted trees), go through `pnpm import-model`
 * and `pnpm publish-model` into a fresh local stack and are served over `/v1` and KServe v2 with
 * the outputs of ONNX Runtime on the same model to 1e-5. Each import is measured on the
 * electron-ID task (metrics and working points, so it stands on the leaderboard beside ours) and
 * its lineage names the original file's sha256 and producer.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OnnxGraph } from '@hepml/models/export';
import { decodeOnnxTensor } from '@hepml/models/import';
import { createToken, ensureUser } from '@hepml/models/registry';
import { ELECTRON_ID_VARIABLES, generateElectronId, Rng } from '@hepml/physics';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_CONFIG,
  applyMigrations,
  freePort,
  ROOT,
  type RunningWorker,
  startWorker,
  withPlatform,
} from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hepml-import-'));
const persistTo = join(work, 'state');
let api: RunningWorker | undefined;
let token = '';

/** Rows the models are compared on: simulated electron candidates (float32 columns). */
const N = 200;
const ELECTRON_ID_INPUTS = Object.keys(ELECTRON_ID_VARIABLES);
const SAMPLE = generateElectronId({ n: N, seed: 1919 });
const column = (name: string): Float32Array => {
  const c = SAMPLE.columns[name];
  if (!c) throw new Error(`no column ${name}`);
  return Float32Array.from(c);
};

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts', script), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A tree in flat arrays: node i's children left[i], right[i] (−1 for a leaf); value = threshold or leaf. */
interface Tree {
  left: number[];
  right: number[];
  feature: number[];
  value: number[];
  nanLeft: boolean[];
}

/** A full tree of depth 3 splitting on data values of its features (so rows fall on thresholds too). */
function randomTree(rng: Rng, features: readonly string[]): Tree {
  const t: Tree = { left: [], right: [], feature: [], value: [], nanLeft: [] };
  for (let i = 0; i < 15; i++) {
    const leaf = 2 * i + 1 >= 15;
    const f = Math.floor(rng.uniform() * features.length);
    const data = column(features[f] as string);
    t.left.push(leaf ? -1 : 2 * i + 1);
    t.right.push(leaf ? -1 : 2 * i + 2);
    t.feature.push(leaf ? 0 : f);
    t.value.push(leaf ? Math.fround(rng.range(-0.6, 0.6)) : (data[Math.floor(rng.uniform() * N)] as number));
    t.nanLeft.push(!leaf && rng.uniform() < 0.5);
  }
  return t;
}

/**
 * The trees as one ai.onnx.ml node over X [N, d]: a TreeEnsembleRegressor (+ Sigmoid) or, as
 * onnxmltools converts a binary booster, a TreeEnsembleClassifier with two classes, every weight on
 * class 0, one base value and post_transform LOGISTIC (outputs label, probabilities [N, 2]).
 */
function treeOnnx(
  trees: Tree[],
  d: number,
  mode: 'BRANCH_LT' | 'BRANCH_LEQ',
  base: number,
  as: 'regressor' | 'classifier',
): Uint8Array {
  const a = { tree: [] as number[], node: [] as number[], feat: [] as number[], modes: [] as string[] };
  const vals: number[] = [];
  const links = { t: [] as number[], f: [] as number[], miss: [] as number[] };
  const leaf = { tree: [] as number[], node: [] as number[], w: [] as number[] };
  for (const [ti, t] of trees.entries()) {
    t.left.forEach((l, i) => {
      const isLeaf = l < 0;
      a.tree.push(ti);
      a.node.push(i);
      a.feat.push(isLeaf ? 0 : (t.feature[i] as number));
      a.modes.push(isLeaf ? 'LEAF' : mode);
      vals.push(isLeaf ? 0 : (t.value[i] as number));
      links.t.push(isLeaf ? 0 : l);
      links.f.push(isLeaf ? 0 : (t.right[i] as number));
      links.miss.push(!isLeaf && t.nanLeft[i] ? 1 : 0);
      if (isLeaf) {
        leaf.tree.push(ti);
        leaf.node.push(i);
        leaf.w.push(t.value[i] as number);
      }
    });
  }
  const g = new OnnxGraph(13).useOpset('ai.onnx.ml', 3);
  const x = g.input({ name: 'X', type: 'float', shape: ['N', d] });
  const nodes = {
    nodes_treeids: { ints: a.tree },
    nodes_nodeids: { ints: a.node },
    nodes_featureids: { ints: a.feat },
    nodes_modes: { strings: a.modes },
    nodes_values: { floats: vals },
    nodes_truenodeids: { ints: links.t },
    nodes_falsenodeids: { ints: links.f },
    nodes_missing_value_tracks_true: { ints: links.miss },
  };
  if (as === 'regressor') {
    const y = g.node('TreeEnsembleRegressor', [x], {
      domain: 'ai.onnx.ml',
      attributes: {
        ...nodes,
        n_targets: { int: 1 },
        base_values: { floats: [base] },
        target_treeids: { ints: leaf.tree },
        target_nodeids: { ints: leaf.node },
        target_ids: { ints: leaf.tree.map(() => 0) },
        target_weights: { floats: leaf.w },
      },
    });
    g.node('Sigmoid', [y], { output: 'score' });
    g.output({ name: 'score', type: 'float', shape: ['N', 1] });
  } else {
    g.node('TreeEnsembleClassifier', [x], {
      domain: 'ai.onnx.ml',
      outputs: ['label', 'probabilities'],
      attributes: {
        ...nodes,
        classlabels_int64s: { ints: [0, 1] },
        post_transform: { string: 'LOGISTIC' },
        base_values: { floats: [base] },
        class_treeids: { ints: leaf.tree },
        class_nodeids: { ints: leaf.node },
        class_ids: { ints: leaf.tree.map(() => 0) },
        class_weights: { floats: leaf.w },
      },
    });
    g.output({ name: 'label', type: 'int64', shape: ['N'] });
    g.output({ name: 'probabilities', type: 'float', shape: ['N', 2] });
  }
  return g.encode('trees');
}

/** ONNX Runtime on `model` over the rows of `inputs` (one input tensor X [N, d]); output `name`, column `col` of `width`. */
async function ortColumn(model: Uint8Array, inputs: readonly string[], name: string, width: number, col: number) {
  const d = inputs.length;
  const x = new Float32Array(N * d);
  const cols = inputs.map(column);
  for (let r = 0; r < N; r++) for (let k = 0; k < d; k++) x[r * d + k] = cols[k]?.[r] as number;
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = await session.run({ X: new ort.Tensor('float32', x, [N, d]) });
  await session.release();
  const data = out[name]?.data as Float32Array;
  return Float64Array.from({ length: N }, (_, r) => data[r * width + col] as number);
}

/** XGBoost's JSON model (doc/model.schema): binary:logistic, base_score a probability. */
function xgboostJson(trees: Tree[], features: readonly string[], baseScore: number) {
  return {
    version: [2, 1, 3],
    learner: {
      attributes: {},
      feature_names: features,
      feature_types: features.map(() => 'float'),
      learner_model_param: {
        base_score: baseScore.toExponential(),
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(features.length),
        num_target: '1',
      },
      objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length) },
          iteration_indptr: trees.map((_, i) => i).concat(trees.length),
          tree_info: trees.map(() => 0),
          trees: trees.map((t, id) => ({
            id,
            tree_param: {
              num_deleted: '0',
              num_feature: String(features.length),
              num_nodes: '15',
              size_leaf_vector: '1',
            },
            base_weights: t.value,
            categories: [],
            categories_nodes: [],
            categories_segments: [],
            categories_sizes: [],
            default_left: t.nanLeft.map((b) => (b ? 1 : 0)),
            left_children: t.left,
            loss_changes: t.left.map(() => 0),
            parents: t.left.map((_, i) => (i === 0 ? 2147483647 : Math.floor((i - 1) / 2))),
            right_children: t.right,
            split_conditions: t.value,
            split_indices: t.feature,
            split_type: t.left.map(() => 0),
            sum_hessian: t.left.map(() => 1),
          })),
        },
      },
    },
  };
}

/** LightGBM's text model (`save_model`): binary sigmoid:1, x ≤ threshold left, missing NaN, default left per split. */
function lightgbmText(trees: Tree[], features: readonly string[]): string {
  const out = [
    'tree',
    'version=v4',
    'num_class=1',
    'num_tree_per_iteration=1',
    'label_index=0',
    `max_feature_idx=${features.length - 1}`,
    'objective=binary sigmoid:1',
    `feature_names=${features.join(' ')}`,
    `feature_infos=${features.map(() => '[0:1]').join(' ')}`,
    `tree_sizes=${trees.map(() => 500).join(' ')}`,
    '',
  ];
  trees.forEach((t, ti) => {
    const splits: number[] = [];
    const leaves: number[] = [];
    for (const [i, l] of t.left.entries()) (l < 0 ? leaves : splits).push(i);
    const ref = (i: number) => ((t.left[i] as number) < 0 ? -(leaves.indexOf(i) + 1) : splits.indexOf(i));
    out.push(
      `Tree=${ti}`,
      `num_leaves=${leaves.length}`,
      'num_cat=0',
      `split_feature=${splits.map((i) => t.feature[i]).join(' ')}`,
      `split_gain=${splits.map(() => 1).join(' ')}`,
      `threshold=${splits.map((i) => t.value[i]).join(' ')}`,
      // decision_type bits: 1 categorical, 2 default left, (type << 2) missing type (2 = NaN).
      `decision_type=${splits.map((i) => 8 | (t.nanLeft[i] ? 2 : 0)).join(' ')}`,
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
  out.push('end of trees', '', 'feature_importances:', '', 'parameters:', '[boosting: gbdt]', 'end of parameters', '');
  return out.join('\n');
}

/** lwtnn's JSON network (keras2json.py): x' = (x + offset)·scale, dense layers with weights [units × fanIn] row-major. */
function lwtnnNet(rng: Rng, inputs: readonly string[]) {
  const offsets = inputs.map((n) => -mean(column(n)));
  const scales = inputs.map((n) => 1 / Math.max(1e-3, spread(column(n))));
  const layer = (fanIn: number, units: number, activation: string) => ({
    architecture: 'dense',
    activation,
    weights: Array.from({ length: units * fanIn }, () => Math.fround(rng.range(-0.8, 0.8))),
    bias: Array.from({ length: units }, () => Math.fround(rng.range(-0.2, 0.2))),
  });
  return {
    inputs: inputs.map((name, i) => ({ name, offset: offsets[i] as number, scale: scales[i] as number })),
    input_sequences: [],
    layers: [layer(inputs.length, 8, 'rectified'), layer(8, 6, 'tanh'), layer(6, 1, 'sigmoid')],
    outputs: ['score'],
    defaults: {},
    miscellaneous: { lwtnn_version: '2.14' },
  };
}

function mean(x: Float32Array): number {
  return x.reduce((s, v) => s + v, 0) / x.length;
}
function spread(x: Float32Array): number {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
}

/** The lwtnn network as an ONNX graph of its own (Add, Mul, MatMul with Wᵀ, activations), for ONNX Runtime. */
function lwtnnOnnx(net: ReturnType<typeof lwtnnNet>): Uint8Array {
  const d = net.inputs.length;
  const g = new OnnxGraph(13);
  let h = g.input({ name: 'X', type: 'float', shape: ['N', d] });
  h = g.node('Add', [
    h,
    g.floats(
      'offset',
      [d],
      net.inputs.map((i) => i.offset),
    ),
  ]);
  h = g.node('Mul', [
    h,
    g.floats(
      'scale',
      [d],
      net.inputs.map((i) => i.scale),
    ),
  ]);
  let fanIn = d;
  net.layers.forEach((l, k) => {
    const units = l.bias.length;
    const wt = new Float32Array(fanIn * units);
    for (let j = 0; j < units; j++)
      for (let i = 0; i < fanIn; i++) wt[i * units + j] = l.weights[j * fanIn + i] as number;
    h = g.node('MatMul', [h, g.floats(`w${k}`, [fanIn, units], wt)]);
    h = g.node('Add', [h, g.floats(`b${k}`, [units], l.bias)]);
    const op = { rectified: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' }[l.activation] as string;
    h = g.node(op, [h], k === net.layers.length - 1 ? { output: 'score' } : {});
    fanIn = units;
  });
  g.output({ name: 'score', type: 'float', shape: ['N', 1] });
  return g.encode('lwtnn-reference');
}

/** `/v1` predict on the simulation's rows (by the model's input names): the scores. */
async function servedScores(name: string, inputs: readonly string[]): Promise<number[]> {
  const cols = inputs.map(column);
  const rows = Array.from({ length: N }, (_, r) => Object.fromEntries(inputs.map((n, k) => [n, cols[k]?.[r]])));
  const res = await fetch(`${api?.url}/v1/models/${name}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ rows }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { scores: number[] }).scores;
}

/** KServe v2 infer on the same rows: output `score`. */
async function kserveScores(name: string, inputs: readonly string[]): Promise<number[]> {
  const res = await fetch(`${api?.url}/v2/models/${name}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      inputs: inputs.map((n) => ({ name: n, shape: [N], datatype: 'FP32', data: Array.from(column(n)) })),
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { outputs: { name: string; data: number[] }[] };
  return body.outputs.find((o) => o.name === 'score')?.data ?? [];
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs((a[i] as number) - (b[i] as number)));
  return w;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The shared PyTorch exports (../shared/data/onnx-pytorch, ONNX backend-test layout). */
const PYTORCH_CASES = fileURLToPath(new URL('../../../shared/data/onnx-pytorch/', import.meta.url));

/** One shared case: the model's bytes, its one input and one reference output (float32), the input shape. */
function pytorchCase(name: string) {
  const dir = join(PYTORCH_CASES, name);
  if (!existsSync(join(dir, 'model.onnx')))
    throw new Error(`shared PyTorch ONNX case missing: ${dir} (see /work/shared/data/README.md)`);
  const tensor = (file: string) => decodeOnnxTensor(new Uint8Array(readFileSync(join(dir, 'test_data_set_0', file))));
  const input = tensor('input_0.pb');
  const output = tensor('output_0.pb');
  return {
    model: new Uint8Array(readFileSync(join(dir, 'model.onnx'))),
    input: Float32Array.from(input.data as Float32Array),
    output: Float32Array.from(output.data as Float32Array),
    shape: input.dims,
  };
}

/** A spec for a case: inputs x0… and outputs y0… (dimensionless corrections), on a reference task to be publishable. */
function caseSpec(inputs: number, outputs: number) {
  return {
    task: 'energy-regression',
    inputs: Array.from({ length: inputs }, (_, k) => ({ name: `x${k}`, unit: '1' })),
    outputs: Array.from({ length: outputs }, (_, k) => ({ name: `y${k}`, kind: 'correction', unit: '1' })),
  };
}

/** ONNX Runtime on a model with one input (named by the graph) of `shape`: its first output, flat. */
async function ortRun(
  model: Uint8Array,
  x: Float32Array,
  shape: readonly number[],
  name?: string,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = await session.run({
    [name ?? (session.inputNames[0] as string)]: new ort.Tensor('float32', x, [...shape]),
  });
  const data = out[session.outputNames[0] as string]?.data as Float32Array;
  await session.release();
  return data;
}

/** `/v1` predict of n rows of d values named x0…: the outputs y0… row by row, flat. */
async function servedOutputs(name: string, x: Float32Array, n: number, d: number, outs: number): Promise<Float64Array> {
  const rows = Array.from({ length: n }, (_, r) =>
    Object.fromEntries(Array.from({ length: d }, (_, k) => [`x${k}`, x[r * d + k]])),
  );
  const res = await fetch(`${api?.url}/v1/models/${name}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ rows }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { outputs: Record<string, number[]> };
  return Float64Array.from(
    { length: n * outs },
    (_, i) => body.outputs[`y${i % outs}`]?.[Math.floor(i / outs)] ?? Number.NaN,
  );
}

/**
 * Imports `file` (extra CLI args) into a bundle directory, optionally measures its scale factors
 * (`pnpm calibrate`), publishes it; returns the directory. `task`: the reference task it lands on
 * (electron-ID models are measured on it).
 */
async function importAndPublish(
  file: string,
  name: string,
  args: string[],
  options: { task?: string; calibrate?: boolean } = {},
): Promise<string> {
  const task = options.task ?? 'electron-id';
  const out = join(work, 'bundles', name);
  const imported = await cli('import-model.ts', [file, '--name', name, '--out', out, '--n', '6000', ...args]);
  expect(imported.code, imported.stderr).toBe(0);
  if (task === 'electron-id') expect(imported.stderr).toMatch(/measured on electron-id .*auc 0\.\d+/);
  expect(imported.stdout).toContain(`imported ${name} (task ${task}`);
  if (options.calibrate) {
    const calibrated = await cli('calibrate.ts', ['--model', out, '--n', '20000']);
    expect(calibrated.code, calibrated.stderr).toBe(0);
    expect(calibrated.stdout).toContain('wrote scale-factors.json and scale-factor-tables.json');
  }
  const published = await cli('publish-model.ts', [out, '--to', api?.url ?? '', '--token', token]);
  expect(published.code, published.stderr).toBe(0);
  expect(published.stdout).toContain(`published ${name} v1 (task ${task})`);
  return out;
}

/** The served model's lineage and leaderboard figures through `GET /v1/models/{name}`. */
async function detail(name: string) {
  const res = await fetch(`${api?.url}/v1/models/${name}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    task: string;
    metrics: Record<string, number>;
    workingPoints: { name: string }[];
    lineage: { source?: { format: string; file: string; sha256: string; producer: string; producerVersion?: string } };
  };
}

beforeAll(async () => {
  await applyMigrations(persistTo);
  await withPlatform(persistTo, async ({ db }) => {
    const userId = await ensureUser(db, 'importer');
    token = (await createToken(db, { userId, name: 'import test', scopes: ['read', 'publish'] })).token;
  });
  api = await startWorker({ config: API_CONFIG, port: await freePort(), persistTo, readyPath: '/v2/health/live' });
});

afterAll(async () => {
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('pnpm import-model → publish → serve', () => {
  it('an XGBoost JSON model: served over /v1 and KServe v2 as ONNX Runtime computes it', async () => {
    const features = ['rhad', 'reta', 'eProbabilityHT', 'weta2', 'f1'];
    const rng = new Rng(19_001);
    const trees = Array.from({ length: 8 }, () => randomTree(rng, features));
    const file = join(work, 'electron-xgb.json');
    writeFileSync(file, JSON.stringify(xgboostJson(trees, features, 0.4)));
    await importAndPublish(file, 'xgb-electron', ['--task', 'electron-id'], { calibrate: true });
    const want = await ortColumn(
      treeOnnx(trees, 5, 'BRANCH_LT', Math.log(0.4 / 0.6), 'regressor'),
      features,
      'score',
      1,
      0,
    );
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.2);
    expect(worst(await servedScores('xgb-electron', features), want)).toBeLessThan(1e-5);
    expect(worst(await kserveScores('xgb-electron', features), want)).toBeLessThan(1e-5);
    const m = await detail('xgb-electron');
    expect(m.lineage.source).toEqual({
      format: 'xgboost-json',
      file: 'electron-xgb.json',
      sha256: sha256(file),
      producer: 'xgboost',
      producerVersion: '2.1.3',
    });
    // Random trees: any AUC, but measured on the task's test split like our own models.
    expect(m.metrics.auc).toBeGreaterThan(0);
    expect(m.metrics.auc).toBeLessThan(1);
    expect(m.workingPoints.map((w) => w.name)).toEqual(['loose', 'medium', 'tight']);
    // Calibrated like our own: its scale factors are served as correctionlib JSON.
    const sf = await fetch(`${api?.url}/v1/models/xgb-electron/scale-factors?format=correctionlib`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sf.status).toBe(200);
    const set = (await sf.json()) as { corrections: { name: string }[] };
    expect(set.corrections.map((c) => c.name)).toEqual([
      'xgb-electron-loose',
      'xgb-electron-medium',
      'xgb-electron-tight',
    ]);
  });

  it('a LightGBM text model with an input spec (units, descriptions)', async () => {
    const features = ['et', 'eta', 'rhad', 'f3', 'deltaPhiRes'];
    const rng = new Rng(19_002);
    const trees = Array.from({ length: 6 }, () => randomTree(rng, features));
    const file = join(work, 'electron-lgbm.txt');
    writeFileSync(file, lightgbmText(trees, features));
    const spec = join(work, 'lgbm-spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        task: 'electron-id',
        inputs: features.map((name) => ({
          name,
          unit: name === 'et' ? 'GeV' : name === 'deltaPhiRes' ? 'rad' : '1',
          description: `the ${name} of the candidate`,
        })),
      }),
    );
    const dir = await importAndPublish(file, 'lgbm-electron', ['--inputs', spec]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      inputs: { name: string; unit: string; description?: string }[];
    };
    expect(manifest.inputs.find((i) => i.name === 'et')).toMatchObject({
      unit: 'GeV',
      description: 'the et of the candidate',
    });
    const want = await ortColumn(treeOnnx(trees, 5, 'BRANCH_LEQ', 0, 'regressor'), features, 'score', 1, 0);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.2);
    expect(worst(await servedScores('lgbm-electron', features), want)).toBeLessThan(1e-5);
    expect((await detail('lgbm-electron')).lineage.source).toMatchObject({
      format: 'lightgbm-text',
      sha256: sha256(file),
      producer: 'lightgbm',
      producerVersion: 'v4',
    });
  });

  it('an ONNX-ML TreeEnsembleClassifier (as onnxmltools writes boosted trees), inputs named by the spec', async () => {
    const features = ['rphi', 'reta', 'eOverP', 'd0sig'];
    const rng = new Rng(19_003);
    const trees = Array.from({ length: 5 }, () => randomTree(rng, features));
    const bytes = treeOnnx(trees, 4, 'BRANCH_LEQ', -0.3, 'classifier');
    const file = join(work, 'electron-trees.onnx');
    writeFileSync(file, bytes);
    const spec = join(work, 'onnx-spec.json');
    writeFileSync(spec, JSON.stringify({ task: 'electron-id', inputs: features.map((name) => ({ name, unit: '1' })) }));
    await importAndPublish(file, 'onnx-trees-electron', ['--inputs', spec]);
    const want = await ortColumn(bytes, features, 'probabilities', 2, 1);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.2);
    expect(worst(await servedScores('onnx-trees-electron', features), want)).toBeLessThan(1e-5);
    expect(worst(await kserveScores('onnx-trees-electron', features), want)).toBeLessThan(1e-5);
    expect((await detail('onnx-trees-electron')).lineage.source).toMatchObject({
      format: 'onnx',
      sha256: sha256(file),
      producer: 'hepml-edge',
    });
  });

  it('an lwtnn JSON network: its standardisation and dense layers served as ONNX Runtime computes them', async () => {
    const features = ['et', 'eta', 'reta', 'rphi', 'weta2', 'eProbabilityHT'];
    const net = lwtnnNet(new Rng(19_004), features);
    const file = join(work, 'electron-lwtnn.json');
    writeFileSync(file, JSON.stringify(net));
    await importAndPublish(file, 'lwtnn-electron', ['--task', 'electron-id']);
    const want = await ortColumn(lwtnnOnnx(net), features, 'score', 1, 0);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
    expect(worst(await servedScores('lwtnn-electron', features), want)).toBeLessThan(1e-5);
    expect((await detail('lwtnn-electron')).lineage.source).toMatchObject({
      format: 'lwtnn-json',
      sha256: sha256(file),
      producer: 'lwtnn',
      producerVersion: '2.14',
    });
  });

  it('the shared PyTorch MLP (test_Linear, Gemm 10 → 8) runs fused as an mlp and is served as PyTorch computed it', async () => {
    const { model, input, output, shape } = pytorchCase('test_Linear');
    const [n, d] = shape as [number, number];
    const outs = output.length / n;
    const file = join(work, 'linear.onnx');
    writeFileSync(file, model);
    const spec = join(work, 'linear-spec.json');
    writeFileSync(spec, JSON.stringify(caseSpec(d, outs)));
    const dir = await importAndPublish(file, 'pytorch-linear', ['--inputs', spec], { task: 'energy-regression' });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      architecture: { kind: string };
      lineage: { source: { producer: string; producerVersion: string } };
    };
    expect(manifest.architecture.kind).toBe('mlp');
    expect(manifest.lineage.source).toMatchObject({ producer: 'pytorch', producerVersion: '0.3' });
    // PyTorch 0.3 wrote it at opset 6, for whose Gemm onnxruntime-node 1.30 has no kernel: the
    // reference is the output PyTorch recorded (ONNX Runtime checks the torch-layout MLP below).
    await expect(ortRun(model, input, shape)).rejects.toThrow(/Gemm\(6\)/);
    const served = await servedOutputs('pytorch-linear', input, n, d, outs);
    expect(worst(served, output)).toBeLessThan(1e-5);
  });

  it('the shared PyTorch CNN (test_Conv2d, 3 × 7 × 5 → 4 × 5 × 4) is served as ONNX Runtime and PyTorch computed it', async () => {
    const { model, input, output, shape } = pytorchCase('test_Conv2d');
    const n = shape[0] as number;
    const d = input.length / n;
    const outs = output.length / n;
    const file = join(work, 'conv2d.onnx');
    writeFileSync(file, model);
    const spec = join(work, 'conv2d-spec.json');
    writeFileSync(spec, JSON.stringify(caseSpec(d, outs)));
    await importAndPublish(file, 'pytorch-conv2d', ['--inputs', spec], { task: 'energy-regression' });
    const want = await ortRun(model, input, shape);
    expect(worst(want, output)).toBeLessThan(1e-5);
    expect(worst(await servedOutputs('pytorch-conv2d', input, n, d, outs), want)).toBeLessThan(1e-5);
  });

  it('an electron-ID MLP in torch.onnx.export layout, trained on standardised inputs: the spec standardisation is applied, measured on the task', async () => {
    const features = Object.keys(SAMPLE.columns).filter((c) => ELECTRON_ID_INPUTS.includes(c));
    expect(features).toHaveLength(ELECTRON_ID_INPUTS.length);
    const rng = new Rng(19_005);
    const sizes = [features.length, 32, 16, 1];
    const layers = sizes.slice(1).map((units, k) => ({
      w: Float32Array.from({ length: units * (sizes[k] as number) }, () => rng.range(-0.4, 0.4)),
      b: Float32Array.from({ length: units }, () => rng.range(-0.1, 0.1)),
      units,
      fanIn: sizes[k] as number,
    }));
    const g = new OnnxGraph(17);
    let h = g.input({ name: 'input', type: 'float', shape: ['batch', features.length] });
    for (const [k, l] of layers.entries()) {
      h = g.node('Gemm', [h, g.floats(`${k}.weight`, [l.units, l.fanIn], l.w), g.floats(`${k}.bias`, [l.units], l.b)], {
        attributes: { transB: { int: 1 } },
      });
      h = g.node(
        k === layers.length - 1 ? 'Sigmoid' : 'Relu',
        [h],
        k === layers.length - 1 ? { output: 'output' } : {},
      );
    }
    g.output({ name: 'output', type: 'float', shape: ['batch', 1] });
    const model = g.encode('main_graph');
    const file = join(work, 'electron-mlp.onnx');
    writeFileSync(file, model);
    const offsets = features.map((f) => mean(column(f)));
    const scales = features.map((f) => Math.max(1e-3, spread(column(f))));
    const spec = join(work, 'electron-mlp-spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        task: 'electron-id',
        inputs: features.map((name, k) => ({
          name,
          unit: ELECTRON_ID_VARIABLES[name as keyof typeof ELECTRON_ID_VARIABLES],
          offset: offsets[k],
          scale: scales[k],
        })),
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      }),
    );
    const dir = await importAndPublish(file, 'onnx-mlp-electron', ['--inputs', spec]);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).architecture.kind).toBe('mlp');
    // ONNX Runtime on the standardised rows, as the model was trained.
    const x = new Float32Array(N * features.length);
    const cols = features.map(column);
    for (let r = 0; r < N; r++)
      for (let k = 0; k < features.length; k++)
        x[r * features.length + k] = ((cols[k]?.[r] as number) - (offsets[k] as number)) / (scales[k] as number);
    const want = await ortRun(model, x, [N, features.length], 'input');
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
    expect(worst(await servedScores('onnx-mlp-electron', features), want)).toBeLessThan(1e-5);
    expect(worst(await kserveScores('onnx-mlp-electron', features), want)).toBeLessThan(1e-5);
    const m = await detail('onnx-mlp-electron');
    expect(m.metrics.auc).toBeGreaterThan(0);
    expect(m.lineage.source).toMatchObject({ format: 'onnx', sha256: sha256(file), producer: 'hepml-edge' });
  });

  it("a model for a user's task (--task-file): the task travels in the bundle, the registry learns it on publishing", async () => {
    const task = {
      format: 'hepml-task',
      formatVersion: 1,
      name: 'muon-iso-import',
      title: 'Muon isolation (imported models)',
      description: 'Prompt muons against muons in jets, from track isolation and impact parameter.',
      kind: 'binary',
      inputs: [
        { name: 'pt', unit: 'GeV', description: 'muon transverse momentum' },
        { name: 'relIso', unit: '1', description: 'track isolation in ΔR < 0.3 over the muon pt' },
        { name: 'dxy', unit: 'mm', description: 'transverse impact parameter' },
      ],
      label: { column: 'label', signal: [1], background: [0] },
      split: { validation: 0.2, test: 0.2 },
      seed: 7,
      data: { source: 'files' },
    };
    const taskFile = join(work, 'muon-task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const rng = new Rng(19_007);
    // Rows and thresholds of the user's variables (not a simulation of ours).
    const rows = Array.from({ length: 50 }, () => ({
      pt: rng.range(5, 80),
      relIso: rng.range(0, 0.5),
      dxy: rng.range(-0.2, 0.2),
    }));
    const names = ['pt', 'relIso', 'dxy'];
    const tree: Tree = {
      left: [1, 3, 5, -1, -1, -1, -1],
      right: [2, 4, 6, -1, -1, -1, -1],
      feature: [1, 0, 2, 0, 0, 0, 0],
      value: [0.15, 20, 0.05, 0.8, 0.1, -0.3, -0.9].map(Math.fround),
      nanLeft: [false, false, false, false, false, false, false],
    };
    const file = join(work, 'muon-xgb.json');
    writeFileSync(file, JSON.stringify(xgboostJson([tree], names, 0.5)));
    await importAndPublish(file, 'xgb-muon-iso', ['--task-file', taskFile], { task: 'muon-iso-import' });
    const res = await fetch(`${api?.url}/v1/models/xgb-muon-iso/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ rows }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const scores = ((await res.json()) as { scores: number[] }).scores;
    const leaf = (r: { pt: number; relIso: number; dxy: number }) =>
      r.relIso < (tree.value[0] as number)
        ? r.pt < (tree.value[1] as number)
          ? 0.8
          : 0.1
        : r.dxy < (tree.value[2] as number)
          ? -0.3
          : -0.9;
    const want = rows.map((r) => 1 / (1 + Math.exp(-Math.fround(leaf(r)))));
    expect(worst(scores, want)).toBeLessThan(1e-5);
    const m = await detail('xgb-muon-iso');
    expect(m.task).toBe('muon-iso-import');
    expect(m.lineage.source?.producer).toBe('xgboost');
  });

  it('refuses bad input with one line naming the file and field, exit status 2', async () => {
    const spec = join(work, 'bad-spec.json');
    writeFileSync(spec, JSON.stringify({ inputs: [{ name: 'rhad' }] }));
    const xgb = join(work, 'two-features-xgb.json');
    const features = ['rhad', 'reta'];
    writeFileSync(xgb, JSON.stringify(xgboostJson([randomTree(new Rng(19_006), features)], features, 0.5)));
    const bad = await cli('import-model.ts', [xgb, '--inputs', spec, '--out', join(work, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('import-model: bad-spec.json: inputs[0].unit: must be a string\n');
    const junk = join(work, 'junk.bin');
    writeFileSync(junk, 'not a model');
    const unknown = await cli('import-model.ts', [junk, '--task', 'electron-id']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^import-model: junk\.bin: unknown model format [^\n]*\n$/);
    // ONNX outside the supported set: the node and op, or the dynamic shape, named; never served.
    const abc = join(work, 'abc-spec.json');
    writeFileSync(abc, JSON.stringify({ inputs: ['a', 'b', 'c'].map((name) => ({ name, unit: '1' })) }));
    const lpNorm = new OnnxGraph(13);
    lpNorm.node(
      'Relu',
      [lpNorm.node('LpNormalization', [lpNorm.input({ name: 'X', type: 'float', shape: ['N', 3] })])],
      { output: 'Y' },
    );
    lpNorm.output({ name: 'Y', type: 'float', shape: ['N', 3] });
    writeFileSync(join(work, 'lp-norm.onnx'), lpNorm.encode('lp-norm'));
    const unsupported = await cli('import-model.ts', [
      join(work, 'lp-norm.onnx'),
      '--inputs',
      abc,
      '--out',
      join(work, 'x'),
    ]);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(
      /^import-model: lp-norm\.onnx: ONNX: graph\.node\[0\] "[^"]+": operator LpNormalization is not supported\n$/,
    );
    const dyn = new OnnxGraph(13);
    dyn.node('Relu', [dyn.input({ name: 'X', type: 'float', shape: ['N', 'features'] })], { output: 'Y' });
    dyn.output({ name: 'Y', type: 'float', shape: ['N', 'features'] });
    writeFileSync(join(work, 'dynamic.onnx'), dyn.encode('dynamic'));
    const dynamic = await cli('import-model.ts', [
      join(work, 'dynamic.onnx'),
      '--inputs',
      abc,
      '--out',
      join(work, 'x'),
    ]);
    expect(dynamic.code).toBe(2);
    expect(dynamic.stderr).toMatch(/^import-model: dynamic\.onnx: .*dimension 1 is symbolic \("features"\)/);
    const wrongTask = await cli('import-model.ts', [xgb, '--task', 'bjet']);
    expect(wrongTask.code).toBe(2);
    expect(wrongTask.stderr).toMatch(
      /^import-model: --task bjet: inputs: two-features-xgb\.json names features the spec does not: rhad, reta\n$/,
    );
  });
});
