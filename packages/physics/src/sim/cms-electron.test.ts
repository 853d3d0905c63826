import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import {
  CMS_ELECTRON_VARIABLES,
  CMS_PAIR_CATEGORY,
  cmsElectronEnergyResolution,
  emptyCmsElectronIdValues,
  generateCmsZee,
  simulateCmsElectronVariables,
} from './cms-electron.ts';
import { ELECTRON_ORIGIN } from './electron-candidate.ts';
import { Rng } from './rng.ts';
import { hashSample } from './sample-stats.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/** Values of one variable for `count` electrons of an origin at fixed pt [GeV], η and pile-up. */
function draw(origin: number, eta: number, variable: keyof typeof CMS_ELECTRON_VARIABLES, count = 4000): number[] {
  const rng = new Rng(17);
  const out = emptyCmsElectronIdValues();
  return Array.from({ length: count }, () => simulateCmsElectronVariables(rng, origin, 40, eta, 6, out)[variable]);
}

describe('simulateCmsElectronVariables', () => {
  it('gives prompt electrons the CMS σiηiη: ≈ 0.009 in the barrel, rising with |η| in the endcap', () => {
    const barrel = median(draw(ELECTRON_ORIGIN.prompt, 0.5, 'sigmaEtaEta'));
    expect(barrel).toBeGreaterThan(0.0085);
    expect(barrel).toBeLessThan(0.0095);
    const endcapLow = median(draw(ELECTRON_ORIGIN.prompt, 1.7, 'sigmaEtaEta'));
    const endcapHigh = median(draw(ELECTRON_ORIGIN.prompt, 2.3, 'sigmaEtaEta'));
    expect(endcapHigh).toBeGreaterThan(0.023);
    expect(endcapHigh).toBeLessThan(0.027);
    expect(endcapHigh - endcapLow).toBeCloseTo(0.02 * 0.6, 3);
  });

  it('leaves most prompt H/E at exactly 0 and gives fakes larger H/E and isolation', () => {
    const h = draw(ELECTRON_ORIGIN.prompt, 0.3, 'HoverE');
    expect(h.filter((v) => v === 0).length / h.length).toBeGreaterThan(0.7);
    const hFake = draw(ELECTRON_ORIGIN.lightJet, 0.3, 'HoverE');
    expect(hFake.filter((v) => v === 0).length / hFake.length).toBeLessThan(0.6);
    for (const v of ['isoTrack', 'isoEcal', 'isoHcal'] as const) {
      const prompt = draw(ELECTRON_ORIGIN.prompt, 0.3, v);
      const fake = draw(ELECTRON_ORIGIN.lightJet, 0.3, v);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(mean(fake)).toBeGreaterThan(2 * mean(prompt));
      expect(Math.min(...prompt)).toBeGreaterThanOrEqual(0);
    }
    // ECAL isolation carries noise and pile-up: never zero in the barrel, of order 1–3 GeV.
    const ecal = median(draw(ELECTRON_ORIGIN.prompt, 0.3, 'isoEcal'));
    expect(ecal).toBeGreaterThan(1);
    expect(ecal).toBeLessThan(3);
  });

  it('grows the isolation sums with pile-up', () => {
    const sum = (nPileup: number) => {
      const rng = new Rng(3);
      const out = emptyCmsElectronIdValues();
      let s = 0;
      for (let i = 0; i < 4000; i++) {
        simulateCmsElectronVariables(rng, ELECTRON_ORIGIN.prompt, 40, 0.3, nPileup, out);
        s += out.isoEcal + out.isoHcal + out.isoTrack;
      }
      return s / 4000;
    };
    expect(sum(20)).toBeGreaterThan(sum(0) + 1);
  });

  it('rejects bad input with a named error', () => {
    const out = emptyCmsElectronIdValues();
    expect(() => simulateCmsElectronVariables(new Rng(1), 0, -1, 0, 5, out)).toThrow(PhysicsInputError);
    expect(() => simulateCmsElectronVariables(new Rng(1), 0, 30, Number.NaN, 5, out)).toThrow(PhysicsInputError);
  });
});

describe('cmsElectronEnergyResolution', () => {
  it('is ≈ 1.5–2 % in the barrel and ≈ 2.5 % or more in the endcap for Z electrons', () => {
    expect(cmsElectronEnergyResolution(45, 0.5)).toBeGreaterThan(0.011);
    expect(cmsElectronEnergyResolution(45, 0.5)).toBeLessThan(0.02);
    expect(cmsElectronEnergyResolution(120, 2)).toBeGreaterThan(0.023);
    expect(cmsElectronEnergyResolution(120, 2)).toBeLessThan(0.035);
  });
});

describe('generateCmsZee', () => {
  const mc = generateCmsZee({ n: 5000, seed: 7 });

  it('is deterministic by seed', () => {
    const h = hashSample(generateCmsZee({ n: 1000, seed: 4, fakeFraction: 0.2 }));
    expect(hashSample(generateCmsZee({ n: 1000, seed: 4, fakeFraction: 0.2 }))).toBe(h);
    expect(hashSample(generateCmsZee({ n: 1000, seed: 5, fakeFraction: 0.2 }))).not.toBe(h);
  });

  it('applies the open-data preselection and carries the CSV columns', () => {
    for (const k of [1, 2]) {
      for (const v of ['pt', 'eta', 'phi', 'Q', 'isBarrel', ...Object.keys(CMS_ELECTRON_VARIABLES)]) {
        expect(mc.columns[`${v}${k}`]).toBeInstanceOf(Float32Array);
      }
      for (const pt of mc.columns[`pt${k}`] as Float32Array) expect(pt).toBeGreaterThanOrEqual(25);
      for (const eta of mc.columns[`eta${k}`] as Float32Array) expect(Math.abs(eta)).toBeLessThan(2.5);
    }
    for (const m of mc.columns.mass as Float32Array) expect(m >= 60 && m < 120).toBe(true);
    expect(mc.units.isoEcal1).toBe('GeV');
    const masses = Array.from(mc.columns.mass as Float32Array);
    expect(Math.abs(median(masses) - 91)).toBeLessThan(1);
  });

  it('makes signal MC almost all opposite-sign and fakes charge-blind', () => {
    const q1 = mc.columns.Q1 as Float32Array;
    const q2 = mc.columns.Q2 as Float32Array;
    const ss = q1.filter((q, i) => q === q2[i]).length / mc.n;
    expect(ss).toBeLessThan(0.03);
    expect(ss).toBeGreaterThan(0);
    const bkg = generateCmsZee({ n: 4000, seed: 8, fakeFraction: 1, continuumFraction: 0 });
    const c = bkg.truth.category as Int32Array;
    expect(c.every((v) => v === CMS_PAIR_CATEGORY.fake)).toBe(true);
    const b1 = bkg.columns.Q1 as Float32Array;
    const b2 = bkg.columns.Q2 as Float32Array;
    const ssFake = b1.filter((q, i) => q === b2[i]).length / bkg.n;
    expect(ssFake).toBeGreaterThan(0.45);
    expect(ssFake).toBeLessThan(0.55);
  });

  it('rejects bad options', () => {
    expect(() => generateCmsZee({ n: 0, seed: 1 })).toThrow(PhysicsInputError);
    expect(() => generateCmsZee({ n: 10, seed: 1, fakeFraction: 0.8, continuumFraction: 0.5 })).toThrow(
      PhysicsInputError,
    );
  });
});
