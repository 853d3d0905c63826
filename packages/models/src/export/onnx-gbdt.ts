import { at } from '@hepml/physics';
import type { GbdtParams } from '../runtime/baselines/gbdt-format.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { ONNX_NAMES, ONNX_OPSET, sigmoidNodes } from './onnx-nodes.ts';

/** Operator set of `ai.onnx.ml` used for the tree ensemble (TreeEnsembleRegressor, ONNX Runtime ≥ 1.6). */
export const ONNX_ML_OPSET = 3;

/**
 * The ONNX graph of a histogram GBDT (`hepml-gbdt/1`, runtime/baselines/gbdt-format.ts), evaluating what
 * `evaluateGbdt` evaluates: one `ai.onnx.ml` TreeEnsembleRegressor (opset 3, aggregate SUM,
 * base_values = the initial scores) giving the raw scores F [N, K] — tree t adds to target
 * t mod K, split nodes are BRANCH_LT (x < threshold goes to the true = left child; NaN compares
 * false and goes right, as in hepml, or to the true = left child where `missingLeft` marks the node) — then in the default domain: σ for `binary` (as Exp etc., see `sigmoidNodes`), Softmax
 * over the K classes for `multiclass`, and for `l2`/`huber` F itself or, with `scaleBy`, F times
 * that raw input (Gather + Mul). Input `input` [N, F] raw values (baselines take no
 * standardisation), output `output` [N, K].
 * The input is cast to double and thresholds, leaf values and initial scores are float64 tensor
 * attributes (`*_as_tensor`), so splits compare and scores sum in double exactly as the runtime;
 * the output Y of the ensemble is float32 (the operator's only output type), rounded once.
 * Reference: https://onnx.ai/onnx/operators/onnx_aionnxml_TreeEnsembleRegressor.html
 */
export function gbdtOnnxGraph(params: GbdtParams): OnnxGraph {
  const g = new OnnxGraph(ONNX_OPSET).useOpset('ai.onnx.ml', ONNX_ML_OPSET);
  const K = params.numClass;
  const raw = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', params.inputs.length] });
  const nodes = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
  };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], ids: [] as number[], weights: [] as number[] };
  params.trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const f = at(tree.feature, i);
      nodes.treeIds.push(t);
      nodes.nodeIds.push(i);
      nodes.featureIds.push(Math.max(f, 0));
      nodes.modes.push(f < 0 ? 'LEAF' : 'BRANCH_LT');
      nodes.values.push(f < 0 ? 0 : at(tree.threshold, i));
      nodes.trueIds.push(f < 0 ? 0 : at(tree.left, i));
      nodes.falseIds.push(f < 0 ? 0 : at(tree.right, i));
      nodes.missingTrue.push(f >= 0 && tree.missingLeft?.[i] === 1 ? 1 : 0);
      if (f < 0) {
        targets.treeIds.push(t);
        targets.nodeIds.push(i);
        targets.ids.push(K === 1 ? 0 : t % K);
        targets.weights.push(at(tree.value, i));
      }
    }
  });
  // Float64 inside the ensemble: the input cast exactly, thresholds, leaf values and base scores as
  // double tensors, so ONNX Runtime compares and sums in double as evaluateGbdt does (in float32,
  // 80 summed leaves already moved a logit by 6e-5).
  const asDouble = g.node('Cast', [raw], { attributes: { to: { int: 11 } } });
  const scores = g.node('TreeEnsembleRegressor', [asDouble], {
    domain: 'ai.onnx.ml',
    attributes: {
      n_targets: { int: K },
      aggregate_function: { string: 'SUM' },
      post_transform: { string: 'NONE' },
      base_values_as_tensor: { doubles: params.initScore },
      nodes_treeids: { ints: nodes.treeIds },
      nodes_nodeids: { ints: nodes.nodeIds },
      nodes_featureids: { ints: nodes.featureIds },
      nodes_modes: { strings: nodes.modes },
      nodes_values_as_tensor: { doubles: nodes.values },
      nodes_truenodeids: { ints: nodes.trueIds },
      nodes_falsenodeids: { ints: nodes.falseIds },
      nodes_missing_value_tracks_true: { ints: nodes.missingTrue },
      target_treeids: { ints: targets.treeIds },
      target_nodeids: { ints: targets.nodeIds },
      target_ids: { ints: targets.ids },
      target_weights_as_tensor: { doubles: targets.weights },
    },
  });
  const output = { output: ONNX_NAMES.output };
  if (params.objective === 'binary') sigmoidNodes(g, scores, ONNX_NAMES.output);
  else if (params.objective === 'multiclass')
    g.node('Softmax', [scores], { ...output, attributes: { axis: { int: -1 } } });
  else if (params.scaleBy === null) g.node('Identity', [scores], output);
  else {
    const index = g.int64s('scale_by_index', [1], [params.scaleBy]);
    g.node('Mul', [scores, g.node('Gather', [raw, index], { attributes: { axis: { int: 1 } } })], output);
  }
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', K] });
  return g;
}
