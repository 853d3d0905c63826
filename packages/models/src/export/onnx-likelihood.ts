import { at } from '@hepml/physics';
import type { LikelihoodParams } from '../runtime/baselines/likelihood.ts';
import { etEtaBinNodes } from './onnx-cuts.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { ONNX_NAMES, ONNX_OPSET } from './onnx-nodes.ts';

/** ONNX TensorProto.DataType values for Cast. */
const DOUBLE = 11;
const INT64 = 7;
const FLOAT = 1;

/**
 * The ONNX graph of the projective likelihood (`hepml-likelihood/1`, runtime/baselines/likelihood.ts),
 * evaluating what `evaluateLikelihood` does, in float64 (the input cast exactly), rounded once:
 *   d′ = τ⁻¹ · (prior[bin] + Σ_v ln(P_S,v / P_B,v)[k_v]),   k_v = #{edges of v in the bin ≤ x_v}
 * (`cutPointIndex`: bin k holds edges[k−1] ≤ x < edges[k], first and last open; NaN → k = 0). Per
 * variable the edges of all ET × |η| bins are padded to one length with +∞ and the log-ratios with
 * their last value, so x = +∞ still lands in the last real bin; k by LessOrEqual + ReduceSum, the
 * log-ratio by Gather at bin·(E + 1) + k. The ET × |η| bin as for the cuts (`etEtaBinNodes`).
 * Input `input` [N, F] raw, output `output` [N, 1] (d′, dimensionless).
 */
export function likelihoodOnnxGraph(params: LikelihoodParams): OnnxGraph {
  const g = new OnnxGraph(ONNX_OPSET);
  const B = params.pdfs.length;
  const raw = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', params.inputs.length] });
  const x = g.node('Cast', [raw], { attributes: { to: { int: DOUBLE } } });
  // Row index [N] into the per-bin tables: the ET × |η| bin, or 0 for every row without a binning.
  const bin = params.binning
    ? etEtaBinNodes(g, x, params.binning)
    : g.node(
        'Cast',
        [
          g.node('Mul', [
            g.node('Gather', [x, g.int64s('first_column', [], [0])], { attributes: { axis: { int: 1 } } }),
            g.doubles('zero', [], [0]),
          ]),
        ],
        {
          attributes: { to: { int: INT64 } },
        },
      );
  let sum = g.node('Gather', [g.doubles('log_prior', [B], params.binPrior), bin], { attributes: { axis: { int: 0 } } });
  params.variables.forEach((column, v) => {
    const E = Math.max(1, ...params.pdfs.map((b) => at(b, v).edges.length));
    const edges = new Float64Array(B * E).fill(Number.POSITIVE_INFINITY);
    const logRatio = new Float64Array(B * (E + 1));
    params.pdfs.forEach((pdfs, b) => {
      const pdf = at(pdfs, v);
      edges.set(pdf.edges, b * E);
      const last = at(pdf.logRatio, pdf.logRatio.length - 1);
      logRatio.fill(last, b * (E + 1), (b + 1) * (E + 1));
      logRatio.set(pdf.logRatio, b * (E + 1));
    });
    const rowEdges = g.node('Gather', [g.doubles(`v${v}_edges`, [B, E], edges), bin], {
      attributes: { axis: { int: 0 } },
    });
    const value = g.node('Gather', [x, g.int64s(`v${v}_column`, [1], [column])], { attributes: { axis: { int: 1 } } });
    const below = g.node('Cast', [g.node('LessOrEqual', [rowEdges, value])], { attributes: { to: { int: INT64 } } });
    const k = g.node('ReduceSum', [below, g.int64s(`v${v}_axes`, [1], [1])], { attributes: { keepdims: { int: 0 } } });
    const flat = g.node('Add', [g.node('Mul', [bin, g.int64s(`v${v}_stride`, [], [E + 1])]), k]);
    const term = g.node('Gather', [g.doubles(`v${v}_log_ratio`, [B * (E + 1)], logRatio), flat], {
      attributes: { axis: { int: 0 } },
    });
    sum = g.node('Add', [sum, term]);
  });
  const scaled = g.node('Mul', [sum, g.doubles('inverse_tau', [], [1 / params.tau])]);
  const column = g.node('Unsqueeze', [scaled, g.int64s('output_axis', [1], [1])]);
  g.node('Cast', [column], { output: ONNX_NAMES.output, attributes: { to: { int: FLOAT } } });
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', 1] });
  return g;
}
