import { PhysicsInputError } from '../errors.ts';
import { ONE_SIGMA_CONFIDENCE_LEVEL } from './efficiency.ts';
import { inverseRegularizedGammaP } from './special.ts';

/** A confidence interval [lower, upper] on a Poisson mean, in events. */
export interface PoissonInterval {
  lower: number;
  upper: number;
}

/**
 * Garwood ("exact", central) confidence interval on the mean μ of a Poisson variable observed as n,
 * at confidence level CL with α = (1 − CL)/2 in each tail:
 *   lower = ½ χ²_{α}(2n) = P⁻¹(n, α)   (0 when n = 0),
 *   upper = ½ χ²_{1−α}(2n + 2) = P⁻¹(n + 1, 1 − α),
 * with P⁻¹ the inverse regularized gamma function ({@link inverseRegularizedGammaP}). With the
 * default CL = 68.27 % this gives the asymmetric error bars of the ROOT TH1::kPoisson option
 * (n = 0: [0, 1.8410]). Coverage is at least CL. Units: events.
 * Reference: F. Garwood, Biometrika 28 (1936) 437, DOI 10.2307/2333958; PDG Statistics review §40.4.2.
 * Throws {@link PhysicsInputError} when n is negative, non-integer or not finite, or CL ∉ (0, 1).
 */
export function poissonInterval(n: number, confidenceLevel = ONE_SIGMA_CONFIDENCE_LEVEL): PoissonInterval {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new PhysicsInputError(`n must be a non-negative integer count (got ${n})`, { field: 'n' });
  }
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new PhysicsInputError(`confidenceLevel must lie in (0, 1) (got ${confidenceLevel})`, {
      field: 'confidenceLevel',
    });
  }
  const alpha = (1 - confidenceLevel) / 2;
  return {
    lower: n === 0 ? 0 : inverseRegularizedGammaP(alpha, n),
    upper: inverseRegularizedGammaP(1 - alpha, n + 1),
  };
}
