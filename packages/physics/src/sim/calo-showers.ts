import { PhysicsInputError } from '../errors.ts';
import { solvePositiveDefinite } from '../fit/linear-algebra.ts';
import { lnGamma } from '../stats/special.ts';
import { innerDetectorMaterial, upstreamMaterial } from './detector.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';

/** Options of {@link generateCaloShowers}. */
export interface CaloShowersOptions {
  /** Number of showers (electrons and photons together). */
  n: number;
  /** Seed of the generator; the same seed gives the same bytes. */
  seed: number;
  /** Fraction of photons (default 0.5); the rest are electrons. */
  photonFraction?: number;
  /** True-energy window [GeV] (default 3–300), sampled flat in ln E. */
  eMin?: number;
  eMax?: number;
  /** Largest |η| (default 1.4, the barrel). */
  etaMax?: number;
  /** Mean number of pp interactions per crossing ⟨μ⟩ (default 32, Run-2 average). */
  muMean?: number;
  /** Whether to fill the cell images (default true); scalars are the same either way. */
  images?: boolean;
  /**
   * Whether the images also carry the cell time [ns] of each layer as channels 4–7 (default false:
   * 4 energy channels in GeV, the bundle's image unit). Energies are the same either way.
   */
  imageTime?: boolean;
  /**
   * Coefficients of the standard calibration written to `eCalStandard`; default: those fitted by
   * {@link defaultStandardCalibration} on a nominal calibration sample.
   */
  calibration?: StandardCalibration;
}

/**
 * Scalar input variables of the energy regression, in column order, with their units: the
 * variables of the ATLAS MVA calibration (Eur. Phys. J. C 74 (2014) 3071; JINST 14 (2019) P03017)
 * and the scalar side inputs of DeepCalo (F. Faye, Niels Bohr Institute, github.com/ffaye/deepcalo).
 */
export const CALO_SHOWER_VARIABLES = {
  eRaw: 'GeV',
  eAcc: 'GeV',
  ePs: 'GeV',
  e1: 'GeV',
  e2: 'GeV',
  e3: 'GeV',
  eta: '1',
  phi: 'rad',
  pt: 'GeV',
  f0: '1',
  f1: '1',
  f3: '1',
  r12: '1',
  showerDepth: '1',
  etaCell: '1',
  phiCell: '1',
  mu: '1',
  isPhoton: '1',
  isConverted: '1',
  convRadius: 'mm',
} as const satisfies Record<string, string>;

/** Name of one scalar regression variable. */
export type CaloShowerVariable = keyof typeof CALO_SHOWER_VARIABLES;

/** Column holding the standard (pre-MVA) calibration's energy [GeV]: the baseline to beat. */
export const STANDARD_CALIBRATION_COLUMN = 'eCalStandard';

/** Truth particle code (`truth.particle`; the label is the same number). */
export const CALO_PARTICLE = { electron: 0, photon: 1 } as const;

/** Image height (η cells), width (φ cells) and channels; HWC float32, row-major per shower. */
export const CALO_IMAGE_SHAPE = [7, 11, 4] as const;
/** What each image channel holds: cell energy [GeV] of each layer on the middle-layer grid. */
export const CALO_IMAGE_CHANNELS = ['presampler', 'strips', 'middle', 'back'] as const;
/** The extra channels with `imageTime`: cell time [ns] of each layer (0 below 2σ of the cell noise). */
export const CALO_IMAGE_TIME_CHANNELS = ['presamplerTime', 'stripsTime', 'middleTime', 'backTime'] as const;
/**
 * Cell time model [ns]: the shower arrives at t = 0 (time of flight subtracted) and is measured
 * with σ_t = (τ·σ_noise/E) ⊕ 0.25 ns, τ = 30 ns (optimal filtering: the timing error scales with
 * noise over signal; ATLAS LAr, Eur. Phys. J. C 70 (2010) 723), while out-of-time pile-up energy
 * comes from neighbouring bunch crossings with a 10 ns spread; a cell's time is the energy-weighted
 * mean, reported only above 2σ of its noise (as the reconstruction stores it).
 */
const TIME_TAU_NS = 30;
const TIME_CONSTANT_NS = 0.25;
const PILEUP_TIME_SPREAD_NS = 10;

/** Middle-layer cell size: Δη = 0.025, Δφ = 2π/256 ≈ 0.0245 rad (ATLAS barrel). */
const CELL_ETA = 0.025;
const CELL_PHI = (2 * Math.PI) / 256;
/** Cluster window in middle cells: 3 (η) × 7 (φ), the ATLAS barrel electron cluster. */
const WINDOW_HALF_ETA = 1.5;
const WINDOW_HALF_PHI = 3.5;
/**
 * Native granularity of each layer in middle cells (η, φ): presampler 0.025 × 0.1, strips
 * 0.003125 × 0.1 (summed to 0.025 in η on the common grid), middle 0.025 × 0.0245, back
 * 0.05 × 0.0245 (ATLAS, JINST 3 (2008) S08003, Table 5.3).
 */
const LAYER_CELLS_ETA = [1, 1, 1, 2] as const;
const LAYER_CELLS_PHI = [4, 4, 1, 1] as const;
/** Native cells of each layer inside the 3 × 7 window (strips counted at their 1/8 η pitch). */
const WINDOW_NATIVE_CELLS = [6, 48, 21, 14] as const;
/** Electronic noise per native cell [GeV] at the EM scale (ATLAS LAr, Eur. Phys. J. C 70 (2010) 723, rounded). */
const NOISE_PER_CELL = [0.03, 0.01, 0.035, 0.02] as const;
/** Pile-up noise per native cell [GeV] at μ = 40 (bipolar shaping: zero mean, positive skew). */
const PILEUP_PER_CELL = [0.05, 0.012, 0.06, 0.02] as const;
/** Lateral width of the shower in each layer relative to the middle layer. */
const LAYER_WIDTH = [0.8, 0.6, 1, 1.8] as const;
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

/** A calorimeter shower sample: the columnar scalars plus the cell images. */
export interface CaloShowerSample extends ColumnarSample {
  /** Cell images, n × H × W × C float32 (HWC, row-major per shower); empty when not requested. */
  image: Float32Array;
  /** [H, W, C] of one image ({@link CALO_IMAGE_SHAPE}). */
  imageShape: readonly [number, number, number];
  /** Meaning of each channel ({@link CALO_IMAGE_CHANNELS}, GeV; then {@link CALO_IMAGE_TIME_CHANNELS}, ns). */
  imageChannels: readonly string[];
}

/** Everything the generator knows about one shower; reused between events. */
interface Shower {
  eTrue: number;
  eta: number;
  phi: number;
  mu: number;
  particle: number;
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

function newShower(): Shower {
  return {
    eTrue: 0,
    eta: 0,
    phi: 0,
    mu: 0,
    particle: 0,
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
function lateralFraction(lo: number, hi: number, width: number): number {
  const rc = CORE_RADIUS * width;
  const rt = TAIL_RADIUS * width;
  const core = hi / Math.sqrt(hi * hi + rc * rc) - lo / Math.sqrt(lo * lo + rc * rc);
  const tail = hi / Math.sqrt(hi * hi + rt * rt) - lo / Math.sqrt(lo * lo + rt * rt);
  return 0.5 * (CORE_SHARE * core + (1 - CORE_SHARE) * tail);
}

/**
 * Regularized lower incomplete gamma P(a, x) with ln Γ(a) given: the algorithm of
 * `stats/special.ts` (series below a + 1, Lentz continued fraction above; Numerical Recipes 3rd
 * ed. §6.2) with a 1e-10 tolerance and ln Γ(a) computed once per shower, since six depths of one
 * profile are integrated per shower. Agrees with `regularizedGammaP` within 1e-9 (tested).
 */
export function gammaCdf(a: number, lnGammaA: number, x: number): number {
  if (x <= 0) return 0;
  const prefactor = Math.exp(-x + a * Math.log(x) - lnGammaA);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let k = 0; k < 500; k++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-10) break;
    }
    return Math.min(1, sum * prefactor);
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-10) break;
  }
  return Math.max(0, 1 - prefactor * h);
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
 * Simulates one shower's truth, longitudinal development, window containment, noise and pile-up
 * into `s` (see {@link generateCaloShowers} for the physics).
 */
function simulateShower(rng: Rng, s: Shower, isPhoton: boolean, eTrue: number, eta: number, mu: number): void {
  const absEta = Math.abs(eta);
  s.eTrue = eTrue;
  s.eta = eta;
  s.mu = mu;
  s.particle = isPhoton ? CALO_PARTICLE.photon : CALO_PARTICLE.electron;
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
    const dep = d[k] as number;
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
    const dep = (d[k] as number) * (s.scale[k] as number);
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

/** Coefficients of the standard calibration per category and |η| bin; see {@link fitStandardCalibration}. */
export interface StandardCalibration {
  /** Upper |η| edges of the bins (lo ≤ |η| < hi; the last bin takes everything above). */
  etaEdges: number[];
  /** coefficients[category][bin] = [c0, c1, c2, c3, c4] of {@link standardCalibrationFeatures}. */
  coefficients: number[][][];
}

/** Calibration categories: 0 electrons, 1 unconverted photons, 2 converted photons (reconstructed). */
export function calibrationCategory(isPhoton: number, isConverted: number): number {
  return isPhoton ? (isConverted ? 2 : 1) : 0;
}

/**
 * Features of the standard calibration, written into `out` (length 5):
 * [1, E_PS, E_acc, E_acc·X, E_acc·ln(E_acc/GeV)], with X the longitudinal barycentre [X₀].
 * The calibrated energy E = c·x is the ATLAS pre-MVA ("calibration hits") form
 * E = a + b·E_PS + E_acc·(s + l·X + m·ln E_acc): an offset and a presampler-weighted term for the
 * energy lost upstream, and an accordion scale corrected for longitudinal leakage and its energy
 * dependence through X and ln E (ATLAS, "Expected performance", arXiv:0901.0512, calibration
 * hits; Eur. Phys. J. C 72 (2012) 1909). On the default sample it is unbiased within 1 % per |η|
 * bin and above 10 GeV, but non-linear at low energy (median E/E_true ≈ 1.03 at 3–6 GeV) and blind
 * to the impact point in the cell (containment), to leakage fluctuations (f3) and to the
 * out-of-cluster energy that the images still show: room that a regression can use (tested).
 */
export function standardCalibrationFeatures(ePs: number, eAcc: number, showerDepth: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = ePs;
  out[2] = eAcc;
  out[3] = eAcc * showerDepth;
  out[4] = eAcc * Math.log(Math.max(eAcc, 0.5));
}

const CALIBRATION_FEATURES = 5;

/**
 * Fits the standard calibration on a sample from {@link generateCaloShowers}: for each category
 * ({@link calibrationCategory}) and |η| bin of width 0.1, weighted least squares of E_true on the
 * features of {@link standardCalibrationFeatures}, minimising the χ² Σ (c·x − E_true)²/σ²(E_true)
 * with the expected resolution σ² = (0.1√E)² + 0.4² + (0.01E)² GeV², so each energy counts by its
 * precision. Throws {@link PhysicsInputError}
 * when a bin has fewer than 50 showers.
 */
export function fitStandardCalibration(sample: ColumnarSample, etaMax = 1.4): StandardCalibration {
  const nBins = Math.round(etaMax / 0.1);
  const etaEdges = Array.from({ length: nBins }, (_, i) => Number(((i + 1) * 0.1).toFixed(10)));
  const col = (name: string): Float32Array => {
    const c = sample.columns[name];
    if (!c) throw new PhysicsInputError(`missing column ${name}`, { field: name });
    return c;
  };
  const eTrue = sample.truth.eTrue;
  if (!eTrue) throw new PhysicsInputError('missing truth eTrue', { field: 'eTrue' });
  const [ePs, eAcc, depth, eta, isPhoton, isConv] = [
    col('ePs'),
    col('eAcc'),
    col('showerDepth'),
    col('eta'),
    col('isPhoton'),
    col('isConverted'),
  ];
  const p = CALIBRATION_FEATURES;
  const normal = Array.from({ length: 3 * nBins }, () => new Float64Array(p * p));
  const rhs = Array.from({ length: 3 * nBins }, () => new Float64Array(p));
  const counts = new Int32Array(3 * nBins);
  const x = new Float64Array(p);
  for (let i = 0; i < sample.n; i++) {
    const cell =
      calibrationCategory(isPhoton[i] as number, isConv[i] as number) * nBins + etaBin(etaEdges, eta[i] as number);
    standardCalibrationFeatures(ePs[i] as number, eAcc[i] as number, depth[i] as number, x);
    const e = eTrue[i] as number;
    const w = 1 / expectedVariance(e);
    const a = normal[cell] as Float64Array;
    const b = rhs[cell] as Float64Array;
    for (let r = 0; r < p; r++) {
      b[r] = (b[r] as number) + w * (x[r] as number) * e;
      for (let c = 0; c < p; c++) a[r * p + c] = (a[r * p + c] as number) + w * (x[r] as number) * (x[c] as number);
    }
    counts[cell] = (counts[cell] as number) + 1;
  }
  const coefficients: number[][][] = [];
  for (let cat = 0; cat < 3; cat++) {
    const row: number[][] = [];
    for (let bin = 0; bin < nBins; bin++) {
      const cell = cat * nBins + bin;
      if ((counts[cell] as number) < 50) {
        throw new PhysicsInputError(`calibration bin (category ${cat}, |η| bin ${bin}) has fewer than 50 showers`, {
          field: 'n',
        });
      }
      row.push(solveSymmetric(normal[cell] as Float64Array, rhs[cell] as Float64Array, p));
    }
    coefficients.push(row);
  }
  return { etaEdges, coefficients };
}

/**
 * Expected variance [GeV²] of a cluster energy at true energy `e` [GeV]: (10 %·√E)² + (0.4 GeV)²
 * + (1 %·E)², the weight 1/σ² of each shower in {@link fitStandardCalibration}.
 */
function expectedVariance(e: number): number {
  return 0.01 * e + 0.16 + 1e-4 * e * e;
}

/** Index of the |η| bin of `eta` (lo ≤ |η| < hi; overflow into the last bin). */
function etaBin(edges: readonly number[], eta: number): number {
  const a = Math.abs(eta);
  for (let b = 0; b < edges.length; b++) if (a < (edges[b] as number)) return b;
  return edges.length - 1;
}

/** Solves A x = b for a symmetric positive-definite A (row-major p × p) by Cholesky, with a tiny ridge. */
function solveSymmetric(aIn: Float64Array, b: Float64Array, p: number): number[] {
  const a = Float64Array.from(aIn);
  for (let i = 0; i < p; i++) a[i * p + i] = (a[i * p + i] as number) * (1 + 1e-12) + 1e-300;
  const x = solvePositiveDefinite(a, b, p);
  if (x === null) throw new PhysicsInputError('calibration normal equations are singular', { field: 'n' });
  return x;
}

/**
 * Energy [GeV] of the standard calibration for one shower: c(category, |η| bin)·x with the features
 * of {@link standardCalibrationFeatures}.
 */
export function applyStandardCalibration(
  calibration: StandardCalibration,
  shower: { ePs: number; eAcc: number; showerDepth: number; eta: number; isPhoton: number; isConverted: number },
): number {
  const x = new Float64Array(CALIBRATION_FEATURES);
  standardCalibrationFeatures(shower.ePs, shower.eAcc, shower.showerDepth, x);
  const c =
    calibration.coefficients[calibrationCategory(shower.isPhoton, shower.isConverted)]?.[
      etaBin(calibration.etaEdges, shower.eta)
    ];
  if (!c) throw new PhysicsInputError('calibration has no coefficients for this shower', { field: 'calibration' });
  let e = 0;
  for (let k = 0; k < CALIBRATION_FEATURES; k++) e += (c[k] as number) * (x[k] as number);
  return e;
}

/** Seed and size of the nominal calibration sample of {@link defaultStandardCalibration}. */
export const STANDARD_CALIBRATION_SEED = 20_140_321;
export const STANDARD_CALIBRATION_SAMPLE_SIZE = 60_000;
let cachedCalibration: StandardCalibration | null = null;

/**
 * The standard calibration fitted ({@link fitStandardCalibration}) on a nominal scalar sample of
 * {@link STANDARD_CALIBRATION_SAMPLE_SIZE} showers with seed {@link STANDARD_CALIBRATION_SEED}
 * and default options, computed once and cached (a fixed calibration MC, as in an experiment).
 */
export function defaultStandardCalibration(): StandardCalibration {
  if (cachedCalibration === null) {
    const sample = simulateScalars(
      { n: STANDARD_CALIBRATION_SAMPLE_SIZE, seed: STANDARD_CALIBRATION_SEED, images: false },
      null,
    );
    cachedCalibration = fitStandardCalibration(sample);
  }
  return cachedCalibration;
}

/**
 * Fast simulation of electron and photon showers in the ATLAS-like EM barrel calorimeter
 * (|η| < 1.4) for energy regression, in the spirit of the ATLAS MVA calibration
 * (JINST 14 (2019) P03017) and DeepCalo (CNN on cell images with scalar side inputs).
 *
 * Truth: E_true flat in ln E on [eMin, eMax] (default 3–300 GeV), η flat in |η| < etaMax, φ flat,
 * ⟨μ⟩ ~ Gamma(8, muMean/8). Physics, per shower:
 * - Start: electrons shower from the beam line; photons travel Exp(9/7 X₀) first and convert in the
 *   tracker when that is inside its material (truth `converted`, radius 30–1100 mm linear in the
 *   crossed material; reconstructed with 90 % efficiency below 800 mm and 2 % fakes).
 * - Longitudinal profile: GFlash gamma distribution with per-shower correlated fluctuations of
 *   the depth of maximum T and the shape α (Grindhammer & Peters, hep-ex/0001020), integrated over
 *   the upstream material ({@link upstreamMaterial} minus 0.4 X₀), the presampler (0.1 X₀), 0.3 X₀
 *   of dead material, the strips (4.3 X₀), the middle layer and the back layer (2 X₀) of a
 *   {@link accordionDepth}-deep accordion. What lies before the accordion other than the presampler
 *   is lost (more at high |η|: E_raw/E_true falls with |η|), what lies behind leaks (more at high E).
 * - Lateral: a core + tail profile per layer (widths differ by layer), the impact point uniform
 *   within the central middle cell; energy outside the 3 × 7 (η × φ) middle-cell window is lost
 *   to the cluster, so containment depends on the impact point (the η/φ "modulation").
 * - Magnetic field: electrons radiate in the tracker (Bethe–Heitler), the photon lands
 *   Δφ = 0.3B(R − r)²/(2R pT) from the electron; converted pairs open by the same bending; at low
 *   pT part of the energy falls outside the window (visible in the 7 × 11 image, not in the scalars).
 * - Resolution: sampling 10 %/√E per accordion layer (25 % in the presampler), constant 0.7 %,
 *   electronic noise and pile-up per native cell (pile-up ∝ √(μ/40), zero mean, positive skew).
 *
 * Columns: {@link CALO_SHOWER_VARIABLES} and {@link STANDARD_CALIBRATION_COLUMN} (the standard
 * calibration's energy). E_raw = E_PS + E_acc (EM scale, cluster window); f0 = E_PS/E_raw,
 * f1 = E1/E_acc, f3 = E3/E_acc, R12 = E1/E2, showerDepth = Σ E_k X_k/Σ E_k [X₀ from the beam line],
 * pt = E_raw/cosh η, etaCell/phiCell the impact offset in cells. Label and truth `particle`:
 * {@link CALO_PARTICLE}. Truth: `eTrue` [GeV] (the regression target), `converted`, `eLostUpstream`,
 * `eLeak`, `eOutOfCluster` [GeV]. Images: {@link CALO_IMAGE_SHAPE} (7 η × 11 φ middle cells, 4 layer
 * energies in GeV; with `imageTime` 4 more channels of cell time in ns, see {@link CALO_IMAGE_TIME_CHANNELS}),
 * see {@link CaloShowerSample}. Images and times come from their own seeded streams, so asking for
 * them changes no scalar.
 */
export function generateCaloShowers(options: CaloShowersOptions): CaloShowerSample {
  const calibration = options.calibration ?? defaultStandardCalibration();
  return simulateScalars(options, calibration);
}

function simulateScalars(options: CaloShowersOptions, calibration: StandardCalibration | null): CaloShowerSample {
  const { n, seed } = options;
  const photonFraction = options.photonFraction ?? 0.5;
  const eMin = options.eMin ?? 3;
  const eMax = options.eMax ?? 300;
  const etaMax = options.etaMax ?? 1.4;
  const muMean = options.muMean ?? 32;
  const wantImages = options.images ?? true;
  const wantTime = options.imageTime ?? false;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  if (!(photonFraction >= 0 && photonFraction <= 1)) {
    throw new PhysicsInputError('photonFraction must lie in [0, 1]', { field: 'photonFraction' });
  }
  if (!(eMin >= 1 && eMax > eMin && eMax <= 5000)) {
    throw new PhysicsInputError('need 1 GeV ≤ eMin < eMax ≤ 5000 GeV', { field: 'eMin' });
  }
  if (!(etaMax > 0 && etaMax <= 1.4)) throw new PhysicsInputError('etaMax must lie in (0, 1.4]', { field: 'etaMax' });
  if (!(muMean > 0)) throw new PhysicsInputError('muMean must be positive', { field: 'muMean' });
  const rng = new Rng(seed);
  const imageRng = new Rng((seed ^ 0x5bd1e995) >>> 0);
  const names = Object.keys(CALO_SHOWER_VARIABLES) as CaloShowerVariable[];
  const columns: Record<string, Float32Array> = {};
  for (const name of names) columns[name] = new Float32Array(n);
  const c = columns as Record<CaloShowerVariable, Float32Array>;
  const eCal = new Float32Array(n);
  const label = new Uint8Array(n);
  const weight = new Float32Array(n).fill(1);
  const eTrueOut = new Float32Array(n);
  const particle = new Int32Array(n);
  const converted = new Int32Array(n);
  const lostOut = new Float32Array(n);
  const leakOut = new Float32Array(n);
  const oocOut = new Float32Array(n);
  const [h, wImg, energyChannels] = CALO_IMAGE_SHAPE;
  const ch = wantTime ? 2 * energyChannels : energyChannels;
  const imageSize = h * wImg * ch;
  const timeRng = new Rng((seed ^ 0x27d4eb2f) >>> 0);
  const image = new Float32Array(wantImages ? n * imageSize : 0);
  const s = newShower();
  const scratch = newImageScratch();
  const x = new Float64Array(CALIBRATION_FEATURES);
  const lnRange = Math.log(eMax / eMin);

  for (let i = 0; i < n; i++) {
    const isPhoton = rng.uniform() < photonFraction;
    const eTrue = eMin * Math.exp(lnRange * rng.uniform());
    const eta = rng.range(-etaMax, etaMax);
    s.phi = rng.range(-Math.PI, Math.PI);
    const mu = rng.gamma(8, muMean / 8);
    simulateShower(rng, s, isPhoton, eTrue, eta, mu);
    const absEta = Math.abs(eta);
    const ePs = (s.layer[0] as number) + (s.noise[0] as number);
    const e1 = (s.layer[1] as number) + (s.noise[1] as number);
    const e2 = (s.layer[2] as number) + (s.noise[2] as number);
    const e3 = (s.layer[3] as number) + (s.noise[3] as number);
    const eAcc = e1 + e2 + e3;
    const eRaw = ePs + eAcc;
    // Longitudinal barycentre [X₀ from the beam line] with layer centres along the shower axis.
    const tFront = upstreamMaterial(absEta);
    const tAcc = accordionDepth(absEta);
    const xPs = tFront - PS_TO_ACCORDION - 0.5 * PS_THICKNESS;
    const x1 = tFront + 0.5 * STRIPS_DEPTH;
    const x2 = tFront + 0.5 * (STRIPS_DEPTH + tAcc - BACK_DEPTH);
    const x3 = tFront + tAcc - 0.5 * BACK_DEPTH;
    const wSum = positive(ePs) + positive(e1) + positive(e2) + positive(e3);
    const depth =
      wSum > 0 ? (positive(ePs) * xPs + positive(e1) * x1 + positive(e2) * x2 + positive(e3) * x3) / wSum : x2;
    const etaReco = eta + 0.0004 * rng.normal();
    c.eRaw[i] = eRaw;
    c.eAcc[i] = eAcc;
    c.ePs[i] = ePs;
    c.e1[i] = e1;
    c.e2[i] = e2;
    c.e3[i] = e3;
    c.eta[i] = etaReco;
    c.phi[i] = s.phi;
    c.pt[i] = eRaw / Math.cosh(etaReco);
    c.f0[i] = eRaw > 0 ? ePs / eRaw : 0;
    c.f1[i] = eAcc > 0 ? e1 / eAcc : 0;
    c.f3[i] = eAcc > 0 ? e3 / eAcc : 0;
    c.r12[i] = e2 > 0 ? e1 / e2 : 0;
    c.showerDepth[i] = depth;
    c.etaCell[i] = s.dEta;
    c.phiCell[i] = s.dPhi;
    c.mu[i] = mu;
    c.isPhoton[i] = isPhoton ? 1 : 0;
    c.isConverted[i] = s.recoConverted;
    c.convRadius[i] = s.recoConverted && s.converted ? s.convRadius : 0;
    if (calibration) {
      standardCalibrationFeatures(ePs, eAcc, depth, x);
      const coef =
        calibration.coefficients[calibrationCategory(isPhoton ? 1 : 0, s.recoConverted)]?.[
          etaBin(calibration.etaEdges, etaReco)
        ];
      if (!coef)
        throw new PhysicsInputError('calibration has no coefficients for this shower', { field: 'calibration' });
      let e = 0;
      for (let k = 0; k < CALIBRATION_FEATURES; k++) e += (coef[k] as number) * (x[k] as number);
      eCal[i] = e;
    }
    label[i] = s.particle;
    eTrueOut[i] = eTrue;
    particle[i] = s.particle;
    converted[i] = s.converted;
    lostOut[i] = s.eLostUpstream;
    leakOut[i] = s.eLeak;
    oocOut[i] = s.eOutOfCluster;
    if (wantImages) fillImage(imageRng, s, image, i * imageSize, ch, scratch, wantTime ? timeRng : null);
  }
  const allColumns: Record<string, Float32Array> = { ...columns };
  if (calibration) allColumns[STANDARD_CALIBRATION_COLUMN] = eCal;
  return {
    task: 'calo-showers',
    n,
    columns: allColumns,
    label,
    weight,
    truth: {
      eTrue: eTrueOut,
      particle,
      converted,
      eLostUpstream: lostOut,
      eLeak: leakOut,
      eOutOfCluster: oocOut,
    },
    units: { ...CALO_SHOWER_VARIABLES, [STANDARD_CALIBRATION_COLUMN]: 'GeV' },
    seed,
    image,
    imageShape: [h, wImg, ch],
    imageChannels: wantTime ? [...CALO_IMAGE_CHANNELS, ...CALO_IMAGE_TIME_CHANNELS] : CALO_IMAGE_CHANNELS,
  };
}

/** Work arrays of {@link fillImage}, allocated once per sample. */
interface ImageScratch {
  fe: Float64Array;
  f1: Float64Array;
  f2: Float64Array;
  layerImg: Float64Array;
  noiseImg: Float64Array;
  timeImg: Float64Array;
}

function newImageScratch(): ImageScratch {
  const [h, w] = CALO_IMAGE_SHAPE;
  return {
    fe: new Float64Array(h),
    f1: new Float64Array(w),
    f2: new Float64Array(w),
    layerImg: new Float64Array(h * w),
    noiseImg: new Float64Array(h * w),
    timeImg: new Float64Array(h * w),
  };
}

/**
 * Fills one 7 × 11 × 4 image: the signal of both sub-showers integrated over each fine cell, then
 * each coarse layer's energy spread evenly over the fine cells of its native cells (absolute
 * detector cells, so the block pattern moves with the impact position), then noise and pile-up per
 * native cell spread the same way. The noise in the 3 × 7 window is shifted uniformly so that its
 * sum equals the scalars' draw: summing the window of a channel gives exactly E_PS, E1, E2, E3.
 */
function fillImage(
  rng: Rng,
  s: Shower,
  image: Float32Array,
  offset: number,
  ch: number,
  scratch: ImageScratch,
  timeRng: Rng | null,
): void {
  const [h, w, layers] = CALO_IMAGE_SHAPE;
  const etaLo = -(h - 1) / 2; // centre of the first row relative to the central cell, in cells
  const phiLo = -(w - 1) / 2;
  const rowEta = Math.floor(s.eta / CELL_ETA); // absolute index of the central cell
  const colPhi = Math.floor(s.phi / CELL_PHI);
  const { fe, f1, f2, layerImg, noiseImg, timeImg } = scratch;
  const puScale = Math.sqrt(s.mu / 40);
  for (let k = 0; k < layers; k++) {
    const width = LAYER_WIDTH[k] as number;
    const dep = (s.deposit[k] as number) * (s.scale[k] as number);
    for (let r = 0; r < h; r++) {
      const lo = etaLo + r - 0.5 - s.dEta;
      fe[r] = lateralFraction(lo, lo + 1, width);
    }
    const p2 = s.dPhi + s.offsetPhi2;
    for (let q = 0; q < w; q++) {
      const lo = phiLo + q - 0.5;
      f1[q] = lateralFraction(lo - s.dPhi, lo + 1 - s.dPhi, width);
      f2[q] = lateralFraction(lo - p2, lo + 1 - p2, width);
    }
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        layerImg[r * w + q] =
          dep * (fe[r] as number) * ((1 - s.share2) * (f1[q] as number) + s.share2 * (f2[q] as number));
      }
    }
    // Coarse layers: average over native cells (blocks aligned to absolute detector cells).
    const ce = LAYER_CELLS_ETA[k] as number;
    const cp = LAYER_CELLS_PHI[k] as number;
    const sigmaNoise = NOISE_PER_CELL[k] as number;
    const sigmaPu = (PILEUP_PER_CELL[k] as number) * puScale;
    // Strips: 8 native strips per fine cell in η; their noise adds in quadrature.
    const stripsPerCell = k === 1 ? 8 : 1;
    let r = 0;
    while (r < h) {
      const br = Math.floor((rowEta + etaLo + r) / ce);
      let r2 = r;
      while (r2 < h && Math.floor((rowEta + etaLo + r2) / ce) === br) r2++;
      let q = 0;
      while (q < w) {
        const bq = Math.floor((colPhi + phiLo + q) / cp);
        let q2 = q;
        while (q2 < w && Math.floor((colPhi + phiLo + q2) / cp) === bq) q2++;
        // Cells of this native cell inside the image; the native cell's share of the image.
        const count = (r2 - r) * (q2 - q);
        const fullCount = ce * cp;
        let sum = 0;
        for (let a = r; a < r2; a++) for (let b = q; b < q2; b++) sum += layerImg[a * w + b] as number;
        let noise = 0;
        let pileup = 0;
        for (let m = 0; m < stripsPerCell; m++) {
          const pu = sigmaPu * (rng.exponential(1) - 1);
          noise += sigmaNoise * rng.normal() + pu;
          pileup += pu;
        }
        const perCellNoise = noise / fullCount;
        const time = timeRng
          ? cellTime(timeRng, (sum * fullCount) / count, noise, pileup, sigmaNoise, sigmaPu, stripsPerCell)
          : 0;
        for (let a = r; a < r2; a++) {
          for (let b = q; b < q2; b++) {
            layerImg[a * w + b] = sum / count;
            noiseImg[a * w + b] = perCellNoise;
            timeImg[a * w + b] = time;
          }
        }
        q = q2;
      }
      r = r2;
    }
    // Window rows/columns and the uniform shift that makes the window noise equal the scalar draw.
    const r0 = (h - 3) / 2;
    const q0 = (w - 7) / 2;
    let windowSignal = 0;
    let windowNoise = 0;
    for (let a = r0; a < r0 + 3; a++) {
      for (let b = q0; b < q0 + 7; b++) {
        windowSignal += layerImg[a * w + b] as number;
        windowNoise += noiseImg[a * w + b] as number;
      }
    }
    const signalFix = ((s.layer[k] as number) - windowSignal) / 21;
    const noiseFix = ((s.noise[k] as number) - windowNoise) / 21;
    for (let a = 0; a < h; a++) {
      for (let b = 0; b < w; b++) {
        const inWindow = a >= r0 && a < r0 + 3 && b >= q0 && b < q0 + 7;
        const v =
          (layerImg[a * w + b] as number) + (noiseImg[a * w + b] as number) + (inWindow ? signalFix + noiseFix : 0);
        image[offset + (a * w + b) * ch + k] = v;
        if (timeRng) image[offset + (a * w + b) * ch + layers + k] = timeImg[a * w + b] as number;
      }
    }
  }
}

/**
 * Time [ns] of one native cell with signal `signal`, noise + pile-up `noise` of which `pileup` is
 * pile-up [GeV]: the energy-weighted mean of the signal time ~ N(0, σ_t(signal)) and the pile-up
 * time ~ N(0, 10 ns); 0 when |signal + noise| is below 2σ of the cell noise (see TIME_TAU_NS).
 */
function cellTime(
  rng: Rng,
  signal: number,
  noise: number,
  pileup: number,
  sigmaNoise: number,
  sigmaPu: number,
  cells: number,
): number {
  const sigmaCell = Math.sqrt(cells * (sigmaNoise * sigmaNoise + sigmaPu * sigmaPu));
  const tSignal = rng.normal();
  const tPileup = rng.normal();
  if (Math.abs(signal + noise) < 2 * sigmaCell) return 0;
  const sig = Math.max(signal, 0);
  const pu = Math.abs(pileup);
  if (sig + pu <= 0) return 0;
  const sigmaT = Math.hypot((TIME_TAU_NS * sigmaCell) / Math.max(sig, 1e-6), TIME_CONSTANT_NS);
  return (sig * Math.min(sigmaT, 25) * tSignal + pu * PILEUP_TIME_SPREAD_NS * tPileup) / (sig + pu);
}
