/**
 * Shared pieces of the fast ATLAS-like detector description used by the generators: geometry
 * boundaries, upstream material and resolutions. Numbers are rounded readings of the published
 * detector papers; they aim at the right size and η shape, not at a full simulation.
 */

/** Outer |η| edge of the EM calorimeter precision region used for electrons. */
export const EM_ETA_MAX = 2.47;
/** Barrel–endcap transition ("crack") of the ATLAS EM calorimeter, 1.37 < |η| < 1.52. */
export const CRACK_LO = 1.37;
export const CRACK_HI = 1.52;
/** Outer |η| edge of the TRT (transition-radiation tracker). */
export const TRT_ETA_MAX = 2.0;

/** Whether |η| lies in the barrel–endcap crack, 1.37 < |η| < 1.52 (edges belong to neither side). */
export function inCrack(absEta: number): boolean {
  return absEta > CRACK_LO && absEta < CRACK_HI;
}

/**
 * Inner-detector material in radiation lengths X/X₀ crossed by a particle from the beam line at
 * pseudorapidity |η|: about 0.5 X₀ at η = 0 rising to about 2.4 X₀ near |η| ≈ 1.7 where services
 * leave the tracker, then falling (ATLAS, JINST 12 (2017) P12009, Fig. 1; rounded smooth form).
 */
export function innerDetectorMaterial(absEta: number): number {
  const d = (absEta - 1.7) / 0.45;
  return 0.45 + 0.2 * absEta + 1.55 * Math.exp(-d * d);
}

/**
 * Material in front of the EM calorimeter's accordion in X/X₀: inner detector plus solenoid and
 * cryostat (about 1.7 X₀ in the barrel) and the extra cryostat and services in the crack
 * (several X₀; ATLAS, JINST 3 (2008) S08003, Fig. 5.28).
 */
export function upstreamMaterial(absEta: number): number {
  const crack = inCrack(absEta) ? 3.5 : 0;
  const endcap = absEta >= CRACK_HI ? 0.6 : 0;
  return innerDetectorMaterial(absEta) + 1.7 + crack + endcap;
}

/**
 * Relative EM energy resolution σ_E/E for an electron or photon of energy `energy` [GeV]:
 * a/√E ⊕ b/E ⊕ c with sampling term a = 10 %·√GeV in the barrel (×1.2 in the endcap, ×2.5 in
 * the crack), noise term b = 0.35 GeV × √(1 + μ/40) from electronics and pile-up, and constant
 * term c = 0.7 % (2 % in the crack) (ATLAS, JINST 3 (2008) S08003; Eur. Phys. J. C 79 (2019) 639).
 */
export function emEnergyResolution(energy: number, absEta: number, mu: number): number {
  const a = 0.1 * (inCrack(absEta) ? 2.5 : absEta >= CRACK_HI ? 1.2 : 1);
  const b = 0.35 * Math.sqrt(1 + mu / 40);
  const c = inCrack(absEta) ? 0.02 : 0.007;
  const s = a / Math.sqrt(energy);
  const n = b / energy;
  return Math.sqrt(s * s + n * n + c * c);
}
