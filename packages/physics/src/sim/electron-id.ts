import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { EM_ETA_MAX, TRT_ETA_MAX } from './detector.ts';
import {
  ELECTRON_ID_VARIABLES,
  ELECTRON_ORIGIN,
  type ElectronIdVariable,
  newElectronCandidate,
  simulateElectronCandidate,
} from './electron-candidate.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';
import { emptyZeeDecay, sampleZee } from './z-boson.ts';

/** Options of {@link generateElectronId}. */
export interface ElectronIdOptions {
  /** Number of candidates (signal and background together). */
  n: number;
  /** Seed of the generator; the same seed gives the same bytes. */
  seed: number;
  /** Fraction of prompt electrons (default 0.5). */
  signalFraction?: number;
  /** Relative shares of the backgrounds (default light jets 0.74, conversions 0.13, heavy flavour 0.13). */
  backgroundComposition?: { lightJet: number; conversion: number; heavyFlavour: number };
  /** ET window [GeV] of the candidates (default 15–250). */
  etMin?: number;
  etMax?: number;
  /** Mean number of pp interactions per crossing ⟨μ⟩ (default 32, Run-2 average). */
  muMean?: number;
}

/**
 * A reference cut-based identification in the spirit of the ATLAS/CMS cut-based "medium"
 * selections: hadronic leakage, lateral shower shapes, strip-layer Eratio, track–cluster
 * matching, silicon hits and (inside the TRT, |η| < 2.0) the TRT electron probability.
 * Reads row `row` of `columns` (names of {@link ELECTRON_ID_VARIABLES}). It is a fixed selection
 * whose true efficiency the tag-and-probe generator records, for closure tests.
 */
export function passesCutBasedId(columns: Record<string, ArrayLike<number>>, row: number): boolean {
  const v = (name: ElectronIdVariable): number => {
    const c = columns[name];
    if (!c) throw new PhysicsInputError(`missing column ${name}`, { field: name });
    return at(c, row);
  };
  const absEta = Math.abs(v('eta'));
  const leakage = absEta > 0.8 && absEta < 1.37 ? v('rhad') : v('rhad1');
  return (
    leakage < 0.03 &&
    v('reta') > 0.9 &&
    v('weta2') < 0.0118 &&
    v('eratio') > 0.75 &&
    Math.abs(v('deltaEta1')) < 0.005 &&
    v('eOverP') < 3 &&
    v('nPixel') >= 2 &&
    v('nSi') >= 7 &&
    v('nBlayer') >= 1 &&
    (absEta >= TRT_ETA_MAX || v('eProbabilityHT') > 0.3)
  );
}

/**
 * Fast simulation of electron candidates for identification: prompt electrons from Z→ee against
 * light-flavour jets faking electrons, photon conversions and electrons from semileptonic
 * heavy-flavour decays, each with the ATLAS likelihood variables (arXiv:1902.04655, Table 1;
 * earlier ATLAS, Eur. Phys. J. C 77 (2017) 195) plus ET, η and ⟨μ⟩.
 *
 * Each candidate is built from a few physical latent quantities, so the variables are correlated
 * the way they are in the detector, and a projective likelihood (product of one-dimensional
 * densities) leaves separation to a multivariate classifier:
 * - Real electrons and photons: the shower depth s ~ N(0, 1) (later showers leak more into the
 *   hadronic calorimeter and the third layer, deposit less in the strips, are a little wider:
 *   Rhad, Rhad1, f3, f1, Rη, wη2, wstot move together), and the bremsstrahlung energy loss in the
 *   tracker, Bethe–Heitler: −ln z ~ Gamma(t/ln 2) with t the material in X₀ (Δp/p, E/p,
 *   Δφres, Rφ and the d0 resolution move together and with |η| through the material).
 * - Light-flavour jets: the π⁰ (photon) fraction f_em of the cluster. A high f_em makes the
 *   calorimeter look like an electron but leaves the charged track soft, so E/p and the
 *   track–cluster match get worse exactly when the shower shapes get better. The two photons of a
 *   π⁰ are resolved in the strips (second maximum, low Eratio, large wstot) below ET ≈ 40 GeV and
 *   merge above, so Eratio loses power with ET. In 10 % of jets the track is itself an electron
 *   (Dalitz decay or a conversion inside the jet): TRT and E/p then look like a real electron.
 * - Conversions: a real e/γ shower, but the track starts at the conversion radius (no IBL hit
 *   beyond 33 mm, fewer pixel hits, large d0) and carries only a fraction of the photon energy
 *   (E/p > 1).
 * - Heavy flavour: real electrons with B/D lifetime (d0 tails) and nearby hadronic activity
 *   a ~ Exp that widens every shower shape together and adds hadronic leakage. Without isolation
 *   (not in the list), part of them cannot be told from prompt electrons: this, and jets with an
 *   electron track, bound the achievable AUC below 1.
 * Detector effects: resolutions and noise terms scale as 1/ET or 1/√E; pile-up ⟨μ⟩ adds energy
 * around the cluster (lower Rη, higher Rhad, wider wη2) and TRT occupancy (pions gain
 * eProbabilityHT); the crack 1.37 < |η| < 1.52 has extra material (wider showers, larger leakage,
 * worse resolution); the TRT ends at |η| = 2.0 (eProbabilityHT = 0.5 beyond, as no information).
 * ET spectra: signal from Z decays (Jacobian peak near m_Z/2 = 45.6 GeV, η from the Z rapidity);
 * backgrounds fall as power laws dN/dET ∝ ET^−n with n = 4 (jets), 3.5 (conversions), 4.5 (heavy
 * flavour). η of the backgrounds is flat within |η| < 2.47.
 *
 * Columns: {@link ELECTRON_ID_VARIABLES}; label 1 for prompt electrons; truth `origin`
 * ({@link ELECTRON_ORIGIN}), `brem` and `emFraction`. Weights are 1.
 */
export function generateElectronId(options: ElectronIdOptions): ColumnarSample {
  const { n, seed } = options;
  const signalFraction = options.signalFraction ?? 0.5;
  const etMin = options.etMin ?? 15;
  const etMax = options.etMax ?? 250;
  const muMean = options.muMean ?? 32;
  const comp = options.backgroundComposition ?? { lightJet: 0.74, conversion: 0.13, heavyFlavour: 0.13 };
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  if (!(signalFraction >= 0 && signalFraction <= 1)) {
    throw new PhysicsInputError('signalFraction must lie in [0, 1]', { field: 'signalFraction' });
  }
  if (!(etMin > 0 && etMax > etMin)) {
    throw new PhysicsInputError('need 0 < etMin < etMax', { field: 'etMin' });
  }
  if (!(muMean > 0)) throw new PhysicsInputError('muMean must be positive', { field: 'muMean' });
  const shares = [comp.lightJet, comp.conversion, comp.heavyFlavour];
  if (shares.some((w) => !(w >= 0)) || shares.every((w) => w === 0)) {
    throw new PhysicsInputError('backgroundComposition needs non-negative shares, not all zero', {
      field: 'backgroundComposition',
    });
  }
  const rng = new Rng(seed);
  const names = Object.keys(ELECTRON_ID_VARIABLES) as ElectronIdVariable[];
  const columns: Record<string, Float32Array> = {};
  for (const name of names) columns[name] = new Float32Array(n);
  const label = new Uint8Array(n);
  const weight = new Float32Array(n).fill(1);
  const origin = new Int32Array(n);
  const brem = new Float32Array(n);
  const emFraction = new Float32Array(n);
  const cand = newElectronCandidate();
  const z = emptyZeeDecay();
  const out = names.map((name) => columns[name] as Float32Array);

  for (let i = 0; i < n; i++) {
    const isSignal = rng.uniform() < signalFraction;
    const kind = isSignal ? ELECTRON_ORIGIN.prompt : 1 + rng.choice(shares);
    label[i] = isSignal ? 1 : 0;
    origin[i] = kind;
    // ⟨μ⟩ of the crossing: Gamma with mean muMean and a spread like the Run-2 profile (σ ≈ 11).
    cand.mu = rng.gamma(8, muMean / 8);
    if (kind === ELECTRON_ORIGIN.prompt) {
      // One of the two Z electrons, at random, inside the acceptance.
      for (;;) {
        sampleZee(rng, z);
        const first = rng.uniform() < 0.5;
        const pt = first ? z.pt1 : z.pt2;
        const eta = first ? z.eta1 : z.eta2;
        if (pt >= etMin && pt < etMax && Math.abs(eta) < EM_ETA_MAX) {
          cand.et = pt;
          cand.eta = eta;
          break;
        }
      }
    } else {
      const index = kind === ELECTRON_ORIGIN.lightJet ? 4 : kind === ELECTRON_ORIGIN.conversion ? 3.5 : 4.5;
      cand.et = powerLaw(rng, etMin, etMax, index);
      cand.eta = rng.range(-EM_ETA_MAX, EM_ETA_MAX);
    }
    simulateElectronCandidate(rng, kind, cand.et, cand.eta, cand.mu, cand);
    for (let v = 0; v < names.length; v++) {
      at(out, v)[i] = cand[at(names, v)];
    }
    brem[i] = cand.brem;
    emFraction[i] = cand.emFraction;
  }
  return {
    task: 'electron-id',
    n,
    columns,
    label,
    weight,
    truth: { origin, brem, emFraction },
    units: { ...ELECTRON_ID_VARIABLES },
    seed,
  };
}

/** dN/dx ∝ x^−index on [lo, hi) by inverting the cumulative distribution (index > 1). */
export function powerLaw(rng: Rng, lo: number, hi: number, index: number): number {
  const k = index - 1;
  const r = (lo / hi) ** k;
  return lo * (1 - rng.uniform() * (1 - r)) ** (-1 / k);
}
