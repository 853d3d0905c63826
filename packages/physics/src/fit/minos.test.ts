import { describe, expect, it } from 'vitest';
import { Axis } from '../histogram/axis.ts';
import { Rng } from '../sim/rng.ts';
import { fitBinned } from './binned-fit.ts';
import { gaussianPdf } from './gaussian.ts';
import { minosErrors, profileLikelihoodInterval } from './minos.ts';

describe('MINOS errors from a likelihood scan (issue 22)', () => {
  it('equals the Gaussian σ for a parabolic −ln L', () => {
    const sigma = 0.3;
    const e = profileLikelihoodInterval({
      profile: (t) => (t - 2) ** 2 / (2 * sigma * sigma),
      value: 2,
      nllMin: 0,
      error: 0.25, // a poor Hesse estimate: the scan still finds the crossing
    });
    expect(e.lower).toBeCloseTo(sigma, 4);
    expect(e.upper).toBeCloseTo(sigma, 4);
    expect(e.lowerAtLimit || e.upperAtLimit).toBe(false);
  });

  it('is asymmetric for a Poisson-limited measurement: n = 3 gives λ ∈ [1.584, 5.080]', () => {
    // −ln L(λ) = λ − n ln λ, minimum at λ = n; Δ(−ln L) = ½ at 1.58397 and 5.08024 (solved by bisection).
    const nll = (l: number) => (l > 0 ? l - 3 * Math.log(l) : Number.POSITIVE_INFINITY);
    const e = profileLikelihoodInterval({ profile: nll, value: 3, nllMin: nll(3), error: Math.sqrt(3), lower: 0 });
    expect(3 - e.lower).toBeCloseTo(1.58397, 3);
    expect(3 + e.upper).toBeCloseTo(5.08024, 3);
    expect(nll(3 + e.upper) - nll(3)).toBeCloseTo(0.5, 3);
    expect(e.upper / e.lower).toBeGreaterThan(1.2);
  });

  it('stops at a bound and says so', () => {
    const e = profileLikelihoodInterval({ profile: (t) => t * t * 50, value: 0, nllMin: 0, error: 0.1, lower: -0.05 });
    expect(e.lower).toBeCloseTo(0.05, 12);
    expect(e.lowerAtLimit).toBe(true);
    expect(e.upper).toBeCloseTo(0.1, 4);
  });

  it('matches the Hesse error of the mean of a binned Gaussian fit', () => {
    const rng = new Rng(22);
    const axis = Axis.regular(60, 80, 100);
    const counts = new Float64Array(axis.nBins);
    for (let i = 0; i < 5000; i++) {
      const b = axis.find(90 + 2 * rng.normal(), 'drop');
      if (b >= 0) counts[b] = (counts[b] as number) + 1;
    }
    const args = {
      edges: axis.edges,
      counts,
      model: [{ pdf: gaussianPdf({ range: [80, 100] }), yield: 'n' }],
      parameters: {
        mean: { value: 89, step: 0.1, lower: 85, upper: 95 },
        sigma: { value: 3, step: 0.1, lower: 0.5, upper: 10 },
        n: { value: 4000, lower: 0, upper: 20000 },
      },
    };
    const fit = fitBinned(args);
    const minos = minosErrors(args, fit, ['mean', 'sigma']);
    const hesse = fit.parameters.mean?.error as number;
    expect(hesse).toBeCloseTo(2 / Math.sqrt(5000), 3);
    expect(Math.abs((minos.mean?.lower as number) / hesse - 1)).toBeLessThan(0.03);
    expect(Math.abs((minos.mean?.upper as number) / hesse - 1)).toBeLessThan(0.03);
    const sigmaHesse = fit.parameters.sigma?.error as number;
    expect(Math.abs((minos.sigma?.lower as number) / sigmaHesse - 1)).toBeLessThan(0.05);
    expect(Math.abs((minos.sigma?.upper as number) / sigmaHesse - 1)).toBeLessThan(0.05);
    expect(() => minosErrors(args, fit, ['width'])).toThrow(/width/);
  });

  it('is asymmetric for the yield of a binned fit of 3 events, as the Poisson interval [1.584, 5.080]', () => {
    const axis = Axis.regular(20, 80, 100);
    const counts = new Float64Array(axis.nBins);
    for (const m of [88.2, 90.4, 91.7]) counts[axis.find(m, 'drop')] = 1;
    const args = {
      edges: axis.edges,
      counts,
      model: [{ pdf: gaussianPdf({ range: [80, 100] }), yield: 'n' }],
      parameters: {
        // The mean is profiled; the extended −ln L factorises, so its profile in N stays N − 3 ln N.
        mean: { value: 90, step: 0.5, lower: 85, upper: 95 },
        sigma: { value: 2, fixed: true },
        n: { value: 2, step: 1, lower: 0, upper: 100 },
      },
    };
    const fit = fitBinned(args);
    const minos = minosErrors(args, fit, ['n']).n;
    expect(fit.parameters.n?.value).toBeCloseTo(3, 4);
    expect(fit.parameters.n?.error).toBeCloseTo(Math.sqrt(3), 2);
    expect(3 - (minos?.lower as number)).toBeCloseTo(1.58397, 2);
    expect(3 + (minos?.upper as number)).toBeCloseTo(5.08024, 2);
  });
});
