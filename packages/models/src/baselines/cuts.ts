/**
 * Fit of the rectangular cut-based selection optimised for target signal efficiencies, the classic
 * baseline of every identification task (ATLAS/CMS cut-based menus; TMVA's "Cuts" method,
 * arXiv:physics/0703039, Sect. 8.1). Workers-safe: pure loops over Float32Array. The selection,
 * its score and its file format `hepml-cuts/1` are runtime/baselines/cuts.ts.
 *
 * One window set is fitted per *level* of a ladder of target signal efficiencies (loosest first),
 * each level starting from the one before and only tightening, so the levels are nested like
 * loose ⊃ medium ⊃ tight menus; with a binning, per ET × |η| bin. The score of a candidate is the
 * number of levels it passes, so the ROC curve has one point per level (at εS ≈ levels[k−1] on the
 * training sample) and the AUC is that of the piecewise-linear curve through them.
 */
import { at, cutPointIndex, fieldPath } from '@hepml/physics';
import { ModelInputError } from '../errors.ts';
import { type CutsParams, cutLevelsProblem } from '../runtime/baselines/cuts.ts';
import { etEtaBinCount } from '../runtime/baselines/et-eta-binning.ts';
import { type BinnedFitOptions, binnedFitData, etEtaBinRows, quantileEdges } from './binning.ts';

/** Options of {@link fitCuts}; `variables` are the cut variables. */
export interface FitCutsOptions extends BinnedFitOptions {
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

const FORMAT = 'hepml-cuts';

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
  const { inputs, d, binning, variables, w } = binnedFitData(FORMAT, options);
  const levels = [...(options.levels ?? DEFAULT_CUT_LEVELS)];
  const problem = cutLevelsProblem(levels);
  if (problem) {
    const field = fieldPath(problem.path);
    throw new ModelInputError(`${FORMAT}: ${field}: ${problem.message}`, { field });
  }
  const step = options.step ?? 0.005;
  const maxBins = Math.min(255, options.maxBins ?? 255);
  const minSignal = options.minSignalPerBin ?? 100;
  const V = variables.length;
  const L = levels.length;

  // Quantile codes of every cut variable, row-major n × V.
  const edges = variables.map((k) => quantileEdges(features, n, d, k, maxBins));
  const binOfValue = edges.map((e) => cutPointIndex(e));
  const codes = new Uint8Array(n * V);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < V; v++) {
      const x = features[i * d + at(variables, v)] as number;
      // NaN (no bin) gets code 0.
      codes[i * V + v] = Math.max(0, at(binOfValue, v)(x));
    }
  }
  const nb = edges.map((e) => e.length + 1);

  const fitRows = (rows: Uint32Array): { lower: Float64Array; upper: Float64Array } => {
    const lo = new Int32Array(V);
    const hi = Int32Array.from(nb, (b) => b - 1);
    const lower = new Float64Array(L * V);
    const upper = new Float64Array(L * V);
    let pass = rows.slice();
    let sTot = 0;
    for (const i of rows) if (labels[i]) sTot += at(w, i);
    let sPass = sTot;
    const hS = new Float64Array(256);
    const hB = new Float64Array(256);
    for (let l = 0; l < L; l++) {
      const target = at(levels, l) * sTot;
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
            const c = at(codes, i * V + v);
            if (labels[i]) hS[c] = at(hS, c) + at(w, i);
            else hB[c] = at(hB, c) + at(w, i);
          }
          const a = at(lo, v);
          const b = at(hi, v);
          for (let side = 0; side < 2; side++) {
            let dS = 0;
            let dB = 0;
            let to = -1;
            for (let k = 0; k < b - a; k++) {
              const c = side === 0 ? a + k : b - k;
              dS += at(hS, c);
              dB += at(hB, c);
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
        const a = at(lo, best);
        const b = at(hi, best);
        let kept = 0;
        sPass = 0;
        for (const i of pass) {
          const c = at(codes, i * V + best);
          if (c >= a && c <= b) {
            pass[kept++] = i;
            if (labels[i]) sPass += at(w, i);
          }
        }
        pass = pass.subarray(0, kept);
      }
      for (let v = 0; v < V; v++) {
        const e = at(edges, v);
        lower[l * V + v] = at(lo, v) > 0 ? (e[at(lo, v) - 1] as number) : Number.NEGATIVE_INFINITY;
        upper[l * V + v] = at(hi, v) < at(nb, v) - 1 ? (e[at(hi, v)] as number) : Number.POSITIVE_INFINITY;
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
    const { binOf, rowsOf } = etEtaBinRows(binning, features, n, d);
    const signal = new Float64Array(nBins);
    for (let i = 0; i < n; i++) {
      const b = at(binOf, i);
      if (labels[i]) signal[b] = at(signal, b) + at(w, i);
    }
    for (let b = 0; b < nBins; b++) {
      const fitted = at(signal, b) >= minSignal ? fitRows(rowsOf(b)) : inclusive;
      lower.set(fitted.lower, b * L * V);
      upper.set(fitted.upper, b * L * V);
    }
  }
  return { inputs, binning, levels, variables, lower, upper };
}
