/**
 * The standard (pre-MVA) e/γ energy calibration as a baseline of the energy-regression task,
 * training side (Workers-safe: pure loops): it either wraps a calibration fitted elsewhere (the
 * simulation's own, {@link standardCalibrationFromPhysics}) or is fitted here by weighted least
 * squares ({@link fitStandardCalibrationBaseline}). Its functional form, evaluator and file format
 * `hepml-standard-calibration/1` are runtime/baselines/standard-calibration.ts.
 */
import {
  addToNormalEquations,
  at,
  calibrationCategory,
  type StandardCalibration,
  solvePositiveDefinite,
  standardCalibrationFeatures,
} from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { checkBaselineRows } from '../runtime/baselines/format.ts';
import {
  absEtaBinLookup,
  parseStandardCalibration,
  STANDARD_CALIBRATION_CATEGORIES,
  STANDARD_CALIBRATION_ROLES,
  STANDARD_CALIBRATION_TERMS,
  type StandardCalibrationParams,
  type StandardCalibrationRole,
  serializeStandardCalibration,
} from '../runtime/baselines/standard-calibration.ts';
import { inputIndex } from './matrix.ts';

const FORMAT = 'hepml-standard-calibration';

function resolveRoles(
  inputs: readonly string[],
  names: Partial<Record<StandardCalibrationRole, string>> = {},
): Record<StandardCalibrationRole, number> {
  const out = {} as Record<StandardCalibrationRole, number>;
  for (const role of STANDARD_CALIBRATION_ROLES) out[role] = inputIndex(inputs, names[role] ?? role, `roles.${role}`);
  return out;
}

/**
 * Wraps a calibration from `@hepml/physics` (e.g. `defaultStandardCalibration()`, the one behind
 * the simulation's `eCalStandard` column) as a baseline reading the given inputs; `roles` maps
 * each role to an input name when the names differ (default: the role's own name).
 */
export function standardCalibrationFromPhysics(
  calibration: StandardCalibration,
  inputs: readonly string[],
  roles?: Partial<Record<StandardCalibrationRole, string>>,
): StandardCalibrationParams {
  const params: StandardCalibrationParams = {
    inputs: [...inputs],
    roles: resolveRoles(inputs, roles),
    absEtaUpperEdges: [...calibration.etaEdges],
    coefficients: calibration.coefficients.map((cat) => cat.map((c) => [...c])),
  };
  // The JSON reader's checks apply to wrapped calibrations too.
  return parseStandardCalibration(serializeStandardCalibration(params));
}

/** Options of {@link fitStandardCalibrationBaseline}. */
export interface FitStandardCalibrationOptions {
  inputs: readonly string[];
  /** n × inputs.length raw values, row-major. */
  features: Float32Array;
  n: number;
  /** True energy [GeV] of each row. */
  target: ArrayLike<number>;
  /** Per-row weights (default 1), multiplying the resolution weights. */
  weights?: ArrayLike<number>;
  /** Input name of each role (default: the role's own name). */
  roles?: Partial<Record<StandardCalibrationRole, string>>;
  /**
   * Upper |η| edges, strictly increasing (default 0.1, 0.2, …, 1.4: the simulation's barrel bins);
   * others are a PhysicsInputError naming `absEtaUpperEdges`.
   */
  absEtaUpperEdges?: readonly number[];
  /**
   * `resolution` (default): each row weighs 1/σ²(E_true) with σ² = (0.1√E)² + 0.4² + (0.01E)² GeV²,
   * the expected resolution the simulation's own fit uses; `uniform`: ordinary least squares.
   */
  weighting?: 'resolution' | 'uniform';
  /** A (category, |η| bin) cell with fewer rows uses its category's all-|η| fit (default 50). */
  minRowsPerBin?: number;
}

function expectedVariance(e: number): number {
  return 0.01 * e + 0.16 + 1e-4 * e * e;
}

/** Solves the symmetric positive-definite system A x = b (p × p, row-major) by Cholesky. */
function solveNormalEquations(aIn: Float64Array, b: Float64Array, p: number): number[] | null {
  const a = Float64Array.from(aIn);
  let trace = 0;
  for (let i = 0; i < p; i++) trace += at(a, i * p + i);
  // A ridge of 1e-12 of the mean diagonal keeps a rank-deficient cell solvable without biasing it.
  for (let i = 0; i < p; i++) a[i * p + i] = at(a, i * p + i) + (1e-12 * trace) / p;
  return solvePositiveDefinite(a, b, p);
}

/**
 * Fits the coefficients per (category, |η| bin) by weighted least squares,
 * minimising Σ w (c·x − E_true)², from the normal equations solved by Cholesky. Cells with fewer
 * than `minRowsPerBin` rows take their category's fit over all |η|; a category without enough rows
 * at all is a {@link ModelInputError}. Deterministic.
 */
export function fitStandardCalibrationBaseline(options: FitStandardCalibrationOptions): StandardCalibrationParams {
  const { features, n, target } = options;
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkBaselineRows(FORMAT, features, n, d, 0, undefined);
  if (target.length !== n)
    throw new ModelInputError(`${FORMAT}: target has ${target.length} values for ${n} rows`, {
      field: 'target',
    });
  const roles = resolveRoles(inputs, options.roles);
  const upper = [
    ...(options.absEtaUpperEdges ?? Array.from({ length: 14 }, (_, i) => Number(((i + 1) * 0.1).toFixed(10)))),
  ];
  const absEtaBin = absEtaBinLookup(upper);
  const minRows = options.minRowsPerBin ?? 50;
  const p = STANDARD_CALIBRATION_TERMS;
  const nBins = upper.length;
  const cells = 3 * (nBins + 1); // the extra bin per category accumulates all |η|
  const normal = Array.from({ length: cells }, () => new Float64Array(p * p));
  const rhs = Array.from({ length: cells }, () => new Float64Array(p));
  const counts = new Int32Array(cells);
  const x = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const e = at(target, i);
    const wRow = options.weights ? at(options.weights, i) : 1;
    if (!(Number.isFinite(e) && e > 0))
      throw new ModelInputError(`${FORMAT}: target[${i}] must be a positive energy`, { field: `target[${i}]` });
    if (!(wRow >= 0)) throw new ModelInputError(`${FORMAT}: weights[${i}] must be ≥ 0`, { field: `weights[${i}]` });
    const w = wRow / (options.weighting === 'uniform' ? 1 : expectedVariance(e));
    standardCalibrationFeatures(
      at(features, o + roles.ePs),
      at(features, o + roles.eAcc),
      at(features, o + roles.showerDepth),
      x,
    );
    const cat = calibrationCategory(at(features, o + roles.isPhoton), at(features, o + roles.isConverted));
    for (const cell of [cat * (nBins + 1) + absEtaBin(at(features, o + roles.eta)), cat * (nBins + 1) + nBins]) {
      addToNormalEquations(at(normal, cell), at(rhs, cell), x, e, w, p);
      counts[cell] = at(counts, cell) + 1;
    }
  }
  const coefficients = STANDARD_CALIBRATION_CATEGORIES.map((name, cat) => {
    const all = cat * (nBins + 1) + nBins;
    const inclusive =
      at(counts, all) >= Math.max(minRows, p)
        ? solveNormalEquations(normal[all] as Float64Array, rhs[all] as Float64Array, p)
        : null;
    if (!inclusive) throw new ModelInputError(`${FORMAT}: too few ${name} rows to fit`, { field: 'features' });
    return upper.map((_, bin) => {
      const cell = cat * (nBins + 1) + bin;
      const own =
        at(counts, cell) >= Math.max(minRows, p)
          ? solveNormalEquations(normal[cell] as Float64Array, rhs[cell] as Float64Array, p)
          : null;
      return own ?? [...inclusive];
    });
  });
  return { inputs, roles, absEtaUpperEdges: upper, coefficients };
}
