import { describe, expect, it } from 'vitest';
import { generateElectronId } from '../sim/electron-id.ts';
import { ksTest } from '../stats/ks-test.ts';
import { reweightToTarget } from './histogram-reweighting.ts';

// The seeds' use case: reweight the electron-ID background to the signal in ET, η and ⟨μ⟩ so that a
// classifier cannot separate on the kinematics.
describe('reweighting the simulated electron-ID background to the signal', () => {
  it('removes the ET, η and ⟨μ⟩ differences that the KS test sees before', () => {
    const sample = generateElectronId({ n: 20_000, seed: 77 });
    const pick = (name: string, label: number): Float64Array => {
      const col = sample.columns[name] as Float32Array;
      const out: number[] = [];
      for (let i = 0; i < sample.n; i++) if (sample.label[i] === label) out.push(col[i] as number);
      return Float64Array.from(out);
    };
    const names = ['et', 'eta', 'mu'];
    const bkg = names.map((v) => pick(v, 0));
    const sig = names.map((v) => pick(v, 1));
    const edges = [
      [15, 20, 25, 30, 35, 40, 45, 50, 60, 80, 120, 250],
      [-2.47, -2.0, -1.52, -1.37, -0.8, 0, 0.8, 1.37, 1.52, 2.0, 2.47],
      [0, 20, 28, 36, 44, 80],
    ];
    const r = reweightToTarget({ source: bkg, target: sig, edges, maxFactor: 100 });
    const before = ksTest(bkg[0] as Float64Array, sig[0] as Float64Array);
    const after = ksTest(bkg[0] as Float64Array, sig[0] as Float64Array, { weightsA: r.weights });
    // The background ET spectrum is softer than the Z → ee signal: clearly different before.
    expect(before.pValue).toBeLessThan(1e-6);
    // After reweighting only the within-bin shape differs; the distance shrinks by a large factor.
    expect(after.statistic).toBeLessThan(before.statistic / 8);
    const etaAfter = ksTest(bkg[1] as Float64Array, sig[1] as Float64Array, { weightsA: r.weights });
    expect(etaAfter.statistic).toBeLessThan(0.03);
    expect(r.effectiveSampleSize).toBeLessThan(r.effectiveSampleSizeBefore);
    expect(r.effectiveSampleSize).toBeGreaterThan(0.05 * r.effectiveSampleSizeBefore);
  });
});
