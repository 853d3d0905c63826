import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { ELECTRON_ORIGIN } from './electron-candidate.ts';
import { PAIR_CATEGORY, pairCategory } from './pair-category.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';
import { emptyZeeDecay, sampleZee } from './z-boson.ts';

/**
 * The CMS 2011 electron identification variables, named as in the CMS Z→ee open-data CSV
 * (CERN Open Data Portal, record 545), with their units:
 * - `sigmaEtaEta`: σ_iηiη, the energy-weighted RMS width of the shower in η over the 5×5 crystals
 *   around the seed (log weights), in η units (barrel: crystal index × 0.0174);
 * - `HoverE`: H/E, HCAL energy in towers behind the supercluster (ΔR < 0.15) over its energy;
 * - `isoTrack`: Σ pt of tracks (pt > 0.7 GeV, from the electron's vertex) in 0.04 < ΔR < 0.3
 *   outside an η strip of ±0.015 [GeV];
 * - `isoEcal`: Σ E_T of ECAL hits above noise thresholds in ΔR < 0.3 outside an inner cone of
 *   3 crystals and an η strip ("Jurassic" isolation) [GeV];
 * - `isoHcal`: Σ E_T of HCAL depth-1 towers in 0.15 < ΔR < 0.3 [GeV].
 * Definitions: CMS, "Electron reconstruction and identification at √s = 7 TeV",
 * CMS-PAS-EGM-10-004 (2010); CMS, JHEP 10 (2011) 132 (arXiv:1107.4789), section 4.
 */
export const CMS_ELECTRON_VARIABLES = {
  sigmaEtaEta: '1',
  HoverE: '1',
  isoTrack: 'GeV',
  isoEcal: 'GeV',
  isoHcal: 'GeV',
} as const satisfies Record<string, string>;

/** Name of one CMS identification variable. */
export type CmsElectronVariable = keyof typeof CMS_ELECTRON_VARIABLES;

/** The CMS identification variables of one electron candidate. */
export type CmsElectronIdValues = Record<CmsElectronVariable, number>;

/** |η| of the ECAL barrel–endcap boundary (EB for |η| < 1.479, EE above). */
export const CMS_BARREL_ETA_MAX = 1.479;
/** |η| acceptance of the CMS ECAL for electrons (tracker coverage). */
export const CMS_ECAL_ETA_MAX = 2.5;
/** Mean number of pile-up interactions per crossing in the 2011A run, ≈ 6 (CMS luminosity public results, 2011). */
export const CMS_2011A_PILEUP_MEAN = 6;

/** A fresh, zeroed {@link CmsElectronIdValues}; the simulation overwrites it, so a loop allocates once. */
export function emptyCmsElectronIdValues(): CmsElectronIdValues {
  return { sigmaEtaEta: 0, HoverE: 0, isoTrack: 0, isoEcal: 0, isoHcal: 0 };
}

/**
 * Sum of E_T [GeV] of `count` soft particles, each `threshold + Exp(mean)` [GeV]: the deposit of
 * the underlying event and pile-up in an isolation cone, particles above a reconstruction threshold.
 */
function softSum(rng: Rng, count: number, threshold: number, mean: number): number {
  let s = 0;
  for (let k = 0; k < count; k++) s += threshold + rng.exponential(mean);
  return s;
}

/**
 * Draws the CMS identification variables of one electron candidate in 7 TeV pp collisions under
 * 2011 conditions, in place into `out`.
 *
 * Inputs: `origin` ({@link ELECTRON_ORIGIN}: prompt electrons from W/Z, or fakes from light jets
 * and heavy-flavour decays; a conversion is treated as a light-jet fake), `pt` [GeV], `eta`, and
 * `nPileup`, the number of pile-up interactions in the crossing (2011A: ⟨μ⟩ ≈ 6).
 *
 * Prompt electrons (electromagnetic showers, isolated):
 * - σiηiη, barrel (|η| < 1.479): Gaussian core 0.0089 ± 0.0006 (the Molière radius over the
 *   crystal size fixes it), plus a 6 % exponential tail (+0.0015 mean) from late-converting
 *   bremsstrahlung photons; floor 0.005. Endcap: the width in η of a fixed-size shower grows with
 *   |η| (the crystals are on an x–y grid), 0.0245 + 0.02·(|η| − 2.3) ± 0.0025, the slope of the
 *   endcap correction of the 2010–2011 cut-based ID (CMSSW CutBasedElectronID,
 *   σ_corr = σiηiη − 0.02(|η| − 2.3)); same tail. So a prompt endcap electron spans ≈ 0.011–0.029.
 *   Reference shapes: CMS-PAS-EGM-10-004, figures of σiηiη for Z→ee.
 * - H/E: longitudinal leakage behind 25.8 X₀ (EB) / 24.7 X₀ + 3 X₀ preshower (EE), a fraction
 *   Exp(0.25 %) (EB) / Exp(0.30 %) (EE) of E, plus underlying-event and pile-up hadrons behind the
 *   cluster (Poisson 0.04 + 0.012·N_PU, each 0.3 + Exp(1.5) GeV E_T); the tower sum is read out
 *   only above the HCAL tower threshold of 0.7 GeV (HB) / 0.8 GeV (HE) in energy, else H/E = 0
 *   (most prompt electrons have H/E exactly 0, as in data).
 * - isoTrack: underlying-event tracks in the annulus (charged density ≈ 0.6 per unit η·φ at
 *   7 TeV for pt > 0.5 GeV, CMS, Eur. Phys. J. C 72 (2012) 2080, times the ≈ 0.28 annulus area and
 *   the pt > 0.7 GeV fraction ≈ 0.18) plus the few pile-up tracks that pass the vertex requirement
 *   (0.01 per pile-up interaction), each 0.7 + Exp(1.2) GeV; in 3 % of electrons a track from a
 *   converted bremsstrahlung photon of Exp(0.1·pt).
 * - isoEcal: the electron's own shower outside the inner veto (bremsstrahlung spread in φ:
 *   Gamma(3) with mean 3 % of pt in EB, 1.2 % in EE where the Jurassic strip is wider in η units),
 *   the electronics-noise sum over ≈ 900 crystals above threshold (Gamma(4), mean 0.7 GeV in EB;
 *   Gamma(2), mean 0.25 GeV in EE, whose thresholds are in energy), and π⁰ photons from the
 *   underlying event and pile-up (Poisson 0.3 + 0.06·N_PU, each Exp(1) GeV).
 * - isoHcal: underlying-event and pile-up hadrons in the annulus, Poisson 0.25 + 0.04·N_PU (EB),
 *   0.6 + 0.12·N_PU (EE: the pile-up density rises forward and the tower threshold in energy is a
 *   lower E_T), each Exp(1.2) GeV, kept above the tower threshold in E_T (0.7 GeV / cosh η).
 * Every soft-particle rate above (underlying event and pile-up in H, isoTrack, isoEcal, isoHcal)
 * is multiplied by one activity factor per electron, Gamma(k = 1.5, mean 1): the event-by-event
 * fluctuation of multiple-parton interactions, which makes the multiplicities negative-binomial
 * (more empty cones and longer tails than Poisson) and the isolation sums positively correlated,
 * as observed (UA5/ALICE KNO-like multiplicities; CMS, JHEP 09 (2011) 109).
 * Fakes (a π⁰ or π± inside a jet, or a non-isolated electron from b/c decay):
 * - σiηiη: 45 % (light) / 70 % (heavy flavour, a real electron) electron-like; the rest
 *   broader, electron core + 0.0015 + Exp(0.004) (EB; ×2.5 in EE): overlapping photons of π⁰
 *   decays and hadronic showers.
 * - H/E: 55 % (light) / 20 % (heavy) of the candidates add a hadronic fraction Exp(6 %) of E.
 * - Isolations: the rest of the jet in the cone carries E_T = pt·Gamma(1.2, mean 0.6) (light) or
 *   pt·Gamma(1.2, mean 0.35) (heavy flavour); 20 % of the candidates are isolated (mean 5 %
 *   of pt instead). It splits 60 % charged (isoTrack), 25 % photons (isoEcal) and 15 % neutral
 *   hadrons (isoHcal), with a ±30 % spread per component, on top of the prompt-electron terms.
 * Units: GeV for the isolations, H/E and σiηiη dimensionless. Deterministic for a given `rng` state.
 * Throws {@link PhysicsInputError} for pt ≤ 0, a non-finite η or a negative pile-up count.
 */
export function simulateCmsElectronVariables(
  rng: Rng,
  origin: number,
  pt: number,
  eta: number,
  nPileup: number,
  out: CmsElectronIdValues,
): CmsElectronIdValues {
  if (!(pt > 0)) throw new PhysicsInputError(`pt must be positive (got ${pt})`, { field: 'pt' });
  if (!Number.isFinite(eta)) throw new PhysicsInputError(`eta must be finite (got ${eta})`, { field: 'eta' });
  if (!(nPileup >= 0)) throw new PhysicsInputError('nPileup must be ≥ 0', { field: 'nPileup' });
  const absEta = Math.abs(eta);
  const barrel = absEta < CMS_BARREL_ETA_MAX;
  const coshEta = Math.cosh(eta);
  const energy = pt * coshEta;
  const fake = origin === ELECTRON_ORIGIN.lightJet || origin === ELECTRON_ORIGIN.conversion;
  const heavy = origin === ELECTRON_ORIGIN.heavyFlavour;

  // Shower width in η.
  const core = barrel ? 0.0089 : 0.0245 + 0.02 * (absEta - 2.3);
  const coreSigma = barrel ? 0.0006 : 0.0025;
  let sieie = rng.normal(core, coreSigma);
  if (rng.uniform() < 0.06) sieie += rng.exponential(barrel ? 0.0015 : 0.003);
  const electronLike = fake ? 0.45 : heavy ? 0.7 : 1;
  if (rng.uniform() >= electronLike) sieie += (barrel ? 1 : 2.5) * (0.0015 + rng.exponential(0.004));
  out.sigmaEtaEta = Math.max(barrel ? 0.005 : 0.007, sieie);

  // Event-by-event activity of the underlying event around this electron (multiple parton
  // interactions): a common factor of every soft-particle rate, so the sums fluctuate together.
  const activity = rng.gamma(1.5, 1 / 1.5);

  // Hadronic energy behind the cluster, read out above the tower threshold.
  let hadronic = energy * rng.exponential(barrel ? 0.0025 : 0.003);
  hadronic += coshEta * softSum(rng, rng.poisson(activity * (0.08 + 0.02 * nPileup)), 0.2, 0.6);
  const hadronicFraction = fake ? 0.55 : heavy ? 0.2 : 0;
  if (rng.uniform() < hadronicFraction) hadronic += energy * rng.exponential(0.06);
  out.HoverE = hadronic > (barrel ? 0.7 : 0.8) ? hadronic / energy : 0;

  // Isolation sums [GeV]: underlying event, pile-up, the electron's own shower, the rest of a jet.
  let isoTrack = softSum(rng, rng.poisson(activity * (0.18 + 0.01 * nPileup)), 0.7, 1.2);
  if (rng.uniform() < 0.03) isoTrack += rng.exponential(0.1 * pt);
  let isoEcal =
    rng.gamma(3, ((barrel ? 0.01 : 0.008) * pt) / 3) +
    (barrel ? rng.gamma(4, 1.1 / 4) : rng.gamma(2, 0.3 / 2)) +
    softSum(rng, rng.poisson(activity * (0.3 + 0.06 * nPileup)), 0, 1);
  const towerThreshold = 0.7 / coshEta;
  let isoHcal = 0;
  const nHadrons = rng.poisson(activity * (barrel ? 0.25 + 0.04 * nPileup : 0.7 + 0.1 * nPileup));
  for (let k = 0; k < nHadrons; k++) {
    const et = rng.exponential(barrel ? 1.2 : 0.7);
    if (et > towerThreshold) isoHcal += et;
  }
  if (fake || heavy) {
    const isolated = rng.uniform() < 0.2;
    const rest = isolated ? rng.exponential(0.05 * pt) : pt * rng.gamma(1.2, (heavy ? 0.35 : 0.6) / 1.2);
    isoTrack += 0.6 * rest * rng.range(0.7, 1.3);
    isoEcal += 0.25 * rest * rng.range(0.7, 1.3);
    isoHcal += 0.15 * rest * rng.range(0.7, 1.3);
  }
  out.isoTrack = isoTrack;
  out.isoEcal = isoEcal;
  out.isoHcal = isoHcal;
  return out;
}

/**
 * Relative ECAL energy resolution σ_E/E of an electron in CMS under 2011 conditions:
 * a/√E ⊕ b/E ⊕ c with a = 3 %·√GeV, b = 0.2 GeV, c = 1.1 % in the barrel and a = 5 %·√GeV,
 * b = 0.4 GeV, c = 2.4 % in the endcap (intercalibration, transparency corrections and the tracker
 * material in front). These reproduce the 2011 Z→ee resolutions of ≈ 1.5–2 % (EB) and ≈ 2.5–3 %
 * (EE): CMS, JINST 8 (2013) P09009 (arXiv:1306.2016), section 7. `energy` in GeV.
 */
export function cmsElectronEnergyResolution(energy: number, absEta: number): number {
  const barrel = absEta < CMS_BARREL_ETA_MAX;
  const s = (barrel ? 0.03 : 0.05) / Math.sqrt(energy);
  const b = (barrel ? 0.2 : 0.4) / energy;
  const c = barrel ? 0.011 : 0.024;
  return Math.sqrt(s * s + b * b + c * c);
}

/** Options of {@link generateCmsZee}. */
export interface CmsZeeOptions {
  /** Number of di-electron pairs. */
  n: number;
  seed: number;
  /** Fraction of pairs with at least one fake electron (W+jets, multijet), charge-blind (default 0: signal MC). */
  fakeFraction?: number;
  /** Fraction of opposite-sign Drell–Yan continuum pairs off the Z peak (default 0.01). */
  continuumFraction?: number;
  /** Mean pile-up ⟨μ⟩ (default {@link CMS_2011A_PILEUP_MEAN}). */
  pileupMean?: number;
  /** Minimum pt of both electrons [GeV] (default 25, the open-data preselection). */
  ptMin?: number;
  /** Pair mass window [GeV], lo ≤ m < hi (default 60–120, the open-data preselection). */
  massLo?: number;
  massHi?: number;
}

/** Per-electron columns of {@link generateCmsZee}; each exists with suffix 1 and 2. */
export const CMS_ZEE_ELECTRON_COLUMNS = {
  pt: 'GeV',
  eta: '1',
  phi: 'rad',
  Q: '1',
  isBarrel: '1',
  ...CMS_ELECTRON_VARIABLES,
} as const satisfies Record<string, string>;

/** Truth category of a pair of {@link generateCmsZee} (`truth.category`): the {@link PAIR_CATEGORY} codes. */
export const CMS_PAIR_CATEGORY = PAIR_CATEGORY;

/**
 * Simulated CMS Z→ee di-electron pairs at √s = 7 TeV under 2011A conditions, in the format of the
 * CMS open-data CSV (`Zee_Run2011A.csv`): per pair the columns of
 * {@link CMS_ZEE_ELECTRON_COLUMNS} with suffix 1 and 2 (`isBarrel` 1 for EB, |η| < 1.479,
 * standing for the file's `type` EB/EE) and `mass` [GeV] of the two electrons taken as massless.
 * The same preselection as the file: both pt ≥ `ptMin`, |η| < 2.5, 60 ≤ m < 120 GeV; electrons in
 * the ECAL barrel–endcap gap are kept, as in the file (analyses drop them).
 *
 * - Z→ee: {@link sampleZee} (Breit–Wigner line shape, 1 + cos²θ*; its Z rapidity is that of
 *   13 TeV, a little broader than at 7 TeV, which changes the η spectrum inside the acceptance by
 *   a few per cent and not the efficiencies in pT × |η| bins), energies measured with
 *   {@link cmsElectronEnergyResolution} and a bremsstrahlung low tail (30 % of electrons lose
 *   Exp(1 %) of their energy outside the supercluster). Charge misidentification with probability
 *   0.2 % + 2 %·(|η|/2.5)² (GSF charge, CMS JINST 10 (2015) P06005).
 * - Continuum (opposite-sign real pairs) with a mass ∝ exp(−m/25 GeV) and fakes (one leg fake from
 *   a light jet, 80 %, or heavy flavour; the other a prompt electron from W+jets in half the pairs,
 *   a second fake otherwise) with uncorrelated charges, mass ∝ exp(−m/30 GeV): so the same-sign
 *   pairs estimate the opposite-sign fake background, as in data.
 * - Pile-up: Poisson-distributed N_PU around a Gamma(6)-distributed ⟨μ⟩ per crossing.
 * - Identification variables of both electrons: {@link simulateCmsElectronVariables}.
 * Label 1 for Z→ee pairs. Truth: `category` ({@link CMS_PAIR_CATEGORY}), `origin1`, `origin2`
 * ({@link ELECTRON_ORIGIN}), `trueMass` [GeV], `nPileup`. Same seed → same bytes.
 * Throws {@link PhysicsInputError} for n not a positive integer or bad fractions or windows.
 */
export function generateCmsZee(options: CmsZeeOptions): ColumnarSample {
  const { n, seed } = options;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  const fakeFraction = options.fakeFraction ?? 0;
  const continuumFraction = options.continuumFraction ?? 0.01;
  const pileupMean = options.pileupMean ?? CMS_2011A_PILEUP_MEAN;
  const ptMin = options.ptMin ?? 25;
  const massLo = options.massLo ?? 60;
  const massHi = options.massHi ?? 120;
  if (!(fakeFraction >= 0 && continuumFraction >= 0 && fakeFraction + continuumFraction <= 1)) {
    throw new PhysicsInputError('fakeFraction and continuumFraction must be ≥ 0 with a sum of at most 1', {
      field: 'fakeFraction',
    });
  }
  if (!(massHi > massLo && massLo > 0)) throw new PhysicsInputError('need 0 < massLo < massHi', { field: 'massLo' });
  if (!(ptMin > 0)) throw new PhysicsInputError('ptMin must be positive', { field: 'ptMin' });
  if (!(pileupMean >= 0)) throw new PhysicsInputError('pileupMean must be ≥ 0', { field: 'pileupMean' });

  const rng = new Rng(seed);
  const names = Object.keys(CMS_ZEE_ELECTRON_COLUMNS) as (keyof typeof CMS_ZEE_ELECTRON_COLUMNS)[];
  const variables = Object.keys(CMS_ELECTRON_VARIABLES) as CmsElectronVariable[];
  const columns: Record<string, Float32Array> = { mass: new Float32Array(n) };
  for (const k of [1, 2]) for (const name of names) columns[`${name}${k}`] = new Float32Array(n);
  const leg = (k: 1 | 2) => Object.fromEntries(names.map((name) => [name, columns[`${name}${k}`] as Float32Array]));
  const legs = [leg(1), leg(2)] as const;
  const massColumn = columns.mass as Float32Array;
  const label = new Uint8Array(n);
  const category = new Int32Array(n);
  const origins = [new Int32Array(n), new Int32Array(n)] as const;
  const trueMass = new Float32Array(n);
  const pileup = new Int32Array(n);
  const z = emptyZeeDecay();
  const ids = [emptyCmsElectronIdValues(), emptyCmsElectronIdValues()] as const;
  const pts = [0, 0];
  const etas = [0, 0];
  const phis = [0, 0];
  const charges = [0, 0];
  const legOrigins = [0, 0];

  const measure = (ptTrue: number, eta: number): number => {
    const sigma = cmsElectronEnergyResolution(ptTrue * Math.cosh(eta), Math.abs(eta));
    const loss = rng.uniform() < 0.3 ? Math.min(0.5, rng.exponential(0.01)) : 0;
    return ptTrue * (1 + rng.normal(0, sigma)) * (1 - loss);
  };
  const flip = (eta: number): boolean => rng.uniform() < 0.002 + 0.02 * (eta / CMS_ECAL_ETA_MAX) ** 2;

  for (let i = 0; i < n; ) {
    const nPileup = rng.poisson(rng.gamma(6, pileupMean / 6));
    const cat = pairCategory(rng.uniform(), fakeFraction, continuumFraction);
    let mTrue: number;
    if (cat === CMS_PAIR_CATEGORY.z) {
      sampleZee(rng, z, { massLo: massLo - 20, massHi: massHi + 20 });
      mTrue = z.mass;
      pts[0] = z.pt1;
      etas[0] = z.eta1;
      phis[0] = z.phi1;
      pts[1] = z.pt2;
      etas[1] = z.eta2;
      phis[1] = z.phi2;
      charges[0] = -1;
      charges[1] = 1;
      legOrigins[0] = ELECTRON_ORIGIN.prompt;
      legOrigins[1] = ELECTRON_ORIGIN.prompt;
    } else {
      // Leg 1 from a falling spectrum, leg 2 in a random direction with its pt fixed by the mass.
      const scale = cat === CMS_PAIR_CATEGORY.continuum ? 25 : 30;
      const x = rng.uniform();
      mTrue = massLo - scale * Math.log(1 - x * (1 - Math.exp(-(massHi - massLo) / scale)));
      pts[0] = ptMin + rng.exponential(15);
      etas[0] = rng.range(-CMS_ECAL_ETA_MAX, CMS_ECAL_ETA_MAX);
      phis[0] = rng.range(-Math.PI, Math.PI);
      etas[1] = rng.range(-CMS_ECAL_ETA_MAX, CMS_ECAL_ETA_MAX);
      phis[1] = rng.range(-Math.PI, Math.PI);
      pts[1] = (mTrue * mTrue) / (2 * at(pts, 0) * (Math.cosh(etas[0] - etas[1]) - Math.cos(phis[0] - phis[1])));
      charges[0] = rng.uniform() < 0.5 ? -1 : 1;
      if (cat === CMS_PAIR_CATEGORY.continuum) {
        charges[1] = -at(charges, 0);
        legOrigins[0] = ELECTRON_ORIGIN.prompt;
        legOrigins[1] = ELECTRON_ORIGIN.prompt;
      } else {
        charges[1] = rng.uniform() < 0.5 ? -1 : 1;
        const fakeOrigin = () => (rng.uniform() < 0.8 ? ELECTRON_ORIGIN.lightJet : ELECTRON_ORIGIN.heavyFlavour);
        const fakeLeg = rng.uniform() < 0.5 ? 0 : 1;
        legOrigins[fakeLeg] = fakeOrigin();
        legOrigins[1 - fakeLeg] = rng.uniform() < 0.5 ? ELECTRON_ORIGIN.prompt : fakeOrigin();
      }
      if (!(at(pts, 1) < 500)) continue;
    }
    if (Math.abs(at(etas, 0)) >= CMS_ECAL_ETA_MAX || Math.abs(at(etas, 1)) >= CMS_ECAL_ETA_MAX) continue;
    const pt1 = measure(at(pts, 0), at(etas, 0));
    const pt2 = measure(at(pts, 1), at(etas, 1));
    if (pt1 < ptMin || pt2 < ptMin) continue;
    const mass = Math.sqrt(2 * pt1 * pt2 * (Math.cosh(etas[0] - etas[1]) - Math.cos(phis[0] - phis[1])));
    if (mass < massLo || mass >= massHi) continue;
    const measured = [pt1, pt2];
    for (const k of [0, 1] as const) {
      const origin = legOrigins[k] as number;
      if (cat !== CMS_PAIR_CATEGORY.fake || origin === ELECTRON_ORIGIN.prompt) {
        if (flip(etas[k] as number)) charges[k] = -(charges[k] as number);
      }
      simulateCmsElectronVariables(rng, origin, measured[k] as number, etas[k] as number, nPileup, ids[k]);
      const out = legs[k];
      (out.pt as Float32Array)[i] = measured[k] as number;
      (out.eta as Float32Array)[i] = etas[k] as number;
      (out.phi as Float32Array)[i] = phis[k] as number;
      (out.Q as Float32Array)[i] = charges[k] as number;
      (out.isBarrel as Float32Array)[i] = Math.abs(etas[k] as number) < CMS_BARREL_ETA_MAX ? 1 : 0;
      for (const v of variables) (out[v] as Float32Array)[i] = ids[k][v];
      origins[k][i] = origin;
    }
    massColumn[i] = mass;
    label[i] = cat === CMS_PAIR_CATEGORY.z ? 1 : 0;
    category[i] = cat;
    trueMass[i] = mTrue;
    pileup[i] = nPileup;
    i++;
  }
  const units: Record<string, string> = { mass: 'GeV' };
  for (const k of [1, 2]) for (const name of names) units[`${name}${k}`] = CMS_ZEE_ELECTRON_COLUMNS[name];
  return {
    task: 'cms-zee',
    n,
    columns,
    label,
    weight: new Float32Array(n).fill(1),
    truth: { category, origin1: origins[0], origin2: origins[1], trueMass, nPileup: pileup },
    units,
    seed,
  };
}
