import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { type FitOptions, type FitResult, fitLikelihood, type ParameterSpecs } from './likelihood-fit.ts';
import { componentValues, type FitModel, resolveModel } from './model.ts';

/** Arguments of {@link fitUnbinned}. */
export interface UnbinnedFitArgs extends FitOptions {
  /** Observed values (GeV for a mass), each inside the model range. */
  data: ArrayLike<number>;
  model: FitModel;
  parameters: ParameterSpecs;
}

/**
 * Unbinned maximum-likelihood fit. For a single PDF: NLL = −Σₑ ln f(xₑ). For an extended sum of
 * components with yields N_k: NLL = Σ_k N_k − Σₑ ln Σ_k N_k f_k(xₑ) (Barlow, NIM A297 (1990) 496),
 * so the yields come with their Poisson errors. A density ≤ 0 at an event is outside the
 * model's domain (+∞). Errors, status and failure: see {@link fitLikelihood}.
 *
 * Throws {@link PhysicsInputError} for no events or an event outside the model range (select the
 * range first: silently dropping events would bias yields).
 */
export function fitUnbinned(args: UnbinnedFitArgs): FitResult {
  const model = resolveModel(args.model);
  const [lo, hi] = model.range;
  const data = Float64Array.from(args.data);
  if (data.length === 0) throw new PhysicsInputError('no events to fit', { field: 'data' });
  for (let e = 0; e < data.length; e++) {
    const x = at(data, e);
    if (!(x >= lo && x <= hi)) {
      throw new PhysicsInputError(`event ${e} (${x}) is outside the fit range [${lo}, ${hi}]`, { field: 'data' });
    }
  }
  const sum = new Float64Array(data.length);
  const nll = (all: Float64Array): number => {
    let yields = 0;
    sum.fill(0);
    for (const c of model.components) {
      const d = c.pdf.density(data, componentValues(c, all));
      const scale = model.extended ? at(all, c.yieldIndex) : 1;
      yields += scale;
      for (let e = 0; e < data.length; e++) sum[e] = at(sum, e) + scale * at(d, e);
    }
    let s = model.extended ? yields : 0;
    for (let e = 0; e < data.length; e++) {
      const v = at(sum, e);
      if (!(v > 0)) return Number.POSITIVE_INFINITY;
      s -= Math.log(v);
    }
    return s;
  };
  return fitLikelihood({ ...args, names: model.names, nll });
}
