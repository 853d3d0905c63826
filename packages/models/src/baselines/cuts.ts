/**
 * Rectangular cut-based selection optimised for target signal efficiencies, the classic baseline of
 * every identification task (ATLAS/CMS cut-based menus; TMVA's "Cuts" method, arXiv:physics/0703039,
 * Sect. 8.1). Workers-safe: pure loops over Float32Array.
 *
 * The selection keeps a candidate when every cut variable lies in a window lower ≤ x < upper
 * (either side may be open), with windows per ET × |η| bin when a binning is given. One window set
 * is fitted per *level* of a ladder of target signal efficiencies (loosest first), each level
 * starting from the one before and only tightening, so the levels are nested like loose ⊃ medium
 * ⊃ tight menus.
 *
 * Score (for ROC curves and working points): the number of levels a candidate passes,
 * s ∈ {0, 1, …, L}. Because the levels are nested, the cut `s ≥ k` is exactly level k's selection,
 * so the ROC curve has one point per level (at εS ≈ levels[k−1] on the training sample) and the AUC
 * is that of the piecewise-linear curve through them.
 */
import { ModelInputError } from '../errors.ts';
import {
  type EtEtaBinning,
  type EtEtaBinningV1,
  etEtaBin,
  etEtaBinCount,
  parseEtEtaBinning,
  parseInputs,
  quantileEdges,
  resolveBinnedVariables,
  serializeEtEtaBinning,
  upperBound,
} from './binning.ts';
import { array, checkRows, fail, finite, header, type ParseContext, record } from './parse.ts';

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

/** The on-disk format `hepml-cuts/1`. */
export interface CutsV1 {
  format: 'hepml-cuts';
  formatVersion: 1;
  inputs: string[];
  binning: EtEtaBinningV1 | null;
  levels: number[];
  variables: string[];
  /** Per ET × |η| bin, per level: the window of each variable (null = open side). */
  bins: { levels: { lower: (number | null)[]; upper: (number | null)[] }[] }[];
}

/** Options of {@link fitCuts}. */
export interface FitCutsOptions {
  inputs: readonly string[];
  /** n × inputs.length raw values, row-major. */
  features: Float32Array;
  n: number;
  /** 1 signal, 0 background. */
  labels: ArrayLike<number>;
  /** Per-event weights (default 1). */
  weights?: ArrayLike<number>;
  /** Names of the cut variables (default: every input that is not a binning variable). */
  variables?: readonly string[];
  /** ET × |η| bins (default none: one set of windows everywhere). */
  binning?: EtEtaBinningV1 | null;
  /** Target signal efficiencies, strictly decreasing (default {@link DEFAULT_CUT_LEVELS}). */
  levels?: readonly number[];
  /** Signal efficiency (fraction of the bin's signal) given up per greedy step (default 0.005). */
  step?: number;
  /** Threshold candidates per variable: quantile bins (default 255). */
  maxBins?: number;
  /** ET × |η| bins with less signal weight than this use the inclusive windows (default 100). */
  minSignalPerBin?: number;
}

/** Default level ladder: loose menus near 99 % down to a 10 % tight end, so the ROC is sampled. */
export const DEFAULT_CUT_LEVELS: readonly number[] = [
  0.99, 0.98, 0.97, 0.96, 0.95, 0.93, 0.9, 0.87, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1,
];

const FORMAT: ParseContext = { format: 'hepml-cuts' };

/**
 * Fits nested rectangular cuts by greedy tightening (a coordinate search at fixed εS): starting
 * from open windows, each step considers, for every variable and both window sides, moving that
 * side inward over the fewest quantile bins that give up at least `step` of the bin's signal weight,
 * and takes the move with the largest background removed per signal removed (ΔB/ΔS; a move that
 * removes background and no signal wins outright). Steps repeat until the passing signal fraction
 * reaches the level's target, then the windows are recorded and the next (tighter) level continues
 * from them. Thresholds are quantile edges of the whole training sample (values that occur in it).
 * The result maximises background rejection greedily, not globally (the problem is not convex);
 * ties are broken by variable order, so the fit is deterministic. Weights may not be negative.
 */
export function fitCuts(options: FitCutsOptions): CutsParams {
  const { features, n, labels } = options;
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkRows(FORMAT, features, n, d, 0, undefined);
  const { binning, variables } = resolveBinnedVariables(inputs, options.binning, options.variables);
  const levels = [...(options.levels ?? DEFAULT_CUT_LEVELS)];
  checkLevels(levels);
  const step = options.step ?? 0.005;
  const maxBins = Math.min(255, options.maxBins ?? 255);
  const minSignal = options.minSignalPerBin ?? 100;
  const V = variables.length;
  const L = levels.length;

  // Quantile codes of every cut variable, row-major n × V.
  const edges = variables.map((k) => quantileEdges(features, n, d, k, maxBins));
  const codes = new Uint8Array(n * V);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < V; v++) {
      const x = features[i * d + (variables[v] as number)] as number;
      codes[i * V + v] = Number.isNaN(x) ? 0 : upperBound(edges[v] as Float64Array, x);
    }
  }
  const nb = edges.map((e) => e.length + 1);
  const weightOf = (i: number): number => {
    const w = options.weights ? (options.weights[i] as number) : 1;
    if (!(w >= 0)) throw new ModelInputError(`hepml-cuts: weights[${i}] must be ≥ 0`, { field: `weights[${i}]` });
    return w;
  };
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = weightOf(i);

  const fitRows = (rows: Uint32Array): { lower: Float64Array; upper: Float64Array } => {
    const lo = new Int32Array(V);
    const hi = Int32Array.from(nb, (b) => b - 1);
    const lower = new Float64Array(L * V);
    const upper = new Float64Array(L * V);
    let pass = rows.slice();
    let sTot = 0;
    for (const i of rows) if (labels[i]) sTot += w[i] as number;
    let sPass = sTot;
    const hS = new Float64Array(256);
    const hB = new Float64Array(256);
    for (let l = 0; l < L; l++) {
      const target = (levels[l] as number) * sTot;
      while (sPass > target + 1e-12 * sTot) {
        const want = Math.min(step * sTot, sPass - target);
        let best = -1;
        let bestSide = 0;
        let bestTo = 0;
        let bestRatio = -1;
        for (let v = 0; v < V; v++) {
          hS.fill(0);
          hB.fill(0);
          for (const i of pass) {
            const c = codes[i * V + v] as number;
            if (labels[i]) hS[c] = (hS[c] as number) + (w[i] as number);
            else hB[c] = (hB[c] as number) + (w[i] as number);
          }
          const a = lo[v] as number;
          const b = hi[v] as number;
          for (let side = 0; side < 2; side++) {
            let dS = 0;
            let dB = 0;
            let to = -1;
            for (let k = 0; k < b - a; k++) {
              const c = side === 0 ? a + k : b - k;
              dS += hS[c] as number;
              dB += hB[c] as number;
              to = c;
              if (dS >= want) break;
            }
            // A move that would overshoot the target by more than half a step (a heavy bin of a
            // discrete variable) is not taken: the level then ends slightly above its target.
            if (to < 0 || dB + dS <= 0 || sPass - dS < target - 0.5 * step * sTot) continue;
            const ratio = dS > 0 ? dB / dS : Number.POSITIVE_INFINITY;
            if (ratio > bestRatio) {
              bestRatio = ratio;
              best = v;
              bestSide = side;
              bestTo = to;
            }
          }
        }
        if (best < 0) break;
        if (bestSide === 0) lo[best] = bestTo + 1;
        else hi[best] = bestTo - 1;
        const a = lo[best] as number;
        const b = hi[best] as number;
        let kept = 0;
        sPass = 0;
        for (const i of pass) {
          const c = codes[i * V + best] as number;
          if (c >= a && c <= b) {
            pass[kept++] = i;
            if (labels[i]) sPass += w[i] as number;
          }
        }
        pass = pass.subarray(0, kept);
      }
      for (let v = 0; v < V; v++) {
        const e = edges[v] as Float64Array;
        lower[l * V + v] = (lo[v] as number) > 0 ? (e[(lo[v] as number) - 1] as number) : Number.NEGATIVE_INFINITY;
        upper[l * V + v] =
          (hi[v] as number) < (nb[v] as number) - 1 ? (e[hi[v] as number] as number) : Number.POSITIVE_INFINITY;
      }
    }
    return { lower, upper };
  };

  const nBins = etEtaBinCount(binning);
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const inclusive = fitRows(all);
  const lower = new Float64Array(nBins * L * V);
  const upper = new Float64Array(nBins * L * V);
  if (!binning) {
    lower.set(inclusive.lower);
    upper.set(inclusive.upper);
  } else {
    const binOf = new Int32Array(n);
    const counts = new Int32Array(nBins);
    const signal = new Float64Array(nBins);
    for (let i = 0; i < n; i++) {
      const b = etEtaBin(binning, features, i, d);
      binOf[i] = b;
      counts[b] = (counts[b] as number) + 1;
      if (labels[i]) signal[b] = (signal[b] as number) + (w[i] as number);
    }
    for (let b = 0; b < nBins; b++) {
      let fitted = inclusive;
      if ((signal[b] as number) >= minSignal) {
        const rows = new Uint32Array(counts[b] as number);
        let k = 0;
        for (let i = 0; i < n; i++) if (binOf[i] === b) rows[k++] = i;
        fitted = fitRows(rows);
      }
      lower.set(fitted.lower, b * L * V);
      upper.set(fitted.upper, b * L * V);
    }
  }
  return { inputs, binning, levels, variables, lower, upper };
}

function checkLevels(levels: readonly number[], ctx?: ParseContext): void {
  const bad = (field: string, message: string): never => {
    if (ctx) fail(ctx, field, message);
    throw new ModelInputError(`hepml-cuts: ${field}: ${message}`, { field });
  };
  if (levels.length === 0) bad('levels', 'must not be empty');
  for (let l = 0; l < levels.length; l++) {
    const t = levels[l] as number;
    if (!(t > 0 && t <= 1)) bad(`levels[${l}]`, 'must lie in (0, 1]');
    if (l > 0 && !(t < (levels[l - 1] as number))) bad(`levels[${l}]`, 'must be strictly decreasing');
  }
}

/**
 * Score of each row: the number of nested levels it passes, 0 … L (see the module comment);
 * a NaN input fails every cut on it. Output: Float32Array of n scores.
 */
export function evaluateCuts(params: CutsParams, features: Float32Array, n: number, out?: Float32Array): Float32Array {
  const d = params.inputs.length;
  const res = checkRows(FORMAT, features, n, d, 1, out);
  const V = params.variables.length;
  const L = params.levels.length;
  const { lower, upper, variables } = params;
  for (let i = 0; i < n; i++) {
    const base = etEtaBin(params.binning, features, i, d) * L * V;
    let level = 0;
    for (; level < L; level++) {
      const o = base + level * V;
      let ok = true;
      for (let v = 0; v < V; v++) {
        const x = features[i * d + (variables[v] as number)] as number;
        if (!(x >= (lower[o + v] as number) && x < (upper[o + v] as number))) {
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
    format: 'hepml-cuts',
    formatVersion: 1,
    inputs: [...params.inputs],
    binning: serializeEtEtaBinning(params.binning, params.inputs),
    levels: [...params.levels],
    variables: params.variables.map((k) => params.inputs[k] as string),
    bins: Array.from({ length: nBins }, (_, b) => ({
      levels: Array.from({ length: L }, (_, l) => ({
        lower: side(params.lower, (b * L + l) * V),
        upper: side(params.upper, (b * L + l) * V),
      })),
    })),
  };
}

/**
 * Strict reader of `hepml-cuts/1`: unknown keys, wrong types, a bin count that disagrees with the
 * binning, a window with lower ≥ upper, or levels that are not nested are {@link BundleError}s whose
 * `field` is the JSON path (e.g. `bins[3].levels[2].upper[5]`).
 */
export function parseCuts(json: unknown): CutsParams {
  const ctx = FORMAT;
  const r = record(ctx, json, '', ['format', 'formatVersion', 'inputs', 'binning', 'levels', 'variables', 'bins']);
  header(ctx, r);
  const inputs = parseInputs(ctx, r.inputs);
  const binning = parseEtEtaBinning(ctx, r.binning, 'binning', inputs);
  const levels = array(ctx, r.levels, 'levels').map((x, l) => finite(ctx, x, `levels[${l}]`));
  checkLevels(levels, ctx);
  const variables = array(ctx, r.variables, 'variables').map((name, v) => {
    const k = typeof name === 'string' ? inputs.indexOf(name) : -1;
    if (k < 0) fail(ctx, `variables[${v}]`, 'must name one of the inputs');
    return k;
  });
  if (variables.length === 0) fail(ctx, 'variables', 'must not be empty');
  const V = variables.length;
  const L = levels.length;
  const nBins = etEtaBinCount(binning);
  const bins = array(ctx, r.bins, 'bins', nBins);
  const lower = new Float64Array(nBins * L * V);
  const upper = new Float64Array(nBins * L * V);
  bins.forEach((rawBin, b) => {
    const fb = `bins[${b}]`;
    const bin = record(ctx, rawBin, fb, ['levels']);
    array(ctx, bin.levels, `${fb}.levels`, L).forEach((rawLevel, l) => {
      const fl = `${fb}.levels[${l}]`;
      const level = record(ctx, rawLevel, fl, ['lower', 'upper']);
      const lo = array(ctx, level.lower, `${fl}.lower`, V);
      const hi = array(ctx, level.upper, `${fl}.upper`, V);
      for (let v = 0; v < V; v++) {
        const o = (b * L + l) * V + v;
        const a = lo[v] === null ? Number.NEGATIVE_INFINITY : finite(ctx, lo[v], `${fl}.lower[${v}]`);
        const c = hi[v] === null ? Number.POSITIVE_INFINITY : finite(ctx, hi[v], `${fl}.upper[${v}]`);
        if (!(a < c)) fail(ctx, `${fl}.upper[${v}]`, 'must be above lower (the window is empty)');
        if (l > 0 && (a < (lower[o - V] as number) || c > (upper[o - V] as number))) {
          fail(ctx, `${fl}.lower[${v}]`, 'window must lie inside the previous level’s (levels are nested)');
        }
        lower[o] = a;
        upper[o] = c;
      }
    });
  });
  return { inputs, binning, levels, variables, lower, upper };
}
