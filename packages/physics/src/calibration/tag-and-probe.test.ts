import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import { Rng } from '../sim/rng.ts';
import { clopperPearsonInterval } from '../stats/efficiency.ts';
import { makeProbeSet, measureEfficiencies, type ProbeSet } from './tag-and-probe.ts';

interface Group {
  count: number;
  mass: number | (() => number);
  sameSign?: boolean;
  passed: boolean;
  pt?: number;
  eta?: number;
}

/** Probes built group by group: `count` probes of the given mass (or mass generator), sign and decision. */
function probes(groups: Group[]): ProbeSet {
  const cols = {
    mass: [] as number[],
    pt: [] as number[],
    eta: [] as number[],
    tagCharge: [] as number[],
    probeCharge: [] as number[],
    passed: [] as number[],
  };
  for (const g of groups) {
    for (let i = 0; i < g.count; i++) {
      cols.mass.push(typeof g.mass === 'number' ? g.mass : g.mass());
      cols.pt.push(g.pt ?? 40);
      cols.eta.push(g.eta ?? 0.5);
      cols.tagCharge.push(1);
      cols.probeCharge.push(g.sameSign ? 1 : -1);
      cols.passed.push(g.passed ? 1 : 0);
    }
  }
  return makeProbeSet(cols);
}

const binning = { ptEdges: [20, 100], absEtaEdges: [0, 2.5], massWindow: [81, 101] as const };

describe('tag-and-probe efficiencies', () => {
  it('counts opposite-sign probes in the window with a Clopper–Pearson interval', () => {
    const set = probes([
      { count: 90, mass: 91, passed: true },
      { count: 10, mass: 91, passed: false },
      { count: 7, mass: 70, passed: true }, // outside the window
      { count: 5, mass: 91, passed: false, sameSign: true }, // same-sign: not counted
    ]);
    const map = measureEfficiencies(set, { ...binning, background: { kind: 'none' } });
    const bin = map.bins[0]?.[0];
    const cp = clopperPearsonInterval(90, 100);
    expect(bin?.value).toBeCloseTo(0.9, 14);
    expect(bin?.errorLow).toBeCloseTo(0.9 - cp.lower, 14);
    expect(bin?.errorHigh).toBeCloseTo(cp.upper - 0.9, 14);
    expect(bin?.total).toBe(100);
  });

  it('subtracts same-sign pairs and propagates σ² = (F²V(P) + P²V(F))/(P + F)⁴', () => {
    const set = probes([
      { count: 90, mass: 91, passed: true },
      { count: 20, mass: 91, passed: false },
      { count: 5, mass: 90, passed: true, sameSign: true },
      { count: 10, mass: 92, passed: false, sameSign: true },
    ]);
    const bin = measureEfficiencies(set, { ...binning, background: { kind: 'same-sign' } }).bins[0]?.[0];
    const [p, f, vp, vf] = [85, 10, 95, 30];
    const sigma = Math.sqrt(f * f * vp + p * p * vf) / (p + f) ** 2;
    expect(bin?.value).toBeCloseTo(85 / 95, 14);
    expect(bin?.errorLow).toBeCloseTo(sigma, 14);
    expect(bin?.errorHigh).toBeCloseTo(sigma, 14);
    expect(bin?.passed).toBe(85);
    expect(bin?.total).toBe(95);
  });

  it('interpolates a linear background from the sidebands', () => {
    // Background density 2/GeV at 65 GeV falling to 1/GeV at 115 GeV (linear): in the 81–101 window
    // the mean density at 91 GeV is 2 − 26/50 = 1.48/GeV, 29.6 events, shared 50/50 by pass and fail.
    const set = probes([
      { count: 200, mass: 91, passed: true },
      { count: 50, mass: 91, passed: false },
      { count: 10, mass: 65, passed: true },
      { count: 10, mass: 65, passed: false },
      { count: 5, mass: 115, passed: true },
      { count: 5, mass: 115, passed: false },
    ]);
    const low = [60, 70] as const;
    const high = [110, 120] as const;
    const bin = measureEfficiencies(set, { ...binning, background: { kind: 'sidebands', low, high } }).bins[0]?.[0];
    // Each of pass/fail: 1/GeV at 65 and 0.5/GeV at 115 → 0.74/GeV at 91 → 14.8 events in the window.
    expect(bin?.passed).toBeCloseTo(200 - 14.8, 10);
    expect(bin?.total).toBeCloseTo(250 - 29.6, 10);
    expect(bin?.value).toBeCloseTo((200 - 14.8) / (250 - 29.6), 12);
  });

  it('measures the efficiency by fits of the mass spectra (signal + exponential background)', () => {
    const rng = new Rng(5);
    const peak = () => 91 + 2.5 * rng.normal();
    const falling = () => 60 + rng.exponential(30);
    const within = (f: () => number) => () => {
      for (;;) {
        const m = f();
        if (m >= 60 && m < 120) return m;
      }
    };
    const set = probes([
      { count: 2400, mass: within(peak), passed: true },
      { count: 600, mass: within(peak), passed: false },
      { count: 300, mass: within(falling), passed: true },
      { count: 900, mass: within(falling), passed: false },
    ]);
    const map = measureEfficiencies(set, { ...binning, background: { kind: 'fit', range: [60, 120] } });
    const bin = map.bins[0]?.[0];
    expect(map.warnings).toEqual([]);
    // True ε = 0.8; the naive count in the window would be biased low by the failing background.
    expect(Math.abs((bin?.value as number) - 0.8)).toBeLessThan(3 * (bin?.errorLow as number));
    expect(bin?.errorLow).toBeGreaterThan(0.003);
    expect(bin?.errorLow).toBeLessThan(0.02);
    const naive = measureEfficiencies(set, { ...binning, background: { kind: 'none' } }).bins[0]?.[0];
    expect(naive?.value).toBeLessThan(0.78);
  });

  it('bins probes lo ≤ x < hi and reports empty bins and clipped estimates', () => {
    // The rule measureEfficiencies bins probes by: Axis, out of range (and NaN) dropped.
    const probeBin = (edges: number[], x: number) => Axis.variable(edges).find(x, 'drop');
    expect(probeBin([0, 1, 2], 1)).toBe(1);
    expect(probeBin([0, 1, 2], 2)).toBe(-1);
    expect(probeBin([0, 1, 2], -0.1)).toBe(-1);
    expect(probeBin([0, 1, 2], Number.NaN)).toBe(-1);
    const set = probes([
      { count: 10, mass: 91, passed: true, pt: 30 },
      { count: 12, mass: 91, passed: true, pt: 30, sameSign: true },
      { count: 3, mass: 91, passed: false, pt: 30 },
    ]);
    const map = measureEfficiencies(set, { ...binning, ptEdges: [20, 50, 100], background: { kind: 'same-sign' } });
    expect(map.bins[1]?.[0]?.value).toBeNaN();
    // P = 10 − 12 = −2, F = 3: a downward fluctuation gives ε = −2 < 0, clipped to 0 and reported
    // with σ = √(F²V(P) + P²V(F))/N² = √(9·22 + 4·3) of the unclipped estimate (issue 22).
    expect(map.bins[0]?.[0]?.value).toBe(0);
    expect(map.warnings).toEqual([
      'pt [20, 50) GeV, |η| [0, 2.5): estimate -2.0000 clipped into [0, 1] (uncertainty ±14.4914 of the unclipped estimate kept)',
      'pt [50, 100) GeV, |η| [0, 2.5): no signal probes (0.0 after background subtraction)',
    ]);
  });

  it('rejects bad edges, an empty window, overlapping sidebands and bad charges', () => {
    const set = probes([{ count: 3, mass: 91, passed: true }]);
    expect(() => measureEfficiencies(set, { ...binning, ptEdges: [50, 20], background: { kind: 'none' } })).toThrow(
      PhysicsInputError,
    );
    expect(() => measureEfficiencies(set, { ...binning, massWindow: [90, 90], background: { kind: 'none' } })).toThrow(
      PhysicsInputError,
    );
    expect(() =>
      measureEfficiencies(set, { ...binning, background: { kind: 'sidebands', low: [60, 85], high: [105, 120] } }),
    ).toThrow(PhysicsInputError);
    expect(() =>
      makeProbeSet({ mass: [91], pt: [40], eta: [0], tagCharge: [1], probeCharge: [0], passed: [1] }),
    ).toThrow(PhysicsInputError);
    expect(() =>
      makeProbeSet({ mass: [91, 90], pt: [40], eta: [0], tagCharge: [1], probeCharge: [1], passed: [1] }),
    ).toThrow(/pt has 1 rows/);
  });
});
