import { Axis, at, effectiveIqr, meanAbsoluteError, median, relativeIqr } from '@hepml/physics';
import type { RegressionBinV1, RegressionEvaluationV1, RegressionFiguresV1 } from '../bundle/evaluation.ts';
import { binFractions, uniformEdges } from './histogram.ts';

/** Inputs of {@link evaluateRegression}: per object energies [GeV] and η. */
export interface RegressionEvaluationInput {
  /** The model's energy [GeV]. */
  eReco: ArrayLike<number>;
  /** The standard calibration's energy [GeV] (the baseline). */
  eStandard: ArrayLike<number>;
  /** True energy [GeV], > 0. */
  eTrue: ArrayLike<number>;
  /** η per object; without it there are no |η| bins. */
  eta?: ArrayLike<number>;
  /** E_true bin edges [GeV] (default 3, 10, 25, 50, 100, 300); `null`: no bins in the target. */
  energyEdges?: readonly number[] | null;
  /**
   * What is regressed and its unit (default `eTrue`, `GeV`): a task file's target (`response`,
   * `1`) is evaluated by the same figures, eReco/eStandard/eTrue then being the model's, the
   * baseline's and the true value of it.
   */
  target?: { name: string; unit: string };
  /** |η| bin edges (default 0, 0.6, 1.0, 1.4). */
  absEtaEdges?: readonly number[];
}

/** Flat metrics written into `manifest.metrics` by {@link evaluateRegression}. */
export interface RegressionMetrics {
  mae: number;
  eIqr: number;
  rIqr: number;
  response: number;
  maeStandard: number;
  eIqrStandard: number;
}

function figures(eReco: ArrayLike<number>, eTrue: ArrayLike<number>): RegressionFiguresV1 {
  const ratio = Float64Array.from({ length: eTrue.length }, (_, i) => at(eReco, i) / at(eTrue, i));
  return { mae: meanAbsoluteError(eReco, eTrue), eIqr: effectiveIqr(eReco, eTrue), response: median(ratio) };
}

/**
 * Energy-regression evaluation against the standard calibration (DeepCalo's figures): MAE [GeV],
 * eIQR = IQR(E/E_true)/1.349 and the median response E/E_true for the model and the standard
 * calibration, and rIQR = eIQR_model/eIQR_standard (< 1: the model is better), overall and in
 * bins of E_true and of |η| (lo ≤ x < hi, {@link Axis}; objects outside the edges are in no bin,
 * rule `drop`); plus the E/E_true histograms of both (0.8–1.2, 80 bins). Bins with fewer than 10
 * objects are left out. Uses H1's `stats/regression.ts`.
 */
export function evaluateRegression(input: RegressionEvaluationInput): {
  evaluation: RegressionEvaluationV1;
  metrics: RegressionMetrics;
} {
  const { eReco, eStandard, eTrue, eta } = input;
  const n = eTrue.length;
  const pick = (xs: ArrayLike<number>, rows: number[]) => Float64Array.from(rows, (i) => at(xs, i));
  const binsOf = (
    variable: string,
    unit: string,
    field: string,
    edges: readonly number[],
    value: (i: number) => number,
  ) => {
    const axis = Axis.variable(edges, { field });
    const members: number[][] = Array.from({ length: axis.nBins }, () => []);
    for (let i = 0; i < n; i++) {
      const b = axis.find(value(i), 'drop');
      if (b >= 0) at(members, b).push(i);
    }
    const out: RegressionBinV1[] = [];
    for (let b = 0; b < axis.nBins; b++) {
      const lo = at(axis.edges, b);
      const hi = at(axis.edges, b + 1);
      const rows = at(members, b);
      if (rows.length < 10) continue;
      const t = pick(eTrue, rows);
      const model = figures(pick(eReco, rows), t);
      const standard = figures(pick(eStandard, rows), t);
      out.push({
        variable,
        unit,
        lo,
        hi,
        n: rows.length,
        model,
        standard,
        rIqr: relativeIqr(model.eIqr, standard.eIqr),
      });
    }
    return out;
  };
  const model = figures(eReco, eTrue);
  const standard = figures(eStandard, eTrue);
  const rIqr = relativeIqr(model.eIqr, standard.eIqr);
  const edges = uniformEdges(0.8, 1.2, 80);
  const ratio = (e: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => at(e, i) / at(eTrue, i));
  const target = input.target ?? { name: 'eTrue', unit: 'GeV' };
  const targetEdges = input.energyEdges === undefined ? [3, 10, 25, 50, 100, 300.0001] : input.energyEdges;
  const evaluation: RegressionEvaluationV1 = {
    target: target.name,
    unit: target.unit,
    overall: { n, model, standard, rIqr },
    bins: [
      ...(targetEdges ? binsOf(target.name, target.unit, 'energyEdges', targetEdges, (i) => at(eTrue, i)) : []),
      ...(eta
        ? binsOf('absEta', '1', 'absEtaEdges', input.absEtaEdges ?? [0, 0.6, 1.0, 1.4001], (i) => Math.abs(at(eta, i)))
        : []),
    ],
    response: { edges, model: binFractions(ratio(eReco), edges), standard: binFractions(ratio(eStandard), edges) },
  };
  return {
    evaluation,
    metrics: {
      mae: model.mae,
      eIqr: model.eIqr,
      rIqr,
      response: model.response,
      maeStandard: standard.mae,
      eIqrStandard: standard.eIqr,
    },
  };
}
