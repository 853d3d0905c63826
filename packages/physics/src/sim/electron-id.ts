import { PhysicsInputError } from '../errors.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';

/** Options of {@link generateElectronId}. */
export interface ElectronIdOptions {
  /** Number of events (signal and background together). */
  n: number;
  /** Seed of the generator; the same seed gives the same bytes. */
  seed: number;
  /** Fraction of prompt electrons (default 0.5). */
  signalFraction?: number;
}

/** Input variables of the electron-identification task, in column order, with their units. */
export const ELECTRON_ID_VARIABLES = {
  et: 'GeV',
  eta: '1',
  rhad: '1',
  reta: '1',
  weta2: '1',
  eratio: '1',
  d0sig: '1',
  eProbabilityHT: '1',
  deltaEta1: '1',
  eOverP: '1',
} as const satisfies Record<string, string>;

/** Truth origin code of each candidate. */
export const ELECTRON_ORIGIN = { prompt: 0, lightJet: 1, conversion: 2, heavyFlavour: 3 } as const;

/**
 * Fast simulation of electron candidates for identification: prompt electrons from Z→ee against
 * light-flavour jets faking electrons, photon conversions and semileptonic heavy-flavour decays.
 *
 * The variables follow the ATLAS electron likelihood (ATLAS, Eur. Phys. J. C 79 (2019) 639,
 * arXiv:1902.04655): hadronic leakage Rhad, lateral shower shapes Rη and wη2 (wider for hadronic
 * showers), the strip-layer Eratio (π0→γγ in jets gives a second maximum), the transverse
 * impact-parameter significance |d0/σd0| (large for heavy flavour), the TRT high-threshold
 * probability (transition radiation of electrons), the track–cluster Δη1 and E/p (bremsstrahlung
 * tail above 1 for electrons). A latent shower-development variable correlates Rhad, Rη, wη2 and
 * Eratio within each class, so a projective likelihood does not reach the optimum. Shower widths
 * narrow as ET grows (stochastic term) and degrade in the endcap and in the crack 1.37 < |η| < 1.52.
 * Signal ET is a Jacobian-peak-like spectrum around m_Z/2; background ET falls steeply.
 */
export function generateElectronId(options: ElectronIdOptions): ColumnarSample {
  const { n, seed } = options;
  const signalFraction = options.signalFraction ?? 0.5;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  if (!(signalFraction > 0 && signalFraction < 1)) {
    throw new PhysicsInputError('signalFraction must lie in (0, 1)', { field: 'signalFraction' });
  }
  const rng = new Rng(seed);
  const columns: Record<string, Float32Array> = {};
  for (const name of Object.keys(ELECTRON_ID_VARIABLES)) columns[name] = new Float32Array(n);
  const c = columns as Record<keyof typeof ELECTRON_ID_VARIABLES, Float32Array>;
  const label = new Uint8Array(n);
  const weight = new Float32Array(n).fill(1);
  const origin = new Int32Array(n);

  for (let i = 0; i < n; i++) {
    const isSignal = rng.uniform() < signalFraction;
    const kind = isSignal ? ELECTRON_ORIGIN.prompt : 1 + rng.choice([0.75, 0.12, 0.13]);
    label[i] = isSignal ? 1 : 0;
    origin[i] = kind;

    // ET spectrum [GeV]: Z→ee electrons peak near m_Z/2 with a low tail; fakes fall as ET^-4.
    const et = isSignal
      ? Math.max(7, Math.min(150, rng.normal(41, 8) - rng.exponential(4)))
      : 7 / Math.sqrt(Math.sqrt(1 - rng.uniform() * (1 - (7 / 150) ** 4)));
    const eta = rng.range(-2.47, 2.47);
    const absEta = Math.abs(eta);
    const crack = absEta > 1.37 && absEta < 1.52;
    // Detector smearing: stochastic term shrinks with ET, material grows towards the endcap.
    const res = (0.1 / Math.sqrt(et / 10)) * (1 + 0.3 * absEta) * (crack ? 2 : 1);
    const shower = rng.normal(); // latent shower development, shared by the calorimeter variables

    let rhad: number;
    let reta: number;
    let weta2: number;
    let eratio: number;
    let d0sig: number;
    let pHT: number;
    let deta1: number;
    let eOverP: number;
    if (kind === ELECTRON_ORIGIN.prompt) {
      rhad = Math.abs(rng.normal(0, 0.006 + 0.004 * res)) + 0.002 * Math.max(0, shower);
      reta = 0.955 - 0.01 * shower * (1 + res) + rng.normal(0, 0.006 + 0.02 * res);
      weta2 = 0.0098 + 0.0004 * shower + rng.normal(0, 0.0003 + 0.001 * res);
      eratio = 0.96 - 0.02 * Math.abs(shower) - rng.exponential(0.02 + 0.1 * res);
      d0sig = Math.abs(rng.normal(0, 1));
      pHT = rng.beta(5, 3) * (absEta < 2.0 ? 1 : 0.8);
      deta1 = rng.normal(0, 0.0015 * (1 + res));
      eOverP = 1 + rng.exponential(0.08) + rng.normal(0, 0.03);
    } else if (kind === ELECTRON_ORIGIN.lightJet) {
      rhad = Math.abs(rng.normal(0.02, 0.05)) + 0.03 * Math.max(0, shower);
      reta = 0.88 - 0.04 * shower + rng.normal(0, 0.04);
      weta2 = 0.0118 + 0.001 * shower + rng.normal(0, 0.0012);
      eratio = rng.uniform() < 0.55 ? rng.beta(2, 2) : 0.9 - rng.exponential(0.06);
      d0sig = Math.abs(rng.normal(0, 1.3));
      pHT = rng.beta(1.5, 6);
      deta1 = rng.normal(0, 0.005);
      eOverP = rng.uniform() < 0.5 ? rng.gamma(4, 0.45) : rng.normal(1.1, 0.3);
    } else if (kind === ELECTRON_ORIGIN.conversion) {
      rhad = Math.abs(rng.normal(0, 0.01));
      reta = 0.94 - 0.015 * shower + rng.normal(0, 0.01);
      weta2 = 0.0102 + 0.0005 * shower + rng.normal(0, 0.0005);
      eratio = 0.93 - rng.exponential(0.04);
      d0sig = Math.abs(rng.normal(0, 4));
      pHT = rng.beta(3, 4);
      deta1 = rng.normal(0, 0.004);
      eOverP = 1.3 + rng.exponential(0.6);
    } else {
      rhad = Math.abs(rng.normal(0.005, 0.02));
      reta = 0.92 - 0.02 * shower + rng.normal(0, 0.02);
      weta2 = 0.0108 + 0.0007 * shower + rng.normal(0, 0.0008);
      eratio = 0.9 - rng.exponential(0.06);
      d0sig = Math.abs(rng.normal(0, 1)) + rng.exponential(3);
      pHT = rng.beta(4, 3);
      deta1 = rng.normal(0, 0.003);
      eOverP = 1.2 + rng.exponential(0.4);
    }
    c.et[i] = et;
    c.eta[i] = eta;
    c.rhad[i] = rhad;
    c.reta[i] = Math.min(1.05, reta);
    c.weta2[i] = Math.max(0.006, weta2);
    c.eratio[i] = Math.max(0, Math.min(1, eratio));
    c.d0sig[i] = d0sig;
    c.eProbabilityHT[i] = pHT;
    c.deltaEta1[i] = deta1;
    c.eOverP[i] = Math.max(0.1, eOverP);
  }
  return {
    task: 'electron-id',
    n,
    columns,
    label,
    weight,
    truth: { origin },
    units: { ...ELECTRON_ID_VARIABLES },
    seed,
  };
}
