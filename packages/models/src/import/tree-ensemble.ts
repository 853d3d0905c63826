/**
 * Foreign tree ensembles into the hepml GBDT (`GbdtParams`, `hepml-gbdt/1`): the shared tree
 * builder and the `ai.onnx.ml` TreeEnsembleClassifier / TreeEnsembleRegressor converter
 * ({@link treeEnsembleToGbdt}). The hepml split is `x < threshold` → left, NaN → right or, where
 * `missingLeft` marks the node, left; ONNX-ML's `x ≤ t`, `x > t`, `x ≥ t` become `x < t'` with
 * t' the next float32 above t (inputs are float32) and the children swapped as needed.
 * Reference: https://onnx.ai/onnx/operators/onnx_aionnxml_TreeEnsembleRegressor.html (opsets 1, 3).
 */
import { FieldError } from '@hepml/physics';
import type { GbdtObjective, GbdtParams, GbdtTree } from '../runtime/baselines/gbdt-format.ts';
import type { OnnxAttributeValue, OnnxNode } from './onnx/model.ts';

/** One split or leaf of a foreign tree, by the tree's own node ids. */
export interface ForeignNode {
  /** Input index, or −1 for a leaf. */
  feature: number;
  /** x < threshold goes to `left`. */
  threshold: number;
  left: number;
  right: number;
  /** NaN goes to `left`. */
  missingLeft: boolean;
  /** Leaf outputs per class (length K), zeros in splits. */
  values: number[];
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The smallest float32 strictly above t (so that, for float32 x, x ≤ t ⇔ x < nextFloat32Above(t)). */
export function nextFloat32Above(t: number): number {
  if (Number.isNaN(t) || t === Number.POSITIVE_INFINITY) return t;
  f32[0] = t;
  let v = f32[0] as number;
  if (v > t) return v;
  if (v === 0) return 2 ** -149;
  i32[0] = (i32[0] as number) + (v > 0 ? 1 : -1);
  v = f32[0] as number;
  return v;
}

/**
 * The hepml tree of class k of a foreign tree (nodes by id, root `root`): renumbered breadth first
 * so children follow their parents. `where` names the tree in errors (a cycle, a missing or shared child).
 */
export function buildGbdtTree(
  nodes: ReadonlyMap<number, ForeignNode>,
  root: number,
  k: number,
  where: string,
): GbdtTree {
  const order: number[] = [root];
  const index = new Map<number, number>([[root, 0]]);
  for (let q = 0; q < order.length; q++) {
    const node = nodes.get(order[q] as number);
    if (!node) throw new FieldError(`${where}: node ${order[q]} is referenced but not defined`, { field: where });
    if (node.feature < 0) continue;
    for (const c of [node.left, node.right]) {
      if (index.has(c)) throw new FieldError(`${where}: node ${c} has two parents (or a cycle)`, { field: where });
      index.set(c, order.length);
      order.push(c);
    }
  }
  const m = order.length;
  const tree: GbdtTree = {
    feature: new Int32Array(m),
    threshold: new Float64Array(m),
    left: new Int32Array(m),
    right: new Int32Array(m),
    value: new Float64Array(m),
    missingLeft: new Uint8Array(m),
  };
  order.forEach((id, i) => {
    const node = nodes.get(id) as ForeignNode;
    tree.feature[i] = node.feature;
    if (node.feature < 0) {
      tree.left[i] = -1;
      tree.right[i] = -1;
      tree.value[i] = node.values[k] ?? 0;
      return;
    }
    tree.threshold[i] = node.threshold;
    tree.left[i] = index.get(node.left) as number;
    tree.right[i] = index.get(node.right) as number;
    (tree.missingLeft as Uint8Array)[i] = node.missingLeft ? 1 : 0;
  });
  return tree;
}

/** Round-major hepml trees (tree t adds to class t mod K) of foreign trees that give all K classes each. */
export function roundMajorTrees(
  trees: readonly { nodes: ReadonlyMap<number, ForeignNode>; root: number; where: string }[],
  K: number,
): GbdtTree[] {
  const out: GbdtTree[] = [];
  for (const t of trees) for (let k = 0; k < K; k++) out.push(buildGbdtTree(t.nodes, t.root, k, t.where));
  return out;
}

type Attr = OnnxAttributeValue;

function attrOf(node: OnnxNode, key: string): Attr | undefined {
  return node.attributes.get(key);
}

function where(node: OnnxNode, key: string): string {
  return `node ${JSON.stringify(node.name)} (${node.opType}) attribute ${key}`;
}

function fail(node: OnnxNode, key: string, message: string): never {
  throw new FieldError(`${where(node, key)} ${message}`, { field: key });
}

function ints(node: OnnxNode, key: string, required: boolean): number[] | null {
  const a = attrOf(node, key);
  if (!a) return required ? fail(node, key, 'is required') : null;
  if (a.kind !== 'ints') return fail(node, key, `must be a list of ints, is ${a.kind}`);
  return a.value;
}

/** A float list given as `key` (floats) or `key_as_tensor` (a float or double tensor). */
function reals(node: OnnxNode, key: string, required: boolean): number[] | null {
  const plain = attrOf(node, key);
  const tensor = attrOf(node, `${key}_as_tensor`);
  if (plain && tensor) return fail(node, key, `and ${key}_as_tensor must not both be given`);
  if (plain) {
    if (plain.kind !== 'floats') return fail(node, key, `must be a list of floats, is ${plain.kind}`);
    return plain.value;
  }
  if (tensor) {
    if (tensor.kind !== 'tensor' || (tensor.value.type !== 'float' && tensor.value.type !== 'double'))
      return fail(node, `${key}_as_tensor`, 'must be a float or double tensor');
    return Array.from(tensor.value.data as Float32Array | Float64Array);
  }
  return required ? fail(node, key, `(or ${key}_as_tensor) is required`) : null;
}

function text(node: OnnxNode, key: string, fallback: string): string {
  const a = attrOf(node, key);
  if (!a) return fallback;
  if (a.kind !== 'string') return fail(node, key, `must be a string, is ${a.kind}`);
  return a.value;
}

function sameLength(node: OnnxNode, base: string, n: number, lists: Record<string, readonly unknown[] | null>): void {
  for (const [key, list] of Object.entries(lists))
    if (list && list.length !== n) fail(node, key, `must have ${n} entries (as ${base}), has ${list.length}`);
}

/**
 * An `ai.onnx.ml` TreeEnsembleRegressor or TreeEnsembleClassifier node as a hepml GBDT over the
 * inputs `inputs` (the columns of its input X). Served as: post_transform NONE with one target →
 * `l2`; LOGISTIC with one target (or a two-class classifier whose weights all go to one class, as
 * onnxmltools' binary case, see below) → `binary` (the probability of the positive class); SOFTMAX with K ≥ 2
 * targets/classes → `multiclass`. Modes BRANCH_LT/LEQ/GTE/GT and LEAF, nodes_missing_value_tracks_true,
 * aggregate SUM (and AVERAGE, the weights divided by the number of trees). Refused, naming the node
 * and attribute: BRANCH_EQ/NEQ, SOFTMAX_ZERO, PROBIT, aggregate MIN/MAX, several raw (NONE) outputs.
 */
export function treeEnsembleToGbdt(node: OnnxNode, inputs: readonly string[]): GbdtParams {
  const classifier = node.opType === 'TreeEnsembleClassifier';
  if (node.domain !== 'ai.onnx.ml' || (!classifier && node.opType !== 'TreeEnsembleRegressor'))
    throw new FieldError(
      `node ${JSON.stringify(node.name)}: ${node.domain}:${node.opType} is not an ai.onnx.ml tree ensemble`,
      {
        field: 'op_type',
      },
    );
  const treeIds = ints(node, 'nodes_treeids', true) as number[];
  const n = treeIds.length;
  const nodeIds = ints(node, 'nodes_nodeids', true) as number[];
  const featureIds = ints(node, 'nodes_featureids', true) as number[];
  const modesAttr = attrOf(node, 'nodes_modes');
  if (modesAttr?.kind !== 'strings') return fail(node, 'nodes_modes', 'must be a list of strings');
  const modes = modesAttr.value;
  const values = reals(node, 'nodes_values', true) as number[];
  const trueIds = ints(node, 'nodes_truenodeids', true) as number[];
  const falseIds = ints(node, 'nodes_falsenodeids', true) as number[];
  const tracks = ints(node, 'nodes_missing_value_tracks_true', false);
  sameLength(node, 'nodes_treeids', n, {
    nodes_nodeids: nodeIds,
    nodes_featureids: featureIds,
    nodes_modes: modes,
    nodes_values: values,
    nodes_truenodeids: trueIds,
    nodes_falsenodeids: falseIds,
    nodes_missing_value_tracks_true: tracks,
  });
  const p = classifier ? 'class' : 'target';
  const lTree = ints(node, `${p}_treeids`, true) as number[];
  const lNode = ints(node, `${p}_nodeids`, true) as number[];
  const lId = ints(node, `${p}_ids`, true) as number[];
  const lWeight = reals(node, `${p}_weights`, true) as number[];
  sameLength(node, `${p}_treeids`, lTree.length, {
    [`${p}_nodeids`]: lNode,
    [`${p}_ids`]: lId,
    [`${p}_weights`]: lWeight,
  });
  let K: number;
  if (classifier) {
    const a = attrOf(node, 'classlabels_int64s') ?? attrOf(node, 'classlabels_strings');
    if (!a || (a.kind !== 'ints' && a.kind !== 'strings'))
      return fail(node, 'classlabels_int64s', '(or classlabels_strings) is required');
    K = a.value.length;
  } else {
    const a = attrOf(node, 'n_targets');
    K = a && a.kind === 'int' ? a.value : 1;
  }
  if (!(K >= 1)) return fail(node, classifier ? 'classlabels_int64s' : 'n_targets', 'must give at least one output');
  for (let j = 0; j < lId.length; j++) {
    const id = lId[j] as number;
    if (!(id >= 0 && id < K)) fail(node, `${p}_ids`, `entry ${j} = ${id} must be in [0, ${K - 1}]`);
  }
  const post = text(node, 'post_transform', 'NONE');
  const aggregate = classifier ? 'SUM' : text(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE')
    fail(node, 'aggregate_function', `${aggregate} is not supported (SUM and AVERAGE are)`);
  const base = reals(node, 'base_values', false);

  // The binary classifier as onnxmltools writes XGBoost/LightGBM ones: two classes, every weight on
  // class 0 and at most one base value; ONNX Runtime then gives probabilities [1 − p, p] with
  // p = σ(Σ weights + base) (measured, onnxruntime-node 1.30). Every weight on class 1 gives the same
  // without a base value, but ONNX Runtime drops the weights or the base when base_values is set,
  // so that combination is refused rather than served differently.
  const firstId = lId[0];
  const binaryClassifier = classifier && K === 2 && lId.every((id) => id === firstId);
  if (binaryClassifier && firstId === 1 && base)
    fail(
      node,
      'base_values',
      'with every class weight on class 1 is read inconsistently by ONNX Runtime; put the weights on class 0 with one base value, as onnxmltools does',
    );
  const K2 = binaryClassifier ? 1 : K;
  let objective: GbdtObjective;
  if (post === 'NONE' && K2 === 1 && !classifier) objective = 'l2';
  else if (post === 'LOGISTIC' && K2 === 1) objective = 'binary';
  else if (post === 'SOFTMAX' && K2 >= 2) objective = 'multiclass';
  else
    return fail(
      node,
      'post_transform',
      `${post} with ${K2} output(s) cannot be served by the GBDT (NONE with one regression target, LOGISTIC with one score, SOFTMAX with ≥ 2 classes can)`,
    );
  let initScore = new Array<number>(K2).fill(0);
  if (base) {
    if (binaryClassifier && base.length !== 1)
      fail(node, 'base_values', `must have one entry for a two-class classifier, has ${base.length}`);
    else if (base.length !== K2) fail(node, 'base_values', `must have ${K2} entries, has ${base.length}`);
    else initScore = base;
  }

  const trees = new Map<number, Map<number, ForeignNode>>();
  for (let i = 0; i < n; i++) {
    const t = treeIds[i] as number;
    const id = nodeIds[i] as number;
    const mode = modes[i] as string;
    let byId = trees.get(t);
    if (!byId) {
      byId = new Map();
      trees.set(t, byId);
    }
    if (byId.has(id)) fail(node, 'nodes_nodeids', `tree ${t} defines node ${id} twice`);
    const nanTrue = (tracks?.[i] ?? 0) === 1;
    const f = featureIds[i] as number;
    const v = values[i] as number;
    const T = trueIds[i] as number;
    const F = falseIds[i] as number;
    const split = (threshold: number, left: number, right: number, missingLeft: boolean): ForeignNode => {
      if (!(f >= 0 && f < inputs.length))
        fail(node, 'nodes_featureids', `entry ${i} = ${f} must be in [0, ${inputs.length - 1}]`);
      return { feature: f, threshold, left, right, missingLeft, values: [] };
    };
    let entry: ForeignNode;
    if (mode === 'LEAF')
      entry = { feature: -1, threshold: 0, left: -1, right: -1, missingLeft: false, values: new Array(K2).fill(0) };
    else if (mode === 'BRANCH_LT') entry = split(v, T, F, nanTrue);
    else if (mode === 'BRANCH_LEQ') entry = split(nextFloat32Above(v), T, F, nanTrue);
    else if (mode === 'BRANCH_GTE') entry = split(v, F, T, !nanTrue);
    else if (mode === 'BRANCH_GT') entry = split(nextFloat32Above(v), F, T, !nanTrue);
    else
      return fail(
        node,
        'nodes_modes',
        `entry ${i} = ${mode} (tree ${t}, node ${id}) is not supported: the GBDT splits only on x < t`,
      );
    byId.set(id, entry);
  }
  const nTrees = trees.size;
  const scale = aggregate === 'AVERAGE' ? 1 / nTrees : 1;
  for (let j = 0; j < lTree.length; j++) {
    const leaf = trees.get(lTree[j] as number)?.get(lNode[j] as number);
    if (!leaf || leaf.feature >= 0)
      fail(node, `${p}_nodeids`, `entry ${j} = ${lNode[j]} is not a LEAF of tree ${lTree[j]}`);
    const k = binaryClassifier ? 0 : (lId[j] as number);
    leaf.values[k] = (leaf.values[k] as number) + (lWeight[j] as number) * scale;
  }
  const ordered = [...trees.entries()].sort((a, b) => a[0] - b[0]);
  const foreign = ordered.map(([t, byId]) => {
    const children = new Set<number>();
    for (const nd of byId.values()) if (nd.feature >= 0) children.add(nd.left).add(nd.right);
    const roots = [...byId.keys()].filter((id) => !children.has(id));
    if (roots.length !== 1) fail(node, 'nodes_nodeids', `tree ${t} must have exactly one root, has ${roots.length}`);
    return { nodes: byId, root: roots[0] as number, where: `${where(node, 'nodes_treeids')}: tree ${t}` };
  });
  return {
    inputs: [...inputs],
    objective,
    numClass: K2,
    initScore,
    trees: roundMajorTrees(foreign, K2),
    scaleBy: null,
  };
}
