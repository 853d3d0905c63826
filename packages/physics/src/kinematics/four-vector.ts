import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';

/** A four-momentum in collider coordinates: pt and mass in GeV, phi in radians, eta dimensionless. */
export interface PtEtaPhiM {
  pt: number;
  eta: number;
  phi: number;
  mass: number;
}

/** A four-momentum in Cartesian coordinates (GeV), metric (+, −, −, −): m² = E² − |p|². */
export interface PxPyPzE {
  px: number;
  py: number;
  pz: number;
  energy: number;
}

/** A velocity in units of c (dimensionless), |β| < 1. */
export interface Beta {
  x: number;
  y: number;
  z: number;
}

function finite(v: number, field: string): void {
  if (!Number.isFinite(v)) throw new PhysicsInputError(`${field} is not finite (${v})`, { field });
}

function checkPtEtaPhiM(v: PtEtaPhiM): void {
  finite(v.pt, 'pt');
  finite(v.eta, 'eta');
  finite(v.phi, 'phi');
  finite(v.mass, 'mass');
  if (v.pt < 0) throw new PhysicsInputError(`pt must be ≥ 0 GeV (got ${v.pt})`, { field: 'pt' });
  if (v.mass < 0) throw new PhysicsInputError(`mass must be ≥ 0 GeV (got ${v.mass})`, { field: 'mass' });
}

function checkPxPyPzE(v: PxPyPzE): void {
  finite(v.px, 'px');
  finite(v.py, 'py');
  finite(v.pz, 'pz');
  finite(v.energy, 'energy');
}

/**
 * Cartesian components of (pt, η, φ, m): px = pt cos φ, py = pt sin φ, pz = pt sinh η,
 * E = √(pt² cosh² η + m²). GeV and radians. Throws {@link PhysicsInputError} for non-finite values,
 * pt < 0 or m < 0.
 */
export function toPxPyPzE(v: PtEtaPhiM): PxPyPzE {
  checkPtEtaPhiM(v);
  const pz = v.pt * Math.sinh(v.eta);
  const p = v.pt * Math.cosh(v.eta);
  return { px: v.pt * Math.cos(v.phi), py: v.pt * Math.sin(v.phi), pz, energy: Math.hypot(p, v.mass) };
}

/**
 * Mass of a Cartesian four-vector, m = √(E² − |p|²) (GeV). A spacelike vector (E² < |p|², from
 * rounding or a non-physical sum) returns −√(|p|² − E²), the ROOT TLorentzVector::M convention, so
 * the sign flags it. Throws {@link PhysicsInputError} for non-finite components.
 */
export function mass(v: PxPyPzE): number {
  checkPxPyPzE(v);
  const p = Math.hypot(v.px, v.py, v.pz);
  const m2 = (v.energy - p) * (v.energy + p);
  return m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2);
}

/**
 * (pt, η, φ, m) of a Cartesian four-vector: pt = √(px² + py²), φ = atan2(py, px) ∈ (−π, π],
 * η = asinh(pz/pt), m from {@link mass}. Edge cases: pt = 0 gives η = +∞ (pz > 0), −∞ (pz < 0) or
 * 0 (pz = 0), and φ = 0. A spacelike vector gets mass −√(|p|² − E²). GeV and radians.
 */
export function toPtEtaPhiM(v: PxPyPzE): PtEtaPhiM {
  const m = mass(v);
  const pt = Math.hypot(v.px, v.py);
  let eta: number;
  if (pt > 0) eta = Math.asinh(v.pz / pt);
  else eta = v.pz > 0 ? Number.POSITIVE_INFINITY : v.pz < 0 ? Number.NEGATIVE_INFINITY : 0;
  return { pt, eta, phi: pt > 0 ? Math.atan2(v.py, v.px) : 0, mass: m };
}

/** Component-wise sum of Cartesian four-vectors (GeV); the empty sum is the zero vector. */
export function sumFourVectors(vectors: readonly PxPyPzE[]): PxPyPzE {
  const s = { px: 0, py: 0, pz: 0, energy: 0 };
  for (const v of vectors) {
    checkPxPyPzE(v);
    s.px += v.px;
    s.py += v.py;
    s.pz += v.pz;
    s.energy += v.energy;
  }
  return s;
}

/**
 * Energy of a massless object from its transverse momentum and pseudorapidity, E = pt cosh η (GeV).
 * Throws {@link PhysicsInputError} for pt < 0 or non-finite values.
 */
export function energyFromPtEta(pt: number, eta: number): number {
  finite(pt, 'pt');
  finite(eta, 'eta');
  if (pt < 0) throw new PhysicsInputError(`pt must be ≥ 0 GeV (got ${pt})`, { field: 'pt' });
  return pt * Math.cosh(eta);
}

/**
 * Azimuthal difference φ₁ − φ₂ wrapped to (−π, π] (radians), so Δφ(π, −π) = 0 and Δφ(−π, 0) = π.
 * Inputs may be any finite angles (they need not lie in (−π, π]).
 * Throws {@link PhysicsInputError} for non-finite input.
 */
export function deltaPhi(phi1: number, phi2: number): number {
  finite(phi1, 'phi1');
  finite(phi2, 'phi2');
  let d = (phi1 - phi2) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  else if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

/**
 * Angular distance ΔR = √(Δη² + Δφ²) with Δφ from {@link deltaPhi} (dimensionless; η, φ in radians).
 * Throws {@link PhysicsInputError} for non-finite input.
 */
export function deltaR(eta1: number, phi1: number, eta2: number, phi2: number): number {
  finite(eta1, 'eta1');
  finite(eta2, 'eta2');
  return Math.hypot(eta1 - eta2, deltaPhi(phi1, phi2));
}

/**
 * Rapidity y = ½ ln((E + pz)/(E − pz)) = atanh(pz/E) of a Cartesian four-vector; differences of
 * rapidity are invariant under boosts along z. For a massless object y = η. |pz| = E (massless along
 * the beam) gives ±∞. Throws {@link PhysicsInputError} for non-finite components or |pz| > E.
 */
export function rapidity(v: PxPyPzE): number {
  checkPxPyPzE(v);
  if (Math.abs(v.pz) > v.energy) {
    throw new PhysicsInputError(`|pz| (${Math.abs(v.pz)}) exceeds the energy (${v.energy}) GeV`, { field: 'pz' });
  }
  return 0.5 * Math.log((v.energy + v.pz) / (v.energy - v.pz));
}

/**
 * Invariant mass of the system of two or more objects, m = √((ΣE)² − |Σp|²) (GeV), from
 * (pt, η, φ, m) inputs. For two objects this is computed as
 *   m² = m₁² + m₂² + 2(E₁E₂ − p⃗₁·p⃗₂),  E₁E₂ − p⃗₁·p⃗₂ = mT₁ mT₂ cosh Δy − pt₁ pt₂ cos Δφ,
 * (mT = √(m² + pt²), y the rapidity), which for massless objects is 2 pt₁ pt₂ (cosh Δη − cos Δφ);
 * it is evaluated as a sum of non-negative terms, so nearly collinear pairs keep full precision.
 * For three or more objects the Cartesian sum is used (a slightly negative m² from rounding gives 0).
 * Reference: PDG Kinematics review, §49.
 * Throws {@link PhysicsInputError} for fewer than two objects or invalid components.
 */
export function invariantMass(objects: readonly PtEtaPhiM[]): number {
  if (objects.length < 2) throw new PhysicsInputError('invariantMass needs at least two objects', { field: 'objects' });
  if (objects.length === 2) {
    const a = at(objects, 0);
    const b = at(objects, 1);
    checkPtEtaPhiM(a);
    checkPtEtaPhiM(b);
    const mtA = Math.hypot(a.mass, a.pt);
    const mtB = Math.hypot(b.mass, b.pt);
    const dy = rapidityOf(a, mtA) - rapidityOf(b, mtB);
    const dphi = deltaPhi(a.phi, b.phi);
    // E₁E₂ − p⃗₁·p⃗₂ = (mT₁mT₂ − pt₁pt₂) + 2 mT₁mT₂ sinh²(Δy/2) + 2 pt₁pt₂ sin²(Δφ/2), each term ≥ 0
    // and the first rationalised, so nothing cancels for collinear or light pairs.
    const ptpt = a.pt * b.pt;
    const mtmt = mtA * mtB;
    const a2 = a.mass * a.mass;
    const b2 = b.mass * b.mass;
    const massTerm = mtmt + ptpt > 0 ? (a2 * b2 + a2 * b.pt * b.pt + b2 * a.pt * a.pt) / (mtmt + ptpt) : 0;
    const sy = Math.sinh(0.5 * dy);
    const sp = Math.sin(0.5 * dphi);
    return Math.sqrt(a2 + b2 + 2 * (massTerm + 2 * mtmt * sy * sy + 2 * ptpt * sp * sp));
  }
  return Math.max(0, mass(sumFourVectors(objects.map(toPxPyPzE))));
}

/** Rapidity from (pt, η, m) with mT given: y = asinh(pt sinh η / mT); y = η for massless objects. */
function rapidityOf(v: PtEtaPhiM, mt: number): number {
  if (mt === 0) return 0;
  return Math.asinh((v.pt * Math.sinh(v.eta)) / mt);
}

/**
 * Transverse mass of two objects seen only in the transverse plane (e.g. a lepton and the missing
 * transverse momentum of W → ℓν), both treated as massless:
 *   mT = √(2 pt₁ pt₂ (1 − cos Δφ))   (GeV; pt in GeV, φ in radians).
 * Reference: PDG Kinematics review (transverse mass, massless case); UA1, Phys. Lett. B 122 (1983) 103.
 * Throws {@link PhysicsInputError} for negative pt or non-finite input.
 */
export function transverseMass(pt1: number, phi1: number, pt2: number, phi2: number): number {
  finite(pt1, 'pt1');
  finite(pt2, 'pt2');
  if (pt1 < 0 || pt2 < 0) throw new PhysicsInputError('pt must be ≥ 0 GeV', { field: pt1 < 0 ? 'pt1' : 'pt2' });
  const s = Math.sin(0.5 * deltaPhi(phi1, phi2));
  // 1 − cos Δφ = 2 sin²(Δφ/2), exact near Δφ = 0.
  return Math.sqrt(4 * pt1 * pt2 * s * s);
}

/**
 * Lorentz boost of a four-vector by velocity β (in units of c, |β| < 1), the ROOT
 * TLorentzVector::Boost convention: with γ = 1/√(1 − β²) and b·p = β⃗·p⃗,
 *   E' = γ(E + β⃗·p⃗),  p⃗' = p⃗ + ((γ − 1)(β⃗·p⃗)/β² + γE) β⃗.
 * Boosting by −{@link boostVector}(v) takes v to its rest frame. Invariant: the mass.
 * Reference: J. D. Jackson, Classical Electrodynamics, 3rd ed., §11.3.
 * Throws {@link PhysicsInputError} for |β| ≥ 1 or non-finite input.
 */
export function boost(v: PxPyPzE, beta: Beta): PxPyPzE {
  checkPxPyPzE(v);
  finite(beta.x, 'beta.x');
  finite(beta.y, 'beta.y');
  finite(beta.z, 'beta.z');
  const b2 = beta.x * beta.x + beta.y * beta.y + beta.z * beta.z;
  if (!(b2 < 1)) throw new PhysicsInputError(`|β| must be < 1 (got ${Math.sqrt(b2)})`, { field: 'beta' });
  if (b2 === 0) return { ...v };
  const gamma = 1 / Math.sqrt(1 - b2);
  const bp = beta.x * v.px + beta.y * v.py + beta.z * v.pz;
  const k = ((gamma - 1) * bp) / b2 + gamma * v.energy;
  return {
    px: v.px + k * beta.x,
    py: v.py + k * beta.y,
    pz: v.pz + k * beta.z,
    energy: gamma * (v.energy + bp),
  };
}

/**
 * Velocity of the rest frame of a four-vector, β⃗ = p⃗/E (units of c). Throws
 * {@link PhysicsInputError} when E ≤ 0 or |p| ≥ E (no rest frame: massless or spacelike).
 */
export function boostVector(v: PxPyPzE): Beta {
  checkPxPyPzE(v);
  const p = Math.hypot(v.px, v.py, v.pz);
  if (!(v.energy > 0 && p < v.energy)) {
    throw new PhysicsInputError('a massless or spacelike four-vector has no rest frame', { field: 'energy' });
  }
  return { x: v.px / v.energy, y: v.py / v.energy, z: v.pz / v.energy };
}
