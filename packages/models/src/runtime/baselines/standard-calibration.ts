/**
 * Evaluator and file format (`hepml-standard-calibration/1`) of the standard (pre-MVA) e/γ energy
 * calibration; wrapping a physics calibration or fitting one is baselines/standard-calibration.ts.
 * Workers-safe. The functional form is the calorimeter simulation's (`@hepml/physics`
 * `standardCalibrationFeatures`, `calibrationCategory`):
 *
 *   E = c(category, |η| bin) · [1, E_PS, E_acc, E_acc·X, E_acc·ln(E_acc/GeV)]   [GeV]
 *
 * with E_PS the presampler and E_acc the accordion energy [GeV] at the EM scale, X the longitudinal
 * barycentre [X₀], categories electrons / unconverted photons / converted photons, and |η| bins
 * (lo ≤ |η| < hi; the first bin from 0, the last also takes everything above) (ATLAS "calibration
 * hits" method, ATL-LARG-PUB-2009-001; Eur. Phys. J. C 72 (2012) 1909, §4).
 */
import { at, calibrationCategory, cutPointIndex, standardCalibrationFeatures } from '@hepml/physics';
import { z } from 'zod';
import {
  baselineFileV1,
  checkBaselineRows,
  edgesV1,
  type FormatProblem,
  inputNameProblem,
  readFormat,
  refineWith,
} from './format.ts';

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

const FORMAT = 'hepml-standard-calibration';

const [ELECTRON, UNCONVERTED, CONVERTED] = STANDARD_CALIBRATION_CATEGORIES;

/**
 * The on-disk format `hepml-standard-calibration/1`. Besides types and unknown keys the reader
 * refuses roles that name no input, edges not increasing or not positive, categories other than
 * the three, and coefficient arrays of the wrong shape.
 */
export const StandardCalibrationV1 = baselineFileV1(FORMAT, {
  roles: z.strictObject({
    ePs: z.string(),
    eAcc: z.string(),
    showerDepth: z.string(),
    eta: z.string(),
    isPhoton: z.string(),
    isConverted: z.string(),
  }),
  absEtaUpperEdges: edgesV1(1).refine((edges) => edges.length === 0 || at(edges, 0) > 0, {
    path: [0],
    message: 'must be positive',
  }),
  categories: z.tuple([z.literal(ELECTRON), z.literal(UNCONVERTED), z.literal(CONVERTED)]),
  coefficients: z.array(z.array(z.array(z.number()).length(STANDARD_CALIBRATION_TERMS))).length(3),
}).superRefine(refineWith((file) => standardCalibrationProblem(file)));
export type StandardCalibrationV1 = z.infer<typeof StandardCalibrationV1>;

function standardCalibrationProblem(file: StandardCalibrationV1): FormatProblem | null {
  for (const role of STANDARD_CALIBRATION_ROLES) {
    const problem = inputNameProblem(file.inputs, file.roles[role], ['roles', role]);
    if (problem) return problem;
  }
  const bins = file.absEtaUpperEdges.length;
  const c = file.coefficients.findIndex((cat) => cat.length !== bins);
  return c >= 0 ? { path: ['coefficients', c], message: `must have ${bins} entries` } : null;
}

/** Lookups by edges array, built on first use: models are not changed after fitting or parsing. */
const lookups = new WeakMap<readonly number[], (eta: number) => number>();

/**
 * The |η| bin of η among upper edges, built once per edges array: lo ≤ |η| < hi, the first bin from
 * 0, everything above the last edge in the last bin, NaN in the last bin too. Throws a
 * PhysicsInputError naming `absEtaUpperEdges` unless the edges are finite and strictly increasing.
 */
export function absEtaBinLookup(upper: readonly number[]): (eta: number) => number {
  let lookup = lookups.get(upper);
  if (!lookup) {
    lookup = buildAbsEtaLookup(upper);
    lookups.set(upper, lookup);
  }
  return lookup;
}

function buildAbsEtaLookup(upper: readonly number[]): (eta: number) => number {
  const index = cutPointIndex(upper, { field: 'absEtaUpperEdges' });
  const last = upper.length - 1;
  return (eta) => {
    const b = index(Math.abs(eta));
    return b < 0 || b > last ? last : b;
  };
}

/** Calibrated energy [GeV] of each row (raw inputs, row-major n × inputs.length). */
export function evaluateStandardCalibration(
  params: StandardCalibrationParams,
  features: Float32Array,
  n: number,
  out?: Float32Array,
): Float32Array {
  const d = params.inputs.length;
  const res = checkBaselineRows(FORMAT, features, n, d, 1, out);
  const { roles, coefficients } = params;
  const binOf = absEtaBinLookup(params.absEtaUpperEdges);
  const x = new Float64Array(STANDARD_CALIBRATION_TERMS);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    standardCalibrationFeatures(
      at(features, o + roles.ePs),
      at(features, o + roles.eAcc),
      at(features, o + roles.showerDepth),
      x,
    );
    const cat = calibrationCategory(at(features, o + roles.isPhoton), at(features, o + roles.isConverted));
    const c = at(coefficients, cat)[binOf(at(features, o + roles.eta))] as number[];
    let e = 0;
    for (let k = 0; k < STANDARD_CALIBRATION_TERMS; k++) e += at(c, k) * at(x, k);
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
  for (const role of STANDARD_CALIBRATION_ROLES) roles[role] = at(params.inputs, params.roles[role]);
  return {
    format: FORMAT,
    formatVersion: 1,
    inputs: [...params.inputs],
    roles,
    absEtaUpperEdges: [...params.absEtaUpperEdges],
    categories: [ELECTRON, UNCONVERTED, CONVERTED],
    coefficients: params.coefficients.map((cat) => cat.map((c) => [...c])),
  };
}

/**
 * Strict reader of `hepml-standard-calibration/1` ({@link StandardCalibrationV1}): errors are
 * {@link BundleError}s naming the JSON path (`coefficients[2][5][3]`).
 */
export function parseStandardCalibration(json: unknown): StandardCalibrationParams {
  const file = readFormat(StandardCalibrationV1, json, FORMAT);
  const roles = {} as Record<StandardCalibrationRole, number>;
  for (const role of STANDARD_CALIBRATION_ROLES) roles[role] = file.inputs.indexOf(file.roles[role]);
  return {
    inputs: file.inputs,
    roles,
    absEtaUpperEdges: file.absEtaUpperEdges,
    coefficients: file.coefficients,
  };
}
