/**
 * The projective likelihood of the ATLAS electron identification (Workers-safe: pure loops).
 *
 * For each ET × |η| bin, one-dimensional probability densities P_S,v and P_B,v of every
 * discriminating variable v are estimated from signal and background; for a candidate
 *   L_S(x) = Π_v P_S,v(x_v),   L_B(x) = Π_v P_B,v(x_v),   d = L_S / (L_S + L_B),
 * and the score is the transformed discriminant
 *   d′ = −τ⁻¹ ln(d⁻¹ − 1) = τ⁻¹ (ln L_S − ln L_B),   τ = 15,
 * which spreads the values of d that pile up near 0 and 1 (ATLAS, Eur. Phys. J. C 79 (2019) 639,
 * arXiv:1902.04655, Sect. 6.1, "The likelihood method"; the transform is TMVA's inverse sigmoid,
 * arXiv:physics/0703039). d′ is monotonic
 * in d, so both give the same ROC; d = 1 / (1 + exp(−τ d′)). It is computed as a sum of logarithms,
 * so it neither overflows nor loses precision when d is within 1e-16 of 0 or 1.
 *
 * Density estimate (ATLAS smooths with adaptive kernel density estimates; this is the binned
 * equivalent): per ET × |η| bin and variable, bins at the quantiles of signal and background
 * together (one bin per value for variables with few distinct values); each class's histogram
 * is smoothed by the kernel (1, 2, 1)/4, `smoothing` times (not for integer-valued variables such as
 * hit counts), then every bin gets a floor of α = 0.5 mean event weights before normalising, so an
 * empty bin gives a finite, small density instead of ln 0. The first and last bins are open-ended:
 * underflow and overflow fall into them. An ET × |η| bin with fewer than `minEventsPerBin` events
 * of either class uses the densities of the whole sample.
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
import {
  array,
  checkRows,
  fail,
  finite,
  finiteArray,
  header,
  increasingArray,
  type ParseContext,
  record,
} from './parse.ts';

/** ATLAS's τ of the transformed discriminant d′ (arXiv:1902.04655, Sect. 6.1). */
export const ATLAS_LIKELIHOOD_TAU = 15;

/** The binned densities of one variable in one ET × |η| bin. */
export interface LikelihoodPdf {
  /** Bin edges, increasing: bin k holds edges[k−1] ≤ x < edges[k] (first and last open). */
  edges: Float64Array;
  /** Probability of each bin (edges.length + 1 values, each > 0, summing to 1). */
  signal: Float64Array;
  background: Float64Array;
  /** ln(signal[k] / background[k]), derived. */
  logRatio: Float64Array;
}

/** Parameters of a fitted projective likelihood (JSON form {@link LikelihoodV1}). */
export interface LikelihoodParams {
  inputs: string[];
  binning: EtEtaBinning | null;
  /** Input indices of the discriminating variables. */
  variables: number[];
  tau: number;
  /** pdfs[bin][variable]. */
  pdfs: LikelihoodPdf[][];
  /**
   * ln(P_S(bin) / P_B(bin)) per ET × |η| bin, added to ln L_S − ln L_B (all 0 when the bin prior is
   * off or without a binning).
   */
  binPrior: Float64Array;
}

/** The on-disk format `hepml-likelihood/1`. */
export interface LikelihoodV1 {
  format: 'hepml-likelihood';
  formatVersion: 1;
  inputs: string[];
  binning: EtEtaBinningV1 | null;
  variables: string[];
  tau: number;
  bins: { logPrior: number; pdfs: { edges: number[]; signal: number[]; background: number[] }[] }[];
}

/** Options of {@link fitLikelihood}. */
export interface FitLikelihoodOptions {
  inputs: readonly string[];
  /** n × inputs.length raw values, row-major. */
  features: Float32Array;
  n: number;
  /** 1 signal, 0 background. */
  labels: ArrayLike<number>;
  /** Per-event weights (default 1), ≥ 0. */
  weights?: ArrayLike<number>;
  /** Discriminating variables (default: every input that is not a binning variable). */
  variables?: readonly string[];
  /** ET × |η| bins (default none). */
  binning?: EtEtaBinningV1 | null;
  /** Histogram bins per variable (default 30, at most 255). */
  bins?: number;
  /** Passes of the (1, 2, 1)/4 smoothing kernel (default 1). */
  smoothing?: number;
  /** Minimum events of each class in an ET × |η| bin to fit it on its own (default 200). */
  minEventsPerBin?: number;
  /** τ of d′ (default 15). */
  tau?: number;
  /**
   * Add ln(P_S(bin)/P_B(bin)), the ratio of the fractions of signal and background in the
   * candidate's ET × |η| bin (default true): the bin then enters the product as one more
   * projective variable and d′ ranks candidates of different bins on one scale. Off, d′ is ATLAS's
   * per-bin discriminant, whose working points ATLAS sets with a threshold per bin.
   */
  binPrior?: boolean;
}

const FORMAT: ParseContext = { format: 'hepml-likelihood' };
/** Floor per histogram bin, in mean event weights (a Jeffreys-like pseudo-count). */
const FLOOR_EVENTS = 0.5;

function smooth(h: Float64Array, passes: number): void {
  const k = h.length;
  if (k < 3) return;
  const tmp = new Float64Array(k);
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < k; i++) {
      // Reflecting ends keep the total: the end bins count their own content twice.
      const left = (i > 0 ? h[i - 1] : h[i]) as number;
      const right = (i < k - 1 ? h[i + 1] : h[i]) as number;
      tmp[i] = 0.25 * left + 0.5 * (h[i] as number) + 0.25 * right;
    }
    h.set(tmp);
  }
}

function logRatios(signal: Float64Array, background: Float64Array): Float64Array {
  return Float64Array.from(signal, (s, k) => Math.log(s / (background[k] as number)));
}

/**
 * Fits the projective likelihood (see the module comment) on raw features. Deterministic.
 * Throws {@link ModelInputError} for a negative weight and when the sample lacks a class.
 */
export function fitLikelihood(options: FitLikelihoodOptions): LikelihoodParams {
  const { features, n, labels } = options;
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkRows(FORMAT, features, n, d, 0, undefined);
  const { binning, variables } = resolveBinnedVariables(inputs, options.binning, options.variables);
  const nBins = Math.min(255, Math.max(2, options.bins ?? 30));
  const passes = options.smoothing ?? 1;
  const minEvents = options.minEventsPerBin ?? 200;
  const tau = options.tau ?? ATLAS_LIKELIHOOD_TAU;
  if (!(tau > 0)) throw new ModelInputError('hepml-likelihood: tau must be positive', { field: 'tau' });
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = options.weights ? (options.weights[i] as number) : 1;
    if (!(x >= 0)) throw new ModelInputError(`hepml-likelihood: weights[${i}] must be ≥ 0`, { field: `weights[${i}]` });
    w[i] = x;
  }

  const fitRows = (rows: Uint32Array): LikelihoodPdf[] => {
    let sumS = 0;
    let sumB = 0;
    let nS = 0;
    let nB = 0;
    for (const i of rows) {
      if (labels[i]) {
        sumS += w[i] as number;
        nS++;
      } else {
        sumB += w[i] as number;
        nB++;
      }
    }
    if (!(sumS > 0) || !(sumB > 0)) {
      throw new ModelInputError('hepml-likelihood: the sample needs signal and background', { field: 'labels' });
    }
    const column = new Float64Array(rows.length);
    return variables.map((k) => {
      let integer = true;
      rows.forEach((i, r) => {
        const x = features[i * d + k] as number;
        column[r] = x;
        if (integer && !Number.isInteger(x)) integer = false;
      });
      const edges = quantileEdges(column, rows.length, 1, 0, nBins);
      const hS = new Float64Array(edges.length + 1);
      const hB = new Float64Array(edges.length + 1);
      rows.forEach((i, r) => {
        const b = upperBound(edges, column[r] as number);
        if (labels[i]) hS[b] = (hS[b] as number) + (w[i] as number);
        else hB[b] = (hB[b] as number) + (w[i] as number);
      });
      if (!integer) {
        smooth(hS, passes);
        smooth(hB, passes);
      }
      const norm = (h: Float64Array, sum: number, count: number): Float64Array => {
        const floor = (FLOOR_EVENTS * sum) / count;
        const total = sum + floor * h.length;
        // Seven significant digits: far below the statistical precision, and the file shrinks by half.
        return Float64Array.from(h, (x) => Number(((x + floor) / total).toPrecision(7)));
      };
      const signal = norm(hS, sumS, nS);
      const background = norm(hB, sumB, nB);
      return { edges, signal, background, logRatio: logRatios(signal, background) };
    });
  };

  const count = etEtaBinCount(binning);
  const inclusive = fitRows(Uint32Array.from({ length: n }, (_, i) => i));
  const pdfs: LikelihoodPdf[][] = [];
  if (!binning) pdfs.push(inclusive);
  else {
    const binOf = new Int32Array(n);
    const nS = new Int32Array(count);
    const nB = new Int32Array(count);
    for (let i = 0; i < n; i++) {
      const b = etEtaBin(binning, features, i, d);
      binOf[i] = b;
      if (labels[i]) nS[b] = (nS[b] as number) + 1;
      else nB[b] = (nB[b] as number) + 1;
    }
    for (let b = 0; b < count; b++) {
      if ((nS[b] as number) < minEvents || (nB[b] as number) < minEvents) {
        pdfs.push(inclusive);
        continue;
      }
      const rows = new Uint32Array((nS[b] as number) + (nB[b] as number));
      let k = 0;
      for (let i = 0; i < n; i++) if (binOf[i] === b) rows[k++] = i;
      pdfs.push(fitRows(rows));
    }
  }
  const binPrior = new Float64Array(count);
  if (binning && (options.binPrior ?? true)) {
    const sS = new Float64Array(count);
    const sB = new Float64Array(count);
    let totS = 0;
    let totB = 0;
    for (let i = 0; i < n; i++) {
      const b = etEtaBin(binning, features, i, d);
      if (labels[i]) {
        sS[b] = (sS[b] as number) + (w[i] as number);
        totS += w[i] as number;
      } else {
        sB[b] = (sB[b] as number) + (w[i] as number);
        totB += w[i] as number;
      }
    }
    const floorS = (FLOOR_EVENTS * totS) / n;
    const floorB = (FLOOR_EVENTS * totB) / n;
    for (let b = 0; b < count; b++) {
      binPrior[b] = Math.log(((sS[b] as number) + floorS) / totS / (((sB[b] as number) + floorB) / totB));
    }
  }
  return { inputs, binning, variables, tau, pdfs, binPrior };
}

/**
 * The transformed discriminant d′ = τ⁻¹ [Σ_v ln(P_S,v(x_v) / P_B,v(x_v)) + ln(P_S(bin)/P_B(bin))] of each row (raw inputs,
 * row-major n × inputs.length). A NaN input falls into the variable's first bin.
 */
export function evaluateLikelihood(
  params: LikelihoodParams,
  features: Float32Array,
  n: number,
  out?: Float32Array,
): Float32Array {
  const d = params.inputs.length;
  const res = checkRows(FORMAT, features, n, d, 1, out);
  const V = params.variables.length;
  const invTau = 1 / params.tau;
  for (let i = 0; i < n; i++) {
    const bin = etEtaBin(params.binning, features, i, d);
    const pdfs = params.pdfs[bin] as LikelihoodPdf[];
    let sum = params.binPrior[bin] as number;
    for (let v = 0; v < V; v++) {
      const pdf = pdfs[v] as LikelihoodPdf;
      sum += pdf.logRatio[upperBound(pdf.edges, features[i * d + (params.variables[v] as number)] as number)] as number;
    }
    res[i] = sum * invTau;
  }
  return res;
}

/** The discriminant d = L_S / (L_S + L_B) ∈ (0, 1) from d′: d = 1 / (1 + exp(−τ d′)). */
export function likelihoodDiscriminant(dPrime: number, tau = ATLAS_LIKELIHOOD_TAU): number {
  return 1 / (1 + Math.exp(-tau * dPrime));
}

/** Number of stored numbers: edges and the two densities of every variable and bin. */
export function likelihoodParameterCount(params: LikelihoodParams): number {
  let k = 0;
  for (const bin of params.pdfs) for (const p of bin) k += p.edges.length + p.signal.length + p.background.length;
  return k;
}

/** JSON form (`hepml-likelihood/1`). */
export function serializeLikelihood(params: LikelihoodParams): LikelihoodV1 {
  return {
    format: 'hepml-likelihood',
    formatVersion: 1,
    inputs: [...params.inputs],
    binning: serializeEtEtaBinning(params.binning, params.inputs),
    variables: params.variables.map((k) => params.inputs[k] as string),
    tau: params.tau,
    bins: params.pdfs.map((bin, b) => ({
      logPrior: params.binPrior[b] as number,
      pdfs: bin.map((p) => ({
        edges: Array.from(p.edges),
        signal: Array.from(p.signal),
        background: Array.from(p.background),
      })),
    })),
  };
}

/**
 * Strict reader of `hepml-likelihood/1`: unknown keys, wrong types, a bin count that disagrees with
 * the binning, edges not increasing, densities of the wrong length, not positive or not summing to
 * 1 (within 1e-6) are {@link BundleError}s naming the JSON path (e.g. `bins[4].pdfs[2].signal[7]`).
 */
export function parseLikelihood(json: unknown): LikelihoodParams {
  const ctx = FORMAT;
  const r = record(ctx, json, '', ['format', 'formatVersion', 'inputs', 'binning', 'variables', 'tau', 'bins']);
  header(ctx, r);
  const inputs = parseInputs(ctx, r.inputs);
  const binning = parseEtEtaBinning(ctx, r.binning, 'binning', inputs);
  const variables = array(ctx, r.variables, 'variables').map((name, v) => {
    const k = typeof name === 'string' ? inputs.indexOf(name) : -1;
    if (k < 0) fail(ctx, `variables[${v}]`, 'must name one of the inputs');
    return k;
  });
  if (variables.length === 0) fail(ctx, 'variables', 'must not be empty');
  const tau = finite(ctx, r.tau, 'tau');
  if (!(tau > 0)) fail(ctx, 'tau', 'must be positive');
  const count = etEtaBinCount(binning);
  const binPrior = new Float64Array(count);
  const pdfs = array(ctx, r.bins, 'bins', count).map((rawBin, b) => {
    const fb = `bins[${b}]`;
    const bin = record(ctx, rawBin, fb, ['logPrior', 'pdfs']);
    binPrior[b] = finite(ctx, bin.logPrior, `${fb}.logPrior`);
    return array(ctx, bin.pdfs, `${fb}.pdfs`, variables.length).map((rawPdf, v): LikelihoodPdf => {
      const fp = `${fb}.pdfs[${v}]`;
      const pdf = record(ctx, rawPdf, fp, ['edges', 'signal', 'background']);
      const edges = Float64Array.from(increasingArray(ctx, pdf.edges, `${fp}.edges`, 0));
      const density = (key: 'signal' | 'background'): Float64Array => {
        const xs = finiteArray(ctx, pdf[key], `${fp}.${key}`, edges.length + 1);
        let sum = 0;
        xs.forEach((x, k) => {
          if (!(x > 0)) fail(ctx, `${fp}.${key}[${k}]`, 'must be positive');
          sum += x;
        });
        if (Math.abs(sum - 1) > 1e-6) fail(ctx, `${fp}.${key}`, `must sum to 1, sums to ${sum}`);
        return Float64Array.from(xs);
      };
      const signal = density('signal');
      const background = density('background');
      return { edges, signal, background, logRatio: logRatios(signal, background) };
    });
  });
  return { inputs, binning, variables, tau, pdfs, binPrior };
}
