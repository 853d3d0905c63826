/**
 * Evaluator and file format (`hepml-cuts/1`) of the rectangular cut-based selection; its fit is
 * `fitCuts` (baselines/cuts.ts). Workers-safe: pure loops over Float32Array.
 *
 * The selection keeps a candidate when every cut variable lies in a window lower ≤ x < upper
 * (either side may be open), with windows per ET × |η| bin when a binning is given, one window set
 * per *level* of a ladder of target signal efficiencies (loosest first), nested like loose ⊃ medium
 * ⊃ tight menus. Score: the number of levels a candidate passes, s ∈ {0, 1, …, L}; because the
 * levels are nested, the cut `s ≥ k` is exactly level k's selection.
 */
import { at } from '@hepml/physics';
import { z } from 'zod';
import {
  binnedFileProblem,
  binnedFromFile,
  type EtEtaBinning,
  EtEtaBinningV1,
  etEtaBinLookup,
  serializeEtEtaBinning,
} from './et-eta-binning.ts';
import { baselineFileV1, checkBaselineRows, type FormatProblem, readFormat, refineWith } from './format.ts';

/** Parameters of a fitted cut-based selection (in memory; JSON form {@link CutsV1}). */
export interface CutsParams {
  /** Model inputs, in feature-column order. */
  inputs: string[];
  binning: EtEtaBinning | null;
  /** Target signal efficiencies of the levels, strictly decreasing (loosest first), in (0, 1]. */
  levels: number[];
  /** Input indices of the cut variables. */
  variables: number[];
  /**
   * Window edges, flat [bin][level][variable]: pass when lower ≤ x < upper; −∞ / +∞ for an open
   * side (null in JSON).
   */
  lower: Float64Array;
  upper: Float64Array;
}

const FORMAT = 'hepml-cuts';

/**
 * The first problem of a ladder of levels (not empty, each in (0, 1], strictly decreasing), or
 * null; shared by the reader and `fitCuts`.
 */
export function cutLevelsProblem(levels: readonly number[]): FormatProblem | null {
  if (levels.length === 0) return { path: ['levels'], message: 'must not be empty' };
  for (let l = 0; l < levels.length; l++) {
    const t = at(levels, l);
    if (!(t > 0 && t <= 1)) return { path: ['levels', l], message: 'must lie in (0, 1]' };
    if (l > 0 && !(t < at(levels, l - 1))) return { path: ['levels', l], message: 'must be strictly decreasing' };
  }
  return null;
}

const WindowSideV1 = z.array(z.number().nullable());

/**
 * The on-disk format `hepml-cuts/1`. Besides types and unknown keys the reader refuses a bin count
 * that disagrees with the binning, a window with lower ≥ upper, and levels that are not nested.
 */
export const CutsV1 = baselineFileV1(FORMAT, {
  binning: EtEtaBinningV1.nullable(),
  levels: z.array(z.number()),
  variables: z.array(z.string()),
  /** Per ET × |η| bin, per level: the window of each variable (null = open side). */
  bins: z.array(z.strictObject({ levels: z.array(z.strictObject({ lower: WindowSideV1, upper: WindowSideV1 })) })),
}).superRefine(refineWith((file) => cutsProblem(file)));
export type CutsV1 = z.infer<typeof CutsV1>;

function cutsProblem(file: CutsV1): FormatProblem | null {
  const first = binnedFileProblem(file) ?? cutLevelsProblem(file.levels);
  if (first) return first;
  const V = file.variables.length;
  const L = file.levels.length;
  const nBins = file.bins.length;
  for (let b = 0; b < nBins; b++) {
    const levels = at(file.bins, b).levels;
    if (levels.length !== L) return { path: ['bins', b, 'levels'], message: `must have ${L} entries` };
    for (let l = 0; l < L; l++) {
      const level = at(levels, l);
      for (const side of ['lower', 'upper'] as const) {
        if (level[side].length !== V)
          return { path: ['bins', b, 'levels', l, side], message: `must have ${V} entries` };
      }
      const previous = l > 0 ? at(levels, l - 1) : null;
      for (let v = 0; v < V; v++) {
        const a = level.lower[v] ?? Number.NEGATIVE_INFINITY;
        const c = level.upper[v] ?? Number.POSITIVE_INFINITY;
        if (!(a < c)) {
          return { path: ['bins', b, 'levels', l, 'upper', v], message: 'must be above lower (the window is empty)' };
        }
        if (
          previous &&
          (a < (previous.lower[v] ?? Number.NEGATIVE_INFINITY) || c > (previous.upper[v] ?? Number.POSITIVE_INFINITY))
        ) {
          return {
            path: ['bins', b, 'levels', l, 'lower', v],
            message: 'window must lie inside the previous level’s (levels are nested)',
          };
        }
      }
    }
  }
  return null;
}

/**
 * Score of each row: the number of nested levels it passes, 0 … L (see the module comment);
 * a NaN input fails every cut on it. Output: Float32Array of n scores.
 */
export function evaluateCuts(params: CutsParams, features: Float32Array, n: number, out?: Float32Array): Float32Array {
  const d = params.inputs.length;
  const res = checkBaselineRows(FORMAT, features, n, d, 1, out);
  const V = params.variables.length;
  const L = params.levels.length;
  const { lower, upper, variables } = params;
  const binOf = etEtaBinLookup(params.binning);
  for (let i = 0; i < n; i++) {
    const base = binOf(features, i, d) * L * V;
    let level = 0;
    for (; level < L; level++) {
      const o = base + level * V;
      let ok = true;
      for (let v = 0; v < V; v++) {
        const x = features[i * d + at(variables, v)] as number;
        if (!(x >= at(lower, o + v) && x < at(upper, o + v))) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
    }
    res[i] = level;
  }
  return res;
}

/** Number of free parameters: the finite window edges. */
export function cutsParameterCount(params: CutsParams): number {
  let k = 0;
  for (const x of params.lower) if (Number.isFinite(x)) k++;
  for (const x of params.upper) if (Number.isFinite(x)) k++;
  return k;
}

/** JSON form (`hepml-cuts/1`) of fitted cuts; open window sides are written as null. */
export function serializeCuts(params: CutsParams): CutsV1 {
  const V = params.variables.length;
  const L = params.levels.length;
  const nBins = params.lower.length / (L * V);
  const side = (a: Float64Array, o: number): (number | null)[] =>
    Array.from(a.subarray(o, o + V), (x) => (Number.isFinite(x) ? x : null));
  return {
    format: FORMAT,
    formatVersion: 1,
    inputs: [...params.inputs],
    binning: serializeEtEtaBinning(params.binning, params.inputs),
    levels: [...params.levels],
    variables: params.variables.map((k) => at(params.inputs, k)),
    bins: Array.from({ length: nBins }, (_, b) => ({
      levels: Array.from({ length: L }, (_, l) => ({
        lower: side(params.lower, (b * L + l) * V),
        upper: side(params.upper, (b * L + l) * V),
      })),
    })),
  };
}

/**
 * Strict reader of `hepml-cuts/1` ({@link CutsV1}): errors are {@link BundleError}s whose `field`
 * is the JSON path (e.g. `bins[3].levels[2].upper[5]`).
 */
export function parseCuts(json: unknown): CutsParams {
  const file = readFormat(CutsV1, json, FORMAT);
  const { inputs, binning, variables } = binnedFromFile(file);
  const { levels } = file;
  const V = variables.length;
  const L = levels.length;
  const lower = new Float64Array(file.bins.length * L * V);
  const upper = new Float64Array(file.bins.length * L * V);
  file.bins.forEach((bin, b) => {
    bin.levels.forEach((level, l) => {
      for (let v = 0; v < V; v++) {
        lower[(b * L + l) * V + v] = level.lower[v] ?? Number.NEGATIVE_INFINITY;
        upper[(b * L + l) * V + v] = level.upper[v] ?? Number.POSITIVE_INFINITY;
      }
    });
  });
  return { inputs, binning, levels, variables, lower, upper };
}
