import {
  STANDARD_CALIBRATION_CATEGORIES,
  STANDARD_CALIBRATION_TERMS,
  type StandardCalibrationParams,
} from '../runtime/baselines/standard-calibration.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { ONNX_NAMES, ONNX_OPSET } from './onnx-nodes.ts';

/** ONNX TensorProto.DataType values for Cast. */
const DOUBLE = 11;
const INT64 = 7;
const FLOAT = 1;

/**
 * The ONNX graph of the standard calibration (`hepml-standard-calibration/1`,
 * runtime/baselines/standard-calibration.ts), evaluating what `evaluateStandardCalibration` does, in float64
 * (the input cast exactly), rounded once to float32:
 *   E = c(category, |η| bin) · [1, E_PS, E_acc, E_acc·X, E_acc·ln max(E_acc, 0.5)]   [GeV]
 * category = isPhoton ? (isConverted ? 2 : 1) : 0 with JavaScript truthiness (0 and NaN false);
 * |η| bin = the first b with |η| < upper[b], else the last (so NaN lands in the last bin, as in the
 * runtime) = min(#{b: ¬(|η| < upper[b])}, B − 1). The coefficients form a [3·B, 5] table gathered
 * by category·B + bin. Input `input` [N, F] raw, output `output` [N, 1] in GeV.
 */
export function standardCalibrationOnnxGraph(params: StandardCalibrationParams): OnnxGraph {
  const g = new OnnxGraph(ONNX_OPSET);
  const B = params.absEtaUpperEdges.length;
  const raw = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', params.inputs.length] });
  const x = g.node('Cast', [raw], { attributes: { to: { int: DOUBLE } } });
  const column = (role: keyof StandardCalibrationParams['roles']) =>
    g.node('Gather', [x, g.int64s(`${role}_column`, [1], [params.roles[role]])], { attributes: { axis: { int: 1 } } });
  const ePs = column('ePs');
  const eAcc = column('eAcc');
  const depth = column('showerDepth');
  const logE = g.node('Log', [g.node('Max', [eAcc, g.doubles('log_floor', [], [0.5])])]);
  const ones = g.node('Add', [g.node('Mul', [eAcc, g.doubles('zero', [], [0])]), g.doubles('one', [], [1])]);
  const features = g.node('Concat', [ones, ePs, eAcc, g.node('Mul', [eAcc, depth]), g.node('Mul', [eAcc, logE])], {
    attributes: { axis: { int: 1 } },
  });
  const zero = g.doubles('zero_flag', [], [0]);
  const truthy = (v: string) =>
    g.node(
      'Cast',
      [g.node('And', [g.node('Not', [g.node('Equal', [v, zero])]), g.node('Not', [g.node('IsNaN', [v])])])],
      {
        attributes: { to: { int: INT64 } },
      },
    );
  const isPhoton = truthy(column('isPhoton'));
  const isConverted = truthy(column('isConverted'));
  const category = g.node('Mul', [isPhoton, g.node('Add', [isConverted, g.int64s('one_i', [], [1])])]);
  const absEta = g.node('Abs', [column('eta')]);
  const upper = g.doubles('abs_eta_upper', [1, B], params.absEtaUpperEdges);
  const above = g.node('Cast', [g.node('Not', [g.node('Less', [absEta, upper])])], {
    attributes: { to: { int: INT64 } },
  });
  const count = g.node('ReduceSum', [above, g.int64s('bin_axes', [1], [1])], { attributes: { keepdims: { int: 1 } } });
  const bin = g.node('Min', [count, g.int64s('last_bin', [], [B - 1])]);
  const row = g.node('Add', [g.node('Mul', [category, g.int64s('n_bins', [], [B])]), bin]);
  const table = g.doubles(
    'coefficients',
    [STANDARD_CALIBRATION_CATEGORIES.length * B, STANDARD_CALIBRATION_TERMS],
    params.coefficients.flat(2),
  );
  // row is [N, 1]: Gather gives [N, 1, 5]; flatten back to [N, 5].
  const c = g.node('Flatten', [g.node('Gather', [table, row], { attributes: { axis: { int: 0 } } })], {
    attributes: { axis: { int: 1 } },
  });
  const energy = g.node('ReduceSum', [g.node('Mul', [c, features]), g.int64s('term_axes', [1], [1])], {
    attributes: { keepdims: { int: 1 } },
  });
  g.node('Cast', [energy], { output: ONNX_NAMES.output, attributes: { to: { int: FLOAT } } });
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', 1] });
  return g;
}
