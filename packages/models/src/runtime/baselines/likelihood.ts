/**
 * Evaluator and file format (`hepml-likelihood/1`) of the projective likelihood of the ATLAS
 * electron identification; its fit is `fitLikelihood` (baselines/likelihood.ts). Workers-safe.
 *
 * For a candidate in ET × |η| bin b, with binned densities P_S,v and P_B,v of every variable v,
 *   L_S(x) = Π_v P_S,v(x_v),   L_B(x) = Π_v P_B,v(x_v),   d = L_S / (L_S + L_B),
 * and the score is the transformed discriminant
 *   d′ = −τ⁻¹ ln(d⁻¹ − 1) = τ⁻¹ (ln L_S − ln L_B),   τ = 15
 * (ATLAS, Eur. Phys. J. C 79 (2019) 639, arXiv:1902.04655, Sect. 6.1; the transform is TMVA's
 * inverse sigmoid, arXiv:physics/0703039), computed as a sum of logarithms, so it neither overflows
 * nor loses precision when d is within 1e-16 of 0 or 1. The first and last density bins are
 * open-ended: underflow and overflow fall into them.
 */
import { at, cutPointIndex } from '@hepml/physics';
import { z } from 'zod';
import {
  binnedFileProblem,
  binnedFromFile,
  type EtEtaBinning,
  EtEtaBinningV1,
  etEtaBinLookup,
  serializeEtEtaBinning,
} from './et-eta-binning.ts';
import { baselineFileV1, checkBaselineRows, edgesV1, type FormatProblem, readFormat, refineWith } from './format.ts';

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

const FORMAT = 'hepml-likelihood';

/** ln(signal[k] / background[k]) of a pair of densities (the derived {@link LikelihoodPdf.logRatio}). */
export function likelihoodLogRatios(signal: Float64Array, background: Float64Array): Float64Array {
  return Float64Array.from(signal, (s, k) => Math.log(s / at(background, k)));
}

/** The densities of one variable: one probability per bin, each positive, summing to 1 (within 1e-6). */
const PdfV1 = z
  .strictObject({ edges: edgesV1(0), signal: z.array(z.number()), background: z.array(z.number()) })
  .superRefine(
    refineWith((pdf) => {
      for (const key of ['signal', 'background'] as const) {
        const xs = pdf[key];
        if (xs.length !== pdf.edges.length + 1) {
          return { path: [key], message: `must have ${pdf.edges.length + 1} entries, has ${xs.length}` };
        }
        const k = xs.findIndex((x) => !(x > 0));
        if (k >= 0) return { path: [key, k], message: 'must be positive' };
        const sum = xs.reduce((a, x) => a + x, 0);
        if (Math.abs(sum - 1) > 1e-6) return { path: [key], message: `must sum to 1, sums to ${sum}` };
      }
      return null;
    }),
  );

/**
 * The on-disk format `hepml-likelihood/1`. Besides types and unknown keys the reader refuses a bin
 * count that disagrees with the binning, edges not increasing, and densities of the wrong length,
 * not positive or not summing to 1.
 */
export const LikelihoodV1 = baselineFileV1(FORMAT, {
  binning: EtEtaBinningV1.nullable(),
  variables: z.array(z.string()),
  tau: z.number().positive(),
  bins: z.array(z.strictObject({ logPrior: z.number(), pdfs: z.array(PdfV1) })),
}).superRefine(refineWith((file) => likelihoodProblem(file)));
export type LikelihoodV1 = z.infer<typeof LikelihoodV1>;

function likelihoodProblem(file: LikelihoodV1): FormatProblem | null {
  const first = binnedFileProblem(file);
  if (first) return first;
  const V = file.variables.length;
  const b = file.bins.findIndex((bin) => bin.pdfs.length !== V);
  return b >= 0 ? { path: ['bins', b, 'pdfs'], message: `must have ${V} entries` } : null;
}

/** Bin lookups of each density, built on first evaluation: models are not changed after fitting or parsing. */
const lookups = new WeakMap<readonly LikelihoodPdf[][], ((x: number) => number)[][]>();

function pdfLookups(pdfs: readonly LikelihoodPdf[][]): ((x: number) => number)[][] {
  let found = lookups.get(pdfs);
  if (!found) {
    found = pdfs.map((bin) => bin.map((pdf) => cutPointIndex(pdf.edges, { field: 'edges' })));
    lookups.set(pdfs, found);
  }
  return found;
}

/**
 * The transformed discriminant d′ = τ⁻¹ [Σ_v ln(P_S,v(x_v) / P_B,v(x_v)) + ln(P_S(bin)/P_B(bin))] of
 * each row (raw inputs, row-major n × inputs.length). A NaN input falls into the variable's first bin.
 */
export function evaluateLikelihood(
  params: LikelihoodParams,
  features: Float32Array,
  n: number,
  out?: Float32Array,
): Float32Array {
  const d = params.inputs.length;
  const res = checkBaselineRows(FORMAT, features, n, d, 1, out);
  const V = params.variables.length;
  const invTau = 1 / params.tau;
  const binOf = etEtaBinLookup(params.binning);
  const bins = pdfLookups(params.pdfs);
  for (let i = 0; i < n; i++) {
    const bin = binOf(features, i, d);
    const pdfs = at(params.pdfs, bin);
    const binsOf = at(bins, bin);
    let sum = at(params.binPrior, bin);
    for (let v = 0; v < V; v++) {
      const k = at(binsOf, v)(features[i * d + at(params.variables, v)] as number);
      sum += at(pdfs, v).logRatio[Math.max(k, 0)] as number;
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
    format: FORMAT,
    formatVersion: 1,
    inputs: [...params.inputs],
    binning: serializeEtEtaBinning(params.binning, params.inputs),
    variables: params.variables.map((k) => at(params.inputs, k)),
    tau: params.tau,
    bins: params.pdfs.map((bin, b) => ({
      logPrior: at(params.binPrior, b),
      pdfs: bin.map((p) => ({
        edges: Array.from(p.edges),
        signal: Array.from(p.signal),
        background: Array.from(p.background),
      })),
    })),
  };
}

/**
 * Strict reader of `hepml-likelihood/1` ({@link LikelihoodV1}): errors are {@link BundleError}s
 * naming the JSON path (e.g. `bins[4].pdfs[2].signal[7]`).
 */
export function parseLikelihood(json: unknown): LikelihoodParams {
  const file = readFormat(LikelihoodV1, json, FORMAT);
  const pdfs = file.bins.map((bin) =>
    bin.pdfs.map((pdf): LikelihoodPdf => {
      const signal = Float64Array.from(pdf.signal);
      const background = Float64Array.from(pdf.background);
      return {
        edges: Float64Array.from(pdf.edges),
        signal,
        background,
        logRatio: likelihoodLogRatios(signal, background),
      };
    }),
  );
  const binPrior = Float64Array.from(file.bins, (bin) => bin.logPrior);
  return { ...binnedFromFile(file), tau: file.tau, pdfs, binPrior };
}
