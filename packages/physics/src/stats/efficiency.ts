import { PhysicsInputError } from '../errors.ts';
import { inverseRegularizedBeta, normalQuantile } from './special.ts';

/** An efficiency with an asymmetric confidence interval, all in [0, 1]. */
export interface EfficiencyInterval {
  /** Point estimate ε = passed/total. */
  efficiency: number;
  /** Lower edge of the interval. */
  lower: number;
  /** Upper edge of the interval. */
  upper: number;
}

/** A weighted efficiency and its one-standard-deviation uncertainty. */
export interface WeightedEfficiency {
  efficiency: number;
  error: number;
}

/** One Gaussian standard deviation, erf(1/√2) = 0.6827 (the default coverage of HEP error bars). */
export const ONE_SIGMA_CONFIDENCE_LEVEL = 0.6826894921370859;

/** The arguments of an interval: 0 ≤ passed ≤ total, total > 0 (both finite), CL in (0, 1). */
function checkIntervalArgs(passed: number, total: number, confidenceLevel: number): void {
  if (!Number.isFinite(total) || total <= 0) {
    throw new PhysicsInputError(`total must be finite and > 0 (got ${total}); the efficiency is undefined`, {
      field: 'total',
    });
  }
  if (!Number.isFinite(passed) || passed < 0 || passed > total) {
    throw new PhysicsInputError(`passed must lie in [0, total = ${total}] (got ${passed})`, { field: 'passed' });
  }
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new PhysicsInputError(`confidenceLevel must lie in (0, 1) (got ${confidenceLevel})`, {
      field: 'confidenceLevel',
    });
  }
}

/**
 * Clopper–Pearson ("exact") central interval for a binomial efficiency ε = k/n at confidence level
 * CL, with α = (1 − CL)/2 in each tail:
 *   lower = B⁻¹(α; k, n − k + 1)   (0 when k = 0),
 *   upper = B⁻¹(1 − α; k + 1, n − k)   (1 when k = n),
 * where B⁻¹ is the Beta quantile ({@link inverseRegularizedBeta}). Coverage is never below CL
 * (conservative). Same convention as ROOT's TEfficiency::ClopperPearson.
 * Counts may be non-integer (e.g. after background subtraction): the Beta form is its continuous
 * extension. Reference: C. J. Clopper, E. S. Pearson, Biometrika 26 (1934) 404, DOI 10.2307/2331986.
 * Throws {@link PhysicsInputError} when total ≤ 0, passed ∉ [0, total], or CL ∉ (0, 1).
 */
export function clopperPearsonInterval(
  passed: number,
  total: number,
  confidenceLevel = ONE_SIGMA_CONFIDENCE_LEVEL,
): EfficiencyInterval {
  checkIntervalArgs(passed, total, confidenceLevel);
  const alpha = (1 - confidenceLevel) / 2;
  const lower = passed === 0 ? 0 : inverseRegularizedBeta(alpha, passed, total - passed + 1);
  const upper = passed === total ? 1 : inverseRegularizedBeta(1 - alpha, passed + 1, total - passed);
  return { efficiency: passed / total, lower, upper };
}

/**
 * Wilson score interval for a binomial efficiency at confidence level CL, z = Φ⁻¹(1 − (1 − CL)/2):
 *   centre = (k + z²/2)/(n + z²),  half-width = z/(n + z²) · √(k(n − k)/n + z²/4).
 * Inside [0, 1] by construction and close to nominal coverage on average (not conservative).
 * Reference: E. B. Wilson, J. Am. Stat. Assoc. 22 (1927) 209, DOI 10.1080/01621459.1927.10502953.
 * Throws {@link PhysicsInputError} when total ≤ 0, passed ∉ [0, total], or CL ∉ (0, 1).
 */
export function wilsonInterval(
  passed: number,
  total: number,
  confidenceLevel = ONE_SIGMA_CONFIDENCE_LEVEL,
): EfficiencyInterval {
  checkIntervalArgs(passed, total, confidenceLevel);
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  const z2 = z * z;
  const centre = (passed + z2 / 2) / (total + z2);
  const half = (z / (total + z2)) * Math.sqrt((passed * (total - passed)) / total + z2 / 4);
  return {
    efficiency: passed / total,
    lower: Math.max(0, centre - half),
    upper: Math.min(1, centre + half),
  };
}

/**
 * Efficiency of a weighted selection, ε = W_pass/W_tot, with W = Σw over events and S = Σw² their
 * variances. The passing and failing subsets are independent, so with W_fail = W_tot − W_pass and
 * S_fail = S_tot − S_pass:
 *   σ²(ε) = (W_fail² S_pass + W_pass² S_fail)/W_tot⁴ = ((1 − 2ε) S_pass + ε² S_tot)/W_tot²,
 * the same as ROOT's TH1::Divide(…, "B") for weighted histograms. For unit weights it reduces to the
 * binomial √(ε(1 − ε)/n). Negative weights (NLO) are allowed; ε may then leave [0, 1] and is not clipped.
 * Reference: T. Ullrich, Z. Xu, arXiv:physics/0701199 (normal approximation).
 * Throws {@link PhysicsInputError} when a sum is not finite, W_tot = 0, a Σw² is negative or
 * S_pass > S_tot (beyond rounding).
 */
export function weightedEfficiency(
  sumWPassed: number,
  sumW2Passed: number,
  sumWTotal: number,
  sumW2Total: number,
): WeightedEfficiency {
  const values: [string, number][] = [
    ['sumWPassed', sumWPassed],
    ['sumW2Passed', sumW2Passed],
    ['sumWTotal', sumWTotal],
    ['sumW2Total', sumW2Total],
  ];
  for (const [field, v] of values) {
    if (!Number.isFinite(v)) throw new PhysicsInputError(`${field} is not finite (${v})`, { field });
  }
  if (sumWTotal === 0)
    throw new PhysicsInputError('sumWTotal is 0: the efficiency is undefined', { field: 'sumWTotal' });
  if (sumW2Passed < 0)
    throw new PhysicsInputError(`sumW2Passed is negative (${sumW2Passed})`, { field: 'sumW2Passed' });
  const sumW2Failed = sumW2Total - sumW2Passed;
  if (sumW2Failed < -1e-12 * sumW2Total) {
    throw new PhysicsInputError(`sumW2Passed (${sumW2Passed}) exceeds sumW2Total (${sumW2Total})`, {
      field: 'sumW2Passed',
    });
  }
  const sumWFailed = sumWTotal - sumWPassed;
  const variance =
    (sumWFailed * sumWFailed * sumW2Passed + sumWPassed * sumWPassed * Math.max(0, sumW2Failed)) / sumWTotal ** 4;
  return { efficiency: sumWPassed / sumWTotal, error: Math.sqrt(variance) };
}
