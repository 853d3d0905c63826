import { describe, expect, it } from 'vitest';
import { erfc } from '../stats/special.ts';
import { allPrimaryProbability, generateBTagging, JET_FLAVOUR, largestEigenvalue } from './b-tagging.ts';
import { Rng } from './rng.ts';
import { hashSample, maskedMean } from './sample-stats.ts';

const sample = generateBTagging({ n: 30_000, seed: 8 });
const flavour = sample.truth.flavour as Int32Array;
const mean = (name: string, f: number): number =>
  maskedMean(sample.columns[name] as Float32Array, (i) => flavour[i] === f);

describe('generateBTagging', () => {
  it('is deterministic by seed', () => {
    const a = hashSample(generateBTagging({ n: 2000, seed: 1 }));
    expect(hashSample(generateBTagging({ n: 2000, seed: 1 }))).toBe(a);
    expect(hashSample(generateBTagging({ n: 2000, seed: 2 }))).not.toBe(a);
  });

  it('has the Z-pole flavour composition and b labels', () => {
    expect(maskedMean(sample.label, () => true)).toBeCloseTo(0.216, 1);
    for (let i = 0; i < sample.n; i++) expect(sample.label[i]).toBe(flavour[i] === JET_FLAVOUR.b ? 1 : 0);
  });

  it('orders b, c and light jets as lifetime, mass and semileptonic decays dictate', () => {
    const { b, c, light } = JET_FLAVOUR;
    expect(mean('pUds', b)).toBeLessThan(mean('pUds', c));
    expect(mean('pUds', c)).toBeLessThan(mean('pUds', light));
    // Light jets: P_uds about uniform, mean near 1/2 (V⁰ decays pull it a little down).
    expect(mean('pUds', light)).toBeGreaterThan(0.4);
    expect(mean('pUds', light)).toBeLessThan(0.55);
    expect(mean('deltaChi2', b)).toBeGreaterThan(mean('deltaChi2', c));
    expect(mean('deltaChi2', c)).toBeGreaterThan(mean('deltaChi2', light));
    expect(mean('leptonPt', b)).toBeGreaterThan(mean('leptonPt', c));
    expect(mean('leptonPt', c)).toBeGreaterThan(mean('leptonPt', light));
    expect(mean('boostedSphericity', b)).toBeGreaterThan(mean('boostedSphericity', light) + 0.05);
    expect(mean('energyFlowMultiplicity', b)).toBeGreaterThan(mean('energyFlowMultiplicity', light) + 2);
    expect(mean('sumPt2', b)).toBeGreaterThan(mean('sumPt2', light) + 0.5);
    for (const s of sample.columns.boostedSphericity as Float32Array) expect(s >= 0 && s <= 1.0001).toBe(true);
  });
});

describe('b-tagging helpers', () => {
  it('erfc matches tabulated values (Abramowitz & Stegun, Table 7.1)', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(2)).toBeCloseTo(0.004677735, 8);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
  });

  it('allPrimaryProbability has its closed forms and is uniform for prompt tracks', () => {
    expect(allPrimaryProbability(Math.log(0.3), 1)).toBeCloseTo(0.3, 12);
    expect(allPrimaryProbability(Math.log(0.3), 2)).toBeCloseTo(0.3 * (1 - Math.log(0.3)), 12);
    // The product of N uniforms, mapped through P, is uniform: its mean is 1/2, P(< 0.1) = 0.1.
    const rng = new Rng(5);
    let s = 0;
    let low = 0;
    const m = 20_000;
    for (let k = 0; k < m; k++) {
      let logY = 0;
      for (let t = 0; t < 6; t++) logY += Math.log(rng.uniformOpen());
      const p = allPrimaryProbability(logY, 6);
      s += p;
      if (p < 0.1) low++;
    }
    expect(s / m).toBeCloseTo(0.5, 2);
    expect(low / m).toBeCloseTo(0.1, 2);
  });

  it('largestEigenvalue solves known symmetric matrices', () => {
    expect(largestEigenvalue(3, 1, 2, 0, 0, 0)).toBeCloseTo(3, 12);
    // [[2,1,0],[1,2,0],[0,0,1]] has eigenvalues 3, 1, 1.
    expect(largestEigenvalue(2, 2, 1, 1, 0, 0)).toBeCloseTo(3, 12);
    // [[1,1,1],[1,1,1],[1,1,1]] has eigenvalues 3, 0, 0.
    expect(largestEigenvalue(1, 1, 1, 1, 1, 1)).toBeCloseTo(3, 10);
  });
});
