/**
 * Fit of the projective likelihood of the ATLAS electron identification (Workers-safe: pure
 * loops); its discriminant d′, evaluator and file format `hepml-likelihood/1` are
 * runtime/baselines/likelihood.ts.
 *
 * Density estimate (ATLAS smooths with adaptive kernel density estimates; this is the binned
 * equivalent): per ET × |η| bin and variable, bins at the quantiles of signal and background
 * together (one bin per value for variables with few distinct values); each class's histogram
 * is smoothed by the kernel (1, 2, 1)/4, `smoothing` times (not for integer-valued variables such as
 * hit counts), then every bin gets a floor of α = 0.5 mean event weights before normalising, so an
 * empty bin gives a finite, small density instead of ln 0. The first and last bins are open-ended:
 * underflow and overflow fall into them. An ET × |η| bin with fewer than `minEventsPerBin` events
 * of either class uses the densities of the whole sample (ATLAS, Eur. Phys. J. C 79 (2019) 639,
 * arXiv:1902.04655, Sect. 6.1).
 */
import { at, cutPointIndex } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { etEtaBinCount } from '../runtime/baselines/et-eta-binning.ts';
import {
  ATLAS_LIKELIHOOD_TAU,
  type LikelihoodParams,
  type LikelihoodPdf,
  likelihoodLogRatios,
} from '../runtime/baselines/likelihood.ts';
import { type BinnedFitOptions, binnedFitData, etEtaBinRows, quantileEdges } from './binning.ts';

/** Options of {@link fitLikelihood}; `variables` are the discriminating variables. */
export interface FitLikelihoodOptions extends BinnedFitOptions {
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

const FORMAT = 'hepml-likelihood';
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
      tmp[i] = 0.25 * left + 0.5 * at(h, i) + 0.25 * right;
    }
    h.set(tmp);
  }
}

/**
 * Fits the projective likelihood (see the module comment) on raw features. Deterministic.
 * Throws {@link ModelInputError} for a negative weight and when the sample lacks a class.
 */
export function fitLikelihood(options: FitLikelihoodOptions): LikelihoodParams {
  const { features, n, labels } = options;
  const { inputs, d, binning, variables, w } = binnedFitData(FORMAT, options);
  const nBins = Math.min(255, Math.max(2, options.bins ?? 30));
  const passes = options.smoothing ?? 1;
  const minEvents = options.minEventsPerBin ?? 200;
  const tau = options.tau ?? ATLAS_LIKELIHOOD_TAU;
  if (!(tau > 0)) throw new ModelInputError('hepml-likelihood: tau must be positive', { field: 'tau' });

  const fitRows = (rows: Uint32Array): LikelihoodPdf[] => {
    let sumS = 0;
    let sumB = 0;
    let nS = 0;
    let nB = 0;
    for (const i of rows) {
      if (labels[i]) {
        sumS += at(w, i);
        nS++;
      } else {
        sumB += at(w, i);
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
        const x = at(features, i * d + k);
        column[r] = x;
        if (integer && !Number.isInteger(x)) integer = false;
      });
      const edges = quantileEdges(column, rows.length, 1, 0, nBins);
      const hS = new Float64Array(edges.length + 1);
      const hB = new Float64Array(edges.length + 1);
      const binOf = cutPointIndex(edges);
      rows.forEach((i, r) => {
        // NaN (no bin) into the first bin, as the evaluator puts it.
        const b = Math.max(0, binOf(at(column, r)));
        if (labels[i]) hS[b] = at(hS, b) + at(w, i);
        else hB[b] = at(hB, b) + at(w, i);
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
      return { edges, signal, background, logRatio: likelihoodLogRatios(signal, background) };
    });
  };

  const count = etEtaBinCount(binning);
  const inclusive = fitRows(Uint32Array.from({ length: n }, (_, i) => i));
  const byBin = binning ? etEtaBinRows(binning, features, n, d) : null;
  const pdfs: LikelihoodPdf[][] = [];
  if (!byBin) pdfs.push(inclusive);
  else {
    const nS = new Int32Array(count);
    const nB = new Int32Array(count);
    for (let i = 0; i < n; i++) {
      const b = at(byBin.binOf, i);
      if (labels[i]) nS[b] = at(nS, b) + 1;
      else nB[b] = at(nB, b) + 1;
    }
    for (let b = 0; b < count; b++) {
      const own = at(nS, b) >= minEvents && at(nB, b) >= minEvents;
      pdfs.push(own ? fitRows(byBin.rowsOf(b)) : inclusive);
    }
  }
  const binPrior = new Float64Array(count);
  if (byBin && (options.binPrior ?? true)) {
    const sS = new Float64Array(count);
    const sB = new Float64Array(count);
    let totS = 0;
    let totB = 0;
    for (let i = 0; i < n; i++) {
      const b = at(byBin.binOf, i);
      if (labels[i]) {
        sS[b] = at(sS, b) + at(w, i);
        totS += at(w, i);
      } else {
        sB[b] = at(sB, b) + at(w, i);
        totB += at(w, i);
      }
    }
    const floorS = (FLOOR_EVENTS * totS) / n;
    const floorB = (FLOOR_EVENTS * totB) / n;
    for (let b = 0; b < count; b++) {
      binPrior[b] = Math.log((at(sS, b) + floorS) / totS / ((at(sB, b) + floorB) / totB));
    }
  }
  return { inputs, binning, variables, tau, pdfs, binPrior };
}
