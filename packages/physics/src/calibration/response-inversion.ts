import { at } from '../array.ts';
import { FitError, PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';

/** A measured response curve: mean reconstructed-to-true ratio at a set of true energies. */
export interface ResponseCurve {
  /** True energies [GeV], strictly increasing, at least two. */
  eTrue: readonly number[];
  /** Mean response R = ⟨E_reco/E_true⟩ at each true energy (> 0). */
  response: readonly number[];
}

/**
 * Numerical inversion of a response (ATLAS jet and electron calibrations; ATLAS, Eur. Phys. J. C 73
 * (2013) 2304, arXiv:1112.6426, section 5.1): the mean reconstructed energy as a function of the
 * true one, ⟨E_reco⟩(E_true) = R(E_true)·E_true, is interpolated linearly between the points of
 * the curve and inverted, so that the calibrated energy of a reconstructed E is the E_true with
 * R(E_true)·E_true = E. Inverting the mean reco energy at fixed truth (not averaging E_true at fixed
 * reco) avoids the bias of a falling spectrum. Beyond the first and last points the response is
 * held constant (E_true = E/R at the end point).
 *
 * Returns the calibration function E_reco [GeV] → E_true [GeV]. Throws {@link PhysicsInputError}
 * when the curve is malformed or ⟨E_reco⟩ is not strictly increasing in E_true (the response is
 * then not invertible: a reconstructed energy would map to several true ones).
 */
export function numericalInversion(curve: ResponseCurve): (eReco: number) => number {
  const { eTrue, response } = curve;
  if (eTrue.length < 2 || eTrue.length !== response.length) {
    throw new PhysicsInputError('need at least two points, with one response per true energy', { field: 'response' });
  }
  const reco: number[] = [];
  for (let i = 0; i < eTrue.length; i++) {
    const e = at(eTrue, i);
    const r = at(response, i);
    if (!(e > 0) || !Number.isFinite(e) || !(r > 0) || !Number.isFinite(r)) {
      throw new PhysicsInputError(`point ${i} (E_true ${e}, R ${r}) must be finite and positive`, {
        field: 'response',
      });
    }
    reco.push(r * e);
  }
  Axis.variable(eTrue, { field: 'eTrue' });
  for (let i = 1; i < reco.length; i++) {
    if (!(at(reco, i) > at(reco, i - 1))) {
      throw new PhysicsInputError(
        `mean reconstructed energy R·E_true is not increasing between ${eTrue[i - 1]} and ${eTrue[i]} GeV: the response cannot be inverted`,
        { field: 'response' },
      );
    }
  }
  // The segments of the interpolation: eReco in [reco[a], reco[a + 1]) lies on segment a.
  const segments = Axis.variable(reco, { field: 'response' });
  const last = reco.length - 1;
  return (eReco: number): number => {
    if (!Number.isFinite(eReco)) throw new PhysicsInputError(`energy ${eReco} is not finite`, { field: 'eReco' });
    if (eReco <= segments.lo) return eReco / at(response, 0);
    if (eReco >= segments.hi) return eReco / at(response, last);
    const a = segments.find(eReco, 'drop');
    const f = (eReco - at(reco, a)) / (at(reco, a + 1) - at(reco, a));
    return at(eTrue, a) + f * (at(eTrue, a + 1) - at(eTrue, a));
  };
}

/**
 * Solves f(x) = y for x in [lo, hi] for a continuous f with f(lo) − y and f(hi) − y of opposite
 * signs, by bisection safeguarding the secant step (Illinois variant of regula falsi; Dowell &
 * Jarratt, BIT 11 (1971) 168) to |Δx| ≤ `tolerance` (default 1e-10·(|lo| + |hi|)). The inversion of
 * a smooth, parametrised response (a fitted R(E)) rather than a tabulated one.
 * Throws {@link PhysicsInputError} when the root is not bracketed or f is not finite at an end,
 * {@link FitError} if 200 steps do not reach the tolerance.
 */
export function invertMonotonic(
  f: (x: number) => number,
  y: number,
  lo: number,
  hi: number,
  tolerance = 1e-10 * (Math.abs(lo) + Math.abs(hi)),
): number {
  let a = lo;
  let b = hi;
  let fa = f(a) - y;
  let fb = f(b) - y;
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) {
    throw new PhysicsInputError(`f is not finite at the ends of [${lo}, ${hi}]`, { field: 'f' });
  }
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) {
    throw new PhysicsInputError(`f − y does not change sign on [${lo}, ${hi}]: the root is not bracketed`, {
      field: 'y',
    });
  }
  let side = 0;
  for (let k = 0; k < 200 && Math.abs(b - a) > tolerance; k++) {
    let x = (a * fb - b * fa) / (fb - fa);
    if (!(x > Math.min(a, b) && x < Math.max(a, b))) x = 0.5 * (a + b);
    const fx = f(x) - y;
    if (fx === 0) return x;
    if (fx * fb < 0) {
      a = b;
      fa = fb;
      b = x;
      fb = fx;
      side = 0;
    } else {
      b = x;
      fb = fx;
      // Illinois: halve the retained end's value when it is kept twice, so convergence stays superlinear.
      if (side === 1) fa /= 2;
      side = 1;
    }
  }
  if (Math.abs(b - a) > tolerance) {
    throw new FitError(`no convergence to ${tolerance} within 200 steps (bracket [${a}, ${b}])`);
  }
  return 0.5 * (a + b);
}
