import { at } from '../array.ts';
import { FitError, PhysicsInputError } from '../errors.ts';
import { numericalGradient, numericalHessian } from './hessian.ts';
import { dot, invertPositiveDefinite, matrixVector } from './linear-algebra.ts';
import { minimize } from './minimize.ts';

/** Start value, step and bounds of one fit parameter. */
export interface ParameterSpec {
  /** Start value (the value itself when fixed). */
  value: number;
  /** Initial step, of the order of the expected error (default 10 % of |value|, or 0.1). */
  step?: number;
  lower?: number;
  upper?: number;
  /** Keep the parameter at `value`. */
  fixed?: boolean;
}

/** Parameter specifications by name. */
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

/** A fitted parameter: value and symmetric (Hessian) 1σ error; 0 error when fixed. */
export interface FittedParameter {
  value: number;
  error: number;
  fixed: boolean;
  /** The minimum lies on a bound of this parameter: its error is meaningless. */
  atLimit: boolean;
}

/** How a fit ended. `ok` only when it converged, the covariance is accurate and no parameter is at a bound. */
export interface FitStatus {
  ok: boolean;
  converged: boolean;
  /** 'accurate': Hessian positive definite; otherwise errors are not to be trusted. */
  covariance: 'accurate' | 'not-positive-definite' | 'not-computed';
  /** Names of parameters whose minimum lies on a bound. */
  atLimit: string[];
  message: string;
}

/** Goodness of fit of a binned fit. */
export interface BinnedFitQuality {
  /** Pearson χ² = Σ (n − ν)²/ν over bins with ν > 0. */
  chi2: number;
  /** Likelihood-ratio χ² of Baker & Cousins, 2·Σ[ν − n + n ln(n/ν)] (NIM 221 (1984) 437). */
  deviance: number;
  /** Number of bins minus free parameters (minus 1 for a shape-only fit). */
  ndf: number;
  /** chi2 / ndf. */
  chi2PerNdf: number;
}

/** Result of a likelihood fit. */
export interface FitResult {
  parameters: Record<string, FittedParameter>;
  /** Free parameters, in the order of the covariance rows. */
  free: string[];
  /** Covariance of the free parameters, V = H⁻¹ of the NLL at the minimum. */
  covariance: number[][];
  correlation: number[][];
  /** −ln L at the minimum (up to a constant). */
  nll: number;
  /** Estimated distance to the minimum ½gᵀVg. */
  edm: number;
  /** Likelihood evaluations used. */
  calls: number;
  status: FitStatus;
}

/** Options common to all fits. */
export interface FitOptions {
  /** EDM tolerance for convergence (default 1e-5). */
  edmTolerance?: number;
  /** Maximum likelihood evaluations (default 50 000). */
  maxCalls?: number;
  /**
   * Return a failed fit with its status instead of throwing {@link FitError} (default false).
   * Check `status.ok` then.
   */
  allowFailure?: boolean;
}

/** Arguments of {@link fitLikelihood}. */
export interface LikelihoodFitArgs extends FitOptions {
  /** All parameter names, in the order `nll` receives their values. */
  names: readonly string[];
  /** −ln L of all parameter values (non-finite: outside the model's domain). */
  nll: (values: Float64Array) => number;
  parameters: ParameterSpecs;
}

/**
 * Minimises a negative log-likelihood over its free parameters (see {@link minimize}) and computes
 * the covariance as the inverse of the numerical Hessian of the NLL at the minimum (errorDef ½:
 * V = (∂²NLL/∂θᵢ∂θⱼ)⁻¹), checked positive definite by Cholesky. Steps of the Hessian are 0.1σ
 * from the minimiser's estimate, kept inside the bounds. A parameter closer than 0.01σ to a bound
 * is "at limit" and is held there for the covariance of the others.
 *
 * Throws {@link FitError} (with the FitResult as `cause`) unless the fit converged, the covariance
 * is positive definite and no parameter is at a limit — or returns it with `status.ok` false when
 * `allowFailure` is set. Throws {@link PhysicsInputError} for a missing or inconsistent parameter.
 */
export function fitLikelihood(args: LikelihoodFitArgs): FitResult {
  const { names, parameters } = args;
  const all = new Float64Array(names.length);
  const freeIndex: number[] = [];
  const x0: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const step: number[] = [];
  names.forEach((name, i) => {
    const spec = parameters[name];
    if (!spec) throw new PhysicsInputError(`no start value for parameter "${name}"`, { field: name });
    if (!Number.isFinite(spec.value))
      throw new PhysicsInputError(`start value of "${name}" is not finite`, { field: name });
    all[i] = spec.value;
    if (spec.fixed) return;
    const lo = spec.lower ?? Number.NEGATIVE_INFINITY;
    const hi = spec.upper ?? Number.POSITIVE_INFINITY;
    if (!(lo < hi) || spec.value < lo || spec.value > hi) {
      throw new PhysicsInputError(`start value ${spec.value} of "${name}" is outside [${lo}, ${hi}]`, { field: name });
    }
    freeIndex.push(i);
    x0.push(spec.value);
    lower.push(lo);
    upper.push(hi);
    step.push(spec.step ?? (spec.value !== 0 ? 0.1 * Math.abs(spec.value) : 0.1));
  });
  for (const name of Object.keys(parameters)) {
    if (!names.includes(name))
      throw new PhysicsInputError(`"${name}" is not a parameter of the model`, { field: name });
  }
  const evaluate = (free: ArrayLike<number>, subset: readonly number[]): number => {
    for (let k = 0; k < subset.length; k++) all[at(freeIndex, at(subset, k))] = at(free, k);
    const v = args.nll(all);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const everyFree = freeIndex.map((_, k) => k);
  const minimum = minimize((x) => evaluate(x, everyFree), x0, {
    lower,
    upper,
    step,
    edmTolerance: args.edmTolerance,
    maxCalls: args.maxCalls,
  });
  let calls = minimum.calls;
  const best = minimum.x;
  const counted = (x: Float64Array, subset: readonly number[]) => {
    calls++;
    return evaluate(x, subset);
  };

  // Errors: step 0.1σ, shrunk to stay inside the bounds; parameters on a bound are held.
  const sigma = Array.from(minimum.errorEstimate, (s, k) => (Number.isFinite(s) && s > 0 ? s : at(step, k)));
  const atLimit: number[] = [];
  const kept: number[] = [];
  for (let k = 0; k < best.length; k++) {
    const distance = Math.min(at(best, k) - at(lower, k), at(upper, k) - at(best, k));
    if (distance < 0.01 * at(sigma, k)) atLimit.push(k);
    else kept.push(k);
  }
  const h = kept.map((k) => {
    const distance = Math.min(at(best, k) - at(lower, k), at(upper, k) - at(best, k));
    return Math.min(0.1 * at(sigma, k), 0.5 * distance);
  });
  const point = Float64Array.from(kept, (k) => at(best, k));
  for (let k = 0; k < best.length; k++) all[at(freeIndex, k)] = at(best, k);
  const fmin = counted(point, kept);
  let covariance: number[][] | null = null;
  let edm = minimum.edm;
  if (minimum.converged && kept.length > 0) {
    covariance = invertPositiveDefinite(numericalHessian((x) => counted(x, kept), point, h, fmin));
    if (covariance) {
      const g = numericalGradient(
        (x) => counted(x, kept),
        point,
        h.map((v) => 0.01 * v),
      );
      edm = 0.5 * dot(g, matrixVector(covariance, g));
    }
  }
  for (let k = 0; k < best.length; k++) all[at(freeIndex, k)] = at(best, k);

  const fitted: Record<string, FittedParameter> = {};
  names.forEach((name, i) => {
    fitted[name] = { value: at(all, i), error: 0, fixed: true, atLimit: false };
  });
  const free = kept.map((k) => at(names, at(freeIndex, k)));
  kept.forEach((k, r) => {
    const name = at(names, at(freeIndex, k));
    const v = covariance ? at(at(covariance, r), r) : Number.NaN;
    fitted[name] = { value: at(best, k), error: Math.sqrt(v), fixed: false, atLimit: false };
  });
  const limitNames = atLimit.map((k) => at(names, at(freeIndex, k)));
  for (const name of limitNames)
    fitted[name] = { value: at(all, names.indexOf(name)), error: Number.NaN, fixed: false, atLimit: true };
  const covarianceStatus = !minimum.converged ? 'not-computed' : covariance ? 'accurate' : 'not-positive-definite';
  const ok = minimum.converged && covarianceStatus === 'accurate' && limitNames.length === 0;
  const problems: string[] = [];
  if (!minimum.converged) problems.push(`minimisation did not converge (${minimum.status}: ${minimum.message})`);
  if (covarianceStatus === 'not-positive-definite')
    problems.push('the Hessian at the minimum is not positive definite');
  if (limitNames.length > 0) problems.push(`parameters at a bound: ${limitNames.join(', ')}`);
  const cov = covariance ?? kept.map(() => kept.map(() => Number.NaN));
  const result: FitResult = {
    parameters: fitted,
    free,
    covariance: cov,
    correlation: cov.map((row, i) => row.map((v, j) => v / Math.sqrt(at(at(cov, i), i) * at(at(cov, j), j)))),
    nll: minimum.fval,
    edm,
    calls,
    status: {
      ok,
      converged: minimum.converged,
      covariance: covarianceStatus,
      atLimit: limitNames,
      message: ok ? `converged, EDM ${edm.toExponential(2)}, ${calls} calls` : problems.join('; '),
    },
  };
  if (!ok && !args.allowFailure) throw new FitError(`fit failed: ${result.status.message}`, { cause: result });
  return result;
}
