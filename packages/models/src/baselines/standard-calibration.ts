/**
 * The standard (pre-MVA) e/γ energy calibration as a baseline of the energy-regression task
 * (Workers-safe: pure loops). Its functional form is the one the calorimeter simulation uses for its
 * `eCalStandard` column (`@hepml/physics` `standardCalibrationFeatures`, `calibrationCategory`):
 *
 *   E = c(category, |η| bin) · [1, E_PS, E_acc, E_acc·X, E_acc·ln(E_acc/GeV)]   [GeV]
 *
 * with E_PS the presampler and E_acc the accordion energy [GeV] at the EM scale, X the longitudinal
 * barycentre [X₀], categories electrons / unconverted photons / converted photons, and |η| bins
 * (lo ≤ |η| < hi; the first bin from 0, the last also takes everything above): an offset and a
 * presampler-weighted term for the energy lost upstream, an accordion scale corrected for
 * longitudinal leakage through X and ln E (ATLAS "calibration hits" method, ATL-LARG-PUB-2009-001;
 * Eur. Phys. J. C 72 (2012) 1909, §4). The baseline either wraps a calibration fitted elsewhere
 * (the simulation's own, {@link standardCalibrationFromPhysics}) or is fitted here by weighted least
 * squares ({@link fitStandardCalibrationBaseline}); either way it evaluates on the raw inputs.
 */
import {
  calibrationCategory,
  type StandardCalibration,
  solvePositiveDefinite,
  standardCalibrationFeatures,
} from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { parseInputs } from './binning.ts';
import { inputIndex } from './matrix.ts';
import { array, checkRows, fail, finiteArray, header, increasingArray, type ParseContext, record } from './parse.ts';

/** Terms of the calibration: [1, E_PS, E_acc, E_acc·X, E_acc·ln E_acc]. */
export const STANDARD_CALIBRATION_TERMS = 5;
/** Category names, in the order of `calibrationCategory` (0, 1, 2). */
export const STANDARD_CALIBRATION_CATEGORIES = ['electron', 'unconverted-photon', 'converted-photon'] as const;
/** The inputs the calibration reads, by role. */
export const STANDARD_CALIBRATION_ROLES = ['ePs', 'eAcc', 'showerDepth', 'eta', 'isPhoton', 'isConverted'] as const;
export type StandardCalibrationRole = (typeof STANDARD_CALIBRATION_ROLES)[number];

/** A standard calibration on named inputs (JSON form {@link StandardCalibrationV1}). */
export interface StandardCalibrationParams {
  inputs: string[];
  /** Input index of each role. */
  roles: Record<StandardCalibrationRole, number>;
  /** Upper |η| edges of the bins, strictly increasing and positive. */
  absEtaUpperEdges: number[];
  /** coefficients[category][bin] = the 5 coefficients (GeV for c0, 1 for the others). */
  coefficients: number[][][];
}

/** The on-disk format `hepml-standard-calibration/1`. */
export interface StandardCalibrationV1 {
  format: 'hepml-standard-calibration';
  formatVersion: 1;
  inputs: string[];
  roles: Record<StandardCalibrationRole, string>;
  absEtaUpperEdges: number[];
  categories: string[];
  coefficients: number[][][];
}

const FORMAT: ParseContext = { format: 'hepml-standard-calibration' };

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
  /** Upper |η| edges (default 0.1, 0.2, …, 1.4: the simulation's barrel bins). */
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

/** Bin of |η| among upper edges (lo ≤ |η| < hi, overflow into the last bin, NaN into the last). */
function absEtaBin(upper: readonly number[], eta: number): number {
  const a = Math.abs(eta);
  for (let b = 0; b < upper.length; b++) if (a < (upper[b] as number)) return b;
  return upper.length - 1;
}

/** Solves the symmetric positive-definite system A x = b (p × p, row-major) by Cholesky. */
function solveNormalEquations(aIn: Float64Array, b: Float64Array, p: number): number[] | null {
  const a = Float64Array.from(aIn);
  let trace = 0;
  for (let i = 0; i < p; i++) trace += a[i * p + i] as number;
  // A ridge of 1e-12 of the mean diagonal keeps a rank-deficient cell solvable without biasing it.
  for (let i = 0; i < p; i++) a[i * p + i] = (a[i * p + i] as number) + (1e-12 * trace) / p;
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
  checkRows(FORMAT, features, n, d, 0, undefined);
  if (target.length !== n)
    throw new ModelInputError(`${FORMAT.format}: target has ${target.length} values for ${n} rows`, {
      field: 'target',
    });
  const roles = resolveRoles(inputs, options.roles);
  const upper = [
    ...(options.absEtaUpperEdges ?? Array.from({ length: 14 }, (_, i) => Number(((i + 1) * 0.1).toFixed(10)))),
  ];
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
    const e = target[i] as number;
    const wRow = options.weights ? (options.weights[i] as number) : 1;
    if (!(Number.isFinite(e) && e > 0))
      throw new ModelInputError(`${FORMAT.format}: target[${i}] must be a positive energy`, { field: `target[${i}]` });
    if (!(wRow >= 0))
      throw new ModelInputError(`${FORMAT.format}: weights[${i}] must be ≥ 0`, { field: `weights[${i}]` });
    const w = wRow / (options.weighting === 'uniform' ? 1 : expectedVariance(e));
    standardCalibrationFeatures(
      features[o + roles.ePs] as number,
      features[o + roles.eAcc] as number,
      features[o + roles.showerDepth] as number,
      x,
    );
    const cat = calibrationCategory(features[o + roles.isPhoton] as number, features[o + roles.isConverted] as number);
    for (const cell of [
      cat * (nBins + 1) + absEtaBin(upper, features[o + roles.eta] as number),
      cat * (nBins + 1) + nBins,
    ]) {
      const a = normal[cell] as Float64Array;
      const b = rhs[cell] as Float64Array;
      for (let r = 0; r < p; r++) {
        b[r] = (b[r] as number) + w * (x[r] as number) * e;
        for (let c = 0; c < p; c++) a[r * p + c] = (a[r * p + c] as number) + w * (x[r] as number) * (x[c] as number);
      }
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  const coefficients = STANDARD_CALIBRATION_CATEGORIES.map((name, cat) => {
    const all = cat * (nBins + 1) + nBins;
    const inclusive =
      (counts[all] as number) >= Math.max(minRows, p)
        ? solveNormalEquations(normal[all] as Float64Array, rhs[all] as Float64Array, p)
        : null;
    if (!inclusive) throw new ModelInputError(`${FORMAT.format}: too few ${name} rows to fit`, { field: 'features' });
    return upper.map((_, bin) => {
      const cell = cat * (nBins + 1) + bin;
      const own =
        (counts[cell] as number) >= Math.max(minRows, p)
          ? solveNormalEquations(normal[cell] as Float64Array, rhs[cell] as Float64Array, p)
          : null;
      return own ?? [...inclusive];
    });
  });
  return { inputs, roles, absEtaUpperEdges: upper, coefficients };
}

/** Calibrated energy [GeV] of each row (raw inputs, row-major n × inputs.length). */
export function evaluateStandardCalibration(
  params: StandardCalibrationParams,
  features: Float32Array,
  n: number,
  out?: Float32Array,
): Float32Array {
  const d = params.inputs.length;
  const res = checkRows(FORMAT, features, n, d, 1, out);
  const { roles, absEtaUpperEdges: upper, coefficients } = params;
  const x = new Float64Array(STANDARD_CALIBRATION_TERMS);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    standardCalibrationFeatures(
      features[o + roles.ePs] as number,
      features[o + roles.eAcc] as number,
      features[o + roles.showerDepth] as number,
      x,
    );
    const cat = calibrationCategory(features[o + roles.isPhoton] as number, features[o + roles.isConverted] as number);
    const c = (coefficients[cat] as number[][])[absEtaBin(upper, features[o + roles.eta] as number)] as number[];
    let e = 0;
    for (let k = 0; k < STANDARD_CALIBRATION_TERMS; k++) e += (c[k] as number) * (x[k] as number);
    res[i] = e;
  }
  return res;
}

/** Number of coefficients. */
export function standardCalibrationParameterCount(params: StandardCalibrationParams): number {
  return 3 * params.absEtaUpperEdges.length * STANDARD_CALIBRATION_TERMS;
}

/** JSON form (`hepml-standard-calibration/1`). */
export function serializeStandardCalibration(params: StandardCalibrationParams): StandardCalibrationV1 {
  const roles = {} as Record<StandardCalibrationRole, string>;
  for (const role of STANDARD_CALIBRATION_ROLES) roles[role] = params.inputs[params.roles[role]] as string;
  return {
    format: 'hepml-standard-calibration',
    formatVersion: 1,
    inputs: [...params.inputs],
    roles,
    absEtaUpperEdges: [...params.absEtaUpperEdges],
    categories: [...STANDARD_CALIBRATION_CATEGORIES],
    coefficients: params.coefficients.map((cat) => cat.map((c) => [...c])),
  };
}

/**
 * Strict reader of `hepml-standard-calibration/1`: unknown keys, roles that name no input, edges
 * not increasing or not positive, categories other than the three, coefficient arrays of the wrong
 * shape or not finite are {@link BundleError}s naming the JSON path (`coefficients[2][5][3]`).
 */
export function parseStandardCalibration(json: unknown): StandardCalibrationParams {
  const ctx = FORMAT;
  const r = record(ctx, json, '', [
    'format',
    'formatVersion',
    'inputs',
    'roles',
    'absEtaUpperEdges',
    'categories',
    'coefficients',
  ]);
  header(ctx, r);
  const inputs = parseInputs(ctx, r.inputs);
  const rawRoles = record(ctx, r.roles, 'roles', STANDARD_CALIBRATION_ROLES);
  const roles = {} as Record<StandardCalibrationRole, number>;
  for (const role of STANDARD_CALIBRATION_ROLES) {
    const k = typeof rawRoles[role] === 'string' ? inputs.indexOf(rawRoles[role]) : -1;
    if (k < 0) fail(ctx, `roles.${role}`, 'must name one of the inputs');
    roles[role] = k;
  }
  const upper = increasingArray(ctx, r.absEtaUpperEdges, 'absEtaUpperEdges', 1);
  if (!((upper[0] as number) > 0)) fail(ctx, 'absEtaUpperEdges[0]', 'must be positive');
  const categories = array(ctx, r.categories, 'categories', 3);
  categories.forEach((c, k) => {
    if (c !== STANDARD_CALIBRATION_CATEGORIES[k])
      fail(ctx, `categories[${k}]`, `must be "${STANDARD_CALIBRATION_CATEGORIES[k]}"`);
  });
  const coefficients = array(ctx, r.coefficients, 'coefficients', 3).map((cat, c) =>
    array(ctx, cat, `coefficients[${c}]`, upper.length).map((bin, b) =>
      finiteArray(ctx, bin, `coefficients[${c}][${b}]`, STANDARD_CALIBRATION_TERMS),
    ),
  );
  return { inputs, roles, absEtaUpperEdges: upper, coefficients };
}
