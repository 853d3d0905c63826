/**
 * Binning shared by the baselines (Workers-safe): quantile bin edges per feature, as LightGBM's
 * histogram construction does, the lookup of a value's bin, and the ET × |η| binning of the ATLAS
 * electron identification (Eur. Phys. J. C 79 (2019) 639, arXiv:1902.04655, Sect. 6).
 */
import { ModelInputError } from '../errors.ts';
import { inputIndex } from './matrix.ts';
import { fail, finite, increasingArray, type ParseContext, record } from './parse.ts';

/**
 * Number of `edges` that are ≤ x, i.e. the bin of x when bin k holds edges[k−1] ≤ x < edges[k]
 * (bin 0 is everything below edges[0], the last bin everything from the last edge up). NaN gives 0.
 * `edges` must be sorted increasing.
 */
export function upperBound(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** The largest float32 below the float32 value v (finite). */
function previousFloat32(v: number): number {
  if (v === 0) return -1.401298464324817e-45;
  F32[0] = v;
  I32[0] = v > 0 ? (I32[0] as number) - 1 : (I32[0] as number) + 1;
  return F32[0] as number;
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
    const v = features[Math.floor(s * stride) * d + column] as number;
    if (Number.isFinite(v)) values[k++] = v;
  }
  const sorted = values.subarray(0, k).sort();
  if (k === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < k; i++) if ((sorted[i] as number) !== (sorted[i - 1] as number)) distinct++;
  const edges: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < k; i++)
      if ((sorted[i] as number) !== (sorted[i - 1] as number)) edges.push(sorted[i] as number);
  } else {
    const lowest = sorted[0] as number;
    for (let b = 1; b < maxBins; b++) {
      const v = sorted[Math.floor((b * k) / maxBins)] as number;
      if (v > lowest && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v);
    }
  }
  return Float64Array.from(edges, (e) => (Math.fround(e) === e ? shortFloat32Threshold(e) : e));
}

/**
 * ET × |η| binning: bins [etEdges[i], etEdges[i+1]) × [absEtaEdges[j], absEtaEdges[j+1]); values
 * below the first or from the last edge on fall into the first or last bin (under- and overflow are
 * kept, not dropped). Bin index = i · (absEtaEdges.length − 1) + j.
 */
export interface EtEtaBinning {
  /** Index of the ET input [GeV] in the model's inputs. */
  et: number;
  /** Index of the η input in the model's inputs (|η| is binned). */
  eta: number;
  /** ET edges [GeV], strictly increasing, at least 2. */
  etEdges: number[];
  /** |η| edges, strictly increasing, at least 2, the first ≥ 0. */
  absEtaEdges: number[];
}

/** Default ET [GeV] edges of the electron-ID baselines (a coarser version of ATLAS's bins). */
export const ELECTRON_ET_EDGES: readonly number[] = [15, 25, 35, 45, 60, 250];
/**
 * Default |η| edges: barrel, crack 1.37–1.52 on its own, end-cap with and without the TRT (2.0)
 * and the edge of the precision region 2.47.
 */
export const ELECTRON_ABS_ETA_EDGES: readonly number[] = [0, 0.8, 1.37, 1.52, 2.01, 2.47];

/** Number of ET × |η| bins (1 without a binning). */
export function etEtaBinCount(binning: EtEtaBinning | null): number {
  return binning ? (binning.etEdges.length - 1) * (binning.absEtaEdges.length - 1) : 1;
}

/** ET × |η| bin of row `row` of a row-major matrix with `d` columns (0 without a binning). */
export function etEtaBin(binning: EtEtaBinning | null, features: ArrayLike<number>, row: number, d: number): number {
  if (!binning) return 0;
  const nEt = binning.etEdges.length - 1;
  const nEta = binning.absEtaEdges.length - 1;
  const et = features[row * d + binning.et] as number;
  const absEta = Math.abs(features[row * d + binning.eta] as number);
  const i = Math.min(nEt - 1, Math.max(0, upperBound(binning.etEdges, et) - 1));
  const j = Math.min(nEta - 1, Math.max(0, upperBound(binning.absEtaEdges, absEta) - 1));
  return i * nEta + j;
}

/** Checks a binning built in code (a {@link ModelInputError} naming what is wrong). */
export function checkEtEtaBinning(binning: EtEtaBinning, d: number): void {
  const bad = (field: string, message: string): never => {
    throw new ModelInputError(`binning.${field}: ${message}`, { field: `binning.${field}` });
  };
  if (!(Number.isInteger(binning.et) && binning.et >= 0 && binning.et < d)) bad('et', 'is not an input index');
  if (!(Number.isInteger(binning.eta) && binning.eta >= 0 && binning.eta < d)) bad('eta', 'is not an input index');
  for (const key of ['etEdges', 'absEtaEdges'] as const) {
    const e = binning[key];
    if (e.length < 2) bad(key, 'needs at least 2 edges');
    for (let i = 0; i < e.length; i++) {
      if (!Number.isFinite(e[i])) bad(`${key}[${i}]`, 'must be finite');
      if (i > 0 && !((e[i] as number) > (e[i - 1] as number))) bad(`${key}[${i}]`, 'must be strictly increasing');
    }
  }
  if ((binning.absEtaEdges[0] as number) < 0) bad('absEtaEdges[0]', 'must be ≥ 0');
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

/** JSON form of an {@link EtEtaBinning}: inputs by name. */
export interface EtEtaBinningV1 {
  etInput: string;
  etaInput: string;
  etEdges: number[];
  absEtaEdges: number[];
}

export function serializeEtEtaBinning(binning: EtEtaBinning | null, inputs: readonly string[]): EtEtaBinningV1 | null {
  if (!binning) return null;
  return {
    etInput: inputs[binning.et] as string,
    etaInput: inputs[binning.eta] as string,
    etEdges: [...binning.etEdges],
    absEtaEdges: [...binning.absEtaEdges],
  };
}

/** Strict reader of {@link EtEtaBinningV1} (or null) at JSON path `field`. */
export function parseEtEtaBinning(
  ctx: ParseContext,
  v: unknown,
  field: string,
  inputs: readonly string[],
): EtEtaBinning | null {
  if (v === null) return null;
  const r = record(ctx, v, field, ['etInput', 'etaInput', 'etEdges', 'absEtaEdges']);
  const index = (key: 'etInput' | 'etaInput'): number => {
    const k = inputs.indexOf(r[key] as string);
    if (typeof r[key] !== 'string' || k < 0) fail(ctx, `${field}.${key}`, 'must name one of the inputs');
    return k;
  };
  const absEtaEdges = increasingArray(ctx, r.absEtaEdges, `${field}.absEtaEdges`, 2);
  if (finite(ctx, absEtaEdges[0], `${field}.absEtaEdges[0]`) < 0) fail(ctx, `${field}.absEtaEdges[0]`, 'must be ≥ 0');
  return {
    et: index('etInput'),
    eta: index('etaInput'),
    etEdges: increasingArray(ctx, r.etEdges, `${field}.etEdges`, 2),
    absEtaEdges,
  };
}

/** Strict reader of the `inputs` list shared by every baseline file: distinct non-empty names. */
export function parseInputs(ctx: ParseContext, v: unknown, field = 'inputs'): string[] {
  if (!Array.isArray(v) || v.length === 0) fail(ctx, field, 'must be a non-empty array');
  const seen = new Set<string>();
  return v.map((name, i) => {
    if (typeof name !== 'string' || name.length === 0) fail(ctx, `${field}[${i}]`, 'must be a non-empty string');
    if (seen.has(name)) fail(ctx, `${field}[${i}]`, `duplicate input "${name}"`);
    seen.add(name);
    return name;
  });
}
