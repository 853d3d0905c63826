import { describe, expect, it } from 'vitest';
import { Rng } from '../sim/rng.ts';
import { Axis } from './axis.ts';
import { Hist1D } from './hist-1d.ts';
import { Hist2D } from './hist-2d.ts';

describe('Hist2D', () => {
  it('project to what 1D histograms filled with the same data hold, and rebin', () => {
    const rng = new Rng(3);
    const h2 = new Hist2D(Axis.regular(8, -2, 2), Axis.variable([0, 0.5, 1, 2, 4]));
    const hx = new Hist1D(Axis.regular(8, -2, 2));
    const hy = new Hist1D(Axis.variable([0, 0.5, 1, 2, 4]));
    const xs: number[] = [];
    const ys: number[] = [];
    const ws: number[] = [];
    for (let i = 0; i < 2000; i++) {
      xs.push(rng.normal());
      ys.push(rng.exponential(1));
      ws.push(rng.range(0, 2));
    }
    h2.fillArrays(xs, ys, ws);
    hx.fillArray(xs, ws);
    hy.fillArray(ys, ws);
    const px = h2.projectionX();
    const py = h2.projectionY();
    for (let i = 0; i < px.sumW.length; i++) expect(px.sumW[i]).toBeCloseTo(hx.sumW[i] as number, 10);
    for (let i = 0; i < py.sumW.length; i++) expect(py.sumW2[i]).toBeCloseTo(hy.sumW2[i] as number, 10);
    const r = h2.rebin(2, [0, 1, 4]);
    expect(r.xAxis.nBins).toBe(4);
    expect(r.content(1, 1)).toBeCloseTo(h2.content(1, 1) + h2.content(1, 2) + h2.content(2, 1) + h2.content(2, 2), 12);
    expect(r.sumOfWeights(true)).toBeCloseTo(h2.sumOfWeights(true), 9);
    expect(h2.normalized().sumOfWeights()).toBeCloseTo(1, 14);
  });
});
