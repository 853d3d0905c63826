/**
 * In-time pile-up of `generateCaloShowers`, particle by particle: the photons (from π⁰ decays) and
 * charged hadrons of the other pp interactions of the bunch crossing that reach the calorimeter
 * around the shower, each depositing over a few neighbouring cells with its own lateral profile.
 * A deposit partly inside the cluster window shows its outside part and its shape in the image,
 * which the window's energy alone does not (ATLAS topo-clusters, Eur. Phys. J. C 77 (2017) 490).
 */
import { at } from '../array.ts';
import {
  CELL_ETA,
  CELL_PHI,
  depositProfile,
  lateralFraction,
  layerBoundaries,
  longitudinalProfile,
  newLateralProfile,
  STRIPS_DEPTH,
  WINDOW_HALF_ETA,
  WINDOW_HALF_PHI,
} from './calo-shower-development.ts';
import type { Rng } from './rng.ts';

/**
 * Photons per pp interaction per unit η (over 2π in φ): two per π⁰, with N(π⁰) ≈ N(π±)/2 of the
 * charged multiplicity dN_ch/dη ≈ 6.4 at √s = 13 TeV for pT > 100 MeV (ATLAS, Phys. Lett. B 758
 * (2016) 67), pions being ~80 % of it: 2 × ½ × 0.8 × 6.4 ≈ 5.1.
 */
export const PILEUP_PHOTONS_PER_ETA = 5.1;
/** Mean photon pT [GeV] (exponential spectrum): half the π⁰'s ⟨pT⟩ ≈ 0.5 GeV. */
export const PILEUP_PHOTON_MEAN_PT = 0.25;
/** Photons below this energy [GeV] are not simulated (GFlash's profile is not meant for them; they carry < 5 % of the pile-up energy). */
const PILEUP_PHOTON_MIN_E = 0.1;
/**
 * Charged particles per pp interaction per unit η that reach the calorimeter: pT > 0.5 GeV
 * (below ~0.45 GeV they curl up inside R = 1.5 m in the 2 T field), dN_ch/dη = 2.87 (ibid.).
 */
export const PILEUP_CHARGED_PER_ETA = 2.87;
/**
 * A charged hadron's ionisation at the EM scale [GeV per X₀ crossed]: ≈ 0.3 GeV over the 22 X₀
 * of the accordion (lead 7.1 MeV/X₀ plus argon, divided by e/mip ≈ 0.7). Hadronic interactions in
 * the EM calorimeter (1.2 λ) are not simulated.
 */
export const MIP_GEV_PER_X0 = 0.3 / 22;
/**
 * Lateral spread of a charged track's deposit [middle cells]: core and tail radius and core share
 * (the track crosses the layers at an angle after bending, and δ-rays widen it).
 */
const MIP_LATERAL = [0.1, 0.4, 0.85] as const;
/**
 * Half sizes [middle cells] of the region in which pile-up particles are placed around the
 * central cell's centre: the 7 × 11 image plus 2 cells on every side, so deposits whose tails
 * reach the image are included.
 */
export const PILEUP_REGION_HALF_ETA = 5.5;
export const PILEUP_REGION_HALF_PHI = 7.5;

/** The in-time pile-up particles of one shower; reused between events. */
export interface Pileup {
  count: number;
  /** Positions relative to the central middle cell's centre [middle cells]. */
  eta: Float64Array;
  phi: Float64Array;
  /** Deposit per layer [GeV], four per particle (PS, strips, middle, back). */
  deposit: Float64Array;
  /** Lateral profile per layer [middle cells], four per particle. */
  core: Float64Array;
  tail: Float64Array;
  coreShare: Float64Array;
  /** Energy of the particles inside the 3 × 7 window per layer [GeV] (before the mean subtraction). */
  window: Float64Array;
  /** Mean in-time energy per middle-cell area per layer [GeV], subtracted as the reconstruction does. */
  meanPerCell: Float64Array;
}

export function newPileup(capacity = 32): Pileup {
  return {
    count: 0,
    eta: new Float64Array(capacity),
    phi: new Float64Array(capacity),
    deposit: new Float64Array(4 * capacity),
    core: new Float64Array(4 * capacity),
    tail: new Float64Array(4 * capacity),
    coreShare: new Float64Array(4 * capacity),
    window: new Float64Array(4),
    meanPerCell: new Float64Array(4),
  };
}

function grow(p: Pileup, needed: number): void {
  if (needed <= p.eta.length) return;
  const n = Math.max(needed, 2 * p.eta.length);
  const copy = (a: Float64Array, k: number) => {
    const b = new Float64Array(k * n);
    b.set(a);
    return b;
  };
  p.eta = copy(p.eta, 1);
  p.phi = copy(p.phi, 1);
  p.deposit = copy(p.deposit, 4);
  p.core = copy(p.core, 4);
  p.tail = copy(p.tail, 4);
  p.coreShare = copy(p.coreShare, 4);
}

const bounds = new Float64Array(6);
const deposit = new Float64Array(4);
const lateral = newLateralProfile();

/** Thickness [X₀ along the path] of each layer at |η| (presampler, strips, middle, back). */
function layerThickness(absEta: number, out: Float64Array): void {
  layerBoundaries(absEta, bounds);
  out[0] = at(bounds, 1) - at(bounds, 0);
  out[1] = STRIPS_DEPTH;
  out[2] = at(bounds, 4) - at(bounds, 3);
  out[3] = at(bounds, 5) - at(bounds, 4);
}

/** Grid of the photon table: |η| = 0, 0.1, …, 1.4 and ln E from ln 0.1 to ln 30 GeV. */
const TABLE_ETA_STEP = 0.1;
const TABLE_ETA_NODES = 15;
const TABLE_LN_E_MIN = Math.log(PILEUP_PHOTON_MIN_E);
const TABLE_LN_E_MAX = Math.log(30);
const TABLE_E_NODES = 16;
/** Conversion depths averaged per node: the 64 mid-quantiles of Exp(9/7 X₀). */
const TABLE_STARTS = 64;
/** Per node: 4 deposit fractions, then core, tail, core share of the 4 layers (16 numbers). */
const NODE = 16;

interface PhotonTable {
  nodes: Float64Array;
  /** Mean deposit per layer of one pile-up photon [GeV] (spectrum above threshold), per |η| node. */
  mean: Float64Array;
}
let photonTable: PhotonTable | null = null;

/**
 * The pile-up photons' average GFlash deposit fractions and lateral profiles per layer on a grid
 * of |η| and ln E, averaged over the conversion depth by quadrature (the 64 mid-quantiles of
 * Exp(9/7 X₀)), and each |η| node's mean deposit per photon over the pT spectrum: computed once,
 * deterministic (no random numbers). A pile-up photon's own conversion depth only moves energy
 * between the presampler and the strips, which the table averages.
 */
function photonProfiles(): PhotonTable {
  if (photonTable) return photonTable;
  const nodes = new Float64Array(TABLE_ETA_NODES * TABLE_E_NODES * NODE);
  const mean = new Float64Array(4 * TABLE_ETA_NODES);
  const dLnE = (TABLE_LN_E_MAX - TABLE_LN_E_MIN) / (TABLE_E_NODES - 1);
  for (let a = 0; a < TABLE_ETA_NODES; a++) {
    const absEta = a * TABLE_ETA_STEP;
    layerBoundaries(absEta, bounds);
    for (let b = 0; b < TABLE_E_NODES; b++) {
      const e = Math.exp(TABLE_LN_E_MIN + b * dLnE);
      const o = (a * TABLE_E_NODES + b) * NODE;
      for (let j = 0; j < TABLE_STARTS; j++) {
        const start = -(9 / 7) * Math.log(1 - (j + 0.5) / TABLE_STARTS);
        depositProfile(longitudinalProfile(e, start, 0, 0), e, bounds, deposit, lateral);
        for (let k = 0; k < 4; k++) {
          const w = at(deposit, k) / e / TABLE_STARTS;
          nodes[o + k] = at(nodes, o + k) + w;
          nodes[o + 4 + k] = at(nodes, o + 4 + k) + w * at(lateral.core, k);
          nodes[o + 8 + k] = at(nodes, o + 8 + k) + w * at(lateral.tail, k);
          nodes[o + 12 + k] = at(nodes, o + 12 + k) + w * at(lateral.coreShare, k);
        }
      }
      for (let k = 0; k < 4; k++) {
        const f = at(nodes, o + k);
        for (const m of [4, 8, 12]) nodes[o + m + k] = f > 0 ? at(nodes, o + m + k) / f : 0;
      }
    }
  }
  for (let a = 0; a < TABLE_ETA_NODES; a++) {
    const absEta = a * TABLE_ETA_STEP;
    // Mean deposit per photon: E·f_k(E) over pT ~ Exp(0.25 GeV), E = pT·cosh η, E above threshold
    // (midpoint rule in the spectrum's quantiles), counting the photons below threshold as 0.
    const cosh = Math.cosh(absEta);
    const q = 400;
    for (let j = 0; j < q; j++) {
      const e = -PILEUP_PHOTON_MEAN_PT * Math.log(1 - (j + 0.5) / q) * cosh;
      if (e < PILEUP_PHOTON_MIN_E) continue;
      interpolatePhoton(nodes, absEta, e, deposit);
      for (let k = 0; k < 4; k++) mean[4 * a + k] = at(mean, 4 * a + k) + (e * at(deposit, k)) / q;
    }
  }
  photonTable = { nodes, mean };
  return photonTable;
}

/**
 * Bilinear interpolation of the photon table at (|η|, E) into `out`: the 4 deposit fractions, then
 * (if `out` holds 16) the core, tail and core share of the 4 layers.
 */
function interpolatePhoton(nodes: Float64Array, absEta: number, e: number, out: Float64Array): void {
  const x = Math.min(absEta / TABLE_ETA_STEP, TABLE_ETA_NODES - 1);
  const a = Math.min(Math.floor(x), TABLE_ETA_NODES - 2);
  const fa = x - a;
  const dLnE = (TABLE_LN_E_MAX - TABLE_LN_E_MIN) / (TABLE_E_NODES - 1);
  const y = Math.min(Math.max((Math.log(e) - TABLE_LN_E_MIN) / dLnE, 0), TABLE_E_NODES - 1);
  const b = Math.min(Math.floor(y), TABLE_E_NODES - 2);
  const fb = y - b;
  const o00 = (a * TABLE_E_NODES + b) * NODE;
  const o01 = o00 + NODE;
  const o10 = o00 + TABLE_E_NODES * NODE;
  const o11 = o10 + NODE;
  for (let m = 0; m < out.length; m++) {
    out[m] =
      (1 - fa) * ((1 - fb) * at(nodes, o00 + m) + fb * at(nodes, o01 + m)) +
      fa * ((1 - fb) * at(nodes, o10 + m) + fb * at(nodes, o11 + m));
  }
}

const photonNode = new Float64Array(NODE);

const thickness = new Float64Array(4);

/**
 * Draws the in-time pile-up around one shower at pseudorapidity `eta` with ⟨μ⟩ = `mu` into `p`:
 * the crossing's interactions N ~ Poisson(⟨μ⟩), then photons and charged particles ~ Poisson at
 * their densities per unit η·φ over the region of {@link PILEUP_REGION_HALF_ETA} ×
 * {@link PILEUP_REGION_HALF_PHI} middle cells, uniform in it. Photons: pT ~ Exp(0.25 GeV),
 * E = pT·cosh η, the average GFlash profile from their conversion depth; charged: the ionisation
 * of each layer ({@link MIP_GEV_PER_X0}). Positions are relative to the centre of the shower's
 * central cell, on which the window and the image are centred.
 */
export function simulateInTimePileup(rng: Rng, p: Pileup, eta: number, mu: number): void {
  const absEta = Math.abs(eta);
  const cosh = Math.cosh(eta);
  const area = 4 * PILEUP_REGION_HALF_ETA * PILEUP_REGION_HALF_PHI * CELL_ETA * CELL_PHI; // in η·φ
  const interactions = rng.poisson(mu);
  const perUnit = interactions / (2 * Math.PI);
  const nPhotons = rng.poisson(perUnit * PILEUP_PHOTONS_PER_ETA * area);
  const nCharged = rng.poisson(perUnit * PILEUP_CHARGED_PER_ETA * area);
  grow(p, nPhotons + nCharged);
  layerThickness(absEta, thickness);
  const table = photonProfiles();
  let n = 0;
  for (let i = 0; i < nPhotons + nCharged; i++) {
    const pe = rng.range(-PILEUP_REGION_HALF_ETA, PILEUP_REGION_HALF_ETA);
    const pp = rng.range(-PILEUP_REGION_HALF_PHI, PILEUP_REGION_HALF_PHI);
    if (i < nPhotons) {
      const e = rng.exponential(PILEUP_PHOTON_MEAN_PT) * cosh;
      if (e < PILEUP_PHOTON_MIN_E) continue;
      interpolatePhoton(table.nodes, absEta, e, photonNode);
      for (let k = 0; k < 4; k++) {
        p.deposit[4 * n + k] = e * at(photonNode, k);
        p.core[4 * n + k] = at(photonNode, 4 + k);
        p.tail[4 * n + k] = at(photonNode, 8 + k);
        p.coreShare[4 * n + k] = at(photonNode, 12 + k);
      }
    } else {
      for (let k = 0; k < 4; k++) {
        p.deposit[4 * n + k] = MIP_GEV_PER_X0 * at(thickness, k);
        p.core[4 * n + k] = MIP_LATERAL[0];
        p.tail[4 * n + k] = MIP_LATERAL[1];
        p.coreShare[4 * n + k] = MIP_LATERAL[2];
      }
    }
    p.eta[n] = pe;
    p.phi[n] = pp;
    n++;
  }
  p.count = n;
  // The mean per middle cell: photons from the table (linear in |η|), charged exactly.
  const x = Math.min(absEta / TABLE_ETA_STEP, TABLE_ETA_NODES - 1);
  const lo = Math.min(Math.floor(x), TABLE_ETA_NODES - 2);
  const f = x - lo;
  const cellArea = CELL_ETA * CELL_PHI;
  const mean = mu / (2 * Math.PI);
  for (let k = 0; k < 4; k++) {
    const photon = (1 - f) * at(table.mean, 4 * lo + k) + f * at(table.mean, 4 * (lo + 1) + k);
    p.meanPerCell[k] =
      mean * cellArea * (PILEUP_PHOTONS_PER_ETA * photon + PILEUP_CHARGED_PER_ETA * MIP_GEV_PER_X0 * at(thickness, k));
  }
  pileupInWindow(p);
}

/**
 * Energy of the pile-up particles of `p` inside the 3 × 7 window per layer [GeV] into `p.window`,
 * the window centred on the central cell (the shower's cell); positions are relative to that
 * cell's centre, so the window is [−1.5, 1.5] × [−3.5, 3.5] cells.
 */
function pileupInWindow(p: Pileup): void {
  for (let k = 0; k < 4; k++) {
    let sum = 0;
    for (let i = 0; i < p.count; i++) {
      const j = 4 * i + k;
      const c = at(p.core, j);
      const t = at(p.tail, j);
      const s = at(p.coreShare, j);
      const pe = at(p.eta, i);
      const pp = at(p.phi, i);
      const fe = lateralFraction(-WINDOW_HALF_ETA - pe, WINDOW_HALF_ETA - pe, c, t, s);
      const fp = lateralFraction(-WINDOW_HALF_PHI - pp, WINDOW_HALF_PHI - pp, c, t, s);
      sum += at(p.deposit, j) * fe * fp;
    }
    p.window[k] = sum;
  }
}
