import type { CutsParams } from '../runtime/baselines/cuts.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { ONNX_NAMES, ONNX_OPSET } from './onnx-nodes.ts';

/** ONNX TensorProto.DataType values for Cast. */
const DOUBLE = 11;
const INT64 = 7;
const FLOAT = 1;

/**
 * ET × |η| bin index [N] (int64) of each row, as `etEtaBin` computes it: i = clamp(#{ET edges ≤ ET}
 * − 1, 0, nEt − 1), j likewise on |η|, bin = i·nEta + j. `x` is the [N, F] input in float64.
 */
export function etEtaBinNodes(g: OnnxGraph, x: string, binning: NonNullable<CutsParams['binning']>): string {
  const axis = { axis: { int: 1 } };
  const index = (base: string, column: number, edges: number[], abs: boolean): string => {
    let v = g.node('Gather', [x, g.int64s(`${base}_column`, [1], [column])], { attributes: axis });
    if (abs) v = g.node('Abs', [v]);
    const e = g.doubles(`${base}_edges`, [1, edges.length], edges);
    const count = g.node(
      'ReduceSum',
      [
        g.node('Cast', [g.node('GreaterOrEqual', [v, e])], { attributes: { to: { int: INT64 } } }),
        g.int64s(`${base}_axes`, [1], [1]),
      ],
      {
        attributes: { keepdims: { int: 0 } },
      },
    );
    const lowered = g.node('Max', [
      g.node('Sub', [count, g.int64s(`${base}_one`, [], [1])]),
      g.int64s(`${base}_zero`, [], [0]),
    ]);
    return g.node('Min', [lowered, g.int64s(`${base}_last`, [], [edges.length - 2])]);
  };
  const i = index('et', binning.et, binning.etEdges, false);
  const j = index('abs_eta', binning.eta, binning.absEtaEdges, true);
  const nEta = g.int64s('n_eta', [], [binning.absEtaEdges.length - 1]);
  return g.node('Add', [g.node('Mul', [i, nEta]), j]);
}

/**
 * The ONNX graph of a cut-based selection (`hepml-cuts/1`, runtime/baselines/cuts.ts), evaluating what
 * `evaluateCuts` evaluates: the output is the number of consecutive levels, loosest first, whose
 * windows lower ≤ x < upper (per ET × |η| bin; ±∞ for open sides) every cut variable passes — 0
 * when the loosest fails (NaN fails), L when all pass. Everything is compared in float64 (the
 * input cast exactly) against the edges as stored, so the decisions are the runtime's.
 * Nodes: bin index by GreaterOrEqual + ReduceSum over the edges (Max/Min clamp), the bin's windows
 * by Gather [N, L, V], And of GreaterOrEqual/Less, ReduceMin over the variables, then the first
 * failing level by ReduceMin over (pass ? L : level index). Input `input` [N, F] raw, output
 * `output` [N, 1] float32.
 */
export function cutsOnnxGraph(params: CutsParams): OnnxGraph {
  const g = new OnnxGraph(ONNX_OPSET);
  const V = params.variables.length;
  const L = params.levels.length;
  const bins = params.lower.length / (L * V);
  const raw = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', params.inputs.length] });
  const x = g.node('Cast', [raw], { attributes: { to: { int: DOUBLE } } });
  const lowerTable = g.doubles('lower', [bins, L, V], params.lower);
  const upperTable = g.doubles('upper', [bins, L, V], params.upper);
  let lower = lowerTable;
  let upper = upperTable;
  if (params.binning) {
    const bin = etEtaBinNodes(g, x, params.binning);
    lower = g.node('Gather', [lowerTable, bin], { attributes: { axis: { int: 0 } } });
    upper = g.node('Gather', [upperTable, bin], { attributes: { axis: { int: 0 } } });
  }
  const columns = g.int64s('cut_variables', [V], params.variables);
  const values = g.node('Unsqueeze', [
    g.node('Gather', [x, columns], { attributes: { axis: { int: 1 } } }),
    g.int64s('level_axis', [1], [1]),
  ]);
  const inside = g.node('And', [g.node('GreaterOrEqual', [values, lower]), g.node('Less', [values, upper])]);
  const levelPasses = g.node('ReduceMin', [g.node('Cast', [inside], { attributes: { to: { int: FLOAT } } })], {
    attributes: { axes: { ints: [2] }, keepdims: { int: 0 } },
  });
  // pass ? L : l, so the minimum over the levels is the first failing one, or L.
  const index = g.floats(
    'level_index',
    [L],
    Array.from({ length: L }, (_, l) => l),
  );
  const Lc = g.floats('level_count', [], [L]);
  const candidate = g.node('Add', [index, g.node('Mul', [levelPasses, g.node('Sub', [Lc, index])])]);
  g.node('ReduceMin', [candidate], {
    output: ONNX_NAMES.output,
    attributes: { axes: { ints: [1] }, keepdims: { int: 1 } },
  });
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', 1] });
  return g;
}
