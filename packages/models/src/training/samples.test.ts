import { type ColumnarSample, Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { classBalanceWeights, reweightBackgroundToSignal, splitIndices, undersampleClasses } from './samples.ts';

function toySample(n: number, seed: number): ColumnarSample {
  const rng = new Rng(seed);
  const label = new Uint8Array(n);
  const et = new Float32Array(n);
  const eta = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // 30 % signal with a harder ET spectrum and central η; background soft and forward.
    label[i] = rng.uniform() < 0.3 ? 1 : 0;
    et[i] = label[i] ? 20 + 60 * rng.uniform() : 20 + 60 * rng.uniform() ** 2;
    eta[i] = label[i] ? 2.4 * (rng.uniform() - 0.5) : 4.8 * (rng.uniform() - 0.5);
  }
  return {
    task: 'toy',
    n,
    columns: { et, eta },
    label,
    weight: new Float32Array(n).fill(1),
    truth: {},
    units: { et: 'GeV', eta: '1' },
    seed,
  };
}

describe('splitIndices', () => {
  it('is a deterministic partition of 0..n−1 with the requested sizes', () => {
    const a = splitIndices(1000, 4, { validation: 0.2, test: 0.1 });
    const b = splitIndices(1000, 4, { validation: 0.2, test: 0.1 });
    expect(a).toEqual(b);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([700, 200, 100]);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(splitIndices(1000, 5, { validation: 0.2, test: 0.1 }).test).not.toEqual(a.test);
    expect(() => splitIndices(10, 1, { validation: 0.5, test: 0.5 })).toThrow(RangeError);
  });
});

describe('class balancing', () => {
  const s = toySample(2000, 1);
  const rows = splitIndices(s.n, 2, { validation: 0, test: 0 }).train;
  it('weights give each class the same total and a mean of 1', () => {
    const w = classBalanceWeights(s, rows);
    let sig = 0;
    let bkg = 0;
    rows.forEach((i, r) => {
      if (s.label[i]) sig += w[r] as number;
      else bkg += w[r] as number;
    });
    expect(sig).toBeCloseTo(bkg, 2);
    expect((sig + bkg) / rows.length).toBeCloseTo(1, 5);
  });
  it('undersampling keeps equal class counts, deterministically', () => {
    const kept = undersampleClasses(s, rows, 3);
    const nSig = kept.filter((i) => s.label[i] === 1).length;
    expect(nSig * 2).toBe(kept.length);
    expect(undersampleClasses(s, rows, 3)).toEqual(kept);
  });
});

describe('reweightBackgroundToSignal', () => {
  it('makes the weighted background match the signal in the reweighting bins', () => {
    const s = toySample(20000, 7);
    const rows = splitIndices(s.n, 2, { validation: 0, test: 0 }).train;
    const etEdges = [20, 35, 50, 65, 80];
    const etaEdges = [0, 0.6, 1.2, 2.4];
    const w = reweightBackgroundToSignal(s, rows, [
      { column: 'et', edges: etEdges },
      { column: 'eta', edges: etaEdges, abs: true },
    ]);
    const sig = new Float64Array(12);
    const bkg = new Float64Array(12);
    const bkgRaw = new Float64Array(12);
    rows.forEach((i, r) => {
      const e = Math.min(3, Math.floor(((s.columns.et?.[i] as number) - 20) / 15));
      const a = Math.abs(s.columns.eta?.[i] as number);
      const h = a < 0.6 ? 0 : a < 1.2 ? 1 : 2;
      const cell = e * 3 + h;
      if (s.label[i]) sig[cell] = (sig[cell] as number) + 1;
      else {
        bkg[cell] = (bkg[cell] as number) + (w[r] as number);
        bkgRaw[cell] = (bkgRaw[cell] as number) + 1;
      }
    });
    const sum = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0);
    for (let c = 0; c < 12; c++) {
      expect((bkg[c] as number) / sum(bkg)).toBeCloseTo((sig[c] as number) / sum(sig), 6);
    }
    // Before reweighting the shapes differ visibly (the toy's background is softer).
    const rawDiff = Array.from(bkgRaw, (b, c) => Math.abs(b / sum(bkgRaw) - (sig[c] as number) / sum(sig)));
    expect(Math.max(...rawDiff)).toBeGreaterThan(0.05);
    // Background weights are normalised to the background count; signal weights stay 1.
    expect(sum(bkg)).toBeCloseTo(sum(bkgRaw), 1);
  });
});
