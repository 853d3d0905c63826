import { PhysicsInputError } from '../errors.ts';
import { type BinnedFitArgs, type BinnedFitResult, fitBinned } from './binned-fit.ts';
import type { ParameterSpec, ParameterSpecs } from './likelihood-fit.ts';

/** An asymmetric (MINOS) 1σ error: distances from the best-fit value to the interval's edges. */
export interface MinosError {
  /** value − lower edge (≥ 0). */
  lower: number;
  /** upper edge − value (≥ 0). */
  upper: number;
  /** The lower edge is the parameter's bound: the interval is cut there (the crossing lies beyond). */
  lowerAtLimit: boolean;
  upperAtLimit: boolean;
  /** Profile evaluations used (each a minimisation over the other parameters). */
  calls: number;
}

/** Arguments of {@link profileLikelihoodInterval}. */
export interface ProfileIntervalArgs {
  /**
   * The profiled −ln L at a value of the parameter: the minimum over all other parameters, with
   * the same constant as `nllMin`.
   */
  profile: (value: number) => number;
  /** Best-fit value of the parameter. */
  value: number;
  /** −ln L at the best fit. */
  nllMin: number;
  /** Hessian (Hesse) error: the first step of the search. */
  error: number;
  /** Bounds of the parameter (default ±∞). */
  lower?: number;
  upper?: number;
  /** Rise of −ln L that defines the interval (default ½: Δ(−2 ln L) = 1, 68.3 % for one parameter). */
  up?: number;
  /** Accepted |Δ(−ln L) − up| (default 1e-4). */
  tolerance?: number;
}

/**
 * MINOS-style asymmetric errors of one parameter from a likelihood scan: the values θ± on either
 * side of the best fit θ̂ where the profile likelihood rises by `up`,
 * −ln L_p(θ±) = −ln L(θ̂) + ½ (Δ(−2 ln L) = 1), so [θ−, θ+] is the 68.3 % profile-likelihood
 * interval (Wilks; F. James, MINUIT Reference Manual, CERN D506, section on MINOS; PDG, Review of
 * Particle Physics, "Statistics", 40.3.2.1). For a Gaussian likelihood the errors equal the
 * Hessian one; for a Poisson-limited measurement they are asymmetric (upper > lower).
 *
 * Search per side: start at θ̂ ± σ_Hesse, extend by doubling the step until the rise exceeds `up`
 * (or the bound is reached: the error stops at the bound, flagged), then refine within the bracket
 * by the parabolic step θ̂ + (θ − θ̂)·√(up/Δ) (exact for a parabolic profile), falling back to
 * bisection when that leaves the bracket. At most 40 profile evaluations per side.
 *
 * Throws {@link PhysicsInputError} for a non-finite value or minimum or a non-positive error.
 */
export function profileLikelihoodInterval(args: ProfileIntervalArgs): MinosError {
  const { profile, value, nllMin } = args;
  const up = args.up ?? 0.5;
  const tolerance = args.tolerance ?? 1e-4;
  if (!Number.isFinite(value) || !Number.isFinite(nllMin)) {
    throw new PhysicsInputError('the best-fit value and −ln L must be finite', { field: 'value' });
  }
  if (!(args.error > 0) || !Number.isFinite(args.error)) {
    throw new PhysicsInputError(`the Hesse error must be positive and finite, got ${args.error}`, { field: 'error' });
  }
  let calls = 0;
  const rise = (theta: number) => {
    calls++;
    const v = profile(theta);
    return (Number.isFinite(v) ? v : Number.POSITIVE_INFINITY) - nllMin;
  };
  const side = (direction: 1 | -1): { distance: number; atLimit: boolean } => {
    const bound = direction > 0 ? (args.upper ?? Number.POSITIVE_INFINITY) : (args.lower ?? Number.NEGATIVE_INFINITY);
    let inside = value; // rise < up
    let outside = Number.NaN; // rise > up
    let step = args.error;
    let theta = value + direction * step;
    let budget = 40;
    for (; budget > 0; budget--) {
      if (direction * (theta - bound) >= 0) {
        theta = bound;
        const r = rise(theta);
        if (r < up) return { distance: Math.abs(bound - value), atLimit: true };
        outside = theta;
        break;
      }
      const r = rise(theta);
      if (Math.abs(r - up) < tolerance) return { distance: Math.abs(theta - value), atLimit: false };
      if (r > up) {
        outside = theta;
        break;
      }
      inside = theta;
      // Parabolic guess of the crossing, at least doubling the step.
      const guess = r > 0 ? Math.abs(theta - value) * Math.sqrt(up / r) : 2 * step;
      step = Math.max(2 * step, 1.05 * guess);
      theta = value + direction * step;
    }
    if (Number.isNaN(outside)) return { distance: Math.abs(inside - value), atLimit: false };
    let rInside = inside === value ? 0 : rise(inside);
    let rOutside = rise(outside);
    for (; budget > 0; budget--) {
      // Parabolic step from the nearer end, else linear interpolation in the rise, else bisection.
      const d = Math.abs(outside - value);
      let next = Number.isFinite(rOutside) && rOutside > 0 ? value + direction * d * Math.sqrt(up / rOutside) : NaN;
      const lo = Math.min(inside, outside);
      const hi = Math.max(inside, outside);
      if (!(next > lo && next < hi) && Number.isFinite(rOutside)) {
        next = inside + ((up - rInside) / (rOutside - rInside)) * (outside - inside);
      }
      if (!(next > lo && next < hi)) next = 0.5 * (inside + outside);
      const r = rise(next);
      if (Math.abs(r - up) < tolerance || hi - lo < 1e-9 * Math.max(1, Math.abs(value))) {
        return { distance: Math.abs(next - value), atLimit: false };
      }
      if (r < up) {
        inside = next;
        rInside = r;
      } else {
        outside = next;
        rOutside = r;
      }
    }
    return { distance: Math.abs(0.5 * (inside + outside) - value), atLimit: false };
  };
  const lower = side(-1);
  const upper = side(1);
  return {
    lower: lower.distance,
    upper: upper.distance,
    lowerAtLimit: lower.atLimit,
    upperAtLimit: upper.atLimit,
    calls,
  };
}

/**
 * MINOS errors of the parameters `names` of a binned fit already done ({@link fitBinned} with
 * `args`, result `fit`): the profile at θ is a new fit with θ fixed and the other free parameters
 * started at their best-fit values (parameters fixed in `fit` stay fixed), see
 * {@link profileLikelihoodInterval}.
 *
 * Throws {@link PhysicsInputError} for a name that is not a free parameter of the fit, or a fit
 * with a single free parameter (nothing to profile: scan its −ln L directly with
 * {@link profileLikelihoodInterval}).
 */
export function minosErrors(
  args: BinnedFitArgs,
  fit: BinnedFitResult,
  names: readonly string[],
  options: Pick<ProfileIntervalArgs, 'up' | 'tolerance'> = {},
): Record<string, MinosError> {
  const atMinimum: Record<string, ParameterSpec> = {};
  for (const [name, p] of Object.entries(fit.parameters)) {
    const spec = args.parameters[name];
    atMinimum[name] =
      p.fixed || !spec
        ? { value: p.value, fixed: true }
        : { ...spec, value: p.value, step: p.error > 0 && Number.isFinite(p.error) ? p.error : spec.step };
  }
  if (fit.free.length < 2) {
    throw new PhysicsInputError('a profile needs another free parameter (the fit has one)', { field: 'parameters' });
  }
  const result: Record<string, MinosError> = {};
  for (const name of names) {
    const p = fit.parameters[name];
    const spec = args.parameters[name];
    if (!p || p.fixed || !spec) {
      throw new PhysicsInputError(`"${name}" is not a free parameter of the fit`, { field: name });
    }
    const profile = (value: number) => {
      const parameters: ParameterSpecs = { ...atMinimum, [name]: { value, fixed: true } };
      return fitBinned({ ...args, parameters, allowFailure: true }).nll;
    };
    result[name] = profileLikelihoodInterval({
      profile,
      value: p.value,
      nllMin: fit.nll,
      error: p.error,
      ...(spec.lower === undefined ? {} : { lower: spec.lower }),
      ...(spec.upper === undefined ? {} : { upper: spec.upper }),
      ...options,
    });
  }
  return result;
}
