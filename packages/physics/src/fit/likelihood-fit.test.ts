import { describe, expect, it } from 'vitest';
import { FitError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { fitBinned } from './binned-fit.ts';
import { exponentialPdf } from './exponential.ts';
import { gaussianPdf } from './gaussian.ts';
import type { FitResult } from './likelihood-fit.ts';
import { fitUnbinned } from './unbinned-fit.ts';

const range = [-5, 5] as const;
const edges = Array.from({ length: 41 }, (_, i) => -5 + 0.25 * i);

function histogram(values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    const i = Math.floor((v + 5) / 0.25);
    if (i >= 0 && i < counts.length) counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

function meanAndWidth(values: readonly number[]): [number, number] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return [mean, Math.sqrt(variance)];
}

function pulls(results: FitResult[], name: string, truth: number): number[] {
  return results.map((r) => ((r.parameters[name]?.value as number) - truth) / (r.parameters[name]?.error as number));
}

describe('likelihood fits', () => {
  it('recover a Gaussian mean and width with unit pulls (unbinned and binned, 150 toys of 400 events)', () => {
    const rng = new Rng(20261122);
    const unbinned: FitResult[] = [];
    const binned: FitResult[] = [];
    for (let toy = 0; toy < 150; toy++) {
      const data: number[] = [];
      while (data.length < 400) {
        const x = rng.normal(0.3, 1.2);
        if (x > -5 && x < 5) data.push(x);
      }
      const parameters = { mean: { value: 0, step: 0.1 }, sigma: { value: 1, step: 0.1, lower: 0.05, upper: 5 } };
      unbinned.push(fitUnbinned({ data, model: gaussianPdf({ range }), parameters }));
      binned.push(fitBinned({ edges, counts: histogram(data), model: gaussianPdf({ range }), parameters }));
    }
    for (const results of [unbinned, binned]) {
      for (const [name, truth] of [
        ['mean', 0.3],
        ['sigma', 1.2],
      ] as const) {
        const [mean, width] = meanAndWidth(pulls(results, name, truth));
        // 150 toys: the pull mean has σ ≈ 0.08 and the width σ ≈ 0.06.
        expect(Math.abs(mean)).toBeLessThan(0.3);
        expect(width).toBeGreaterThan(0.8);
        expect(width).toBeLessThan(1.2);
      }
      // The error on the mean is σ/√N = 0.06, as the Cramér–Rao bound says.
      expect(results[0]?.parameters.mean?.error).toBeCloseTo(1.2 / Math.sqrt(400), 2);
    }
  });

  it('fits signal + background yields in an extended binned fit, with χ²/ndf near 1', () => {
    const rng = new Rng(7);
    const values: number[] = [];
    const nSignal = rng.poisson(3000);
    const nBackground = rng.poisson(5000);
    for (let i = 0; i < nSignal; i++) values.push(rng.normal(0.5, 0.6));
    for (let i = 0; i < nBackground; i++) {
      // Exponential with slope −0.3 on [−5, 5] by inversion.
      const u = rng.uniform();
      values.push(-5 + Math.log(1 - u * (1 - Math.exp(-0.3 * 10))) / -0.3);
    }
    const counts = histogram(values);
    const total = counts.reduce((s, v) => s + v, 0);
    const fit = fitBinned({
      edges,
      counts,
      model: [
        { pdf: gaussianPdf({ range, prefix: 'sig.' }), yield: 'nSignal' },
        { pdf: exponentialPdf({ range, prefix: 'bkg.' }), yield: 'nBackground' },
      ],
      parameters: {
        nSignal: { value: total / 2, lower: 0, upper: 2 * total },
        nBackground: { value: total / 2, lower: 0, upper: 2 * total },
        'sig.mean': { value: 0 },
        'sig.sigma': { value: 1, lower: 0.1, upper: 3 },
        'bkg.slope': { value: -0.1, step: 0.05 },
      },
    });
    const p = fit.parameters;
    expect(Math.abs((p.nSignal?.value as number) - nSignal)).toBeLessThan(3 * (p.nSignal?.error as number));
    expect(Math.abs((p['bkg.slope']?.value as number) + 0.3)).toBeLessThan(3 * (p['bkg.slope']?.error as number));
    // The yields of an extended fit add up to the observed total.
    expect((p.nSignal?.value as number) + (p.nBackground?.value as number)).toBeCloseTo(total, 0);
    expect(fit.quality.ndf).toBe(40 - 5);
    expect(fit.quality.chi2PerNdf).toBeGreaterThan(0.4);
    expect(fit.quality.chi2PerNdf).toBeLessThan(1.8);
    expect(fit.status.ok).toBe(true);
    expect(fit.correlation[0]?.[0]).toBeCloseTo(1, 12);
  });

  it('says so when a fit fails: a parameter pinned at its bound', () => {
    const rng = new Rng(3);
    const data = Array.from({ length: 300 }, () => rng.normal(0, 1));
    const args = {
      data,
      model: gaussianPdf({ range }),
      parameters: { mean: { value: 2, lower: 1.5, upper: 3 }, sigma: { value: 1, lower: 0.1, upper: 3 } },
    };
    expect(() => fitUnbinned(args)).toThrow(FitError);
    const failed = fitUnbinned({ ...args, allowFailure: true });
    expect(failed.status.ok).toBe(false);
    expect(failed.status.atLimit).toEqual(['mean']);
    expect(failed.parameters.mean?.value).toBeCloseTo(1.5, 3);
    expect(failed.parameters.mean?.error).toBeNaN();
  });
});
