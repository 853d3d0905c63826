import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { EM_ETA_MAX, emEnergyResolution, inCrack } from './detector.ts';
import {
  ELECTRON_ID_VARIABLES,
  ELECTRON_ORIGIN,
  type ElectronIdVariable,
  newElectronCandidate,
  simulateElectronCandidate,
} from './electron-candidate.ts';
import { passesCutBasedId } from './electron-id.ts';
import { PAIR_CATEGORY, pairCategory } from './pair-category.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';
import { emptyZeeDecay, sampleZee } from './z-boson.ts';

/** How pseudo-data differs from simulation; every field is optional and defaults to "no change". */
export interface TagAndProbeDistortion {
  /** Energy scale of data relative to simulation, E_data = (1 + alpha)·E_MC (default 0). */
  alpha?: number;
  /** Extra relative resolution added in quadrature in data, the "constant term" c′ (default 0). */
  extraResolution?: number;
  /** Additive shift of each probe identification variable in data. */
  idShift?: Partial<Record<ElectronIdVariable, number>>;
  /** Extra Gaussian smearing (absolute σ) of each probe identification variable in data. */
  idSmear?: Partial<Record<ElectronIdVariable, number>>;
}

/**
 * A typical data/simulation difference, of the size the ATLAS and CMS calibrations find: data
 * showers a little wider in η (Rη lower, wη2 larger), slightly more hadronic leakage, TRT HT
 * probability lower (argon in part of the straws), energy scale +0.4 % and a 0.8 % extra constant
 * term (ATLAS, JINST 14 (2019) P03017, arXiv:1812.03848; Eur. Phys. J. C 79 (2019) 639).
 */
export const DEFAULT_DATA_DISTORTION: Required<TagAndProbeDistortion> = {
  alpha: 0.004,
  extraResolution: 0.008,
  idShift: { reta: -0.004, weta2: 0.00025, rhad: 0.002, rhad1: 0.0015, eratio: -0.005, eProbabilityHT: -0.04 },
  idSmear: { reta: 0.003, weta2: 0.0002, deltaEta1: 0.0005 },
};

/** Options of {@link generateTagAndProbe}. */
export interface TagAndProbeOptions {
  /** Number of tag–probe pairs. */
  n: number;
  seed: number;
  /** `mc`: the simulation; `data`: pseudo-data, distorted by `distortion`. */
  kind: 'mc' | 'data';
  /** Pseudo-data distortion (default {@link DEFAULT_DATA_DISTORTION}); ignored for `mc`. */
  distortion?: TagAndProbeDistortion;
  /** Fraction of pairs whose probe is a fake (jet or heavy flavour), charge-blind (default mc 0, data 0.06). */
  fakeFraction?: number;
  /** Fraction of opposite-sign continuum pairs (Drell–Yan γ*, tt̄) with real electrons (default 0.01). */
  continuumFraction?: number;
  /** Reconstructed mass window [GeV] (default 60–120). */
  massLo?: number;
  massHi?: number;
  /** Minimum tag and probe pt [GeV] (default 25 and 15). */
  tagPtMin?: number;
  probePtMin?: number;
  /** Mean pile-up ⟨μ⟩ (default 32). */
  muMean?: number;
}

/** What the generator knows and a measurement should recover: the closure record. */
export interface TagAndProbeTruth {
  kind: 'mc' | 'data';
  /** Energy scale applied (0 in `mc`). */
  alpha: number;
  /** Extra constant term applied (0 in `mc`). */
  extraResolution: number;
  /** Shifts and smearings applied to the probes' identification variables. */
  idShift: Partial<Record<ElectronIdVariable, number>>;
  idSmear: Partial<Record<ElectronIdVariable, number>>;
  /** Efficiency of {@link passesCutBasedId} on real Z→ee probes in this sample (the true one). */
  cutBasedIdEfficiency: number;
  /** Numbers of pairs by truth category. */
  counts: { z: number; continuum: number; fake: number; sameSign: number };
}

/** A tag-and-probe sample with its closure record. */
export interface TagAndProbeSample extends ColumnarSample {
  closure: TagAndProbeTruth;
}

/** Pair-level columns (besides the probe's identification variables). */
export const TAG_AND_PROBE_PAIR_COLUMNS = {
  tagPt: 'GeV',
  tagEta: '1',
  tagPhi: 'rad',
  tagCharge: '1',
  probePt: 'GeV',
  probeEta: '1',
  probePhi: 'rad',
  probeCharge: '1',
  mass: 'GeV',
} as const satisfies Record<string, string>;

/**
 * Z→ee tag-and-probe pairs as simulation ("mc") or pseudo-data ("data").
 *
 * Signal: Drell–Yan Z→ee from {@link sampleZee} (Breit–Wigner line shape) measured with the EM
 * resolution of {@link emEnergyResolution} (σ/E = 10 %/√E ⊕ noise/E ⊕ 0.7 %), so the mass peak is
 * the Breit–Wigner convolved with the detector response, with a low tail from bremsstrahlung
 * losses outside the cluster. Charge misidentification (trident electrons after hard
 * bremsstrahlung) flips a charge with probability 0.2 % + 4 %·brem·(|η|/2.47)², which fills a small
 * same-sign Z peak. The tag: pt ≥ 25 GeV, |η| < 2.47 outside the crack; the probe: pt ≥ 15 GeV,
 * |η| < 2.47; which leg is the tag is random when both qualify.
 * Backgrounds: an opposite-sign continuum of real electron pairs with a falling mass spectrum
 * (exp(−m/25 GeV)), and fakes (jet or heavy-flavour probe; W+jets and multijet) with uncorrelated
 * charges, so same-sign pairs estimate the opposite-sign fake background, and mass ∝ exp(−m/40 GeV).
 * Pseudo-data: E → (1 + α)E, an extra constant term c′ in quadrature, and per-variable shifts and
 * smearings of the probes' identification variables (see {@link DEFAULT_DATA_DISTORTION}).
 *
 * Columns: {@link TAG_AND_PROBE_PAIR_COLUMNS} (GeV, rad) plus every {@link ELECTRON_ID_VARIABLES}
 * of the probe (so an identification model can score it; `et` = probe pt, `eta` = probe η).
 * Label 1 for Z→ee pairs. Truth: `category` ({@link PAIR_CATEGORY}), `probeOrigin`, `trueMass`,
 * `tagTruePt`, `probeTruePt`, `probePassesCutBasedId`. The closure record holds the applied
 * distortion and the true efficiency of {@link passesCutBasedId}.
 */
export function generateTagAndProbe(options: TagAndProbeOptions): TagAndProbeSample {
  const { n, seed, kind } = options;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  if (kind !== 'mc' && kind !== 'data') throw new PhysicsInputError('kind must be "mc" or "data"', { field: 'kind' });
  const isData = kind === 'data';
  const distortion = isData ? (options.distortion ?? DEFAULT_DATA_DISTORTION) : {};
  const alpha = distortion.alpha ?? 0;
  const extraRes = distortion.extraResolution ?? 0;
  const idShift = distortion.idShift ?? {};
  const idSmear = distortion.idSmear ?? {};
  const fakeFraction = options.fakeFraction ?? (isData ? 0.06 : 0);
  const continuumFraction = options.continuumFraction ?? 0.01;
  const massLo = options.massLo ?? 60;
  const massHi = options.massHi ?? 120;
  const tagPtMin = options.tagPtMin ?? 25;
  const probePtMin = options.probePtMin ?? 15;
  const muMean = options.muMean ?? 32;
  if (!(fakeFraction >= 0 && continuumFraction >= 0 && fakeFraction + continuumFraction < 1)) {
    throw new PhysicsInputError('fakeFraction and continuumFraction must be ≥ 0 with a sum below 1', {
      field: 'fakeFraction',
    });
  }
  if (!(massHi > massLo && massLo > 0)) throw new PhysicsInputError('need 0 < massLo < massHi', { field: 'massLo' });
  if (!(alpha > -1 && extraRes >= 0)) {
    throw new PhysicsInputError('alpha must exceed −1 and extraResolution be ≥ 0', { field: 'distortion' });
  }

  const rng = new Rng(seed);
  const idNames = Object.keys(ELECTRON_ID_VARIABLES) as ElectronIdVariable[];
  const columns: Record<string, Float32Array> = {};
  for (const name of [...Object.keys(TAG_AND_PROBE_PAIR_COLUMNS), ...idNames]) columns[name] = new Float32Array(n);
  const col = (name: string): Float32Array => columns[name] as Float32Array;
  const idOut = idNames.map((name) => col(name));
  const shifts = idNames.map((name) => idShift[name] ?? 0);
  const smears = idNames.map((name) => idSmear[name] ?? 0);
  const label = new Uint8Array(n);
  const category = new Int32Array(n);
  const probeOrigin = new Int32Array(n);
  const trueMass = new Float32Array(n);
  const tagTruePt = new Float32Array(n);
  const probeTruePt = new Float32Array(n);
  const passes = new Int32Array(n);
  const counts = { z: 0, continuum: 0, fake: 0, sameSign: 0 };
  const z = emptyZeeDecay();
  const probe = newElectronCandidate();
  const tagBrem = newElectronCandidate();
  let zProbes = 0;
  let zPassing = 0;

  // Measured pt of a true pt: (1 + α) scale and the resolution, with c′ added in quadrature.
  const measure = (pt: number, eta: number, mu: number): number => {
    const energy = pt * Math.cosh(eta);
    const sigma = Math.hypot(emEnergyResolution(energy, Math.abs(eta), mu), extraRes);
    return pt * (1 + alpha) * (1 + rng.normal(0, sigma));
  };
  const flip = (absEta: number, brem: number): boolean =>
    rng.uniform() < 0.002 + 0.04 * brem * (absEta / EM_ETA_MAX) ** 2;

  for (let i = 0; i < n; ) {
    const mu = rng.gamma(8, muMean / 8);
    const cat = pairCategory(rng.uniform(), fakeFraction, continuumFraction);
    let tPt: number;
    let tEta: number;
    let tPhi: number;
    let pPt: number;
    let pEta: number;
    let pPhi: number;
    let tQ: number;
    let pQ: number;
    let mTrue: number;
    let origin: number;
    if (cat === PAIR_CATEGORY.z) {
      sampleZee(rng, z, { massLo: massLo - 20, massHi: massHi + 20 });
      const firstIsTag = rng.uniform() < 0.5;
      tPt = firstIsTag ? z.pt1 : z.pt2;
      tEta = firstIsTag ? z.eta1 : z.eta2;
      tPhi = firstIsTag ? z.phi1 : z.phi2;
      pPt = firstIsTag ? z.pt2 : z.pt1;
      pEta = firstIsTag ? z.eta2 : z.eta1;
      pPhi = firstIsTag ? z.phi2 : z.phi1;
      tQ = firstIsTag ? -1 : 1;
      pQ = -tQ;
      mTrue = z.mass;
      origin = ELECTRON_ORIGIN.prompt;
    } else {
      // Tag from a falling spectrum, probe direction random, probe pt fixed by the drawn mass.
      const scale = cat === PAIR_CATEGORY.continuum ? 25 : 40;
      const x = rng.uniform();
      mTrue = massLo - scale * Math.log(1 - x * (1 - Math.exp(-(massHi - massLo) / scale)));
      tPt = tagPtMin + rng.exponential(15);
      tEta = rng.range(-EM_ETA_MAX, EM_ETA_MAX);
      tPhi = rng.range(-Math.PI, Math.PI);
      pEta = rng.range(-EM_ETA_MAX, EM_ETA_MAX);
      pPhi = rng.range(-Math.PI, Math.PI);
      pPt = (mTrue * mTrue) / (2 * tPt * (Math.cosh(tEta - pEta) - Math.cos(tPhi - pPhi)));
      tQ = rng.uniform() < 0.5 ? -1 : 1;
      pQ = cat === PAIR_CATEGORY.continuum ? -tQ : rng.uniform() < 0.5 ? -1 : 1;
      origin =
        cat === PAIR_CATEGORY.continuum
          ? ELECTRON_ORIGIN.prompt
          : rng.uniform() < 0.8
            ? ELECTRON_ORIGIN.lightJet
            : ELECTRON_ORIGIN.heavyFlavour;
      if (!(pPt < 500)) continue;
    }
    const tAbs = Math.abs(tEta);
    const pAbs = Math.abs(pEta);
    if (tAbs >= EM_ETA_MAX || inCrack(tAbs) || pAbs >= EM_ETA_MAX || pPt < 0.8 * probePtMin) continue;
    // Measured quantities; the probe's identification variables at its true ET.
    simulateElectronCandidate(rng, origin, pPt, pEta, mu, probe);
    simulateElectronCandidate(rng, ELECTRON_ORIGIN.prompt, tPt, tEta, mu, tagBrem);
    // Energy lost outside the cluster by hard bremsstrahlung: a small low tail of the response.
    const tMeas = measure(tPt, tEta, mu) * (1 - 0.03 * tagBrem.brem * rng.uniform());
    const pMeas =
      measure(pPt, pEta, mu) * (origin === ELECTRON_ORIGIN.lightJet ? 1 : 1 - 0.03 * probe.brem * rng.uniform());
    if (tMeas < tagPtMin || pMeas < probePtMin) continue;
    const mass = Math.sqrt(2 * tMeas * pMeas * (Math.cosh(tEta - pEta) - Math.cos(tPhi - pPhi)));
    if (mass < massLo || mass >= massHi) continue;
    if (cat !== PAIR_CATEGORY.fake) {
      if (flip(tAbs, tagBrem.brem)) tQ = -tQ;
      if (origin === ELECTRON_ORIGIN.prompt && flip(pAbs, probe.brem)) pQ = -pQ;
    }
    probe.et = pMeas;
    for (let v = 0; v < idNames.length; v++) {
      const shift = isData ? at(shifts, v) : 0;
      const smear = isData ? at(smears, v) : 0;
      const value = probe[at(idNames, v)];
      at(idOut, v)[i] = value + shift + (smear > 0 ? rng.normal(0, smear) : 0);
    }
    col('tagPt')[i] = tMeas;
    col('tagEta')[i] = tEta;
    col('tagPhi')[i] = tPhi;
    col('tagCharge')[i] = tQ;
    col('probePt')[i] = pMeas;
    col('probeEta')[i] = pEta;
    col('probePhi')[i] = pPhi;
    col('probeCharge')[i] = pQ;
    col('mass')[i] = mass;
    label[i] = cat === PAIR_CATEGORY.z ? 1 : 0;
    category[i] = cat;
    probeOrigin[i] = origin;
    trueMass[i] = mTrue;
    tagTruePt[i] = tPt;
    probeTruePt[i] = pPt;
    const ok = passesCutBasedId(columns, i);
    passes[i] = ok ? 1 : 0;
    if (cat === PAIR_CATEGORY.z) {
      zProbes++;
      if (ok) zPassing++;
      counts.z++;
    } else if (cat === PAIR_CATEGORY.continuum) counts.continuum++;
    else counts.fake++;
    if (tQ === pQ) counts.sameSign++;
    i++;
  }
  const units: Record<string, string> = { ...TAG_AND_PROBE_PAIR_COLUMNS, ...ELECTRON_ID_VARIABLES };
  return {
    task: 'tag-and-probe',
    n,
    columns,
    label,
    weight: new Float32Array(n).fill(1),
    truth: { category, probeOrigin, trueMass, tagTruePt, probeTruePt, probePassesCutBasedId: passes },
    units,
    seed,
    closure: {
      kind,
      alpha,
      extraResolution: extraRes,
      idShift: { ...idShift },
      idSmear: { ...idSmear },
      cutBasedIdEfficiency: zProbes > 0 ? zPassing / zProbes : Number.NaN,
      counts,
    },
  };
}
