import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import type { MinosError } from '../fit/minos.ts';
import { Rng } from '../sim/rng.ts';
import { emptyZeeDecay, sampleZee } from '../sim/z-boson.ts';
import { fitZPeak, type ZPeakFitOptions } from './energy-scale.ts';

/** One energy-regression model's responses E_pred/E_true on a common pool of simulated electrons. */
export interface RegressionResponses {
  name: string;
  /** E_pred/E_true per electron of the pool, in the pool's order. */
  response: ArrayLike<number>;
}

/** Options of {@link compareRegressionZPeaks}. */
export interface RegressionZPeakOptions {
  /** Z→ee decays to build (default 20 000). */
  n?: number;
  seed: number;
  /** Options of the peak fits (default: BW ⊗ CB without background, 75–105 GeV). */
  fit?: ZPeakFitOptions;
}

/** The Z peak a regression gives: fitted peak position and CB width [GeV]. */
export interface RegressionZPeak {
  name: string;
  mass: number;
  /** Hesse error of `mass` [GeV]. */
  massError: number;
  /** MINOS errors of `mass` [GeV] (with `fit: { minos: true }`). */
  massErrorMinos?: MinosError;
  width: number;
  /** Hesse error of `width` [GeV]. */
  widthError: number;
  /** MINOS errors of `width` [GeV] (with `fit: { minos: true }`). */
  widthErrorMinos?: MinosError;
}

/**
 * Compares energy-regression models on the Z→ee peak they would give (issue 9: narrower is
 * better). Z→ee decays are drawn with {@link sampleZee} (seeded); each electron of true energy
 * E = pt·cosh η is matched to the pool electron of nearest true energy (decays with an electron
 * outside the pool's energy range are dropped), and the reconstructed mass is
 * m = m_true·√(r₁r₂) with r = E_pred/E_true of the matched electrons (m ∝ √(E₁E₂) at fixed
 * angles). Every model sees the same decays and matches (common random numbers), so width
 * differences are not sampling noise of the pairing. Each peak is fitted with {@link fitZPeak};
 * the result is sorted by width, narrowest first.
 *
 * Throws {@link PhysicsInputError} for an empty pool, mismatched lengths or a non-finite or
 * non-positive response, and FitError when a peak cannot be fitted.
 */
export function compareRegressionZPeaks(
  eTrue: ArrayLike<number>,
  models: readonly RegressionResponses[],
  options: RegressionZPeakOptions,
): RegressionZPeak[] {
  const size = eTrue.length;
  if (size === 0) throw new PhysicsInputError('the electron pool is empty', { field: 'eTrue' });
  for (const m of models) {
    if (m.response.length !== size) {
      throw new PhysicsInputError(`${m.name}: ${m.response.length} responses for ${size} electrons`, {
        field: 'response',
      });
    }
    for (let i = 0; i < size; i++) {
      const r = at(m.response, i);
      if (!(r > 0) || !Number.isFinite(r)) {
        throw new PhysicsInputError(`${m.name}: response ${i} is ${r}, must be finite and positive`, {
          field: 'response',
        });
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => at(eTrue, a) - at(eTrue, b));
  const sorted = order.map((i) => at(eTrue, i));
  const lo = at(sorted, 0);
  const hi = at(sorted, size - 1);
  const nearest = (e: number): number => {
    let a = 0;
    let b = size - 1;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (at(sorted, m) <= e) a = m;
      else b = m;
    }
    return at(order, e - at(sorted, a) <= at(sorted, b) - e ? a : b);
  };
  const n = options.n ?? 20_000;
  if (!Number.isInteger(n) || n < 100) throw new PhysicsInputError('n must be an integer ≥ 100', { field: 'n' });
  const rng = new Rng(options.seed);
  const z = emptyZeeDecay();
  const trueMass: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  for (let k = 0; k < n; k++) {
    sampleZee(rng, z);
    const e1 = z.pt1 * Math.cosh(z.eta1);
    const e2 = z.pt2 * Math.cosh(z.eta2);
    if (e1 < lo || e1 > hi || e2 < lo || e2 > hi) continue;
    trueMass.push(z.mass);
    first.push(nearest(e1));
    second.push(nearest(e2));
  }
  if (trueMass.length < 100) {
    throw new PhysicsInputError(`only ${trueMass.length} Z decays fall in the pool's energy range [${lo}, ${hi}] GeV`, {
      field: 'eTrue',
    });
  }
  const peaks = models.map((m) => {
    const masses = trueMass.map(
      (mass, k) => mass * Math.sqrt(at(m.response, at(first, k)) * at(m.response, at(second, k))),
    );
    const fit = fitZPeak(masses, { background: false, ...options.fit });
    return {
      name: m.name,
      mass: fit.mass,
      massError: fit.massError,
      ...(fit.massErrorMinos ? { massErrorMinos: fit.massErrorMinos } : {}),
      width: fit.width,
      widthError: fit.widthError,
      ...(fit.widthErrorMinos ? { widthErrorMinos: fit.widthErrorMinos } : {}),
    };
  });
  return peaks.sort((a, b) => a.width - b.width);
}
