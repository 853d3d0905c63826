import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import {
  CALO_IMAGE_CHANNELS,
  CALO_IMAGE_SHAPE,
  CALO_IMAGE_TIME_CHANNELS,
  fillImage,
  newImageScratch,
} from './calo-images.ts';
import { newPileup, simulateInTimePileup } from './calo-pileup.ts';
import { longitudinalBarycentre, newShower, simulateShower } from './calo-shower-development.ts';
import {
  CALIBRATION_FEATURES,
  calibratedEnergy,
  calibrationAxis,
  calibrationCategory,
  fitStandardCalibration,
  type StandardCalibration,
  standardCalibrationFeatures,
} from './calo-standard-calibration.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';

/** Middle cells of the 3 × 7 cluster window. */
const WINDOW_CELLS = 21;

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

/** A calorimeter shower sample: the columnar scalars plus the cell images. */
export interface CaloShowerSample extends ColumnarSample {
  /** Cell images, n × H × W × C float32 (HWC, row-major per shower); empty when not requested. */
  image: Float32Array;
  /** [H, W, C] of one image ({@link CALO_IMAGE_SHAPE}). */
  imageShape: readonly [number, number, number];
  /** Meaning of each channel ({@link CALO_IMAGE_CHANNELS}, GeV; then {@link CALO_IMAGE_TIME_CHANNELS}, ns). */
  imageChannels: readonly string[];
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
 * - Lateral: GFlash's radial profile (core + tail, Grindhammer & Peters, hep-ex/0001020, eqs.
 *   24–26) in each layer at that shower's relative depth τ = t/T, so the width fluctuates with the
 *   longitudinal development from shower to shower and grows with depth (strips narrow, back wide),
 *   in Molière radii of the accordion (3.9 cm); the spots of each layer (N = 93·ln Z·E^0.876) make
 *   the containment in the window fluctuate binomially. The impact point is uniform within the
 *   central middle cell; energy outside the 3 × 7 (η × φ) middle-cell window is lost to the
 *   cluster, so containment depends on the impact point (the η/φ "modulation") and on the width.
 * - Magnetic field: electrons radiate in the tracker (Bethe–Heitler), the photon lands
 *   Δφ = 0.3B(R − r)²/(2R pT) from the electron; converted pairs open by the same bending; at low
 *   pT part of the energy falls outside the window (visible in the 7 × 11 image, not in the scalars).
 * - Resolution: sampling 10 %/√E per accordion layer (25 % in the presampler), constant 0.7 %,
 *   electronic noise and out-of-time pile-up per native cell (∝ √(μ/40), zero mean, positive
 *   skew), and in-time pile-up particle by particle (`calo-pileup.ts`: photons and charged hadrons
 *   of the crossing's Poisson(⟨μ⟩) interactions at the measured minimum-bias densities, each over
 *   a few cells; their mean per cell subtracted as the reconstruction does).
 *
 * Columns: {@link CALO_SHOWER_VARIABLES} and {@link STANDARD_CALIBRATION_COLUMN} (the standard
 * calibration's energy). E_raw = E_PS + E_acc (EM scale, cluster window); f0 = E_PS/E_raw,
 * f1 = E1/E_acc, f3 = E3/E_acc, R12 = E1/E2, showerDepth = Σ E_k X_k/Σ E_k [X₀ from the beam line],
 * pt = E_raw/cosh η, etaCell/phiCell the impact offset in cells. Label and truth `particle`:
 * {@link CALO_PARTICLE}. Truth: `eTrue` [GeV] (the regression target), `converted`, `eLostUpstream`,
 * `eLeak`, `eOutOfCluster`, `ePileupInTime` (in-time pile-up in the window less its mean) [GeV]. Images: {@link CALO_IMAGE_SHAPE} (7 η × 11 φ middle cells, 4 layer
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
  const pileupOut = new Float32Array(n);
  const [h, wImg, energyChannels] = CALO_IMAGE_SHAPE;
  const ch = wantTime ? 2 * energyChannels : energyChannels;
  const imageSize = h * wImg * ch;
  const timeRng = new Rng((seed ^ 0x27d4eb2f) >>> 0);
  const image = new Float32Array(wantImages ? n * imageSize : 0);
  const s = newShower();
  const pu = newPileup();
  const measured = new Float64Array(4);
  const scratch = newImageScratch();
  const x = new Float64Array(CALIBRATION_FEATURES);
  const etaAxis = calibration ? calibrationAxis(calibration) : null;
  const lnRange = Math.log(eMax / eMin);

  for (let i = 0; i < n; i++) {
    const isPhoton = rng.uniform() < photonFraction;
    const eTrue = eMin * Math.exp(lnRange * rng.uniform());
    const eta = rng.range(-etaMax, etaMax);
    s.phi = rng.range(-Math.PI, Math.PI);
    const mu = rng.gamma(8, muMean / 8);
    simulateShower(rng, s, isPhoton, eTrue, eta, mu);
    simulateInTimePileup(rng, pu, eta, mu);
    const absEta = Math.abs(eta);
    let pileupInWindow = 0;
    for (let k = 0; k < 4; k++) {
      const inTime = at(pu.window, k) - WINDOW_CELLS * at(pu.meanPerCell, k);
      measured[k] = at(s.layer, k) + at(s.noise, k) + inTime;
      pileupInWindow += inTime;
    }
    const ePs = at(measured, 0);
    const e1 = at(measured, 1);
    const e2 = at(measured, 2);
    const e3 = at(measured, 3);
    const eAcc = e1 + e2 + e3;
    const eRaw = ePs + eAcc;
    const depth = longitudinalBarycentre(absEta, ePs, e1, e2, e3);
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
    if (calibration && etaAxis) {
      standardCalibrationFeatures(ePs, eAcc, depth, x);
      const category = calibrationCategory(isPhoton ? 1 : 0, s.recoConverted);
      eCal[i] = calibratedEnergy(calibration, etaAxis, category, etaReco, x);
    }
    const code = isPhoton ? CALO_PARTICLE.photon : CALO_PARTICLE.electron;
    label[i] = code;
    eTrueOut[i] = eTrue;
    particle[i] = code;
    converted[i] = s.converted;
    lostOut[i] = s.eLostUpstream;
    leakOut[i] = s.eLeak;
    oocOut[i] = s.eOutOfCluster;
    pileupOut[i] = pileupInWindow;
    if (wantImages) fillImage(imageRng, s, pu, image, i * imageSize, ch, scratch, wantTime ? timeRng : null);
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
      ePileupInTime: pileupOut,
    },
    units: { ...CALO_SHOWER_VARIABLES, [STANDARD_CALIBRATION_COLUMN]: 'GeV' },
    seed,
    image,
    imageShape: [h, wImg, ch],
    imageChannels: wantTime ? [...CALO_IMAGE_CHANNELS, ...CALO_IMAGE_TIME_CHANNELS] : CALO_IMAGE_CHANNELS,
  };
}
