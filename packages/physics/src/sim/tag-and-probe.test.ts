import { describe, expect, it } from 'vitest';
import { ELECTRON_ID_VARIABLES } from './electron-candidate.ts';
import { PAIR_CATEGORY } from './pair-category.ts';
import { hashSample, maskedMean } from './sample-stats.ts';
import { DEFAULT_DATA_DISTORTION, generateTagAndProbe } from './tag-and-probe.ts';
import { Z_MASS } from './z-boson.ts';

const mc = generateTagAndProbe({ n: 20_000, seed: 21, kind: 'mc' });
const data = generateTagAndProbe({ n: 20_000, seed: 22, kind: 'data' });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}
function zMasses(sample: typeof mc): number[] {
  const cat = sample.truth.category as Int32Array;
  const m = sample.columns.mass as Float32Array;
  return Array.from(m).filter((_, i) => cat[i] === PAIR_CATEGORY.z);
}

describe('generateTagAndProbe', () => {
  it('is deterministic by seed', () => {
    const a = hashSample(generateTagAndProbe({ n: 2000, seed: 4, kind: 'data' }));
    expect(hashSample(generateTagAndProbe({ n: 2000, seed: 4, kind: 'data' }))).toBe(a);
    expect(hashSample(generateTagAndProbe({ n: 2000, seed: 5, kind: 'data' }))).not.toBe(a);
  });

  it('gives probes the electron-ID variables, with et the probe pt', () => {
    for (const name of Object.keys(ELECTRON_ID_VARIABLES)) expect(mc.columns[name]).toBeInstanceOf(Float32Array);
    expect(mc.columns.et).toEqual(mc.columns.probePt);
    expect(mc.columns.eta).toEqual(mc.columns.probeEta);
    expect(mc.units.mass).toBe('GeV');
  });

  it('peaks at the Z mass in MC and shifts by (1 + α) in pseudo-data', () => {
    const mcMedian = median(zMasses(mc));
    // Resolution and bremsstrahlung losses pull the median a little below m_Z.
    expect(mcMedian).toBeGreaterThan(Z_MASS - 0.8);
    expect(mcMedian).toBeLessThan(Z_MASS + 0.1);
    const ratio = median(zMasses(data)) / mcMedian;
    expect(ratio).toBeCloseTo(1 + DEFAULT_DATA_DISTORTION.alpha, 3);
    for (const m of mc.columns.mass as Float32Array) expect(m >= 60 && m < 120).toBe(true);
  });

  it('is all opposite-sign up to charge flips in MC; fakes are charge-blind in data', () => {
    expect(mc.closure.counts.fake).toBe(0);
    expect(mc.closure.counts.sameSign / mc.n).toBeLessThan(0.03);
    const cat = data.truth.category as Int32Array;
    const q1 = data.columns.tagCharge as Float32Array;
    const q2 = data.columns.probeCharge as Float32Array;
    const ss = maskedMean(
      q1.map((q, i) => (q === q2[i] ? 1 : 0)),
      (i) => cat[i] === PAIR_CATEGORY.fake,
    );
    expect(ss).toBeGreaterThan(0.45);
    expect(ss).toBeLessThan(0.55);
    const os = maskedMean(
      q1.map((q, i) => (q !== q2[i] ? 1 : 0)),
      (i) => cat[i] === PAIR_CATEGORY.continuum,
    );
    expect(os).toBeGreaterThan(0.95); // real pairs: same-sign only by charge misidentification
  });

  it('records true efficiencies that match the truth flags, lower in data', () => {
    for (const s of [mc, data]) {
      const cat = s.truth.category as Int32Array;
      const eff = maskedMean(s.truth.probePassesCutBasedId as Int32Array, (i) => cat[i] === PAIR_CATEGORY.z);
      expect(eff).toBeCloseTo(s.closure.cutBasedIdEfficiency, 10);
    }
    expect(mc.closure.cutBasedIdEfficiency).toBeGreaterThan(0.8);
    const sf = data.closure.cutBasedIdEfficiency / mc.closure.cutBasedIdEfficiency;
    expect(sf).toBeGreaterThan(0.93);
    expect(sf).toBeLessThan(0.995);
    expect(data.closure.alpha).toBe(DEFAULT_DATA_DISTORTION.alpha);
  });

  it('equals MC exactly when the pseudo-data has no distortion and no fakes', () => {
    const a = generateTagAndProbe({ n: 1000, seed: 9, kind: 'mc' });
    const b = generateTagAndProbe({ n: 1000, seed: 9, kind: 'data', distortion: {}, fakeFraction: 0 });
    expect(b.columns).toEqual(a.columns);
  });

  it('shifts the probe variables by the configured amount', () => {
    const a = generateTagAndProbe({ n: 1000, seed: 9, kind: 'mc' });
    const b = generateTagAndProbe({
      n: 1000,
      seed: 9,
      kind: 'data',
      distortion: { idShift: { reta: -0.01 } },
      fakeFraction: 0,
    });
    const ra = a.columns.reta as Float32Array;
    const rb = b.columns.reta as Float32Array;
    for (let i = 0; i < 1000; i++) expect(rb[i] as number).toBeCloseTo((ra[i] as number) - 0.01, 5);
  });

  it('rejects bad options', () => {
    expect(() =>
      generateTagAndProbe({ n: 10, seed: 1, kind: 'mc', fakeFraction: 0.7, continuumFraction: 0.4 }),
    ).toThrow(/fakeFraction/);
    expect(() => generateTagAndProbe({ n: -1, seed: 1, kind: 'mc' })).toThrow(/positive/);
  });
});
