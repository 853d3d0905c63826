import { describe, expect, it } from 'vitest';
import { CALO_IMAGE_SHAPE } from './calo-images.ts';
import {
  CALO_PARTICLE,
  CALO_SHOWER_VARIABLES,
  defaultStandardCalibration,
  generateCaloShowers,
  STANDARD_CALIBRATION_COLUMN,
} from './calo-showers.ts';
import { fitStandardCalibration } from './calo-standard-calibration.ts';
import { innerDetectorMaterial } from './detector.ts';
import { hashSample, maskedCorrelation, maskedMean } from './sample-stats.ts';

const sample = generateCaloShowers({ n: 30_000, seed: 7, images: false });
const col = (name: string): Float32Array => {
  const c = sample.columns[name];
  if (!c) throw new Error(`no column ${name}`);
  return c;
};
const eTrue = sample.truth.eTrue as Float32Array;
const ratio = (name: string): Float32Array => Float32Array.from(col(name), (x, i) => x / (eTrue[i] as number));
const truthRatio = (name: string): Float32Array =>
  Float32Array.from(sample.truth[name] as Float32Array, (x, i) => x / (eTrue[i] as number));
const absEta = (i: number): number => Math.abs(col('eta')[i] as number);
const energyIn = (lo: number, hi: number) => (i: number) => (eTrue[i] as number) >= lo && (eTrue[i] as number) < hi;

function quantile(xs: ArrayLike<number>, keep: (i: number) => boolean, p: number): number {
  const kept: number[] = [];
  for (let i = 0; i < xs.length; i++) if (keep(i)) kept.push(xs[i] as number);
  kept.sort((a, b) => a - b);
  return kept[Math.floor(p * (kept.length - 1))] as number;
}
/** Robust width: interquartile range / 1.349 (σ for a Gaussian). */
const iqrWidth = (xs: ArrayLike<number>, keep: (i: number) => boolean): number =>
  (quantile(xs, keep, 0.75) - quantile(xs, keep, 0.25)) / 1.349;

describe('generateCaloShowers', () => {
  it('is deterministic: the same seed gives the same bytes (scalars and images), another seed others', () => {
    const a = generateCaloShowers({ n: 400, seed: 5 });
    const b = generateCaloShowers({ n: 400, seed: 5 });
    expect(hashSample(b)).toBe(hashSample(a));
    expect(b.image.length).toBe(a.image.length);
    expect(b.image.every((v, i) => Object.is(v, a.image[i]))).toBe(true);
    expect(hashSample(generateCaloShowers({ n: 400, seed: 6 }))).not.toBe(hashSample(a));
    // Images come from their own stream: asking for them leaves the scalars unchanged.
    expect(hashSample(generateCaloShowers({ n: 400, seed: 5, images: false }))).toBe(hashSample(a));
  });

  it('has every scalar variable with units, the standard calibration, truth, all finite', () => {
    expect(Object.keys(sample.columns)).toEqual([...Object.keys(CALO_SHOWER_VARIABLES), STANDARD_CALIBRATION_COLUMN]);
    for (const [name, xs] of Object.entries(sample.columns)) expect(xs.every(Number.isFinite), name).toBe(true);
    expect(sample.units.eRaw).toBe('GeV');
    expect(sample.units[STANDARD_CALIBRATION_COLUMN]).toBe('GeV');
    expect(sample.image).toHaveLength(0);
    expect(Math.min(...eTrue)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...eTrue)).toBeLessThan(300);
    expect(Math.max(...col('eta').map(Math.abs))).toBeLessThan(1.41);
    // Flat in ln E on [3, 300): mean of ln E = (ln 3 + ln 300)/2.
    expect(maskedMean(eTrue.map(Math.log), () => true)).toBeCloseTo((Math.log(3) + Math.log(300)) / 2, 1);
    expect(maskedMean(sample.label, () => true)).toBeCloseTo(0.5, 1);
    expect(sample.label.every((l, i) => l === (sample.truth.particle as Int32Array)[i])).toBe(true);
  });

  it('fills HWC images whose 3 × 7 window sums to the layer energies', () => {
    const s = generateCaloShowers({ n: 300, seed: 9 });
    const [h, w, ch] = CALO_IMAGE_SHAPE;
    expect(s.imageShape).toEqual([7, 11, 4]);
    expect(s.image).toHaveLength(300 * h * w * ch);
    expect(s.image.every(Number.isFinite)).toBe(true);
    const layers = ['ePs', 'e1', 'e2', 'e3'].map((k) => s.columns[k] as Float32Array);
    let hottestInCentre = 0;
    for (let i = 0; i < s.n; i++) {
      for (let k = 0; k < ch; k++) {
        let sum = 0;
        for (let a = 2; a < 5; a++)
          for (let b = 2; b < 9; b++) sum += s.image[i * h * w * ch + (a * w + b) * ch + k] as number;
        const ref = (layers[k] as Float32Array)[i] as number;
        expect(Math.abs(sum - ref)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref)));
      }
      // The middle layer's hottest cell is the central one for most showers.
      let best = 0;
      for (let c = 1; c < h * w; c++) {
        if ((s.image[i * h * w * ch + c * ch + 2] as number) > (s.image[i * h * w * ch + best * ch + 2] as number))
          best = c;
      }
      if (best === 3 * w + 5) hottestInCentre++;
    }
    expect(hottestInCentre / s.n).toBeGreaterThan(0.8);
  });

  it('adds cell times as channels 4–7 on request, leaving the energies unchanged', () => {
    const plain = generateCaloShowers({ n: 200, seed: 31, eMin: 20 });
    const timed = generateCaloShowers({ n: 200, seed: 31, eMin: 20, imageTime: true });
    expect(timed.imageShape).toEqual([7, 11, 8]);
    expect(timed.imageChannels).toHaveLength(8);
    expect(hashSample(timed)).toBe(hashSample(plain));
    const cells = 7 * 11;
    const centreTimes: number[] = [];
    let cornerZero = 0;
    for (let i = 0; i < timed.n; i++) {
      for (let c = 0; c < cells; c++) {
        for (let k = 0; k < 4; k++) {
          expect(timed.image[(i * cells + c) * 8 + k]).toBe(plain.image[(i * cells + c) * 4 + k]);
        }
      }
      // Middle layer: the central cell (hard signal) is on time; a corner cell mostly below threshold.
      centreTimes.push(timed.image[(i * cells + 3 * 11 + 5) * 8 + 6] as number);
      if (timed.image[(i * cells + 0) * 8 + 6] === 0) cornerZero++;
    }
    const rms = Math.sqrt(centreTimes.reduce((a, t) => a + t * t, 0) / centreTimes.length);
    expect(rms).toBeGreaterThan(0.1);
    expect(rms).toBeLessThan(1);
    expect(cornerZero / timed.n).toBeGreaterThan(0.8);
  });

  it('converts photons with probability 1 − exp(−7/9 · X/X₀) of the tracker material', () => {
    const converted = sample.truth.converted as Int32Array;
    for (const [lo, hi] of [
      [0, 0.5],
      [0.9, 1.4],
    ] as const) {
      let expected = 0;
      for (let k = 0; k < 1000; k++) {
        expected += 1 - Math.exp((-7 / 9) * innerDetectorMaterial(lo + ((hi - lo) * (k + 0.5)) / 1000));
      }
      expected /= 1000;
      const photon = (i: number) => sample.label[i] === CALO_PARTICLE.photon && absEta(i) >= lo && absEta(i) < hi;
      expect(maskedMean(converted, photon)).toBeCloseTo(expected, 1);
    }
    const electron = (i: number) => sample.label[i] === CALO_PARTICLE.electron;
    expect(maskedMean(converted, electron)).toBe(0);
  });

  it('loses energy upstream (more at high |η|) and leaks behind (more at high E): E_raw < E_true', () => {
    const up = truthRatio('eLostUpstream');
    const leak = truthRatio('eLeak');
    const central = (i: number) => absEta(i) < 0.5;
    const forward = (i: number) => absEta(i) > 1.1;
    expect(maskedMean(up, forward)).toBeGreaterThan(2 * maskedMean(up, central));
    expect(maskedMean(ratio('eRaw'), forward)).toBeLessThan(maskedMean(ratio('eRaw'), central) - 0.02);
    expect(maskedMean(leak, energyIn(100, 300))).toBeGreaterThan(2 * maskedMean(leak, energyIn(6, 15)));
    expect(quantile(ratio('eRaw'), () => true, 0.5)).toBeGreaterThan(0.85);
    expect(quantile(ratio('eRaw'), () => true, 0.5)).toBeLessThan(0.97);
    // Deeper showers at high energy: less in the strips relative to the middle layer.
    expect(maskedMean(col('r12'), energyIn(100, 300))).toBeLessThan(maskedMean(col('r12'), energyIn(6, 15)) - 0.2);
  });

  it('has the documented resolution and correlations', () => {
    // Sampling term: the relative width falls by about √(E₂/E₁) between 4 and 150 GeV.
    const low = iqrWidth(ratio('eAcc'), energyIn(3, 6));
    const high = iqrWidth(ratio('eAcc'), energyIn(100, 300));
    expect(low).toBeGreaterThan(4 * high);
    expect(high).toBeGreaterThan(0.007);
    expect(high).toBeLessThan(0.025);
    // The presampler sees the early showers that lose energy upstream; f3 sees the leakage.
    const hiE = energyIn(50, 300);
    expect(maskedCorrelation(col('f0'), truthRatio('eLostUpstream'), hiE)).toBeGreaterThan(0.4);
    expect(maskedCorrelation(col('f3'), truthRatio('eLeak'), hiE)).toBeGreaterThan(0.8);
    expect(maskedCorrelation(col('f0'), ratio('eRaw'), hiE)).toBeLessThan(-0.2);
  });

  it('calibrates with the standard calibration: unbiased in η and E, narrower than E_raw', () => {
    const cal = ratio(STANDARD_CALIBRATION_COLUMN);
    const raw = ratio('eRaw');
    for (const [lo, hi] of [
      [0, 0.35],
      [0.35, 0.7],
      [0.7, 1.05],
      [1.05, 1.4],
    ] as const) {
      const bin = (i: number) => absEta(i) >= lo && absEta(i) < hi;
      expect(Math.abs(quantile(cal, bin, 0.5) - 1)).toBeLessThan(0.01);
    }
    for (const [lo, hi] of [
      [10, 40],
      [40, 300],
    ] as const) {
      expect(Math.abs(quantile(cal, energyIn(lo, hi), 0.5) - 1)).toBeLessThan(0.01);
    }
    expect(iqrWidth(cal, () => true)).toBeLessThan(iqrWidth(raw, () => true));
    const forward = (i: number) => absEta(i) > 1.1;
    expect(iqrWidth(cal, forward)).toBeLessThan(0.85 * iqrWidth(raw, forward));
  });

  it('leaves room for a regression: more scalar information narrows the response at high energy', () => {
    // Per-category, per-|η|-bin weighted least squares with the standard features plus the impact
    // point in the cell (containment), f1 and f3 (leakage) and the conversion radius, fitted on an
    // independent sample: the standard calibration is not the best use of the same scalars.
    const train = generateCaloShowers({ n: 40_000, seed: 21, images: false });
    const features = (s: typeof train, i: number): number[] => {
      const c = (name: string): number => (s.columns[name] as Float32Array)[i] as number;
      const ea = c('eAcc');
      return [
        1,
        c('ePs'),
        ea,
        ea * Math.log(Math.max(ea, 0.5)),
        ea * c('showerDepth'),
        ea * c('etaCell') ** 2,
        ea * c('phiCell') ** 2,
        ea * c('f1'),
        ea * c('f3'),
        (ea * c('convRadius')) / 1000,
      ];
    };
    const p = 10;
    const cellOf = (s: typeof train, i: number): number =>
      ((s.columns.isPhoton?.[i] ?? 0) ? ((s.columns.isConverted?.[i] ?? 0) ? 2 : 1) : 0) * 14 +
      Math.min(13, Math.floor(Math.abs(s.columns.eta?.[i] ?? 0) / 0.1));
    const a = Array.from({ length: 42 }, () => new Float64Array(p * p));
    const b = Array.from({ length: 42 }, () => new Float64Array(p));
    for (let i = 0; i < train.n; i++) {
      const x = features(train, i);
      const e = train.truth.eTrue?.[i] as number;
      const w = 1 / (0.01 * e + 0.16 + 1e-4 * e * e);
      const k = cellOf(train, i);
      const ak = a[k] as Float64Array;
      const bk = b[k] as Float64Array;
      for (let r = 0; r < p; r++) {
        bk[r] = (bk[r] as number) + w * (x[r] as number) * e;
        for (let q = 0; q < p; q++) ak[r * p + q] = (ak[r * p + q] as number) + w * (x[r] as number) * (x[q] as number);
      }
    }
    const coef = a.map((m, k) => solveDense(m, b[k] as Float64Array, p));
    const rich = Float32Array.from({ length: sample.n }, (_, i) => {
      const x = features(sample, i);
      const c = coef[cellOf(sample, i)] as number[];
      return x.reduce((acc, v, k) => acc + v * (c[k] as number), 0) / (eTrue[i] as number);
    });
    const std = ratio(STANDARD_CALIBRATION_COLUMN);
    const high = energyIn(40, 300);
    expect(iqrWidth(rich, high)).toBeLessThan(0.95 * iqrWidth(std, high));
    // At low energy the standard calibration is non-linear (out-of-cluster losses of soft showers).
    expect(quantile(std, energyIn(3, 6), 0.5)).toBeGreaterThan(1.015);
  });

  it('keeps out-of-cluster energy visible in the image outside the 3 × 7 window', () => {
    const s = generateCaloShowers({ n: 1500, seed: 23, eMax: 15 });
    const [h, w, ch] = CALO_IMAGE_SHAPE;
    const outside = new Float32Array(s.n);
    for (let i = 0; i < s.n; i++) {
      let sum = 0;
      for (let r = 0; r < h; r++) {
        for (let q = 0; q < w; q++) {
          if (r >= 2 && r < 5 && q >= 2 && q < 9) continue;
          for (let k = 1; k < ch; k++) sum += s.image[i * h * w * ch + (r * w + q) * ch + k] as number;
        }
      }
      outside[i] = sum;
    }
    const ooc = s.truth.eOutOfCluster as Float32Array;
    // Noise and pile-up of the 56 outer cells per layer blur it; the lost energy still shows.
    const big = maskedMean(outside, (i) => (ooc[i] as number) > 1);
    const small = maskedMean(outside, (i) => (ooc[i] as number) < 0.2);
    expect(maskedCorrelation(outside, ooc, () => true)).toBeGreaterThan(0.25);
    expect(big - small).toBeGreaterThan(0.4);
  });

  it("ties each shower's lateral width to its depth and matches the measured shower shapes (issue 22)", () => {
    // GFlash: the radial profile is a function of τ = t/T, so a shower that develops early (large
    // f1) is wider in the middle layer (small Rη); the accordion's tail is set so that the median
    // Rη of 30–60 GeV electrons is that of the electron-ID simulation (ATLAS distributions).
    const s = generateCaloShowers({ n: 6000, seed: 41 });
    const [h, w, ch] = s.imageShape;
    const px = (i: number, r: number, q: number) => s.image[i * h * w * ch + (r * w + q) * ch + 2] as number;
    const reta = new Float32Array(s.n);
    const weta2 = new Float32Array(s.n);
    for (let i = 0; i < s.n; i++) {
      let e37 = 0;
      let e77 = 0;
      for (let r = 0; r < 7; r++) {
        for (let q = 2; q < 9; q++) {
          e77 += px(i, r, q);
          if (r >= 2 && r < 5) e37 += px(i, r, q);
        }
      }
      reta[i] = e37 / e77;
      let sw = 0;
      let sw1 = 0;
      let sw2 = 0;
      for (let r = 2; r < 5; r++) {
        for (let q = 4; q < 7; q++) {
          sw += px(i, r, q);
          sw1 += px(i, r, q) * (r - 3);
          sw2 += px(i, r, q) * (r - 3) ** 2;
        }
      }
      weta2[i] = 0.025 * Math.sqrt(Math.max(0, sw2 / sw - (sw1 / sw) ** 2));
    }
    const e = s.truth.eTrue as Float32Array;
    const electrons = (i: number) =>
      s.label[i] === CALO_PARTICLE.electron && (e[i] as number) >= 30 && (e[i] as number) < 60;
    expect(quantile(reta, electrons, 0.5)).toBeGreaterThan(0.955);
    expect(quantile(reta, electrons, 0.5)).toBeLessThan(0.972);
    expect(quantile(weta2, electrons, 0.5)).toBeGreaterThan(0.0095);
    expect(quantile(weta2, electrons, 0.5)).toBeLessThan(0.0115);
    const photons = (i: number) =>
      s.label[i] === CALO_PARTICLE.photon && !(s.truth.converted as Int32Array)[i] && (e[i] as number) >= 30;
    expect(maskedCorrelation(reta, s.columns.f1 as Float32Array, photons)).toBeLessThan(-0.25);
  });

  it('simulates in-time pile-up particle by particle: zero mean, growing with μ, spread over cells (issue 22)', () => {
    const s = generateCaloShowers({ n: 6000, seed: 43, eMax: 20 });
    const pu = s.truth.ePileupInTime as Float32Array;
    const mu = s.columns.mu as Float32Array;
    const central = (i: number) => Math.abs(s.columns.eta?.[i] as number) < 0.7;
    const stats = (keep: (i: number) => boolean) => {
      let n = 0;
      let m = 0;
      let v = 0;
      for (let i = 0; i < s.n; i++) {
        if (!keep(i)) continue;
        n++;
        m += pu[i] as number;
        v += (pu[i] as number) ** 2;
      }
      return { mean: m / n, rms: Math.sqrt(v / n - (m / n) ** 2) };
    };
    const low = stats((i) => central(i) && (mu[i] as number) > 15 && (mu[i] as number) < 25);
    const high = stats((i) => central(i) && (mu[i] as number) > 40 && (mu[i] as number) < 60);
    // The reconstruction subtracts the mean per cell: what is left averages to zero.
    expect(Math.abs(low.mean)).toBeLessThan(0.03);
    expect(Math.abs(high.mean)).toBeLessThan(0.05);
    // Poisson in the number of particles: the RMS grows about as √μ (√(50/20) ≈ 1.6).
    expect(high.rms / low.rms).toBeGreaterThan(1.3);
    expect(high.rms / low.rms).toBeLessThan(2.1);
    expect(high.rms).toBeGreaterThan(0.15);
    // A deposit straddling the window's edge shows outside it: the ring of cells around the window
    // holds more energy when the in-time pile-up inside the window is large.
    const [h, w, ch] = s.imageShape;
    const ring = new Float32Array(s.n);
    for (let i = 0; i < s.n; i++) {
      let sum = 0;
      for (let r = 1; r < 6; r++) {
        for (let q = 1; q < 10; q++) {
          if (r >= 2 && r < 5 && q >= 2 && q < 9) continue;
          sum += s.image[i * h * w * ch + (r * w + q) * ch + 2] as number;
        }
      }
      ring[i] = sum;
    }
    const lowEnergy = (i: number) => (s.truth.eTrue?.[i] as number) < 8;
    expect(maskedCorrelation(ring, pu, lowEnergy)).toBeGreaterThan(0.1);
  });

  it('refits the default calibration reproducibly and rejects bad options', () => {
    const cal = defaultStandardCalibration();
    expect(cal.coefficients).toHaveLength(3);
    expect(cal.coefficients[0]).toHaveLength(14);
    // Accordion scale above 1 (losses), the presampler weight positive (upstream loss).
    for (const row of cal.coefficients) for (const c of row) expect(c.every(Number.isFinite)).toBe(true);
    const refit = fitStandardCalibration(generateCaloShowers({ n: 20_000, seed: 99, images: false }));
    const e = refit.coefficients[0]?.[3]?.[2] ?? 0;
    expect(e).toBeGreaterThan(0.5);
    expect(() => generateCaloShowers({ n: 0, seed: 1 })).toThrow(/n must be/);
    expect(() => generateCaloShowers({ n: 10, seed: 1, etaMax: 2 })).toThrow(/etaMax/);
    expect(() => generateCaloShowers({ n: 10, seed: 1, eMin: 0.1 })).toThrow(/eMin/);
    expect(() => fitStandardCalibration(generateCaloShowers({ n: 200, seed: 1, images: false }))).toThrow(
      /fewer than 50/,
    );
  });
});

/** Solves the p × p system m·x = v (Gaussian elimination with partial pivoting and a tiny ridge). */
function solveDense(m: Float64Array, v: Float64Array, p: number): number[] {
  const rows = Array.from({ length: p }, (_, i) => [
    ...Array.from(
      { length: p },
      (_, j) => (m[i * p + j] as number) + (i === j ? 1e-9 * ((m[i * p + i] as number) + 1) : 0),
    ),
    v[i] as number,
  ]);
  for (let i = 0; i < p; i++) {
    let pivot = i;
    for (let r = i + 1; r < p; r++) if (Math.abs(rows[r]?.[i] ?? 0) > Math.abs(rows[pivot]?.[i] ?? 0)) pivot = r;
    [rows[i], rows[pivot]] = [rows[pivot] as number[], rows[i] as number[]];
    const ri = rows[i] as number[];
    for (let r = 0; r < p; r++) {
      if (r === i) continue;
      const rr = rows[r] as number[];
      const f = (rr[i] as number) / (ri[i] as number);
      for (let c = i; c <= p; c++) rr[c] = (rr[c] as number) - f * (ri[c] as number);
    }
  }
  return rows.map((row, i) => (row[p] as number) / (row[i] as number));
}
