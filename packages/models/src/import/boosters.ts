/**
 * XGBoost JSON models (`Booster.save_model("m.json")`, schema dmlc/xgboost doc/model.schema) and
 * LightGBM text models (`Booster.save_model("m.txt")`, writer src/io/tree.cpp) as hepml GBDTs
 * (`GbdtParams`). XGBoost splits `x < split_condition` (float32) → left, missing → `default_left`;
 * LightGBM splits `x ≤ threshold` → left, with decision_type bit 1 = default left and bits 2–3 the
 * missing type (0 none: NaN counts as 0; 2 NaN: NaN takes the default direction).
 */
import { FieldError } from '@hepml/physics';
import { z } from 'zod';
import type { GbdtObjective, GbdtParams } from '../runtime/baselines/gbdt-format.ts';
import { buildGbdtTree, type ForeignNode, nextFloat32Above } from './tree-ensemble.ts';

const intList = z.array(z.number().int());
const XgbTree = z.object({
  left_children: intList,
  right_children: intList,
  split_indices: intList,
  split_conditions: z.array(z.number()),
  default_left: z.array(z.union([z.boolean(), z.number().int().min(0).max(1)])),
  base_weights: z.array(z.number()).optional(),
  split_type: intList.optional(),
});
const XgbModel = z.object({
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    learner_model_param: z.object({
      base_score: z.string(),
      num_class: z.string().regex(/^\d+$/),
      num_feature: z.string().regex(/^\d+$/),
    }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.literal('gbtree'),
      model: z.object({ trees: z.array(XgbTree), tree_info: intList }),
    }),
  }),
});

function zodFail(format: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue
    ? issue.path
        .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
        .join('')
        .slice(1)
    : '';
  throw new FieldError(`${format}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, { field });
}

/**
 * An XGBoost JSON model (gbtree; objectives binary:logistic, reg:squarederror, multi:softprob /
 * multi:softmax served as probabilities) as a hepml GBDT. base_score is the mean response (a
 * probability for binary:logistic, turned into its logit; since XGBoost 2 it may be a list "[a,b]").
 */
export function xgboostJsonToGbdt(json: unknown, inputNames?: readonly string[]): GbdtParams {
  const parsed = XgbModel.safeParse(json);
  if (!parsed.success) zodFail('XGBoost JSON', parsed.error);
  const { learner } = parsed.data;
  const d = Number(learner.learner_model_param.num_feature);
  // XGBoost writes "feature_names": [] when it was given none.
  const named = learner.feature_names?.length ? learner.feature_names : undefined;
  const inputs = inputNames ? [...inputNames] : (named ?? Array.from({ length: d }, (_, i) => `f${i}`));
  if (inputs.length !== d)
    throw new FieldError(`XGBoost JSON: learner.feature_names must have num_feature = ${d} names`, {
      field: 'learner.feature_names',
    });
  const name = learner.objective.name;
  let objective: GbdtObjective;
  if (name === 'binary:logistic') objective = 'binary';
  else if (name === 'reg:squarederror' || name === 'reg:linear') objective = 'l2';
  else if (name === 'multi:softprob' || name === 'multi:softmax') objective = 'multiclass';
  else
    throw new FieldError(
      `XGBoost JSON: learner.objective.name ${name} is not supported (binary:logistic, reg:squarederror, multi:softprob)`,
      {
        field: 'learner.objective.name',
      },
    );
  const K = objective === 'multiclass' ? Number(learner.learner_model_param.num_class) : 1;
  if (objective === 'multiclass' && K < 2)
    throw new FieldError('XGBoost JSON: learner.learner_model_param.num_class must be ≥ 2 for multi:softprob', {
      field: 'learner.learner_model_param.num_class',
    });
  const rawBase = learner.learner_model_param.base_score
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map(Number);
  if (rawBase.some((b) => !Number.isFinite(b)) || (rawBase.length !== 1 && rawBase.length !== K))
    throw new FieldError(
      'XGBoost JSON: learner.learner_model_param.base_score must be a number (or a list of num_class numbers)',
      {
        field: 'learner.learner_model_param.base_score',
      },
    );
  const base = Array.from({ length: K }, (_, k) => Math.fround(rawBase[rawBase.length === 1 ? 0 : k] as number));
  const b0 = base[0] as number;
  if (objective === 'binary' && !(b0 > 0 && b0 < 1))
    throw new FieldError('XGBoost JSON: learner.learner_model_param.base_score must be in (0, 1) for binary:logistic', {
      field: 'learner.learner_model_param.base_score',
    });
  const initScore = objective === 'binary' ? [Math.log(b0 / (1 - b0))] : base;
  const { trees, tree_info } = learner.gradient_booster.model;
  if (tree_info.length !== trees.length || tree_info.some((k, i) => k !== i % K))
    throw new FieldError(
      `XGBoost JSON: learner.gradient_booster.model.tree_info must be 0, 1, …, ${K - 1} repeated (one tree per class per round)`,
      {
        field: 'learner.gradient_booster.model.tree_info',
      },
    );
  const foreign = trees.map((t, ti) => {
    const where = `learner.gradient_booster.model.trees[${ti}]`;
    const m = t.left_children.length;
    for (const key of ['right_children', 'split_indices', 'split_conditions', 'default_left'] as const)
      if (t[key].length !== m)
        throw new FieldError(`XGBoost JSON: ${where}.${key} must have ${m} entries`, { field: `${where}.${key}` });
    if (t.split_type?.some((s) => s !== 0))
      throw new FieldError(`XGBoost JSON: ${where}.split_type: categorical splits are not supported`, {
        field: `${where}.split_type`,
      });
    const nodes = new Map<number, ForeignNode>();
    for (let i = 0; i < m; i++) {
      const l = t.left_children[i] as number;
      const cond = Math.fround(t.split_conditions[i] as number);
      if (l === -1) {
        // A leaf's value (learning rate included) is its split_condition; it goes to its tree's class only.
        const values = new Array<number>(K).fill(0);
        values[ti % K] = cond;
        nodes.set(i, { feature: -1, threshold: 0, left: -1, right: -1, missingLeft: false, values });
        continue;
      }
      const f = t.split_indices[i] as number;
      if (!(f >= 0 && f < d))
        throw new FieldError(`XGBoost JSON: ${where}.split_indices[${i}] = ${f} must be in [0, ${d - 1}]`, {
          field: `${where}.split_indices`,
        });
      const dl = t.default_left[i];
      nodes.set(i, {
        feature: f,
        threshold: cond,
        left: l,
        right: t.right_children[i] as number,
        missingLeft: dl === true || dl === 1,
        values: [],
      });
    }
    return { nodes, root: 0, where: `XGBoost JSON: ${where}` };
  });
  // Each XGBoost tree adds to one class (tree i to class i mod K): keep its tree for that class.
  const trees2 = foreign.map((t, ti) => buildGbdtTree(t.nodes, t.root, ti % K, t.where));
  return { inputs, objective, numClass: K, initScore, trees: trees2, scaleBy: null };
}

/**
 * A LightGBM text model (numerical splits; objectives binary (sigmoid:s), regression / regression_l2,
 * multiclass num_class:K) as a hepml GBDT. Leaf values already carry the shrinkage and the initial
 * score (boost_from_average), so the initial score is 0. Missing type Zero and categorical splits
 * are refused, naming the tree and field.
 */
export function lightgbmTextToGbdt(text: string, inputNames?: readonly string[]): GbdtParams {
  const blocks = text.split(/\r?\n(?=Tree=)/);
  const header = keyValues(blocks[0] ?? '');
  const objectiveLine = header.get('objective');
  if (objectiveLine === undefined) throw new FieldError('LightGBM text: objective is missing', { field: 'objective' });
  const [objName, ...objArgs] = objectiveLine.split(/\s+/);
  const arg = (key: string) => objArgs.find((a) => a.startsWith(`${key}:`))?.slice(key.length + 1);
  let objective: GbdtObjective;
  let scale = 1;
  if (objName === 'binary') {
    objective = 'binary';
    scale = Number(arg('sigmoid') ?? '1');
    if (!(scale > 0)) throw new FieldError('LightGBM text: objective sigmoid must be > 0', { field: 'objective' });
  } else if (objName === 'regression' || objName === 'regression_l2') objective = 'l2';
  else if (objName === 'multiclass' || objName === 'softmax') objective = 'multiclass';
  else
    throw new FieldError(`LightGBM text: objective ${objName} is not supported (binary, regression, multiclass)`, {
      field: 'objective',
    });
  const K = Number(header.get('num_tree_per_iteration') ?? header.get('num_class') ?? '1');
  if (!(Number.isInteger(K) && K >= 1) || (objective === 'multiclass') !== K > 1)
    throw new FieldError('LightGBM text: num_tree_per_iteration must be 1, or ≥ 2 for multiclass', {
      field: 'num_tree_per_iteration',
    });
  const maxFeature = Number(header.get('max_feature_idx'));
  if (!(Number.isInteger(maxFeature) && maxFeature >= 0))
    throw new FieldError('LightGBM text: max_feature_idx must be a non-negative integer', { field: 'max_feature_idx' });
  const d = maxFeature + 1;
  const names = inputNames
    ? [...inputNames]
    : (header.get('feature_names')?.split(/\s+/) ?? Array.from({ length: d }, (_, i) => `Column_${i}`));
  if (names.length !== d)
    throw new FieldError(`LightGBM text: feature_names must have ${d} names`, { field: 'feature_names' });
  const trees = blocks.slice(1).map((block, ti) => {
    const kv = keyValues(block.split(/\nend of trees/)[0] ?? block);
    const where = `Tree=${kv.get('Tree') ?? ti}`;
    const nums = (key: string, n: number): number[] => {
      const raw = kv.get(key);
      if (raw === undefined) throw new FieldError(`LightGBM text: ${where}: ${key} is missing`, { field: key });
      const list = raw.trim() === '' ? [] : raw.trim().split(/\s+/).map(Number);
      if (list.length !== n || list.some((x) => Number.isNaN(x)))
        throw new FieldError(`LightGBM text: ${where}: ${key} must have ${n} numbers`, { field: key });
      return list;
    };
    const leaves = Number(kv.get('num_leaves'));
    if (!(Number.isInteger(leaves) && leaves >= 1))
      throw new FieldError(`LightGBM text: ${where}: num_leaves must be ≥ 1`, { field: 'num_leaves' });
    if (Number(kv.get('num_cat') ?? '0') !== 0)
      throw new FieldError(`LightGBM text: ${where}: num_cat: categorical splits are not supported`, {
        field: 'num_cat',
      });
    const leafValue = nums('leaf_value', leaves);
    const nodes = new Map<number, ForeignNode>();
    // Splits keep their index i ≥ 0; leaf j becomes id −(j + 1), LightGBM's own ~j.
    const leafNode = (j: number): ForeignNode => {
      const values = new Array<number>(K).fill(0);
      values[ti % K] = (leafValue[j] as number) * scale;
      return { feature: -1, threshold: 0, left: -1, right: -1, missingLeft: false, values };
    };
    for (let j = 0; j < leaves; j++) nodes.set(-(j + 1), leafNode(j));
    if (leaves === 1) return { nodes, root: -1, where: `LightGBM text: ${where}` };
    const s = leaves - 1;
    const feature = nums('split_feature', s);
    const threshold = nums('threshold', s);
    const decision = nums('decision_type', s);
    const left = nums('left_child', s);
    const right = nums('right_child', s);
    for (let i = 0; i < s; i++) {
      const f = feature[i] as number;
      if (!(Number.isInteger(f) && f >= 0 && f < d))
        throw new FieldError(`LightGBM text: ${where}: split_feature entry ${i} = ${f} must be in [0, ${d - 1}]`, {
          field: 'split_feature',
        });
      const dt = decision[i] as number;
      if (dt & 1)
        throw new FieldError(`LightGBM text: ${where}: decision_type entry ${i}: categorical split`, {
          field: 'decision_type',
        });
      const missingType = (dt >> 2) & 3;
      const t = threshold[i] as number;
      let missingLeft: boolean;
      if (missingType === 0)
        missingLeft = 0 <= t; // NaN is read as 0
      else if (missingType === 2) missingLeft = (dt & 2) !== 0;
      else
        throw new FieldError(`LightGBM text: ${where}: decision_type entry ${i}: missing type Zero is not supported`, {
          field: 'decision_type',
        });
      nodes.set(i, {
        feature: f,
        threshold: nextFloat32Above(t),
        left: left[i] as number,
        right: right[i] as number,
        missingLeft,
        values: [],
      });
    }
    return { nodes, root: 0, where: `LightGBM text: ${where}` };
  });
  if (trees.length === 0 || trees.length % K !== 0)
    throw new FieldError(`LightGBM text: Tree= blocks must be a non-zero multiple of ${K}`, { field: 'Tree' });
  return {
    inputs: names,
    objective,
    numClass: K,
    initScore: new Array<number>(K).fill(0),
    trees: trees.map((t, ti) => buildGbdtTree(t.nodes, t.root, ti % K, t.where)),
    scaleBy: null,
  };
}

function keyValues(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1));
  }
  return out;
}
