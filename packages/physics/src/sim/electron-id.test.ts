import { describe, expect, it } from 'vitest';
import { auc } from '../stats/roc.ts';
import { ELECTRON_ID_VARIABLES, ELECTRON_ORIGIN } from './electron-candidate.ts';
import { generateElectronId } from './electron-id.ts';
import { hashSample, maskedCorrelation, maskedMean, maskedStd } from './sample-stats.ts';

const sample = generateElectronId({ n: 40_000, seed: 3 });
const col = (name: string): Float32Array => {
  const c = sample.columns[name];
  if (!c) throw new Error(`no column ${name}`);
  return c;
};
const origin = sample.truth.origin as Int32Array;
const et = col('et');
const absEta = (i: number): number => Math.abs(col('eta')[i] as number);
const isOrigin = (k: number) => (i: number) => origin[i] === k;
const prompt = isOrigin(ELECTRON_ORIGIN.prompt);
const jet = isOrigin(ELECTRON_ORIGIN.lightJet);

describe('generateElectronId', () => {
  it('is deterministic: the same seed gives the same bytes, another seed others', () => {
    const a = hashSample(generateElectronId({ n: 3000, seed: 5 }));
    expect(hashSample(generateElectronId({ n: 3000, seed: 5 }))).toBe(a);
    expect(hashSample(generateElectronId({ n: 3000, seed: 6 }))).not.toBe(a);
  });

  it('has every ATLAS likelihood variable plus ET, η and ⟨μ⟩, all finite', () => {
    expect(Object.keys(sample.columns)).toEqual(Object.keys(ELECTRON_ID_VARIABLES));
    expect(Object.keys(sample.columns)).toHaveLength(22);
    for (const [name, xs] of Object.entries(sample.columns)) {
      expect(xs.every(Number.isFinite), name).toBe(true);
    }
    expect(sample.units.d0).toBe('mm');
    expect(sample.units.et).toBe('GeV');
  });

  it('has the signal fraction and background shares asked for', () => {
    const frac = maskedMean(sample.label, () => true);
    expect(frac).toBeGreaterThan(0.49);
    expect(frac).toBeLessThan(0.51);
    const bkg = 40_000 * (1 - frac);
    const jets = origin.filter((o) => o === ELECTRON_ORIGIN.lightJet).length;
    expect(jets / bkg).toBeCloseTo(0.74, 1);
  });

  it('gives signal a Jacobian ET peak from Z decays and backgrounds a power law', () => {
    // Z→ee electrons: ET between 30 and 50 GeV for most of them.
    const inPeak = maskedMean(
      et.map((x) => (x > 30 && x < 50 ? 1 : 0)),
      prompt,
    );
    expect(inPeak).toBeGreaterThan(0.6);
    // dN/dET ∝ ET^−4 on [15, 250): mean = (3/2)(a^−2 − b^−2)/(a^−3 − b^−3) = 22.42 GeV.
    expect(maskedMean(et, jet)).toBeCloseTo(22.42, 0);
  });

  it('orders class means the documented way', () => {
    const m = (name: string, keep: (i: number) => boolean): number => maskedMean(col(name), keep);
    expect(m('reta', prompt)).toBeGreaterThan(m('reta', jet) + 0.03);
    expect(m('rhad', prompt)).toBeLessThan(0.02);
    expect(m('rhad', jet)).toBeGreaterThan(0.1);
    expect(m('weta2', prompt)).toBeLessThan(m('weta2', jet));
    expect(m('eratio', prompt)).toBeGreaterThan(0.95);
    expect(m('eProbabilityHT', prompt)).toBeGreaterThan(m('eProbabilityHT', jet) + 0.3);
    expect(m('eOverP', jet)).toBeGreaterThan(2);
    // Conversions: no IBL hit in most of them, and E/p above 1; heavy flavour: displaced tracks.
    const conv = isOrigin(ELECTRON_ORIGIN.conversion);
    expect(
      maskedMean(
        col('nBlayer').map((x) => (x === 0 ? 1 : 0)),
        conv,
      ),
    ).toBeGreaterThan(0.6);
    expect(m('eOverP', conv)).toBeGreaterThan(m('eOverP', prompt) + 0.2);
    expect(m('d0sig', isOrigin(ELECTRON_ORIGIN.heavyFlavour))).toBeGreaterThan(2 * m('d0sig', prompt));
  });

  it('degrades the crack 1.37 < |η| < 1.52: wider, leakier showers', () => {
    const crack = (i: number) => prompt(i) && absEta(i) > 1.37 && absEta(i) < 1.52;
    const barrel = (i: number) => prompt(i) && absEta(i) < 1.37;
    expect(maskedMean(col('reta'), crack)).toBeLessThan(maskedMean(col('reta'), barrel) - 0.015);
    expect(maskedMean(col('weta2'), crack)).toBeGreaterThan(maskedMean(col('weta2'), barrel) + 0.0007);
    expect(maskedStd(col('eOverP'), crack)).toBeGreaterThan(1.2 * maskedStd(col('eOverP'), barrel));
  });

  it('has the ET, pile-up and TRT-acceptance dependences', () => {
    // π⁰ photons merge in the strips at high ET: jets' Eratio rises.
    const low = maskedMean(col('eratio'), (i) => jet(i) && (et[i] as number) < 20);
    const high = maskedMean(col('eratio'), (i) => jet(i) && (et[i] as number) > 60);
    expect(high - low).toBeGreaterThan(0.2);
    // Noise over ET: the electrons' Rhad narrows with ET.
    const wLow = maskedStd(col('rhad'), (i) => prompt(i) && (et[i] as number) < 30);
    const wHigh = maskedStd(col('rhad'), (i) => prompt(i) && (et[i] as number) > 50);
    expect(wLow).toBeGreaterThan(1.5 * wHigh);
    // Pile-up lowers Rη and raises the pions' TRT probability.
    expect(maskedCorrelation(col('mu'), col('reta'), prompt)).toBeLessThan(-0.15);
    const mu = col('mu');
    const pLow = maskedMean(col('eProbabilityHT'), (i) => jet(i) && absEta(i) < 2 && (mu[i] as number) < 25);
    const pHigh = maskedMean(col('eProbabilityHT'), (i) => jet(i) && absEta(i) < 2 && (mu[i] as number) > 40);
    expect(pHigh).toBeGreaterThan(pLow + 0.05);
    for (let i = 0; i < sample.n; i++) if (absEta(i) >= 2) expect(col('eProbabilityHT')[i]).toBe(0.5);
  });

  it('correlates variables through shared physics', () => {
    // Bremsstrahlung moves Δp/p and E/p together; shower depth moves f1 against f3.
    expect(maskedCorrelation(col('dpOverP'), col('eOverP'), prompt)).toBeGreaterThan(0.5);
    expect(maskedCorrelation(col('f1'), col('f3'), prompt)).toBeLessThan(-0.2);
    // Jets: a larger π⁰ fraction narrows the shower and softens the track (E/p up with Rη).
    expect(maskedCorrelation(col('reta'), col('eOverP'), jet)).toBeGreaterThan(0.3);
    expect(maskedCorrelation(col('reta'), col('rhad'), jet)).toBeLessThan(-0.3);
  });

  it('gives single variables separating power but no perfect separation', () => {
    const a = auc(col('reta'), sample.label);
    expect(a).toBeGreaterThan(0.85);
    expect(a).toBeLessThan(0.95);
  });

  it('rejects bad options', () => {
    expect(() => generateElectronId({ n: 0, seed: 1 })).toThrow(/positive integer/);
    expect(() => generateElectronId({ n: 10, seed: 1, etMin: 30, etMax: 20 })).toThrow(/etMin/);
    expect(() =>
      generateElectronId({ n: 10, seed: 1, backgroundComposition: { lightJet: 0, conversion: 0, heavyFlavour: 0 } }),
    ).toThrow(/backgroundComposition/);
  });
});
