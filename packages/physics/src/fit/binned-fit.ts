import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import {
  type BinnedFitQuality,
  type FitOptions,
  type FitResult,
  fitLikelihood,
  type ParameterSpecs,
} from './likelihood-fit.ts';
import { componentValues, type FitModel, resolveModel } from './model.ts';

/** Arguments of {@link fitBinned}. */
export interface BinnedFitArgs extends FitOptions {
  /** Bin edges, strictly increasing, inside the model range (GeV for a mass). */
  edges: ArrayLike<number>;
  /** Observed events per bin (≥ 0; non-integer allowed for scaled counts). */
  counts: ArrayLike<number>;
  model: FitModel;
  parameters: ParameterSpecs;
}

/** A binned fit result with its goodness of fit and the fitted expectation per bin. */
export interface BinnedFitResult extends FitResult {
  quality: BinnedFitQuality;
  expected: Float64Array;
}

/**
 * Binned Poisson maximum-likelihood fit. Expected counts per bin νᵢ = Σ_k N_k·p_k,i with p_k,i the
 * bin probability of component k (extended model), or νᵢ = N_obs·pᵢ/Σp for a single PDF. Minimises
 * the Baker–Cousins form NLL = Σᵢ [νᵢ − nᵢ + nᵢ ln(nᵢ/νᵢ)] (NIM 221 (1984) 437), which equals
 * −ln L up to a constant and makes 2·NLL a χ² for goodness of fit; a bin with ν ≤ 0 and n > 0, or
 * ν < 0, is outside the model's domain (+∞). Errors, status and failure: see {@link fitLikelihood}.
 *
 * Throws {@link PhysicsInputError} for edges that are not finite and strictly increasing
 * ({@link Axis.variable}) or leave the model range, negative or non-finite counts, or mismatched
 * lengths.
 */
export function fitBinned(args: BinnedFitArgs): BinnedFitResult {
  const { edges, counts } = args;
  const nBins = edges.length - 1;
  if (nBins < 1 || counts.length !== nBins) {
    throw new PhysicsInputError(`need counts for ${nBins} bins, got ${counts.length}`, { field: 'counts' });
  }
  const model = resolveModel(args.model);
  const [lo, hi] = model.range;
  const tolerance = 1e-9 * (hi - lo);
  const axis = Axis.variable(edges, { field: 'edges' });
  if (axis.lo < lo - tolerance || axis.hi > hi + tolerance) {
    throw new PhysicsInputError(`edges [${axis.lo}, ${axis.hi}] leave the model range [${lo}, ${hi}]`, {
      field: 'edges',
    });
  }
  let observed = 0;
  for (let i = 0; i < nBins; i++) {
    const n = at(counts, i);
    if (!(n >= 0) || !Number.isFinite(n)) throw new PhysicsInputError(`count ${i} is ${n}`, { field: 'counts' });
    observed += n;
  }
  const nu = new Float64Array(nBins);
  const expectation = (all: Float64Array): Float64Array => {
    nu.fill(0);
    for (const c of model.components) {
      const p = c.pdf.binFractions(edges, componentValues(c, all));
      let scale: number;
      if (model.extended) {
        scale = at(all, c.yieldIndex);
      } else {
        let total = 0;
        for (let i = 0; i < nBins; i++) total += at(p, i);
        scale = observed / total;
      }
      for (let i = 0; i < nBins; i++) nu[i] = at(nu, i) + scale * at(p, i);
    }
    return nu;
  };
  const nll = (all: Float64Array): number => {
    const v = expectation(all);
    let s = 0;
    for (let i = 0; i < nBins; i++) {
      const e = at(v, i);
      const n = at(counts, i);
      if (!(e >= 0) || (e === 0 && n > 0)) return Number.POSITIVE_INFINITY;
      s += n > 0 ? e - n + n * Math.log(n / e) : e;
    }
    return s;
  };
  const fit = fitLikelihood({ ...args, names: model.names, nll });
  const best = Float64Array.from(model.names, (name) => fit.parameters[name]?.value ?? Number.NaN);
  const expected = Float64Array.from(expectation(best));
  let chi2 = 0;
  for (let i = 0; i < nBins; i++) {
    const e = at(expected, i);
    if (e > 0) chi2 += (at(counts, i) - e) ** 2 / e;
  }
  const ndf = nBins - fit.free.length - (model.extended ? 0 : 1);
  return {
    ...fit,
    expected,
    quality: { chi2, deviance: 2 * nll(best), ndf, chi2PerNdf: ndf > 0 ? chi2 / ndf : Number.NaN },
  };
}
