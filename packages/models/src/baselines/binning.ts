/**
 * Binning of the baselines' fits (Workers-safe): quantile cut points per feature, as LightGBM's
 * histogram construction does (a value's bin among them is `cutPointIndex` of `@hepml/physics`),
 * and the fit options of the ET × |η| binning of the ATLAS electron identification (Eur. Phys. J. C
 * 79 (2019) 639, arXiv:1902.04655, Sect. 6), which runtime/baselines/et-eta-binning.ts evaluates.
 */
import { Axis, at, PhysicsInputError } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { type EtEtaBinning, type EtEtaBinningV1, etEtaBinLookup } from '../runtime/baselines/et-eta-binning.ts';
import { checkBaselineRows } from '../runtime/baselines/format.ts';
import { inputIndex } from './matrix.ts';

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** The largest float32 below the float32 value v (finite). */
function previousFloat32(v: number): number {
  if (v === 0) return -1.401298464324817e-45;
  F32[0] = v;
  I32[0] = v > 0 ? at(I32, 0) - 1 : at(I32, 0) + 1;
  return at(F32, 0);
}

/**
 * The shortest decimal number c with previousFloat32(v) < c ≤ v, for a float32 value v: for every
 * float32 x, x < c exactly when x < v (no float32 lies in between), so a threshold can be written
 * with ≤ 9 significant digits instead of the 17 of v as a double, and decide the same.
 */
export function shortFloat32Threshold(v: number): number {
  const below = previousFloat32(v);
  for (let p = 1; p <= 9; p++) {
    const nearest = Number(v.toPrecision(p));
    // The decimal one unit of the p-th digit lower, re-rounded so no binary residue is left.
    const lower = Number((nearest - 10 ** (Math.floor(Math.log10(Math.abs(nearest || v))) - p + 1)).toPrecision(p));
    for (const c of [nearest, lower]) if (c <= v && c > below) return c;
  }
  return v;
}

/** At most this many values enter the quantile estimate (an even stride through the rows). */
const QUANTILE_SAMPLE = 200_000;

/**
 * Bin edges at the quantiles of column `column` of a row-major matrix (n rows × d columns), for at
 * most `maxBins` bins: with m ≤ maxBins distinct (finite) values, one bin per value (edges at the
 * distinct values above the smallest); otherwise edges at the values of rank ⌊k·N/maxBins⌋,
 * k = 1 … maxBins−1, duplicates dropped, so a value repeated often (a discrete variable, a spike at
 * a boundary) keeps its own bin. Edges are values that occur in the data, written as the shortest
 * decimal that compares like them against every float32 ({@link shortFloat32Threshold}), so
 * `x < edge` decides the same way in training and in evaluation on Float32Array rows. With more than 200 000 rows an
 * even stride of 200 000 rows is used. Non-finite values are ignored; a column without finite
 * values gets no edges (one bin).
 */
export function quantileEdges(
  features: ArrayLike<number>,
  n: number,
  d: number,
  column: number,
  maxBins: number,
): Float64Array {
  const stride = n > QUANTILE_SAMPLE ? n / QUANTILE_SAMPLE : 1;
  const m = Math.min(n, QUANTILE_SAMPLE);
  const values = new Float64Array(m);
  let k = 0;
  for (let s = 0; s < m; s++) {
    const v = at(features, Math.floor(s * stride) * d + column);
    if (Number.isFinite(v)) values[k++] = v;
  }
  const sorted = values.subarray(0, k).sort();
  if (k === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < k; i++) if (at(sorted, i) !== at(sorted, i - 1)) distinct++;
  const edges: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < k; i++) if (at(sorted, i) !== at(sorted, i - 1)) edges.push(at(sorted, i));
  } else {
    const lowest = at(sorted, 0);
    for (let b = 1; b < maxBins; b++) {
      const v = at(sorted, Math.floor((b * k) / maxBins));
      if (v > lowest && (edges.length === 0 || v > at(edges, edges.length - 1))) edges.push(v);
    }
  }
  return Float64Array.from(edges, (e) => (Math.fround(e) === e ? shortFloat32Threshold(e) : e));
}

/** Default ET [GeV] edges of the electron-ID baselines (a coarser version of ATLAS's bins). */
export const ELECTRON_ET_EDGES: readonly number[] = [15, 25, 35, 45, 60, 250];
/**
 * Default |η| edges: barrel, crack 1.37–1.52 on its own, end-cap with and without the TRT (2.0)
 * and the edge of the precision region 2.47.
 */
export const ELECTRON_ABS_ETA_EDGES: readonly number[] = [0, 0.8, 1.37, 1.52, 2.01, 2.47];

/** Checks a binning built in code (a {@link ModelInputError} naming what is wrong). */
export function checkEtEtaBinning(binning: EtEtaBinning, d: number): void {
  const bad = (field: string, message: string): never => {
    throw new ModelInputError(`binning.${field}: ${message}`, { field: `binning.${field}` });
  };
  if (!(Number.isInteger(binning.et) && binning.et >= 0 && binning.et < d)) bad('et', 'is not an input index');
  if (!(Number.isInteger(binning.eta) && binning.eta >= 0 && binning.eta < d)) bad('eta', 'is not an input index');
  for (const key of ['etEdges', 'absEtaEdges'] as const) {
    try {
      Axis.variable(binning[key], { field: `binning.${key}` });
    } catch (e) {
      if (!(e instanceof PhysicsInputError)) throw e;
      throw new ModelInputError(e.message, { field: e.field ?? `binning.${key}`, cause: e });
    }
  }
  if (at(binning.absEtaEdges, 0) < 0) bad('absEtaEdges[0]', 'must be ≥ 0');
}

/**
 * Resolves the fit options shared by the binned baselines: the ET × |η| binning given by input
 * names (checked), and the variables to use by index — by default every input but the binning's
 * ET and η. Errors name the option (`binning.etInput`, `variables`).
 */
export function resolveBinnedVariables(
  inputs: readonly string[],
  binningOption: EtEtaBinningV1 | null | undefined,
  variableOption: readonly string[] | undefined,
): { binning: EtEtaBinning | null; variables: number[] } {
  const binning = binningOption
    ? {
        et: inputIndex(inputs, binningOption.etInput, 'binning.etInput'),
        eta: inputIndex(inputs, binningOption.etaInput, 'binning.etaInput'),
        etEdges: [...binningOption.etEdges],
        absEtaEdges: [...binningOption.absEtaEdges],
      }
    : null;
  if (binning) checkEtEtaBinning(binning, inputs.length);
  const variables = (
    variableOption ?? inputs.filter((_, k) => !binning || (k !== binning.et && k !== binning.eta))
  ).map((name) => inputIndex(inputs, name, 'variables'));
  return { binning, variables };
}

/** Options shared by the fits of the binned classifiers (`fitCuts`, `fitLikelihood`). */
export interface BinnedFitOptions {
  inputs: readonly string[];
  /** n × inputs.length raw values, row-major. */
  features: Float32Array;
  n: number;
  /** 1 signal, 0 background. */
  labels: ArrayLike<number>;
  /** Per-event weights (default 1), ≥ 0. */
  weights?: ArrayLike<number>;
  /** The variables to cut on or to project (default: every input that is not a binning variable). */
  variables?: readonly string[];
  /** ET × |η| bins (default none: one set of parameters everywhere). */
  binning?: EtEtaBinningV1 | null;
}

/**
 * The checked data of a binned fit: a copy of the inputs, the row layout (a {@link ModelInputError}
 * when features is not n × inputs.length), the binning and variables ({@link resolveBinnedVariables})
 * and the event weights ({@link eventWeights}).
 */
export function binnedFitData(
  format: string,
  options: BinnedFitOptions,
): { inputs: string[]; d: number; binning: EtEtaBinning | null; variables: number[]; w: Float64Array } {
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkBaselineRows(format, options.features, options.n, d, 0, undefined);
  const { binning, variables } = resolveBinnedVariables(inputs, options.binning, options.variables);
  return { inputs, d, binning, variables, w: eventWeights(format, options.weights, options.n) };
}

/** Per-event weights of a binned fit (default 1); one that is negative or NaN is a {@link ModelInputError} naming it. */
export function eventWeights(format: string, weights: ArrayLike<number> | undefined, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = weights ? at(weights, i) : 1;
    if (!(x >= 0)) throw new ModelInputError(`${format}: weights[${i}] must be ≥ 0`, { field: `weights[${i}]` });
    w[i] = x;
  }
  return w;
}

/** The ET × |η| bin of every row of a row-major matrix, and the rows of one bin, in row order. */
export function etEtaBinRows(
  binning: EtEtaBinning,
  features: Float32Array,
  n: number,
  d: number,
): { binOf: Int32Array; rowsOf(bin: number): Uint32Array } {
  const lookup = etEtaBinLookup(binning);
  const binOf = new Int32Array(n);
  const counts = new Int32Array((binning.etEdges.length - 1) * (binning.absEtaEdges.length - 1));
  for (let i = 0; i < n; i++) {
    const b = lookup(features, i, d);
    binOf[i] = b;
    counts[b] = at(counts, b) + 1;
  }
  return {
    binOf,
    rowsOf(bin) {
      const rows = new Uint32Array(at(counts, bin));
      let k = 0;
      for (let i = 0; i < n; i++) if (binOf[i] === bin) rows[k++] = i;
      return rows;
    },
  };
}
