import { describe, expect, it } from 'vitest';
import { auc } from '../stats/roc.ts';
import { generateElectronId } from './electron-id.ts';

function mean(xs: Float32Array, mask: Uint8Array, want: number): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (mask[i] === want) {
      s += xs[i] as number;
      k++;
    }
  }
  return s / k;
}

describe('generateElectronId', () => {
  it('is deterministic: the same seed gives the same bytes', () => {
    const a = generateElectronId({ n: 2000, seed: 5 });
    const b = generateElectronId({ n: 2000, seed: 5 });
    const c = generateElectronId({ n: 2000, seed: 6 });
    for (const k of Object.keys(a.columns)) expect(a.columns[k]).toEqual(b.columns[k]);
    expect(a.label).toEqual(b.label);
    expect(a.columns.reta).not.toEqual(c.columns.reta);
  });

  it('has the documented class differences: narrower showers, less leakage, more TRT HT for electrons', () => {
    const s = generateElectronId({ n: 20_000, seed: 1 });
    const c = s.columns;
    expect(mean(c.reta as Float32Array, s.label, 1)).toBeGreaterThan(mean(c.reta as Float32Array, s.label, 0));
    expect(mean(c.rhad as Float32Array, s.label, 1)).toBeLessThan(mean(c.rhad as Float32Array, s.label, 0));
    expect(mean(c.eProbabilityHT as Float32Array, s.label, 1)).toBeGreaterThan(0.55);
    expect(mean(c.eProbabilityHT as Float32Array, s.label, 0)).toBeLessThan(0.4);
    // Signal ET peaks near m_Z/2, background falls steeply.
    expect(mean(c.et as Float32Array, s.label, 1)).toBeGreaterThan(30);
    expect(mean(c.et as Float32Array, s.label, 0)).toBeLessThan(15);
    const frac = s.label.reduce((a, b) => a + b, 0) / s.n;
    expect(frac).toBeGreaterThan(0.48);
    expect(frac).toBeLessThan(0.52);
  });

  it('gives single variables separating power but no perfect separation', () => {
    const s = generateElectronId({ n: 20_000, seed: 2 });
    const a = auc(s.columns.reta as Float32Array, s.label);
    expect(a).toBeGreaterThan(0.8);
    expect(a).toBeLessThan(0.99);
  });

  it('rejects a bad size', () => {
    expect(() => generateElectronId({ n: 0, seed: 1 })).toThrow(/positive integer/);
  });
});
