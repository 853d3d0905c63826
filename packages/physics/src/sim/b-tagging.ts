import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { erfc } from '../stats/special.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';

/** Options of {@link generateBTagging}. */
export interface BTaggingOptions {
  /** Number of jets. */
  n: number;
  seed: number;
  /** Flavour shares (default those of hadronic Z decays: R_b = 0.216, R_c = 0.172, light 0.612). */
  fractions?: { b: number; c: number; light: number };
  /** Centre-of-mass energy [GeV]; jets share it in two-jet events (default 91.2, the Z pole). */
  sqrtS?: number;
}

/** The six ALEPH b-tag variables, in column order, with units. */
export const B_TAGGING_VARIABLES = {
  pUds: '1',
  deltaChi2: '1',
  leptonPt: 'GeV',
  boostedSphericity: '1',
  energyFlowMultiplicity: '1',
  sumPt2: 'GeV^2',
} as const satisfies Record<string, string>;

/** Truth flavour code (`truth.flavour`): PDG-like 5, 4 and 0. */
export const JET_FLAVOUR = { b: 5, c: 4, light: 0 } as const;

const B_MASS = 5.28;
const D_MASS = 1.87;
/** Proper decay lengths cτ [mm]: B mixture 0.46 mm; D mixture (D⁰, D⁺, Ds, Λc) about 0.2 mm (PDG). */
const B_CTAU = 0.46;
const D_CTAU = 0.2;
/** Mass hypothesis and momentum fraction used to boost jets to the "b-hadron frame". */
const BOOST_MASS = B_MASS;
const BOOST_FRACTION = 0.7;
/** Impact-parameter resolution of the ALEPH vertex detector: 25 µm ⊕ 95 µm·GeV/p. */
const IP_A = 0.025;
const IP_B = 0.095;

/**
 * b, c and light-quark jets at LEP with the six variables of the ALEPH b-tag neural network
 * (ALEPH, Phys. Lett. B 495 (2000) 1, Sect. 3; the lifetime tag of Phys. Lett. B 313 (1993) 535):
 *
 * 1. `pUds`: probability that all tracks come from the primary vertex,
 *    P = y Σ_{j<N} (−ln y)^j / j!, y = Π P_i over the N tracks with positive signed impact-parameter
 *    significance S_i, and P_i the probability of a prompt track to reach S_i under the resolution
 *    function (a Gaussian core with 5 % three times wider tails, as measured on negative-S tracks).
 *    About flat in [0, 1] for light jets (V⁰ decays aside), near 0 for b jets.
 * 2. `deltaChi2`: χ² improvement of a secondary-vertex hypothesis: Σ (S_i² − 1) over tracks with
 *    S_i > 2.5 times the fraction of significance the vertex fit captures (0.5–0.9), when at least
 *    two tracks qualify; K⁰S and Λ decays give light jets a tail.
 * 3. `leptonPt`: transverse momentum of the identified lepton relative to the jet axis [GeV]
 *    (0 without one). Semileptonic b (20 % direct, ~10 % cascade), c (10 %), fakes and π/K decays
 *    in flight in light jets (3 %); lepton momentum above 3 GeV, 80 % identification efficiency.
 * 4. `boostedSphericity`: S = 3/2 (1 − λ₁) of the momentum tensor of the jet's charged
 *    particles, after boosting them along the jet axis with βγ = x·E_jet/m_B (x = 0.7, m_B = 5.28
 *    GeV): the B decay products become isotropic (S large), fragmentation stays elongated.
 * 5. `energyFlowMultiplicity`: charged plus neutral energy-flow objects; b jets have more.
 * 6. `sumPt2`: Σ pT² of the charged tracks relative to the jet axis [GeV²]; the B mass spreads them.
 *
 * Each jet is built from particles: fragmentation tracks (Poisson multiplicity growing with
 * ln E_jet; p from a soft, falling spectrum; pT_rel Rayleigh with σ = 0.35 GeV) plus, for b and c
 * jets, the heavy hadron's decay products, generated isotropically in its rest frame and boosted
 * with its momentum (fragmentation x ≈ 0.7 b, 0.55 c); the hadron flies an exponential decay length
 * of mean βγcτ, and each daughter's impact parameter is that length times its angle to the flight
 * direction, measured with the resolution above. The six variables are computed from these
 * particles, so they are correlated as in the detector (multiplicity with Σ pT², P_uds with Δχ²).
 * Jet energies: x_jet·√s/2 with x_jet = 1 − Beta(1, 8) from hard gluon radiation.
 *
 * Label 1 for b jets; truth `flavour` ({@link JET_FLAVOUR}), `energy` [GeV], `nDecayTracks`.
 */
export function generateBTagging(options: BTaggingOptions): ColumnarSample {
  const { n, seed } = options;
  const fr = options.fractions ?? { b: 0.216, c: 0.172, light: 0.612 };
  const sqrtS = options.sqrtS ?? 91.2;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  const shares = [fr.b, fr.c, fr.light];
  if (shares.some((w) => !(w >= 0)) || shares.every((w) => w === 0)) {
    throw new PhysicsInputError('fractions must be non-negative, not all zero', { field: 'fractions' });
  }
  if (!(sqrtS >= 20)) throw new PhysicsInputError('sqrtS must be at least 20 GeV', { field: 'sqrtS' });
  const rng = new Rng(seed);
  const columns: Record<string, Float32Array> = {};
  for (const name of Object.keys(B_TAGGING_VARIABLES)) columns[name] = new Float32Array(n);
  const c = columns as Record<keyof typeof B_TAGGING_VARIABLES, Float32Array>;
  const label = new Uint8Array(n);
  const flavourOut = new Int32Array(n);
  const energyOut = new Float32Array(n);
  const nDecayOut = new Int32Array(n);
  // Per-jet particle buffers (at most 64 charged particles).
  const MAX = 64;
  const pl = new Float64Array(MAX); // momentum along the jet axis [GeV]
  const px = new Float64Array(MAX); // transverse components [GeV]
  const py = new Float64Array(MAX);
  const sig = new Float64Array(MAX); // signed impact-parameter significance

  for (let i = 0; i < n; i++) {
    const k = rng.choice(shares);
    const flavour = k === 0 ? JET_FLAVOUR.b : k === 1 ? JET_FLAVOUR.c : JET_FLAVOUR.light;
    const energy = (sqrtS / 2) * (1 - rng.beta(1, 8));
    let count = 0;
    let nDecay = 0;
    let heavyEnergy = 0;
    if (flavour !== JET_FLAVOUR.light) {
      const isB = flavour === JET_FLAVOUR.b;
      const mass = isB ? B_MASS : D_MASS;
      const x = Math.min(0.95, Math.max(0.2, rng.normal(isB ? 0.7 : 0.55, 0.12)));
      const pHadron = x * energy;
      heavyEnergy = Math.hypot(pHadron, mass);
      const gamma = heavyEnergy / mass;
      const betaGamma = pHadron / mass;
      const flight = rng.exponential(betaGamma * (isB ? B_CTAU : D_CTAU));
      // Charged decay multiplicity: B (with the cascade D) ≈ 5, D ≈ 2.4; always ≥ 1.
      nDecay = Math.max(1, Math.min(12, rng.poisson(isB ? 4 : 1.4) + 1));
      // Share the rest-frame energy by exponential weights (a flat phase-space proxy), massless.
      let wsum = 0;
      for (let t = 0; t < nDecay; t++) {
        pl[t] = rng.exponential(1);
        wsum += at(pl, t);
      }
      // Neutrals (π⁰, ν) take about 40 % of the hadron energy.
      const chargedShare = 0.6 * mass;
      for (let t = 0; t < nDecay; t++) {
        const e = (at(pl, t) / wsum) * chargedShare;
        const cosT = 2 * rng.uniform() - 1;
        const sinT = Math.sqrt(1 - cosT * cosT);
        const phi = 2 * Math.PI * rng.uniform();
        // Boost along the hadron direction (≈ the jet axis).
        const plLab = gamma * (e * cosT + (betaGamma / gamma) * e);
        const tx = e * sinT * Math.cos(phi);
        const ty = e * sinT * Math.sin(phi);
        pl[t] = plLab;
        px[t] = tx;
        py[t] = ty;
        const p = Math.hypot(plLab, tx, ty);
        const angle = Math.hypot(tx, ty) / p;
        const ip = flight * angle;
        const sigma = Math.hypot(IP_A, IP_B / p);
        sig[t] = ip / sigma + tailNormal(rng);
      }
      count = nDecay;
    }
    // Fragmentation (and for light jets the whole jet): multiplicity grows with ln E.
    const fragEnergy = Math.max(1, energy - heavyEnergy);
    const meanFrag =
      (flavour === JET_FLAVOUR.light ? 1 : flavour === JET_FLAVOUR.c ? 0.8 : 0.7) * (2.2 + 1.6 * Math.log(energy));
    const nFrag = Math.min(MAX - count, rng.poisson(meanFrag) + 1);
    // Soft, falling momentum spectrum: exponential weights of the charged fragmentation energy.
    let wsum = 0;
    for (let t = 0; t < nFrag; t++) {
      const w = rng.exponential(1) ** 1.5;
      pl[count + t] = w;
      wsum += w;
    }
    const chargedFrag = 0.62 * fragEnergy;
    let v0 = false;
    for (let t = 0; t < nFrag; t++) {
      const j = count + t;
      const p = Math.max(0.2, (at(pl, j) / wsum) * chargedFrag);
      const pt = Math.min(0.9 * p, 0.35 * Math.sqrt(-2 * Math.log(rng.uniformOpen())));
      const phi = 2 * Math.PI * rng.uniform();
      pl[j] = Math.sqrt(p * p - pt * pt);
      px[j] = pt * Math.cos(phi);
      py[j] = pt * Math.sin(phi);
      // Prompt tracks: Gaussian core with 5 % non-Gaussian tails; K⁰S/Λ daughters (light jets ~10 %).
      let s = tailNormal(rng);
      if (rng.uniform() < 0.012) {
        s = 3 + rng.exponential(10);
        v0 = true;
      }
      sig[j] = s;
    }
    count += nFrag;

    // 1. P_uds from the positive significances.
    let logY = 0;
    let nPos = 0;
    let chi2 = 0;
    let nVtx = 0;
    for (let t = 0; t < count; t++) {
      const s = at(sig, t);
      if (s > 0) {
        nPos++;
        logY += Math.log(Math.max(1e-300, promptTrackProbability(s)));
      }
      if (s > 2.5) {
        nVtx++;
        chi2 += s * s - 1;
      }
    }
    c.pUds[i] = nPos === 0 ? 1 : allPrimaryProbability(logY, nPos);
    // 2. Δχ² of a secondary vertex.
    c.deltaChi2[i] = nVtx >= 2 ? chi2 * (0.5 + 0.4 * rng.uniform()) + (v0 ? rng.exponential(20) : 0) : 0;
    // 3. Lepton pT relative to the jet axis.
    const pLepton = flavour === JET_FLAVOUR.b ? 0.3 : flavour === JET_FLAVOUR.c ? 0.1 : 0.03 + (v0 ? 0.02 : 0);
    const hasLepton = rng.uniform() < pLepton * 0.8;
    const ptScale = flavour === JET_FLAVOUR.b ? 1.0 : flavour === JET_FLAVOUR.c ? 0.55 : 0.45;
    c.leptonPt[i] = hasLepton ? ptScale * Math.sqrt(-2 * Math.log(rng.uniformOpen())) : 0;
    // 4. Boosted sphericity; 6. Σ pT² relative to the axis (the charged momentum sum).
    let sx = 0;
    let sy = 0;
    let sl = 0;
    for (let t = 0; t < count; t++) {
      sx += at(px, t);
      sy += at(py, t);
      sl += at(pl, t);
    }
    const axisNorm = Math.hypot(sx, sy, sl);
    const ax = sx / axisNorm;
    const ay = sy / axisNorm;
    const al = sl / axisNorm;
    const bg = (BOOST_FRACTION * energy) / BOOST_MASS;
    const gammaBoost = Math.sqrt(1 + bg * bg);
    const beta = bg / gammaBoost;
    let sumPt2 = 0;
    let txx = 0;
    let tyy = 0;
    let tzz = 0;
    let txy = 0;
    let txz = 0;
    let tyz = 0;
    let norm = 0;
    for (let t = 0; t < count; t++) {
      const vx = at(px, t);
      const vy = at(py, t);
      const vl = at(pl, t);
      const along = vx * ax + vy * ay + vl * al;
      const p2 = vx * vx + vy * vy + vl * vl;
      const ptRel2 = Math.max(0, p2 - along * along);
      sumPt2 += ptRel2;
      // Boost (massless): longitudinal γ(p_L − βE); transverse unchanged.
      const e = Math.sqrt(p2);
      const lBoost = gammaBoost * (along - beta * e);
      // Boosted vector: the transverse part unchanged plus the boosted longitudinal part.
      const qx = vx - along * ax + lBoost * ax;
      const qy = vy - along * ay + lBoost * ay;
      const qz = vl - along * al + lBoost * al;
      txx += qx * qx;
      tyy += qy * qy;
      tzz += qz * qz;
      txy += qx * qy;
      txz += qx * qz;
      tyz += qy * qz;
      norm += qx * qx + qy * qy + qz * qz;
    }
    c.sumPt2[i] = sumPt2;
    c.boostedSphericity[i] =
      norm > 0
        ? 1.5 * (1 - largestEigenvalue(txx / norm, tyy / norm, tzz / norm, txy / norm, txz / norm, tyz / norm))
        : 0;
    // 5. Energy-flow multiplicity: charged tracks plus neutral objects (photons, neutral hadrons).
    const neutral = rng.poisson(0.8 * count);
    c.energyFlowMultiplicity[i] = count + neutral;

    label[i] = flavour === JET_FLAVOUR.b ? 1 : 0;
    flavourOut[i] = flavour;
    energyOut[i] = energy;
    nDecayOut[i] = nDecay;
  }
  return {
    task: 'b-tagging',
    n,
    columns,
    label,
    weight: new Float32Array(n).fill(1),
    truth: { flavour: flavourOut, energy: energyOut, nDecayTracks: nDecayOut },
    units: { ...B_TAGGING_VARIABLES },
    seed,
  };
}

/** Probability that a prompt track has significance ≥ s > 0 under {@link tailNormal}'s resolution. */
function promptTrackProbability(s: number): number {
  return 0.95 * erfc(s / Math.SQRT2) + 0.05 * erfc(s / (3 * Math.SQRT2));
}

/** Gaussian resolution with 5 % of tracks three times wider (pattern-recognition tails). */
function tailNormal(rng: Rng): number {
  return rng.normal(0, rng.uniform() < 0.05 ? 3 : 1);
}

/**
 * P(all N tracks prompt) = y Σ_{j=0}^{N−1} (−ln y)^j / j! for y = Π P_i (ALEPH, Phys. Lett. B 313
 * (1993) 535, Eq. 2): the probability that a product of N uniform variates is at most y.
 */
export function allPrimaryProbability(logY: number, nTracks: number): number {
  if (!(nTracks >= 1)) throw new PhysicsInputError('nTracks must be at least 1', { field: 'nTracks' });
  const minusLog = -logY;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < nTracks; j++) {
    term *= minusLog / j;
    sum += term;
  }
  return Math.min(1, Math.exp(logY) * sum);
}

/**
 * Largest eigenvalue of the symmetric 3×3 matrix [[a, d, e], [d, b, f], [e, f, c]] by the
 * trigonometric closed form (Smith, Commun. ACM 4 (1961) 168).
 */
export function largestEigenvalue(a: number, b: number, c: number, d: number, e: number, f: number): number {
  const p1 = d * d + e * e + f * f;
  if (p1 === 0) return Math.max(a, b, c);
  const q = (a + b + c) / 3;
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const ba = (a - q) / p;
  const bb = (b - q) / p;
  const bc = (c - q) / p;
  const bd = d / p;
  const be = e / p;
  const bf = f / p;
  const detB = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const r = Math.min(1, Math.max(-1, detB / 2));
  return q + 2 * p * Math.cos(Math.acos(r) / 3);
}
