import { at } from '../array.ts';
import { FitError, PhysicsInputError } from '../errors.ts';
import type { BinnedFitResult } from '../fit/binned-fit.ts';
import { breitWignerCrystalBallPdf } from '../fit/breit-wigner-crystal-ball.ts';
import { exponentialPdf } from '../fit/exponential.ts';
import { type MinosError, minosErrors } from '../fit/minos.ts';
import type { FitModel } from '../fit/model.ts';
import { Axis } from '../histogram/axis.ts';
import type { Rng } from '../sim/rng.ts';
import { fitWithoutBackgroundIfNeeded } from './tag-and-probe.ts';

/** Z→ee categories by where the two electrons hit the calorimeter: barrel–barrel, barrel–endcap, endcap–endcap. */
export type ZeeCategory = 'BB' | 'BE' | 'EE';

/** The categories in their usual order. */
export const ZEE_CATEGORIES: readonly ZeeCategory[] = ['BB', 'BE', 'EE'];

/** Edge of the CMS ECAL barrel in |η| (EB: |η| < 1.479; CMS, JINST 3 (2008) S08004). */
export const ECAL_BARREL_ABS_ETA_MAX = 1.479;

/** PDG Z mass and width [GeV] used for the Breit–Wigner of the peak fits (PTEP 2022, 083C01). */
const PDG_Z_MASS = 91.1876;
const PDG_Z_WIDTH = 2.4952;

/**
 * Category of an electron pair from the |η| of each electron: both below `barrelAbsEtaMax`
 * (default {@link ECAL_BARREL_ABS_ETA_MAX}) → BB, both above → EE, else BE.
 */
export function zeeCategory(eta1: number, eta2: number, barrelAbsEtaMax = ECAL_BARREL_ABS_ETA_MAX): ZeeCategory {
  const b1 = Math.abs(eta1) < barrelAbsEtaMax;
  const b2 = Math.abs(eta2) < barrelAbsEtaMax;
  return b1 && b2 ? 'BB' : b1 || b2 ? 'BE' : 'EE';
}

/** Options of {@link fitZPeak}. */
export interface ZPeakFitOptions {
  /** Fit range [GeV] (default 75–105). Masses outside are not used. */
  range?: readonly [number, number];
  /** Bin width [GeV] (default 0.5). */
  binWidth?: number;
  /** Add an exponential background with a free yield (default true; dropped when it fits to zero). */
  background?: boolean;
  /** Crystal Ball tail exponent n, fixed (default 3: with α free, n is poorly constrained by a Z peak). */
  tailN?: number;
  /**
   * Crystal Ball α fixed to this value (default: free). Fixing data's α to the MC fit's keeps the
   * tail from trading off against σ and Δm, so that data and MC peaks are compared on one shape.
   */
  tailAlpha?: number;
  /**
   * FFT length of the convolution (default 1024: grid step (hi − lo)/341, 0.088 GeV on 75–105 GeV,
   * fine for resolutions σ ≳ 0.5 GeV; raise it for narrower peaks or wider ranges).
   */
  fftSize?: number;
  /**
   * Also compute MINOS-style asymmetric errors of the peak position and width by a profile
   * likelihood scan ({@link minosErrors}; default false: each side costs a few refits).
   */
  minos?: boolean;
}

/** A fitted Z peak. */
export interface ZPeakFit {
  /** Peak position m_Z^PDG + Δm [GeV]: where the measured line shape puts the Z. */
  mass: number;
  /** Hessian (Hesse) 1σ error of `mass` [GeV]. */
  massError: number;
  /** MINOS errors of `mass` [GeV] from Δ(−2 ln L) = 1 (only with the `minos` option). */
  massErrorMinos?: MinosError;
  /** Gaussian core width σ_CB of the detector response [GeV] (the Z's own width is fixed to the PDG value). */
  width: number;
  /** Hessian (Hesse) 1σ error of `width` [GeV]. */
  widthError: number;
  /** MINOS errors of `width` [GeV] from Δ(−2 ln L) = 1 (only with the `minos` option). */
  widthErrorMinos?: MinosError;
  /** Crystal Ball α of the low tail. */
  alpha: number;
  /** Events in the fit range. */
  events: number;
  /** Signal yield. */
  signal: number;
  fit: BinnedFitResult;
}

/**
 * Fits a di-electron mass spectrum with a Breit–Wigner (M and Γ fixed to the PDG values,
 * non-relativistic form) convolved by FFT with a Crystal Ball detector response (shift Δm, width
 * σ, tail α free; n fixed), plus an exponential background (extended binned Poisson likelihood).
 * The peak position is m_Z + Δm and the width the CB σ: the quantities the CMS ECAL calibration
 * reports (CMS, JINST 8 (2013) P09009, arXiv:1306.2016, section 6). The masses are binned in equal
 * bins lo ≤ m < hi over the range ({@link Axis.regular}); those outside it are not used (rule `drop`).
 * Errors: Hessian (symmetric) always; with `minos`, also the asymmetric profile-likelihood errors
 * of Δm (hence of the peak position) and σ, each the crossing of Δ(−2 ln L) = 1 with the other
 * free parameters minimised ({@link minosErrors}; F. James, MINUIT, CERN D506).
 *
 * Throws {@link PhysicsInputError} for fewer than 50 events in the range and {@link FitError}
 * (with the fit as cause) when the fit does not converge with an accurate covariance.
 */
export function fitZPeak(masses: ArrayLike<number>, options: ZPeakFitOptions = {}): ZPeakFit {
  const range = options.range ?? [75, 105];
  const binWidth = options.binWidth ?? 0.5;
  const [lo, hi] = range;
  if (!(lo < hi && lo < PDG_Z_MASS && hi > PDG_Z_MASS) || !(binWidth > 0)) {
    throw new PhysicsInputError(`range [${lo}, ${hi}] must contain the Z mass and binWidth be positive`, {
      field: 'range',
    });
  }
  const axis = Axis.regular(Math.max(10, Math.round((hi - lo) / binWidth)), lo, hi);
  const edges = axis.edges;
  const counts = new Float64Array(axis.nBins);
  let events = 0;
  for (let i = 0; i < masses.length; i++) {
    const b = axis.find(at(masses, i), 'drop');
    if (b < 0) continue;
    counts[b] = at(counts, b) + 1;
    events++;
  }
  if (events < 50) {
    throw new PhysicsInputError(`only ${events} events in [${lo}, ${hi}] GeV: too few for a Z peak fit`, {
      field: 'masses',
    });
  }
  const signalPdf = breitWignerCrystalBallPdf({ range, fftSize: options.fftSize ?? 1024 });
  const withBackground = options.background ?? true;
  const model: FitModel = withBackground
    ? [
        { pdf: signalPdf, yield: 'nSignal' },
        { pdf: exponentialPdf({ range, prefix: 'bkg.' }), yield: 'nBackground' },
      ]
    : [{ pdf: signalPdf, yield: 'nSignal' }];
  const parameters = {
    mass: { value: PDG_Z_MASS, fixed: true },
    width: { value: PDG_Z_WIDTH, fixed: true },
    shift: { value: 0, step: 0.05, lower: -5, upper: 5 },
    sigma: { value: 1.5, step: 0.05, lower: 0.2, upper: 8 },
    alpha:
      options.tailAlpha === undefined
        ? { value: 1.2, step: 0.1, lower: 0.2, upper: 5 }
        : { value: options.tailAlpha, fixed: true },
    n: { value: options.tailN ?? 3, fixed: true },
    nSignal: { value: 0.9 * events, lower: 0, upper: 2 * events },
    ...(withBackground
      ? {
          nBackground: { value: 0.1 * events, lower: 0, upper: 2 * events },
          'bkg.slope': { value: -0.02, step: 0.01, lower: -0.5, upper: 0.5 },
        }
      : {}),
  };
  const fit = fitWithoutBackgroundIfNeeded(edges, counts, model, parameters);
  const p = fit.parameters;
  const shift = p.shift;
  const sigma = p.sigma;
  if (
    !fit.status.converged ||
    fit.status.covariance !== 'accurate' ||
    !shift ||
    !sigma ||
    shift.atLimit ||
    sigma.atLimit
  ) {
    throw new FitError(`Z peak fit failed: ${fit.status.message}`, { cause: fit });
  }
  const minos = options.minos ? minosErrors({ edges, counts, model, parameters }, fit, ['shift', 'sigma']) : undefined;
  return {
    mass: PDG_Z_MASS + shift.value,
    massError: shift.error,
    ...(minos?.shift ? { massErrorMinos: minos.shift } : {}),
    width: sigma.value,
    widthError: sigma.error,
    ...(minos?.sigma ? { widthErrorMinos: minos.sigma } : {}),
    alpha: p.alpha?.value ?? Number.NaN,
    events,
    signal: p.nSignal?.value ?? Number.NaN,
    fit,
  };
}

/** Energy scale and extra smearing that make simulation match data, from two Z peak fits. */
export interface EnergyScaleCorrection {
  /** Energy scale: E_data = (1 + α)·E_MC, α = m_data/m_MC − 1. */
  alpha: number;
  alphaError: number;
  /**
   * Extra relative energy resolution per electron ("constant term") to add to MC in quadrature:
   * c² = 2·[(σ/m)²_data − (σ/m)²_MC]; 0 when data are not wider than MC.
   */
  c: number;
  /** 1σ error of c; when c = 0, the 1σ upper limit √max(0, c² + σ(c²)). */
  cError: number;
  /** c² as measured, may be negative (data narrower than MC). */
  cSquared: number;
}

/**
 * α and c from Z peak fits of data and MC in one category.
 *
 * Convention (as the simulator's distortion and CMS, JINST 10 (2015) P06005, section 5): electron
 * energies in data are E_data = (1 + α)·E_MC, so the peak positions give α = m_data/m_MC − 1
 * (m ∝ √(E₁E₂)); data are corrected by E → E/(1 + α). The extra smearing c is a relative energy
 * resolution per electron added to MC in quadrature, E → E·(1 + c·N(0, 1)); since
 * δm/m = ½(δE₁/E₁ + δE₂/E₂), it widens (σ/m)² by c²/2, hence c² = 2·[(σ/m)²_data − (σ/m)²_MC],
 * assuming both electrons of the category share c. Errors by linear propagation of the fit
 * errors (data and MC independent).
 */
export function energyScaleAndSmearing(data: ZPeakFit, mc: ZPeakFit): EnergyScaleCorrection {
  const ratio = data.mass / mc.mass;
  const alpha = ratio - 1;
  const alphaError = ratio * Math.hypot(data.massError / data.mass, mc.massError / mc.mass);
  const rData = data.width / data.mass;
  const rMc = mc.width / mc.mass;
  const drData = rData * Math.hypot(data.widthError / data.width, data.massError / data.mass);
  const drMc = rMc * Math.hypot(mc.widthError / mc.width, mc.massError / mc.mass);
  const cSquared = 2 * (rData * rData - rMc * rMc);
  const cSquaredError = 4 * Math.hypot(rData * drData, rMc * drMc);
  if (cSquared > 0) {
    const c = Math.sqrt(cSquared);
    return { alpha, alphaError, c, cError: cSquaredError / (2 * c), cSquared };
  }
  return { alpha, alphaError, c: 0, cError: Math.sqrt(Math.max(0, cSquared + cSquaredError)), cSquared };
}

/**
 * Data energy-scale correction of pair masses (or energies, or pt): x → x/(1 + α_k) with α_k of
 * the pair's category (a mass scales like the energies when both electrons share α).
 * Throws {@link PhysicsInputError} for mismatched lengths or a category without α.
 */
export function correctEnergyScale(
  values: ArrayLike<number>,
  categories: ArrayLike<ZeeCategory>,
  alphaByCategory: Partial<Record<ZeeCategory, number>>,
): Float64Array {
  if (values.length !== categories.length) {
    throw new PhysicsInputError('values and categories differ in length', { field: 'categories' });
  }
  return Float64Array.from({ length: values.length }, (_, i) => {
    const alpha = alphaByCategory[at(categories, i)];
    if (alpha === undefined || !(alpha > -1)) {
      throw new PhysicsInputError(`no valid α for category ${categories[i]}`, { field: 'alphaByCategory' });
    }
    return at(values, i) / (1 + alpha);
  });
}

/**
 * Extra smearing of simulated pair masses: each electron energy E → E·(1 + c_k·N(0, 1)), so the
 * mass m → m·√((1 + c_k g₁)(1 + c_k g₂)), with c_k of the pair's category (seeded Rng).
 * Throws {@link PhysicsInputError} for mismatched lengths or a negative or missing c.
 */
export function smearPairMasses(
  masses: ArrayLike<number>,
  categories: ArrayLike<ZeeCategory>,
  cByCategory: Partial<Record<ZeeCategory, number>>,
  rng: Rng,
): Float64Array {
  if (masses.length !== categories.length) {
    throw new PhysicsInputError('masses and categories differ in length', { field: 'categories' });
  }
  return Float64Array.from({ length: masses.length }, (_, i) => {
    const c = cByCategory[at(categories, i)];
    if (c === undefined || !(c >= 0)) {
      throw new PhysicsInputError(`no valid c for category ${categories[i]}`, { field: 'cByCategory' });
    }
    const f = (1 + c * rng.normal()) * (1 + c * rng.normal());
    return at(masses, i) * Math.sqrt(Math.max(f, 0));
  });
}
