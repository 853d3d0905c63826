/**
 * The physics of one shower of `generateCaloShowers`: detector layout constants, the longitudinal
 * (GFlash) and lateral profiles, window containment, noise and pile-up, and the barycentre.
 */
import { at } from '../array.ts';
import { gammaCdf, lnGamma } from '../stats/special.ts';
import { innerDetectorMaterial, upstreamMaterial } from './detector.ts';
import type { Rng } from './rng.ts';

/** Middle-layer cell size: Δη = 0.025, Δφ = 2π/256 ≈ 0.0245 rad (ATLAS barrel). */
export const CELL_ETA = 0.025;
export const CELL_PHI = (2 * Math.PI) / 256;
/** Cluster window in middle cells: 3 (η) × 7 (φ), the ATLAS barrel electron cluster. */
export const WINDOW_HALF_ETA = 1.5;
export const WINDOW_HALF_PHI = 3.5;
/**
 * Native granularity of each layer in middle cells (η, φ): presampler 0.025 × 0.1, strips
 * 0.003125 × 0.1 (summed to 0.025 in η on the common grid), middle 0.025 × 0.0245, back
 * 0.05 × 0.0245 (ATLAS, JINST 3 (2008) S08003, Table 5.3).
 */
export const LAYER_CELLS_ETA = [1, 1, 1, 2] as const;
export const LAYER_CELLS_PHI = [4, 4, 1, 1] as const;
/** Native cells of each layer inside the 3 × 7 window (strips counted at their 1/8 η pitch). */
const WINDOW_NATIVE_CELLS = [6, 48, 21, 14] as const;
/** Electronic noise per native cell [GeV] at the EM scale (ATLAS LAr, Eur. Phys. J. C 70 (2010) 723, rounded). */
export const NOISE_PER_CELL = [0.03, 0.01, 0.035, 0.02] as const;
/**
 * Out-of-time pile-up noise per native cell [GeV] at μ = 40 (bipolar shaping: zero mean, positive
 * skew): the residue of the ~24 earlier bunch crossings the shaped pulse integrates, each deposit
 * weighted by the pulse's small negative lobe, so independent from cell to cell. In-time pile-up
 * is simulated particle by particle (`calo-pileup.ts`). The two add to the EM noise term of
 * {@link emEnergyResolution}'s pile-up part (≈ 0.45 GeV at μ = 40 in the 3 × 7 cluster): the
 * out-of-time part is the previous per-cell model's scaled by 1/√2 (in-time and out-of-time
 * pile-up contribute comparably with ATLAS's shaping, Eur. Phys. J. C 77 (2017) 490, §2.3).
 */
export const PILEUP_PER_CELL = [0.035, 0.0085, 0.042, 0.014] as const;
/**
 * Molière radius of the accordion [cm]: R_M = E_s/Σ_j w_j E_c,j/X₀,j (E_s = 21.2 MeV; mass
 * fractions 0.64 lead, 0.12 steel, 0.22 liquid argon from the barrel's 1.53 mm lead, 0.4 mm steel
 * and 2 × 2.1 mm gaps, ATLAS JINST 3 (2008) S08003 §5.2; E_c and X₀ from the PDG tables) ≈ 3.9 cm.
 */
export const MOLIERE_RADIUS_CM = 3.9;
/** Radius [cm] of each layer's centre in the barrel (presampler, strips, middle, back; ibid. Fig. 5.4). */
const LAYER_RADIUS_CM = [145, 155, 170, 190] as const;
/**
 * Factor on GFlash's tail radius R_T for the accordion: the homogeneous-lead parametrisation
 * gives a median Rη = E(3×7)/E(7×7) of 0.980 for 30–60 GeV electrons, narrower than measured;
 * 1.5 gives 0.964 (Rη of the electron-ID simulation at 40 GeV and ⟨μ⟩ = 30, from the ATLAS
 * distributions, Eur. Phys. J. C 79 (2019) 639) and w_η2 ≈ 0.0104: the argon gaps and the
 * accordion's folds widen the tail of a lead/argon sampling structure.
 */
const ACCORDION_TAIL_SCALE = 1.5;
/** The Molière radius in middle-cell units at each layer's radius (Δη = 0.025 spans 0.025·R). */
export const MOLIERE_CELLS: readonly number[] = LAYER_RADIUS_CM.map((r) => MOLIERE_RADIUS_CM / (CELL_ETA * r));

/** Layout along the shower axis in X₀: presampler then dead material in front of the accordion. */
export const PS_THICKNESS = 0.1;
export const PS_TO_ACCORDION = 0.3;
/** Strip-layer depth [X₀] and the back layer's minimum depth [X₀]. */
export const STRIPS_DEPTH = 4.3;
export const BACK_DEPTH = 2;
/** Critical energy of lead [GeV] and its atomic number (GFlash parameters of the accordion). */
export const CRITICAL_ENERGY = 0.00743;
export const Z_ABSORBER = 82;
/** Inner and outer radius [mm] of the tracker where conversions are reconstructed, and the calorimeter's. */
const ID_R_MIN = 30;
const ID_R_MAX = 1100;
const CALO_RADIUS = 1500;
/** 0.3·B·R/2 [GeV·rad] with B = 2 T and R = 1.5 m: the azimuthal bending of a track of pT = 1 GeV. */
const BENDING = 0.45;

/**
 * Total accordion depth in X₀ along the shower axis at |η|: 22 X₀ at η = 0 rising to about 28 X₀
 * at |η| = 1.4 (the lead thickness drops from 1.53 to 1.13 mm at |η| = 0.8, which keeps the growth
 * well below cosh η; ATLAS, JINST 3 (2008) S08003, Fig. 5.4).
 */
export function accordionDepth(absEta: number): number {
  return 22 + (6 * Math.min(absEta, 1.4)) / 1.4;
}

/** Lateral profile of one layer: core and tail radii [middle cells] and the core's energy share. */
export interface LateralProfile {
  core: Float64Array;
  tail: Float64Array;
  coreShare: Float64Array;
}

/** A profile of four layers, all zero. */
export function newLateralProfile(): LateralProfile {
  return { core: new Float64Array(4), tail: new Float64Array(4), coreShare: new Float64Array(4) };
}

/** Everything the generator knows about one shower; reused between events. */
export interface Shower {
  eTrue: number;
  eta: number;
  phi: number;
  mu: number;
  converted: number;
  convRadius: number;
  recoConverted: number;
  /** Signal energy in the cluster window per layer (PS, L1, L2, L3) [GeV]. */
  layer: Float64Array;
  /** Electronic noise + out-of-time pile-up in the cluster window per layer [GeV]. */
  noise: Float64Array;
  /** Deposited energy per layer over the whole calorimeter (before window containment). */
  deposit: Float64Array;
  /** Lateral profile of each layer at this shower's depth (GFlash radial profile, τ-dependent). */
  lateral: LateralProfile;
  /**
   * Per layer: the factor on the smooth profile outside the window that keeps each layer's energy
   * when spot fluctuations move energy across the window's edge, (1 − c′)/(1 − c).
   */
  outsideScale: Float64Array;
  /** Sub-showers: energy shares and φ offsets [middle cells] of the primary and secondary. */
  share2: number;
  offsetPhi2: number;
  /** Impact offsets within the central cell [cells], in [−0.5, 0.5). */
  dEta: number;
  dPhi: number;
  /** Multiplicative sampling factors per layer (applied to the deposits). */
  scale: Float64Array;
  eLostUpstream: number;
  eLeak: number;
  eOutOfCluster: number;
  depthStart: number;
}

export function newShower(): Shower {
  return {
    eTrue: 0,
    eta: 0,
    phi: 0,
    mu: 0,
    converted: 0,
    convRadius: 0,
    recoConverted: 0,
    layer: new Float64Array(4),
    noise: new Float64Array(4),
    deposit: new Float64Array(4),
    lateral: newLateralProfile(),
    outsideScale: new Float64Array(4),
    share2: 0,
    offsetPhi2: 0,
    dEta: 0,
    dPhi: 0,
    scale: new Float64Array(4),
    eLostUpstream: 0,
    eLeak: 0,
    eOutOfCluster: 0,
    depthStart: 0,
  };
}

/**
 * Fraction of a sub-shower's energy in one layer inside [lo, hi) in middle cells along one axis,
 * for the radial profile f(r) = p·2rR_C²/(r² + R_C²)² + (1 − p)·2rR_T²/(r² + R_T²)² (Grindhammer &
 * Peters, hep-ex/0001020, eq. 21), radii in middle cells: each term's one-dimensional marginal has
 * the CDF F(x) = ½ + x/(2√(x² + R²)).
 */
export function lateralFraction(lo: number, hi: number, core: number, tail: number, coreShare: number): number {
  const c = hi / Math.sqrt(hi * hi + core * core) - lo / Math.sqrt(lo * lo + core * core);
  const t = hi / Math.sqrt(hi * hi + tail * tail) - lo / Math.sqrt(lo * lo + tail * tail);
  return 0.5 * (coreShare * c + (1 - coreShare) * t);
}

/** {@link lateralFraction} for layer `k` of a profile. */
export function layerFraction(profile: LateralProfile, k: number, lo: number, hi: number): number {
  return lateralFraction(lo, hi, at(profile.core, k), at(profile.tail, k), at(profile.coreShare, k));
}

/**
 * GFlash's average radial profile at relative depth τ = t/T (t from the shower's start, T its own
 * depth of maximum) for energy `eGeV` in a medium of atomic number Z, in Molière radii
 * (Grindhammer & Peters, hep-ex/0001020, eqs. 24–26): core radius R_C = z₁ + z₂τ, tail radius
 * R_T = k₁(e^{k₃(τ−k₂)} + e^{k₄(τ−k₂)}), core share p = p₁·exp((p₂ − τ)/p₃ − e^{(p₂−τ)/p₃}). The
 * tail widens with τ: a shower that develops late is narrower in a given layer, an early one wider.
 * Written into `out[0..2]` = [R_C, R_T, p].
 */
export function gflashRadial(tau: number, eGeV: number, z: number, out: Float64Array): void {
  const lnE = Math.log(eGeV);
  const z1 = 0.0251 + 0.00319 * lnE;
  const z2 = 0.1162 - 0.000381 * z;
  const k1 = 0.659 - 0.00309 * z;
  const k4 = 0.3585 + 0.0421 * lnE;
  const p1 = 2.632 - 0.00094 * z;
  const p2 = 0.401 + 0.00187 * z;
  const p3 = 1.313 - 0.0686 * lnE;
  const d = tau - 0.645;
  const x = (p2 - tau) / p3;
  out[0] = z1 + z2 * tau;
  out[1] = k1 * (Math.exp(-2.59 * d) + Math.exp(k4 * d));
  out[2] = Math.min(1, Math.max(0, p1 * Math.exp(x - Math.exp(x))));
}

/**
 * Number of energy spots GFlash samples for a shower of `eGeV` in a sampling calorimeter whose
 * absorber has atomic number Z, N = 10.3·ln Z·E^0.959 (Grindhammer & Peters, hep-ex/0001020, the
 * sampling-medium spot multiplicity; Geant4's GFlashSamplingShowerParameterisation): the lateral
 * distribution of each layer's sampled energy is that many spots, so its containment in a window
 * fluctuates binomially around the average profile's (≈ 3 %/√E for a 95 % containment, beside the
 * 10 %/√E sampling term of the layer's total).
 */
export function gflashSpots(eGeV: number, z: number): number {
  return 10.3 * Math.log(z) * eGeV ** 0.959;
}

/** Stochastic (sampling) term per layer [√GeV]: thin presampler, then the accordion layers. */
const SAMPLING_TERM = [0.25, 0.1, 0.1, 0.1] as const;

/**
 * Layer boundaries along the shower axis at |η| [X₀ from the beam line], written into `out`
 * (length 6): presampler front and back, accordion front, strips back, middle back, accordion back.
 */
export function layerBoundaries(absEta: number, out: Float64Array): void {
  const tFront = upstreamMaterial(absEta);
  const tAcc = accordionDepth(absEta);
  out[0] = tFront - PS_TO_ACCORDION - PS_THICKNESS;
  out[1] = tFront - PS_TO_ACCORDION;
  out[2] = tFront;
  out[3] = tFront + STRIPS_DEPTH;
  out[4] = tFront + tAcc - BACK_DEPTH;
  out[5] = tFront + tAcc;
}

/** A longitudinal profile: Gamma(α, 1/β) in depth from `start` [X₀], and T = (α − 1)/β. */
export interface LongitudinalProfile {
  alpha: number;
  beta: number;
  tMax: number;
  start: number;
  lnGammaAlpha: number;
}

/**
 * GFlash longitudinal profile of a shower of `eGeV` (Grindhammer & Peters, hep-ex/0001020,
 * eqs. 6–10): ln T and ln α with their energy-dependent widths and correlation, `z1`, `z2` the
 * standard normals of the shower's fluctuation (0, 0 for the average shower).
 */
export function longitudinalProfile(eGeV: number, start: number, z1: number, z2: number): LongitudinalProfile {
  const lnY = Math.log(eGeV / CRITICAL_ENERGY);
  const sigmaLnT = 1 / (-1.4 + 1.26 * lnY);
  const sigmaLnA = 1 / (-0.58 + 0.86 * lnY);
  const rho = 0.705 - 0.023 * lnY;
  const lnT = Math.log(Math.max(lnY - 0.812, 0.2)) + sigmaLnT * z1;
  const lnA =
    Math.log(0.81 + (0.458 + 2.26 / Z_ABSORBER) * lnY) + sigmaLnA * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
  const tMax = Math.exp(lnT);
  const alpha = Math.max(Math.exp(lnA), 1.05);
  const beta = (alpha - 1) / tMax;
  return { alpha, beta, tMax: (alpha - 1) / beta, start, lnGammaAlpha: lnGamma(alpha) };
}

/** Fraction of a profile deposited before depth `t` [X₀ from the beam line]. */
function profileCdf(p: LongitudinalProfile, t: number): number {
  return t <= p.start ? 0 : gammaCdf(p.alpha, p.lnGammaAlpha, p.beta * (t - p.start));
}

/**
 * Energy-weighted mean depth [X₀ from the shower's start] of a profile between depths `lo` and
 * `hi` [X₀ from the beam line]: (α/β)·ΔP(α + 1)/ΔP(α) of the gamma distribution; the middle of
 * the interval when nearly nothing is deposited there.
 */
function meanDepthIn(p: LongitudinalProfile, lo: number, hi: number): number {
  const a = Math.max(lo - p.start, 0);
  const b = Math.max(hi - p.start, 0);
  if (b <= 0) return 0;
  const mass = gammaCdf(p.alpha, p.lnGammaAlpha, p.beta * b) - gammaCdf(p.alpha, p.lnGammaAlpha, p.beta * a);
  if (mass < 1e-9) return 0.5 * (a + b);
  const lnGammaA1 = p.lnGammaAlpha + Math.log(p.alpha);
  const upper = gammaCdf(p.alpha + 1, lnGammaA1, p.beta * b) - gammaCdf(p.alpha + 1, lnGammaA1, p.beta * a);
  return Math.min(b, Math.max(a, ((p.alpha / p.beta) * upper) / mass));
}

const radialScratch = new Float64Array(3);
/** Profile CDF at the six layer boundaries, reused by every call of {@link depositProfile}. */
const cdfScratch = new Float64Array(6);
/** Boundary indices (into {@link layerBoundaries}) of each layer's front and back. */
const LAYER_EDGES = [0, 1, 2, 3, 3, 4, 4, 5] as const;

/**
 * Deposits of a profile per layer [GeV] into `deposit` (PS, strips, middle, back) for a particle
 * of `eGeV`, with the layers' lateral profile at their mean depth into `lateral` (radii in middle
 * cells, {@link MOLIERE_CELLS}); returns the energy deposited before the accordion outside the
 * presampler [GeV] (lost upstream). `bounds` from {@link layerBoundaries}.
 */
export function depositProfile(
  p: LongitudinalProfile,
  eGeV: number,
  bounds: Float64Array,
  deposit: Float64Array,
  lateral: LateralProfile,
): number {
  const c = cdfScratch;
  for (let j = 0; j < 6; j++) c[j] = profileCdf(p, at(bounds, j));
  deposit[0] = eGeV * (at(c, 1) - at(c, 0));
  deposit[1] = eGeV * (at(c, 3) - at(c, 2));
  deposit[2] = eGeV * (at(c, 4) - at(c, 3));
  deposit[3] = eGeV * (at(c, 5) - at(c, 4));
  for (let k = 0; k < 4; k++) {
    const tau =
      meanDepthIn(p, at(bounds, LAYER_EDGES[2 * k] as number), at(bounds, LAYER_EDGES[2 * k + 1] as number)) / p.tMax;
    gflashRadial(tau, eGeV, Z_ABSORBER, radialScratch);
    const cells = MOLIERE_CELLS[k] as number;
    lateral.core[k] = at(radialScratch, 0) * cells;
    lateral.tail[k] = at(radialScratch, 1) * cells * ACCORDION_TAIL_SCALE;
    lateral.coreShare[k] = at(radialScratch, 2);
  }
  return eGeV * (at(c, 0) + at(c, 2) - at(c, 1));
}

/** max(v, 0): a negative (noise-dominated) layer does not pull the barycentre. */
function positive(v: number): number {
  return Math.max(v, 0);
}

/**
 * Longitudinal barycentre [X₀ from the beam line] Σ E_k X_k/Σ E_k of the layer energies (GeV;
 * negative ones count 0) with the layer centres X_k along the shower axis at |η|; the middle
 * layer's centre when no layer is positive.
 */
export function longitudinalBarycentre(absEta: number, ePs: number, e1: number, e2: number, e3: number): number {
  const tFront = upstreamMaterial(absEta);
  const tAcc = accordionDepth(absEta);
  const xPs = tFront - PS_TO_ACCORDION - 0.5 * PS_THICKNESS;
  const x1 = tFront + 0.5 * STRIPS_DEPTH;
  const x2 = tFront + 0.5 * (STRIPS_DEPTH + tAcc - BACK_DEPTH);
  const x3 = tFront + tAcc - 0.5 * BACK_DEPTH;
  const wSum = positive(ePs) + positive(e1) + positive(e2) + positive(e3);
  return wSum > 0 ? (positive(ePs) * xPs + positive(e1) * x1 + positive(e2) * x2 + positive(e3) * x3) / wSum : x2;
}

const boundsScratch = new Float64Array(6);

/**
 * Simulates one shower's truth, longitudinal development, lateral profile, window containment,
 * noise and pile-up into `s` (see `generateCaloShowers` for the physics).
 */
export function simulateShower(rng: Rng, s: Shower, isPhoton: boolean, eTrue: number, eta: number, mu: number): void {
  const absEta = Math.abs(eta);
  s.eTrue = eTrue;
  s.eta = eta;
  s.mu = mu;
  const coshEta = Math.cosh(eta);
  const ptTrue = eTrue / coshEta;
  const tId = innerDetectorMaterial(absEta);

  // Where the shower starts and how the energy is split between two sub-showers in φ.
  let start = 0;
  s.converted = 0;
  s.convRadius = 0;
  s.share2 = 0;
  s.offsetPhi2 = 0;
  if (isPhoton) {
    start = rng.exponential(9 / 7);
    if (start < tId) {
      // Conversion in the tracker: e⁺e⁻ pair (energy split ~flat), bent apart by the field.
      s.converted = 1;
      s.convRadius = ID_R_MIN + ((ID_R_MAX - ID_R_MIN) * start) / tId;
      const x = rng.uniformOpen();
      const lever = (1 - s.convRadius / CALO_RADIUS) ** 2;
      const soft = Math.min(x, 1 - x);
      s.share2 = soft;
      s.offsetPhi2 = (BENDING * lever * (1 / (soft * ptTrue) + 1 / ((1 - soft) * ptTrue))) / CELL_PHI;
    }
  } else {
    // Bremsstrahlung in the tracker (Bethe–Heitler: −ln z ~ Gamma(t/ln 2)); the photon leaves
    // the electron's trajectory at a radius r and lands Δφ = 0.3B(R − r)²/(2R pT) away.
    const z = Math.exp(-rng.gamma(tId / Math.LN2));
    const r = rng.range(ID_R_MIN, ID_R_MAX);
    const ptAfter = 0.5 * (1 + z) * ptTrue;
    s.share2 = 1 - z;
    s.offsetPhi2 = (BENDING * (1 - r / CALO_RADIUS) ** 2) / ptAfter / CELL_PHI;
    if (s.share2 > 0.5) {
      // The photon carries most: the cluster centres on it, the electron sits aside.
      s.share2 = z;
    }
  }
  if (rng.uniform() < 0.5) s.offsetPhi2 = -s.offsetPhi2;
  s.depthStart = start;
  // Reconstructed conversion flag: 90 % efficient below 800 mm, 2 % fakes (ATLAS, arXiv:1908.00005).
  s.recoConverted = s.converted
    ? s.convRadius < 800 && rng.uniform() < 0.9
      ? 1
      : 0
    : isPhoton && rng.uniform() < 0.02
      ? 1
      : 0;

  // Longitudinal profile with per-shower correlated fluctuations of ln T and ln α, and each
  // layer's radial profile at that shower's relative depth τ = t/T.
  const z1 = rng.normal();
  const z2 = rng.normal();
  const profile = longitudinalProfile(eTrue, start, z1, z2);
  layerBoundaries(absEta, boundsScratch);
  const d = s.deposit;
  const lost = depositProfile(profile, eTrue, boundsScratch, d, s.lateral);
  s.eLostUpstream = lost;
  s.eLeak = Math.max(0, eTrue - lost - at(d, 0) - at(d, 1) - at(d, 2) - at(d, 3));

  // Sampling fluctuations per layer (a = 10 %·√GeV in the accordion, 25 % in the thin presampler)
  // and a per-shower constant term of 0.7 % (non-uniformity), as multiplicative factors.
  const constant = 1 + 0.007 * rng.normal();
  for (let k = 0; k < 4; k++) {
    const dep = at(d, k);
    const rel = dep > 1e-6 ? ((SAMPLING_TERM[k] as number) / Math.sqrt(dep)) * rng.normal() : 0;
    s.scale[k] = Math.max(0, 1 + rel) * (k === 0 ? 1 : constant);
  }

  // Impact point inside the central middle cell; window containment of both sub-showers, with
  // the binomial fluctuation of a layer's N_k = N·E_k/E spots across the window's edge.
  const uEta = eta / CELL_ETA;
  s.dEta = uEta - Math.floor(uEta) - 0.5;
  const uPhi = s.phi / CELL_PHI;
  s.dPhi = uPhi - Math.floor(uPhi) - 0.5;
  const spots = gflashSpots(eTrue, Z_ABSORBER);
  let outOfCluster = 0;
  for (let k = 0; k < 4; k++) {
    const inEta = layerFraction(s.lateral, k, -WINDOW_HALF_ETA - s.dEta, WINDOW_HALF_ETA - s.dEta);
    const in1 = layerFraction(s.lateral, k, -WINDOW_HALF_PHI - s.dPhi, WINDOW_HALF_PHI - s.dPhi);
    const p2 = s.dPhi + s.offsetPhi2;
    const in2 = layerFraction(s.lateral, k, -WINDOW_HALF_PHI - p2, WINDOW_HALF_PHI - p2);
    const contained = inEta * ((1 - s.share2) * in1 + s.share2 * in2);
    const nk = (spots * at(d, k)) / eTrue;
    const fluctuated =
      nk >= 1
        ? Math.min(1, Math.max(0, contained + Math.sqrt((contained * (1 - contained)) / nk) * rng.normal()))
        : contained;
    s.outsideScale[k] = contained < 1 ? (1 - fluctuated) / (1 - contained) : 1;
    const dep = at(d, k) * at(s.scale, k);
    s.layer[k] = dep * fluctuated;
    outOfCluster += dep * (1 - fluctuated);
  }
  s.eOutOfCluster = outOfCluster;

  // Electronic noise and out-of-time pile-up summed over the native cells of the window: Gaussian
  // noise, and pile-up as a sum of N cells of (Exp(1) − 1) (zero mean after bipolar shaping,
  // positive skew). In-time pile-up comes from its particles (`simulateInTimePileup`).
  const puScale = Math.sqrt(mu / 40);
  for (let k = 0; k < 4; k++) {
    const cells = WINDOW_NATIVE_CELLS[k] as number;
    const noise = (NOISE_PER_CELL[k] as number) * Math.sqrt(cells) * rng.normal();
    const pileup = (PILEUP_PER_CELL[k] as number) * puScale * (rng.gamma(cells) - cells);
    s.noise[k] = noise + pileup;
  }
}
