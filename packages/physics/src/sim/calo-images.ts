/**
 * The cell images of `generateCaloShowers`: one shower rasterised onto the 7 × 11 middle-cell grid
 * per layer, with cell times.
 */
import { at } from '../array.ts';
import type { Pileup } from './calo-pileup.ts';
import {
  CELL_ETA,
  CELL_PHI,
  LAYER_CELLS_ETA,
  LAYER_CELLS_PHI,
  lateralFraction,
  layerFraction,
  NOISE_PER_CELL,
  PILEUP_PER_CELL,
  type Shower,
} from './calo-shower-development.ts';
import type { Rng } from './rng.ts';

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

/** Work arrays of {@link fillImage}, allocated once per sample. */
export interface ImageScratch {
  fe: Float64Array;
  f1: Float64Array;
  f2: Float64Array;
  layerImg: Float64Array;
  noiseImg: Float64Array;
  timeImg: Float64Array;
}

export function newImageScratch(): ImageScratch {
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
 * Fills one 7 × 11 × 4 image: the signal of both sub-showers integrated over each fine cell (the
 * part outside the window scaled by the shower's spot fluctuation, `outsideScale`) and the in-time
 * pile-up particles' deposits, then each coarse layer's energy spread evenly over the fine cells
 * of its native cells (absolute detector cells, so the block pattern moves with the impact
 * position), then electronic noise and out-of-time pile-up per native cell spread the same way,
 * less the mean in-time pile-up per cell. The signal and the noise in the 3 × 7 window are shifted
 * uniformly so that their sums equal the scalars' draws: summing the window of a channel gives
 * exactly E_PS, E1, E2, E3.
 */
export function fillImage(
  rng: Rng,
  s: Shower,
  pu: Pileup,
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
  const r0 = (h - 3) / 2; // first window row and column
  const q0 = (w - 7) / 2;
  for (let k = 0; k < layers; k++) {
    const dep = at(s.deposit, k) * at(s.scale, k);
    for (let r = 0; r < h; r++) {
      const lo = etaLo + r - 0.5 - s.dEta;
      fe[r] = layerFraction(s.lateral, k, lo, lo + 1);
    }
    const p2 = s.dPhi + s.offsetPhi2;
    for (let q = 0; q < w; q++) {
      const lo = phiLo + q - 0.5;
      f1[q] = layerFraction(s.lateral, k, lo - s.dPhi, lo + 1 - s.dPhi);
      f2[q] = layerFraction(s.lateral, k, lo - p2, lo + 1 - p2);
    }
    const outside = at(s.outsideScale, k);
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        const inWindow = r >= r0 && r < r0 + 3 && q >= q0 && q < q0 + 7;
        layerImg[r * w + q] =
          dep * at(fe, r) * ((1 - s.share2) * at(f1, q) + s.share2 * at(f2, q)) * (inWindow ? 1 : outside);
      }
    }
    addPileupDeposits(pu, k, layerImg, fe, f1);
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
        for (let a = r; a < r2; a++) for (let b = q; b < q2; b++) sum += at(layerImg, a * w + b);
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
    // The uniform shifts that make the window's signal and noise equal the scalar draws.
    let windowSignal = 0;
    let windowNoise = 0;
    for (let a = r0; a < r0 + 3; a++) {
      for (let b = q0; b < q0 + 7; b++) {
        windowSignal += at(layerImg, a * w + b);
        windowNoise += at(noiseImg, a * w + b);
      }
    }
    const signalFix = (at(s.layer, k) + at(pu.window, k) - windowSignal) / 21;
    const noiseFix = (at(s.noise, k) - windowNoise) / 21;
    const meanPileup = at(pu.meanPerCell, k);
    for (let a = 0; a < h; a++) {
      for (let b = 0; b < w; b++) {
        const inWindow = a >= r0 && a < r0 + 3 && b >= q0 && b < q0 + 7;
        const v =
          at(layerImg, a * w + b) + at(noiseImg, a * w + b) - meanPileup + (inWindow ? signalFix + noiseFix : 0);
        image[offset + (a * w + b) * ch + k] = v;
        if (timeRng) image[offset + (a * w + b) * ch + layers + k] = at(timeImg, a * w + b);
      }
    }
  }
}

/**
 * Adds layer `k`'s deposits of the in-time pile-up particles to the fine-cell image `img` (7 × 11,
 * positions relative to the central cell's centre), with `fe`, `fp` as row and column scratch.
 */
function addPileupDeposits(pu: Pileup, k: number, img: Float64Array, fe: Float64Array, fp: Float64Array): void {
  const [h, w] = CALO_IMAGE_SHAPE;
  const etaLo = -(h - 1) / 2;
  const phiLo = -(w - 1) / 2;
  for (let i = 0; i < pu.count; i++) {
    const j = 4 * i + k;
    const e = at(pu.deposit, j);
    if (e <= 0) continue;
    const core = at(pu.core, j);
    const tail = at(pu.tail, j);
    const share = at(pu.coreShare, j);
    const pe = at(pu.eta, i);
    const pp = at(pu.phi, i);
    for (let r = 0; r < h; r++) {
      const lo = etaLo + r - 0.5 - pe;
      fe[r] = lateralFraction(lo, lo + 1, core, tail, share);
    }
    for (let q = 0; q < w; q++) {
      const lo = phiLo + q - 0.5 - pp;
      fp[q] = lateralFraction(lo, lo + 1, core, tail, share);
    }
    for (let r = 0; r < h; r++) {
      const er = e * at(fe, r);
      if (er === 0) continue;
      for (let q = 0; q < w; q++) img[r * w + q] = at(img, r * w + q) + er * at(fp, q);
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
