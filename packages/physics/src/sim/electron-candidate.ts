/**
 * The variables of one electron candidate and their simulation per origin (prompt electron, light
 * jet, conversion, heavy flavour).
 */
import { PhysicsInputError } from '../errors.ts';
import { emEnergyResolution, inCrack, innerDetectorMaterial, TRT_ETA_MAX, upstreamMaterial } from './detector.ts';
import type { Rng } from './rng.ts';

/**
 * Input variables of the electron-identification task, in column order, with their units: the
 * discriminating variables of the ATLAS likelihood (Eur. Phys. J. C 79 (2019) 639, Table 1) plus
 * the candidate's ET, η and the pile-up ⟨μ⟩ of its bunch crossing.
 */
export const ELECTRON_ID_VARIABLES = {
  et: 'GeV',
  eta: '1',
  mu: '1',
  rhad1: '1',
  rhad: '1',
  f3: '1',
  weta2: '1',
  rphi: '1',
  reta: '1',
  wstot: '1',
  eratio: '1',
  f1: '1',
  nBlayer: '1',
  nPixel: '1',
  nSi: '1',
  d0: 'mm',
  d0sig: '1',
  dpOverP: '1',
  eProbabilityHT: '1',
  deltaEta1: '1',
  deltaPhiRes: 'rad',
  eOverP: '1',
} as const satisfies Record<string, string>;

/** Name of one electron-identification variable. */
export type ElectronIdVariable = keyof typeof ELECTRON_ID_VARIABLES;

/** Truth origin code of each candidate (`truth.origin`). */
export const ELECTRON_ORIGIN = { prompt: 0, lightJet: 1, conversion: 2, heavyFlavour: 3 } as const;

/** Per-hit TRT high-threshold probabilities used as the reference of `eProbabilityHT`. */
const TRT_P_ELECTRON = 0.19;
const TRT_P_PION = 0.06;
const TRT_LLR_HIT = Math.log(TRT_P_ELECTRON / TRT_P_PION);
const TRT_LLR_MISS = Math.log((1 - TRT_P_ELECTRON) / (1 - TRT_P_PION));
/** Pixel layer radii [mm]: IBL, B-layer, L1, L2 (ATLAS Run 2, JINST 13 (2018) T05008). */
const PIXEL_RADII = [33.25, 50.5, 88.5, 122.5] as const;
/** Where a photon that gives an electron candidate with pixel hits converted [mm], and how often. */
const CONVERSION_RADII = [23.5, 33.25, 50.5, 88.5, 110] as const;
const CONVERSION_RADIUS_WEIGHTS = [0.12, 0.18, 0.3, 0.28, 0.12];

/** One simulated candidate: its variables, plus two truth quantities. */
export interface ElectronCandidate extends Record<ElectronIdVariable, number> {
  et: number;
  eta: number;
  mu: number;
  rhad1: number;
  rhad: number;
  f3: number;
  weta2: number;
  rphi: number;
  reta: number;
  wstot: number;
  eratio: number;
  f1: number;
  nBlayer: number;
  nPixel: number;
  nSi: number;
  d0: number;
  d0sig: number;
  dpOverP: number;
  eProbabilityHT: number;
  deltaEta1: number;
  deltaPhiRes: number;
  eOverP: number;
  /** Truth: fraction of the energy radiated by bremsstrahlung before the last track measurement. */
  brem: number;
  /** Truth: fraction of the cluster energy carried by photons (π⁰) for jets, 1 for real e/γ. */
  emFraction: number;
}

/**
 * Simulates the identification variables of one candidate of the given origin
 * ({@link ELECTRON_ORIGIN}) at transverse energy `et` [GeV], pseudorapidity `eta` and pile-up `mu`,
 * in place into `out` (from {@link newElectronCandidate}); the physics is that of
 * {@link generateElectronId}. Used by the tag-and-probe generator so that probes carry the same
 * variables as the identification sample.
 */
export function simulateElectronCandidate(
  rng: Rng,
  originCode: number,
  et: number,
  eta: number,
  mu: number,
  out: ElectronCandidate,
): ElectronCandidate {
  if (!(et > 0)) throw new PhysicsInputError('et must be positive', { field: 'et' });
  out.et = et;
  out.eta = eta;
  out.mu = mu;
  if (originCode === ELECTRON_ORIGIN.prompt) promptElectron(rng, out, 0);
  else if (originCode === ELECTRON_ORIGIN.lightJet) lightJet(rng, out);
  else if (originCode === ELECTRON_ORIGIN.conversion) conversion(rng, out);
  else if (originCode === ELECTRON_ORIGIN.heavyFlavour) promptElectron(rng, out, rng.exponential(0.07));
  else throw new PhysicsInputError(`unknown origin code ${originCode}`, { field: 'origin' });
  return out;
}

/** A zeroed {@link ElectronCandidate} to pass to {@link simulateElectronCandidate}. */
export function newElectronCandidate(): ElectronCandidate {
  return {
    et: 0,
    eta: 0,
    mu: 0,
    rhad1: 0,
    rhad: 0,
    f3: 0,
    weta2: 0,
    rphi: 0,
    reta: 0,
    wstot: 0,
    eratio: 0,
    f1: 0,
    nBlayer: 0,
    nPixel: 0,
    nSi: 0,
    d0: 0,
    d0sig: 0,
    dpOverP: 0,
    eProbabilityHT: 0,
    deltaEta1: 0,
    deltaPhiRes: 0,
    eOverP: 0,
    brem: 0,
    emFraction: 1,
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * EM shower of a real electron or photon, with optional nearby hadronic activity `activity`
 * (fraction of the candidate's ET carried by surrounding hadrons, 0 for isolated electrons).
 * Writes the calorimeter variables of `c`; `brem` and `convLegs` (1 for a converted photon whose
 * two legs spread in φ) shape Rφ.
 */
function emShower(rng: Rng, c: ElectronCandidate, activity: number, brem: number, convLegs: number): void {
  const et = c.et;
  const absEta = Math.abs(c.eta);
  const energy = et * Math.cosh(c.eta);
  const crack = inCrack(absEta) ? 1 : 0;
  const endcap = absEta >= 1.52 ? 1 : 0;
  const lnE = Math.log(energy / 50);
  const tUp = upstreamMaterial(absEta);
  const s = rng.normal(); // shower depth: > 0 starts late and ends deep
  const had = activity > 0 ? activity * (0.4 + 0.6 * rng.uniform()) : 0; // hadrons' share, spread
  // Longitudinal leakage grows slowly with energy (shower maximum ∝ ln E) and with depth.
  const leak = 0.0025 * Math.exp(0.15 * lnE + 0.7 * s) * (1 + 3 * crack);
  const puHad = (0.004 * c.mu) / et; // pile-up ET in the hadronic window, per unit of cluster ET
  const noiseHad = (0.3 * Math.sqrt(1 + c.mu / 30)) / et;
  c.rhad = leak + puHad + 0.5 * had + rng.normal(0, noiseHad);
  c.rhad1 = 0.8 * leak + 0.6 * puHad + 0.35 * had + rng.normal(0, 0.6 * noiseHad);
  c.f3 = 0.0055 * Math.exp(0.25 * lnE + 0.6 * s) * (1 + crack) + 0.03 * had + rng.normal(0, 0.002 + 0.05 / energy);
  c.f1 = clamp(0.2 + 0.035 * (tUp - 2.3) - 0.05 * s - 0.025 * lnE + 0.05 * had + rng.normal(0, 0.035), 0, 0.9);
  const widen = had * (0.5 + rng.uniform());
  c.reta = Math.min(
    1.04,
    0.957 +
      0.004 * lnE -
      0.004 * s -
      0.00025 * c.mu -
      0.03 * crack -
      0.008 * endcap -
      0.35 * widen +
      rng.normal(0, 0.004 + 0.1 / et),
  );
  c.rphi = Math.min(
    1.04,
    0.955 -
      0.06 * brem * (1 - absEta / 4) -
      0.012 * convLegs -
      0.02 * crack -
      0.00012 * c.mu -
      0.3 * widen +
      rng.normal(0, 0.006 + 0.1 / et),
  );
  c.weta2 = Math.max(
    0.005,
    0.0098 +
      0.00025 * s -
      0.0002 * lnE +
      0.000008 * c.mu +
      0.0006 * endcap +
      0.0012 * crack +
      0.008 * widen +
      rng.normal(0, 0.0003 + 0.003 / et),
  );
  c.wstot = Math.max(
    0.3,
    1.8 + 0.12 * s + 0.15 * (tUp - 2.3) + 0.3 * endcap + 0.004 * c.mu + 4 * widen + rng.normal(0, 0.2 + 3 / et),
  );
  c.eratio = clamp(1 - rng.exponential(0.012 + 0.25 / et) - 0.02 * crack - 1.5 * widen * rng.uniform(), 0, 1);
}

/** Number of TRT straws crossed at |η| (none beyond 2.0; fewer in the barrel–endcap transition). */
function trtHits(rng: Rng, absEta: number): number {
  if (absEta >= TRT_ETA_MAX) return 0;
  const mean = absEta < 0.6 ? 32 : absEta < 1.0 ? 24 : absEta < 1.8 ? 34 : 34 * (1 - (absEta - 1.8) / 0.2);
  return Math.max(0, Math.round(rng.normal(mean, 3)));
}

/**
 * eProbabilityHT: the electron probability L_e/(L_e + L_π) of the TRT high-threshold hit pattern,
 * with binomial likelihoods at the reference per-hit probabilities (0.19 electrons, 0.06 pions);
 * 0.5 (no information) without TRT hits. `pHit` is the true per-hit probability of this track.
 */
function trtProbability(rng: Rng, nHits: number, pHit: number): number {
  if (nHits === 0) return 0.5;
  let k = 0;
  for (let h = 0; h < nHits; h++) if (rng.uniform() < pHit) k++;
  const llr = k * TRT_LLR_HIT + (nHits - k) * TRT_LLR_MISS;
  return 1 / (1 + Math.exp(-llr));
}

/** Per-hit TRT HT probability of a pion: δ-rays and occupancy grow with μ; TR turns on above ~100 GeV. */
function pionHitProbability(mu: number, p: number): number {
  const tr = 0.1 / (1 + Math.exp(-(Math.log10(p) - 2.2) / 0.15));
  return 0.045 + 0.0008 * mu + tr;
}

/** Silicon hits of a track starting at radius `r0` [mm] (0 for primary tracks). */
function siliconHits(rng: Rng, c: ElectronCandidate, r0: number): void {
  let pix = 0;
  let blayer = 0;
  for (let l = 0; l < PIXEL_RADII.length; l++) {
    if ((PIXEL_RADII[l] as number) < r0) continue;
    const hit = rng.uniform() < 0.97 ? 1 : 0; // module inefficiency and dead modules
    const overlap = rng.uniform() < 0.12 ? 1 : 0; // overlapping modules give a second hit
    pix += hit + (hit ? overlap : 0);
    if (l === 0) blayer = hit + (hit ? overlap : 0);
  }
  let sct = 0;
  for (let l = 0; l < 8; l++) sct += rng.uniform() < 0.98 ? 1 : 0;
  sct += rng.poisson(0.8);
  c.nBlayer = blayer;
  c.nPixel = pix;
  c.nSi = pix + sct;
}

/**
 * Transverse impact parameter: resolution σ(d0) = 10 µm ⊕ 90 µm·GeV/pT (ATLAS IBL performance,
 * ATL-PHYS-PUB-2015-018), worse by (1 + 1.5·brem) for radiating electrons — the reported σ does not
 * know about it, which gives electrons their |d0/σ| tail. `offset` adds displaced production.
 */
function impactParameter(rng: Rng, c: ElectronCandidate, pt: number, bremFrac: number, offset: number): void {
  const sigma = Math.hypot(0.01, 0.09 / pt);
  c.d0 = offset + rng.normal(0, sigma * (1 + 1.5 * bremFrac));
  c.d0sig = Math.abs(c.d0) / sigma;
}

/** Prompt (activity 0) or heavy-flavour (activity > 0) electron. */
function promptElectron(rng: Rng, c: ElectronCandidate, activity: number): void {
  const absEta = Math.abs(c.eta);
  const crack = inCrack(absEta) ? 1 : 0;
  const energy = c.et * Math.cosh(c.eta);
  // Bethe–Heitler: remaining fraction z = exp(−X), X ~ Gamma(t/ln2), with t ≈ 0.35 of the ID
  // material: the part crossed between the perigee and the last precision measurement.
  const t = 0.35 * innerDetectorMaterial(absEta);
  const b = 1 - Math.exp(-rng.gamma(t / Math.LN2));
  c.brem = b;
  c.emFraction = 1;
  emShower(rng, c, activity, b, 0);
  const charge = rng.uniform() < 0.5 ? -1 : 1;
  const sigmaP = Math.hypot(0.015, 0.0004 * c.et);
  // The GSF perigee momentum is biased low by a fluctuating share (on average a quarter) of the
  // radiated fraction.
  const pMeas = energy * (1 - 0.5 * b * rng.uniform()) * (1 + rng.normal(0, sigmaP));
  const eMeas = energy * (1 + rng.normal(0, emEnergyResolution(energy, absEta, c.mu))) * (1 + 0.6 * activity);
  c.eOverP = clamp(eMeas / pMeas, 0, 20);
  c.dpOverP = b + rng.normal(0, 0.02 + 0.0002 * c.et);
  c.deltaEta1 = rng.normal(0, 0.0012 * (1 + 1.5 * crack + (absEta >= 1.52 ? 0.4 : 0)) + 0.004 * activity);
  c.deltaPhiRes = -charge * 0.004 * b + rng.normal(0, 0.002 * (1 + crack) + 0.004 * activity);
  siliconHits(rng, c, 0);
  // B and D hadrons: |d0| ≈ cτ·sin(opening); exponential with mean 60 µm and a random sign.
  const displaced = activity > 0 ? (rng.uniform() < 0.5 ? -1 : 1) * rng.exponential(0.06) : 0;
  impactParameter(rng, c, c.et, b, displaced);
  c.eProbabilityHT = trtProbability(rng, trtHits(rng, absEta), 0.19 + 0.0003 * c.mu);
}

/** Photon conversion γ → e⁺e⁻ reconstructed as an electron. */
function conversion(rng: Rng, c: ElectronCandidate): void {
  const absEta = Math.abs(c.eta);
  const energy = c.et * Math.cosh(c.eta);
  const r0 = CONVERSION_RADII[rng.choice(CONVERSION_RADIUS_WEIGHTS)] as number;
  // The reconstructed leg is usually the harder one: x = max(u, 1 − u) of a flat energy sharing.
  const u = rng.uniform();
  const x = Math.max(u, 1 - u);
  // Less material after the conversion point: about half of it remains.
  const t = 0.2 * innerDetectorMaterial(absEta);
  const b = 1 - Math.exp(-rng.gamma(t / Math.LN2));
  c.brem = b;
  c.emFraction = 1;
  emShower(rng, c, 0, b, 1);
  const pt = c.et * x;
  const pMeas = energy * x * (1 - 0.5 * b * rng.uniform()) * (1 + rng.normal(0, Math.hypot(0.015, 0.0004 * pt)));
  const eMeas = energy * (1 + rng.normal(0, emEnergyResolution(energy, absEta, c.mu)));
  c.eOverP = clamp(eMeas / pMeas, 0, 20);
  c.dpOverP = b + rng.normal(0, 0.02 + 0.0002 * pt);
  c.deltaEta1 = rng.normal(0, 0.002 * (1 + (inCrack(absEta) ? 1.5 : 0)));
  c.deltaPhiRes = rng.normal(0, 0.004);
  siliconHits(rng, c, r0);
  // The leg's straight-line extrapolation misses the beam line by about r0 times its bending angle.
  impactParameter(rng, c, pt, b, r0 * rng.normal(0, 0.12 / pt));
  c.eProbabilityHT = trtProbability(rng, trtHits(rng, absEta), 0.19 + 0.0003 * c.mu);
}

/** Light-flavour jet (π⁰s and charged hadrons) reconstructed as an electron candidate. */
function lightJet(rng: Rng, c: ElectronCandidate): void {
  const et = c.et;
  const absEta = Math.abs(c.eta);
  const energy = et * Math.cosh(c.eta);
  const crack = inCrack(absEta) ? 1 : 0;
  const lnE = Math.log(energy / 50);
  const fem = rng.beta(2.6, 1.1);
  const h = 1 - fem;
  c.emFraction = fem;
  c.brem = 0;
  // π⁰ → γγ with energy sharing x: opening ≥ 2m/E, i.e. 0.27/ET in η, over a 0.0031 strip pitch.
  const x = rng.uniform();
  const sharing = 1 - Math.abs(2 * x - 1); // 2·min(x, 1 − x)
  const separation = 87 / et / Math.max(0.05, Math.sqrt(sharing * (2 - sharing)));
  const resolved = clamp((separation - 1) / 2.5, 0, 1);
  const eratioPi0 = 1 - resolved * sharing;
  const eratioHad = rng.beta(2, 1.5);
  c.eratio = clamp(fem * eratioPi0 + h * eratioHad - rng.exponential(0.012 + 0.25 / et), 0, 1);
  // Hadrons leave a fraction g of their energy behind the EM calorimeter, with e/π ≈ 0.7 in front.
  const g = rng.beta(2, 3);
  const emScale = fem + 0.7 * h * (1 - g);
  const puHad = (0.004 * c.mu) / et;
  const noiseHad = (0.3 * Math.sqrt(1 + c.mu / 30)) / et;
  const rhadTrue = (h * g) / emScale;
  c.rhad = rhadTrue + puHad + rng.normal(0, noiseHad);
  c.rhad1 = 0.7 * rhadTrue + 0.6 * puHad + rng.normal(0, 0.6 * noiseHad);
  c.f3 = 0.0055 * Math.exp(0.25 * lnE) * fem + 0.05 * h * rng.gamma(2, 0.5) + rng.normal(0, 0.002 + 0.05 / energy);
  c.f1 = clamp(0.22 * fem + 0.12 * h + 0.04 * resolved * sharing + rng.normal(0, 0.05), 0, 0.9);
  const spread = rng.exponential(1); // how collimated the rest of the jet is
  const hw = h * rng.beta(2, 2);
  c.reta = Math.min(
    1.04,
    0.957 -
      0.18 * hw -
      0.015 * resolved * sharing -
      0.012 * spread -
      0.00025 * c.mu -
      0.03 * crack +
      rng.normal(0, 0.004 + 0.1 / et),
  );
  c.rphi = Math.min(1.04, 0.955 - 0.2 * hw - 0.012 * spread - 0.02 * crack + rng.normal(0, 0.006 + 0.1 / et));
  c.weta2 = Math.max(
    0.005,
    0.0098 +
      0.005 * hw +
      0.0015 * resolved * sharing +
      0.0005 * spread +
      0.000008 * c.mu +
      0.0012 * crack +
      rng.normal(0, 0.0003 + 0.003 / et),
  );
  c.wstot = Math.max(0.3, 1.8 + 3 * hw + 2.5 * resolved * sharing + 0.3 * spread + 0.004 * c.mu + rng.normal(0, 0.3));
  const eMeas = energy * emScale * (1 + rng.normal(0, emEnergyResolution(energy, absEta, c.mu)));
  const electronTrack = rng.uniform() < 0.1; // Dalitz π⁰ or a conversion inside the jet
  if (electronTrack) {
    const xe = rng.beta(2, 1.2);
    const t = 0.35 * innerDetectorMaterial(absEta);
    const b = 1 - Math.exp(-rng.gamma(t / Math.LN2));
    const pt = et * fem * xe;
    const pMeas = energy * fem * xe * (1 - 0.5 * b * rng.uniform());
    c.eOverP = clamp(eMeas / pMeas, 0, 20);
    c.dpOverP = b + rng.normal(0, 0.02 + 0.0002 * pt);
    c.deltaEta1 = rng.normal(0, 0.0015) + h * rng.normal(0, 0.4 / et);
    c.deltaPhiRes = rng.normal(0, 0.003) + h * rng.normal(0, 0.5 / et);
    siliconHits(rng, c, 0);
    impactParameter(rng, c, Math.max(pt, 1), b, 0);
    c.eProbabilityHT = trtProbability(rng, trtHits(rng, absEta), 0.19 + 0.0003 * c.mu);
    return;
  }
  // The leading charged hadron carries a fraction r of the charged energy; it barely radiates.
  const r = rng.beta(4, 1.5);
  const p = Math.max(0.5, energy * h * r);
  const pt = p / Math.cosh(c.eta);
  c.eOverP = clamp(eMeas / (p * (1 + rng.normal(0, Math.hypot(0.015, 0.0004 * pt)))), 0, 20);
  c.dpOverP = rng.normal(0, 0.03) + (rng.uniform() < 0.08 ? rng.exponential(0.1) : 0);
  // The cluster barycentre sits between the π⁰ photons and the charged hadron (kT ≈ 0.4 GeV).
  c.deltaEta1 = fem * rng.normal(0, 0.4 / et) + rng.normal(0, 0.0015);
  c.deltaPhiRes = fem * rng.normal(0, 0.5 / et) + rng.normal(0, 0.003);
  siliconHits(rng, c, 0);
  // K⁰S, Λ decays and hadronic interactions give displaced tracks in 6 % of jets.
  impactParameter(rng, c, Math.max(pt, 1), 0, rng.uniform() < 0.06 ? rng.normal(0, 1) : 0);
  c.eProbabilityHT = trtProbability(rng, trtHits(rng, absEta), pionHitProbability(c.mu, p));
}
