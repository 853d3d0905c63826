import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import {
  boost,
  boostVector,
  deltaPhi,
  deltaR,
  energyFromPtEta,
  invariantMass,
  mass,
  type PtEtaPhiM,
  rapidity,
  sumFourVectors,
  toPtEtaPhiM,
  toPxPyPzE,
  transverseMass,
} from './four-vector.ts';

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

// Golden masses: the Cartesian sum evaluated with mpmath 1.3.0 at 50 digits.
describe('invariantMass', () => {
  it('matches high-precision values for a Z → ee pair, a three-body system, a collinear pair and massive pairs', () => {
    const e1 = { pt: 45.3, eta: 0.52, phi: 0.1, mass: 0.000511 };
    const e2 = { pt: 41.7, eta: -0.31, phi: 3.0, mass: 0.000511 };
    expect(rel(invariantMass([e1, e2]), 93.93669604606474)).toBeLessThan(1e-14);
    const b1 = { pt: 120, eta: 1.2, phi: -2.9, mass: 4.18 };
    const b2 = { pt: 80, eta: -0.4, phi: 0.8, mass: 4.18 };
    const j = { pt: 35, eta: 2.1, phi: 2.0, mass: 0 };
    expect(rel(invariantMass([b1, b2, j]), 329.6671130172245)).toBeLessThan(1e-13);
    // Nearly collinear massless pair: the naive E² − p² form loses ~8 digits here.
    const c1 = { pt: 1000, eta: 1.0, phi: 0.5, mass: 0 };
    const c2 = { pt: 500, eta: 1.0 + 1e-7, phi: 0.5 + 2e-7, mass: 0 };
    expect(rel(invariantMass([c1, c2]), 0.00015811388303051962)).toBeLessThan(1e-8);
    const w = { pt: 50, eta: 0.3, phi: 1, mass: 80.4 };
    const z = { pt: 20, eta: 0.3, phi: 1, mass: 91.2 };
    expect(rel(invariantMass([w, z]), 174.7604935844034)).toBeLessThan(1e-14);
  });

  it('agrees with the massless closed form 2 pt₁ pt₂ (cosh Δη − cos Δφ) and the Cartesian sum', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 100; i++) {
      const a = { pt: rng.range(5, 200), eta: rng.range(-2.5, 2.5), phi: rng.range(-Math.PI, Math.PI), mass: 0 };
      const b = { pt: rng.range(5, 200), eta: rng.range(-2.5, 2.5), phi: rng.range(-Math.PI, Math.PI), mass: 0 };
      const closed = Math.sqrt(2 * a.pt * b.pt * (Math.cosh(a.eta - b.eta) - Math.cos(a.phi - b.phi)));
      expect(rel(invariantMass([a, b]), closed)).toBeLessThan(1e-11);
      const c = { ...b, mass: rng.range(0, 10) };
      expect(rel(invariantMass([a, c]), mass(sumFourVectors([toPxPyPzE(a), toPxPyPzE(c)])))).toBeLessThan(1e-10);
    }
    expect(() => invariantMass([{ pt: 1, eta: 0, phi: 0, mass: 0 }])).toThrow(PhysicsInputError);
    expect(() => invariantMass([e(-1), e(1)])).toThrow(PhysicsInputError);
  });
});

function e(pt: number): PtEtaPhiM {
  return { pt, eta: 0, phi: 0, mass: 0 };
}

describe('boosts', () => {
  it('leave masses and pair masses invariant, and the rest-frame boost stops the system (seeded)', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const a = toPxPyPzE({
        pt: rng.range(1, 100),
        eta: rng.range(-3, 3),
        phi: rng.range(-3, 3),
        mass: rng.range(0, 50),
      });
      const b = toPxPyPzE({
        pt: rng.range(1, 100),
        eta: rng.range(-3, 3),
        phi: rng.range(-3, 3),
        mass: rng.range(0, 50),
      });
      const dir = [rng.normal(), rng.normal(), rng.normal()];
      const norm = Math.hypot(dir[0] as number, dir[1] as number, dir[2] as number);
      const speed = rng.range(0, 0.99);
      const beta = {
        x: ((dir[0] as number) / norm) * speed,
        y: ((dir[1] as number) / norm) * speed,
        z: ((dir[2] as number) / norm) * speed,
      };
      const m0 = mass(sumFourVectors([a, b]));
      const m1 = mass(sumFourVectors([boost(a, beta), boost(b, beta)]));
      expect(rel(m1, m0)).toBeLessThan(1e-9);
      const pair = sumFourVectors([a, b]);
      const bv = boostVector(pair);
      const rest = boost(pair, { x: -bv.x, y: -bv.y, z: -bv.z });
      expect(Math.hypot(rest.px, rest.py, rest.pz) / pair.energy).toBeLessThan(1e-9);
      expect(rel(rest.energy, m0)).toBeLessThan(1e-9);
      // Rapidity differences are invariant under boosts along z.
      const bz = { x: 0, y: 0, z: speed };
      expect(rapidity(boost(a, bz)) - rapidity(boost(b, bz))).toBeCloseTo(rapidity(a) - rapidity(b), 8);
    }
  });

  it('boosts a particle at rest to E = γm, p = γβm', () => {
    const r = boost({ px: 0, py: 0, pz: 0, energy: 91.1876 }, { x: 0, y: 0, z: 0.6 });
    expect(r.energy).toBeCloseTo(91.1876 * 1.25, 12);
    expect(r.pz).toBeCloseTo(91.1876 * 0.75, 12);
    expect(() => boost(r, { x: 1, y: 0, z: 0 })).toThrow(PhysicsInputError);
    expect(() => boostVector({ px: 1, py: 0, pz: 0, energy: 1 })).toThrow(PhysicsInputError);
  });
});

describe('coordinates and angles', () => {
  it('round-trips (pt, η, φ, m) ↔ (px, py, pz, E)', () => {
    const v = { pt: 37.5, eta: -1.3, phi: 2.9, mass: 0.10566 };
    const back = toPtEtaPhiM(toPxPyPzE(v));
    expect(back.pt).toBeCloseTo(v.pt, 12);
    expect(back.eta).toBeCloseTo(v.eta, 12);
    expect(back.phi).toBeCloseTo(v.phi, 12);
    expect(back.mass).toBeCloseTo(v.mass, 8);
    expect(toPtEtaPhiM({ px: 0, py: 0, pz: 5, energy: 5 }).eta).toBe(Number.POSITIVE_INFINITY);
    expect(mass({ px: 3, py: 0, pz: 4, energy: 3 })).toBe(-4);
  });

  it('wraps Δφ to (−π, π] and computes ΔR', () => {
    expect(deltaPhi(Math.PI, -Math.PI)).toBe(0);
    expect(deltaPhi(-Math.PI, 0)).toBe(Math.PI);
    expect(deltaPhi(0, Math.PI)).toBe(Math.PI);
    expect(deltaPhi(3, -3)).toBeCloseTo(6 - 2 * Math.PI, 15);
    expect(deltaPhi(-3, 3)).toBeCloseTo(2 * Math.PI - 6, 15);
    expect(deltaPhi(0.1 + 20 * Math.PI, 0)).toBeCloseTo(0.1, 12);
    const rng = new Rng(9);
    for (let i = 0; i < 1000; i++) {
      const d = deltaPhi(rng.range(-10, 10), rng.range(-10, 10));
      expect(d).toBeGreaterThan(-Math.PI);
      expect(d).toBeLessThanOrEqual(Math.PI);
    }
    expect(deltaR(0.5, 3.1, -0.1, -3.1)).toBeCloseTo(Math.hypot(0.6, 6.2 - 2 * Math.PI), 14);
    expect(() => deltaPhi(Number.NaN, 0)).toThrow(PhysicsInputError);
  });

  it('energy, rapidity and transverse mass closed forms', () => {
    expect(energyFromPtEta(40, 0)).toBe(40);
    expect(energyFromPtEta(40, 2)).toBeCloseTo(40 * Math.cosh(2), 12);
    const massless = toPxPyPzE({ pt: 30, eta: 1.7, phi: 0, mass: 0 });
    expect(rapidity(massless)).toBeCloseTo(1.7, 12);
    expect(rapidity(toPxPyPzE({ pt: 30, eta: 1.7, phi: 0, mass: 20 }))).toBeLessThan(1.7);
    // Back-to-back lepton and ν with equal pT: mT = 2 pt (the Jacobian edge at mW).
    expect(transverseMass(40.2, 0.3, 40.2, 0.3 + Math.PI)).toBeCloseTo(80.4, 12);
    expect(transverseMass(40, 1, 25, 1)).toBe(0);
    expect(transverseMass(30, 0, 50, Math.PI / 2)).toBeCloseTo(Math.sqrt(2 * 30 * 50), 12);
    expect(() => energyFromPtEta(-1, 0)).toThrow(PhysicsInputError);
    expect(() => rapidity({ px: 0, py: 0, pz: 2, energy: 1 })).toThrow(PhysicsInputError);
  });
});
