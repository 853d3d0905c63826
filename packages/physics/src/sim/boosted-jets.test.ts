import { describe, expect, it } from 'vitest';
import { BOOSTED_JET_PROCESS, containment, generateBoostedJets } from './boosted-jets.ts';
import { hashSample, maskedCorrelation, maskedMean } from './sample-stats.ts';

const sample = generateBoostedJets({ n: 40_000, seed: 17 });
const proc = sample.truth.process as Int32Array;
const col = (name: string): Float32Array => sample.columns[name] as Float32Array;
const mass = col('mass');
const pt = col('pt');
const { qcd, w, top } = BOOSTED_JET_PROCESS;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

describe('generateBoostedJets', () => {
  it('is deterministic by seed', () => {
    const a = hashSample(generateBoostedJets({ n: 2000, seed: 1 }));
    expect(hashSample(generateBoostedJets({ n: 2000, seed: 1 }))).toBe(a);
    expect(hashSample(generateBoostedJets({ n: 2000, seed: 2 }))).not.toBe(a);
  });

  it('puts the W and top mass peaks at their masses once contained', () => {
    const wm = Array.from(mass).filter((_, i) => proc[i] === w && (pt[i] as number) > 400);
    expect(median(wm)).toBeGreaterThan(77);
    expect(median(wm)).toBeLessThan(83);
    const tm = Array.from(mass).filter((_, i) => proc[i] === top && (pt[i] as number) > 600);
    expect(median(tm)).toBeGreaterThan(165);
    expect(median(tm)).toBeLessThan(178);
  });

  it('contains top decays more often at high pT', () => {
    const inPeak = mass.map((m) => (m > 140 && m < 200 ? 1 : 0));
    const low = maskedMean(inPeak, (i) => proc[i] === top && (pt[i] as number) < 330);
    const high = maskedMean(inPeak, (i) => proc[i] === top && (pt[i] as number) > 500);
    expect(low).toBeLessThan(0.35);
    expect(high).toBeGreaterThan(0.85);
  });

  it('orders substructure: W two-prong, top three-prong, QCD one-prong', () => {
    const m = (name: string, k: number): number => maskedMean(col(name), (i) => proc[i] === k);
    expect(m('tau21', w)).toBeLessThan(m('tau21', qcd) - 0.2);
    expect(m('tau32', top)).toBeLessThan(m('tau32', qcd) - 0.1);
    expect(m('d2', w)).toBeLessThan(m('d2', qcd));
    expect(m('c2', w)).toBeLessThan(m('c2', qcd));
    expect(m('sqrtD12', w)).toBeGreaterThan(2 * m('sqrtD12', qcd));
    expect(m('sqrtD23', top)).toBeGreaterThan(2 * m('sqrtD23', qcd));
    expect(maskedCorrelation(col('tau21'), col('c2'), (i) => proc[i] === qcd)).toBeGreaterThan(0.4);
  });

  it('has a falling QCD mass spectrum that a τ21 cut sculpts upwards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < sample.n; i++) {
      const m = mass[i] as number;
      const k = Math.floor((m - 40) / 40);
      if (proc[i] === qcd && m >= 40 && m < 200) counts[k] = (counts[k] as number) + 1;
    }
    for (let k = 1; k < 4; k++) expect(counts[k] as number).toBeLessThan(counts[k - 1] as number);
    const all = maskedMean(mass, (i) => proc[i] === qcd);
    const cut = maskedMean(mass, (i) => proc[i] === qcd && (col('tau21')[i] as number) < 0.45);
    expect(cut).toBeGreaterThan(1.3 * all);
  });

  it('containment is ½ at ΔR = R and monotone', () => {
    expect(containment(1, 1)).toBeCloseTo(0.5, 12);
    expect(containment(0.5, 1)).toBeGreaterThan(0.99);
    expect(containment(1.5, 1)).toBeLessThan(0.01);
  });

  it('rejects bad options', () => {
    expect(() => generateBoostedJets({ n: 10, seed: 1, ptMin: 500, ptMax: 400 })).toThrow(/ptMin/);
  });
});
