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
const WINDOW_HALF_ETA = 1.5;
const WINDOW_HALF_PHI = 3.5;
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
/** Pile-up noise per native cell [GeV] at μ = 40 (bipolar shaping: zero mean, positive skew). */
export const PILEUP_PER_CELL = [0.05, 0.012, 0.06, 0.02] as const;
/** Lateral width of the shower in each layer relative to the middle layer. */
export const LAYER_WIDTH = [0.8, 0.6, 1, 1.8] as const;
/** Lateral profile: core and tail radii [middle cells] and the core's energy share. */
const CORE_RADIUS = 0.3;
const TAIL_RADIUS = 1.0;
const CORE_SHARE = 0.88;

/** Layout along the shower axis in X₀: presampler then dead material in front of the accordion. */
const PS_THICKNESS = 0.1;
const PS_TO_ACCORDION = 0.3;
/** Strip-layer depth [X₀] and the back layer's minimum depth [X₀]. */
const STRIPS_DEPTH = 4.3;
const BACK_DEPTH = 2;
/** Critical energy of lead [GeV] and its atomic number (GFlash parameters of the accordion). */
const CRITICAL_ENERGY = 0.00743;
const Z_ABSORBER = 82;
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
  /** Noise + pile-up in the cluster window per layer [GeV]. */
  noise: Float64Array;
  /** Deposited energy per layer over the whole calorimeter (before window containment). */
  deposit: Float64Array;
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
 * for the lateral profile f(r) ∝ R²/(r² + R²)² (Grindhammer & Peters, hep-ex/0001020, eq. 12)
 * with a core and a tail: its one-dimensional marginal has the CDF F(x) = ½ + x/(2√(x² + R²)).
 */
export function lateralFraction(lo: number, hi: number, width: number): number {
  const rc = CORE_RADIUS * width;
  const rt = TAIL_RADIUS * width;
  const core = hi / Math.sqrt(hi * hi + rc * rc) - lo / Math.sqrt(lo * lo + rc * rc);
  const tail = hi / Math.sqrt(hi * hi + rt * rt) - lo / Math.sqrt(lo * lo + rt * rt);
  return 0.5 * (CORE_SHARE * core + (1 - CORE_SHARE) * tail);
}

/** Stochastic (sampling) term per layer [√GeV]: thin presampler, then the accordion layers. */
const SAMPLING_TERM = [0.25, 0.1, 0.1, 0.1] as const;

/** Fraction of the profile Gamma(α, 1/β) started at depth `start` deposited before depth `t` [X₀]. */
function profileCdf(alpha: number, lnGammaAlpha: number, beta: number, start: number, t: number): number {
  return t <= start ? 0 : gammaCdf(alpha, lnGammaAlpha, beta * (t - start));
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

/**
 * Simulates one shower's truth, longitudinal development, window containment, noise and pile-up
 * into `s` (see `generateCaloShowers` for the physics).
 */
export function simulateShower(rng: Rng, s: Shower, isPhoton: boolean, eTrue: number, eta: number, mu: number): void {
  const absEta = Math.abs(eta);
  s.eTrue = eTrue;
  s.eta = eta;
  s.mu = mu;
  const coshEta = Math.cosh(eta);
  const ptTrue = eTrue / coshEta;
  const tId = innerDetectorMaterial(absEta);
  const tFront = upstreamMaterial(absEta); // front of the accordion [X₀]
  const tPs = tFront - PS_TO_ACCORDION - PS_THICKNESS;
  const tAcc = accordionDepth(absEta);

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

  // Longitudinal profile (GFlash, Grindhammer & Peters, hep-ex/0001020, eqs. 6–10): a gamma
  // distribution in depth t from the start with correlated per-shower fluctuations of ln T and ln α.
  const lnY = Math.log(eTrue / CRITICAL_ENERGY);
  const sigmaLnT = 1 / (-1.4 + 1.26 * lnY);
  const sigmaLnA = 1 / (-0.58 + 0.86 * lnY);
  const rho = 0.705 - 0.023 * lnY;
  const z1 = rng.normal();
  const z2 = rng.normal();
  const lnT = Math.log(lnY - 0.812) + sigmaLnT * z1;
  const lnA =
    Math.log(0.81 + (0.458 + 2.26 / Z_ABSORBER) * lnY) + sigmaLnA * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
  const tMax = Math.exp(lnT);
  const alpha = Math.max(Math.exp(lnA), 1.05);
  const beta = (alpha - 1) / tMax;
  const lnGammaAlpha = lnGamma(alpha);
  const fPsLo = profileCdf(alpha, lnGammaAlpha, beta, start, tPs);
  const fPsHi = profileCdf(alpha, lnGammaAlpha, beta, start, tPs + PS_THICKNESS);
  const fAcc = profileCdf(alpha, lnGammaAlpha, beta, start, tFront);
  const f1 = profileCdf(alpha, lnGammaAlpha, beta, start, tFront + STRIPS_DEPTH);
  const f2 = profileCdf(alpha, lnGammaAlpha, beta, start, tFront + tAcc - BACK_DEPTH);
  const f3 = profileCdf(alpha, lnGammaAlpha, beta, start, tFront + tAcc);
  const d = s.deposit;
  d[0] = eTrue * (fPsHi - fPsLo);
  d[1] = eTrue * (f1 - fAcc);
  d[2] = eTrue * (f2 - f1);
  d[3] = eTrue * (f3 - f2);
  s.eLostUpstream = eTrue * (fPsLo + fAcc - fPsHi);
  s.eLeak = eTrue * (1 - f3);

  // Sampling fluctuations per layer (a = 10 %·√GeV in the accordion, 25 % in the thin presampler)
  // and a per-shower constant term of 0.7 % (non-uniformity), as multiplicative factors.
  const constant = 1 + 0.007 * rng.normal();
  for (let k = 0; k < 4; k++) {
    const dep = at(d, k);
    const rel = dep > 1e-6 ? ((SAMPLING_TERM[k] as number) / Math.sqrt(dep)) * rng.normal() : 0;
    s.scale[k] = Math.max(0, 1 + rel) * (k === 0 ? 1 : constant);
  }

  // Impact point inside the central middle cell, window containment of both sub-showers.
  const uEta = eta / CELL_ETA;
  s.dEta = uEta - Math.floor(uEta) - 0.5;
  const uPhi = s.phi / CELL_PHI;
  s.dPhi = uPhi - Math.floor(uPhi) - 0.5;
  let outOfCluster = 0;
  for (let k = 0; k < 4; k++) {
    const w = LAYER_WIDTH[k] as number;
    const inEta = lateralFraction(-WINDOW_HALF_ETA - s.dEta, WINDOW_HALF_ETA - s.dEta, w);
    const in1 = lateralFraction(-WINDOW_HALF_PHI - s.dPhi, WINDOW_HALF_PHI - s.dPhi, w);
    const p2 = s.dPhi + s.offsetPhi2;
    const in2 = lateralFraction(-WINDOW_HALF_PHI - p2, WINDOW_HALF_PHI - p2, w);
    const contained = inEta * ((1 - s.share2) * in1 + s.share2 * in2);
    const dep = at(d, k) * at(s.scale, k);
    s.layer[k] = dep * contained;
    outOfCluster += dep * (1 - contained);
  }
  s.eOutOfCluster = outOfCluster;

  // Electronic noise and pile-up summed over the native cells of the window: Gaussian noise, and
  // pile-up as a sum of N cells of (Exp(1) − 1) (zero mean after bipolar shaping, positive skew).
  const puScale = Math.sqrt(mu / 40);
  for (let k = 0; k < 4; k++) {
    const cells = WINDOW_NATIVE_CELLS[k] as number;
    const noise = (NOISE_PER_CELL[k] as number) * Math.sqrt(cells) * rng.normal();
    const pileup = (PILEUP_PER_CELL[k] as number) * puScale * (rng.gamma(cells) - cells);
    s.noise[k] = noise + pileup;
  }
}
