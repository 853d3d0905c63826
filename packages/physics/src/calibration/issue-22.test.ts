/**
 * Issue 22: tag-and-probe uncertainties a reviewer would sign — no uncertainty lost by clipping at
 * the physical boundary, one error method whatever the same-sign count, probes outside the binning
 * counted and reported, pass and fail spectra fitted with their own shapes, and the signal and
 * background shapes varied as systematics of the fit mode.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../sim/rng.ts';
import { fitZPeak } from './energy-scale.ts';
import { compareRegressionZPeaks } from './regression-z-peak.ts';
import { fitShapeVariations, measureScaleFactors, symmetricError } from './scale-factors.ts';
import { makeProbeSet, measureEfficiencies, type ProbeSet } from './tag-and-probe.ts';

interface Group {
  count: number;
  mass: number | (() => number);
  sameSign?: boolean;
  passed: boolean;
  pt?: number;
  eta?: number;
}

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

describe('issue 22: efficiencies at the physical boundary keep their uncertainty', () => {
  // OS pass 60, SS pass 7 → P = 53, V(P) = 67; OS fail 2, SS fail 5 → F = −3, V(F) = 7:
  // raw ε = 53/50 = 1.06, σ = √(F²V(P) + P²V(F))/(P + F)² = √20266/2500.
  const groups: Group[] = [
    { count: 60, mass: 91, passed: true },
    { count: 7, mass: 91, passed: true, sameSign: true },
    { count: 2, mass: 91, passed: false },
    { count: 5, mass: 91, passed: false, sameSign: true },
  ];
  const sigma = Math.sqrt(9 * 67 + 53 * 53 * 7) / 2500;

  it('clips ε = 1.06 to 1 but keeps σ of the unclipped estimate on both sides', () => {
    const map = measureEfficiencies(probes(groups), { ...binning, background: { kind: 'same-sign' } });
    const bin = map.bins[0]?.[0];
    expect(bin?.value).toBe(1);
    expect(bin?.errorLow).toBeCloseTo(sigma, 12);
    expect(bin?.errorHigh).toBeCloseTo(sigma, 12);
    expect(map.warnings).toEqual([
      'pt [20, 100) GeV, |η| [0, 2.5): estimate 1.0600 clipped into [0, 1] (uncertainty ±0.0569 of the unclipped estimate kept)',
    ]);
  });

  it('so the scale factor keeps the full data uncertainty', () => {
    const mc = probes([
      { count: 900, mass: 91, passed: true },
      { count: 100, mass: 91, passed: false },
    ]);
    const { table } = measureScaleFactors({
      name: 'wp',
      data: probes(groups),
      mc,
      options: { ...binning, background: { kind: 'same-sign' } },
      mcOptions: { background: { kind: 'none' } },
      provenance: { data: 'd', mc: 'm', method: 'same-sign' },
    });
    const m = table.effMc[0]?.[0];
    if (!m) throw new Error('no MC bin');
    const sf = 1 / 0.9;
    expect(table.values[0]?.[0]).toBeCloseTo(sf, 12);
    expect(table.stat[0]?.[0]).toBeCloseTo(sf * Math.hypot(sigma / 1, symmetricError(m) / 0.9), 12);
  });
});

describe('issue 22: one error method whatever the same-sign count', () => {
  it('uses the propagated Gaussian error with 0 and with 1 same-sign pair alike', () => {
    const base: Group[] = [
      { count: 90, mass: 91, passed: true },
      { count: 10, mass: 91, passed: false },
    ];
    const none = measureEfficiencies(probes(base), { ...binning, background: { kind: 'same-sign' } }).bins[0]?.[0];
    const one = measureEfficiencies(probes([...base, { count: 1, mass: 91, passed: false, sameSign: true }]), {
      ...binning,
      background: { kind: 'same-sign' },
    }).bins[0]?.[0];
    // No SS pair: P = 90, F = 10, V = counts: σ = √(F²P + P²F)/N² = √90000/10⁴ = 0.03.
    expect(none?.errorLow).toBeCloseTo(0.03, 12);
    expect(none?.errorHigh).toBeCloseTo(0.03, 12);
    // One SS failing pair: F = 9, V(F) = 11, N = 99.
    const s1 = Math.sqrt(81 * 90 + 8100 * 11) / 99 ** 2;
    expect(one?.errorLow).toBeCloseTo(s1, 12);
    expect(Math.abs((one?.errorLow as number) / (none?.errorLow as number) - 1)).toBeLessThan(0.1);
  });

  it('also for sidebands with and without sideband events', () => {
    const base: Group[] = [
      { count: 90, mass: 91, passed: true },
      { count: 10, mass: 91, passed: false },
    ];
    const background = { kind: 'sidebands', low: [60, 70], high: [110, 120] } as const;
    const none = measureEfficiencies(probes(base), { ...binning, background }).bins[0]?.[0];
    expect(none?.errorLow).toBeCloseTo(0.03, 12);
    expect(none?.errorHigh).toBeCloseTo(0.03, 12);
  });
});

describe('issue 22: probes outside the binning are counted and reported', () => {
  it('counts under- and overflow in pT and |η| and warns', () => {
    const set = probes([
      { count: 5, mass: 91, passed: true },
      { count: 3, mass: 91, passed: true, pt: 12 },
      { count: 2, mass: 91, passed: false, pt: 100 },
      { count: 4, mass: 91, passed: true, eta: -2.5 },
      { count: 1, mass: 91, passed: true, pt: 150, eta: 3 },
    ]);
    const map = measureEfficiencies(set, { ...binning, absEtaEdges: [0.5, 2.5], background: { kind: 'none' } });
    expect(map.outOfRange).toEqual({
      ptUnderflow: 3,
      ptOverflow: 3,
      absEtaUnderflow: 0,
      absEtaOverflow: 5,
      probes: 10,
    });
    expect(map.bins[0]?.[0]?.total).toBe(5);
    expect(map.warnings).toEqual([
      '10 probes outside the binning are not used: pt < 20 GeV: 3, pt ≥ 100 GeV: 3, |η| < 0.5: 0, |η| ≥ 2.5: 5',
    ]);
  });
});

/** Peak ⊕ exponential background spectra in 60–120 GeV: pass and fail peaks of different widths. */
function fitSample(seed: number, passSigma: number, failSigma: number, n = 8000): ProbeSet {
  const rng = new Rng(seed);
  const within = (f: () => number) => () => {
    for (;;) {
      const m = f();
      if (m >= 60 && m < 120) return m;
    }
  };
  const peak = (sigma: number) => within(() => 91 + sigma * rng.normal());
  const falling = within(() => 60 + rng.exponential(25));
  return probes([
    { count: 0.8 * n, mass: peak(passSigma), passed: true },
    { count: 0.2 * n, mass: peak(failSigma), passed: false },
    { count: 0.05 * n, mass: falling, passed: true },
    { count: 0.25 * n, mass: falling, passed: false },
  ]);
}

describe('issue 22: fit mode with pass and fail shapes and shape systematics', () => {
  it('fits passing and failing probes with their own signal shapes', () => {
    // Failing probes (e.g. badly measured electrons) have a 2.4× wider peak: one shared shape from
    // all probes would not describe them. True ε = 0.8.
    const set = fitSample(22, 1.5, 3.6);
    const map = measureEfficiencies(set, { ...binning, background: { kind: 'fit', range: [60, 120] } });
    const bin = map.bins[0]?.[0];
    expect(map.warnings).toEqual([]);
    expect(bin?.errorLow).toBeGreaterThan(0.002);
    expect(Math.abs((bin?.value as number) - 0.8)).toBeLessThan(2.5 * (bin?.errorLow as number));
    expect(bin?.total).toBeGreaterThan(0.95 * 8000);
    expect(bin?.total).toBeLessThan(1.05 * 8000);
  });

  it('varies the signal and background shapes and takes the shift of the SF as systematic', () => {
    const nominal = { kind: 'fit', range: [60, 120], binWidth: 1 } as const;
    const variations = fitShapeVariations(nominal);
    expect(variations.map((v) => `${v.source}/${v.label}`)).toEqual([
      'signal-shape/gaussian',
      'signal-shape/breit-wigner-crystal-ball',
      'background-shape/chebyshev',
    ]);
    const result = measureScaleFactors({
      name: 'wp',
      data: fitSample(7, 2.2, 2.6, 4000),
      mc: fitSample(8, 2.0, 2.4, 4000),
      options: { ...binning, background: nominal },
      variations,
      provenance: { data: 'd', mc: 'm', method: 'fit' },
    });
    expect(result.warnings).toEqual([]);
    const sf = result.table.values[0]?.[0] as number;
    expect(Math.abs(sf - 1)).toBeLessThan(0.05);
    for (const source of ['signal-shape', 'background-shape']) {
      const s = result.table.systBySource[source]?.[0]?.[0] as number;
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(0.05);
    }
    // Each variation is its own fit: their SFs differ from the nominal and from each other.
    const values = result.variations.map((v) => v.values[0]?.[0] as number);
    expect(new Set([sf, ...values]).size).toBe(4);
  }, 120_000);
});

describe('issue 22: MINOS errors of the Z-peak parameters beside the Hesse ones', () => {
  it('gives profile-likelihood (MINOS) errors of the peak position and width beside Hesse, equal for a well-measured peak', () => {
    const rng = new Rng(2022);
    // Z line shape (Breit–Wigner, Γ = 2.4952 GeV) smeared by a 1.8 GeV Gaussian, shifted by −0.4 GeV.
    const masses: number[] = [];
    while (masses.length < 3000) {
      const bw = 91.1876 + 0.5 * 2.4952 * Math.tan(Math.PI * (rng.uniform() - 0.5));
      const m = bw - 0.4 + 1.8 * rng.normal();
      if (m >= 75 && m < 105) masses.push(m);
    }
    const fit = fitZPeak(masses, { background: false, minos: true });
    const minosMass = fit.massErrorMinos;
    const minosWidth = fit.widthErrorMinos;
    if (!minosMass || !minosWidth) throw new Error('no MINOS errors');
    // A well-constrained peak: the profile is nearly parabolic, MINOS ≈ Hesse.
    for (const [m, hesse] of [
      [minosMass, fit.massError],
      [minosWidth, fit.widthError],
    ] as const) {
      expect(Math.abs(m.lower / hesse - 1)).toBeLessThan(0.15);
      expect(Math.abs(m.upper / hesse - 1)).toBeLessThan(0.15);
      expect(m.lowerAtLimit || m.upperAtLimit).toBe(false);
    }
    expect(Math.abs(fit.mass - (91.1876 - 0.4))).toBeLessThan(3 * fit.massError);
    // Without the option, no scan is made.
    expect(fitZPeak(masses, { background: false }).massErrorMinos).toBeUndefined();
  }, 120_000);
});

describe('issue 22: MINOS errors of the regression Z peaks', () => {
  it('passes the scan through to each model on request', () => {
    const rng = new Rng(31);
    const size = 5000;
    const eTrue = Float64Array.from({ length: size }, () => 5 * 100 ** rng.uniform());
    const response = Float64Array.from({ length: size }, () => 1 + 0.02 * rng.normal());
    const [peak] = compareRegressionZPeaks(eTrue, [{ name: 'mlp', response }], {
      seed: 5,
      n: 150,
      fit: { minos: true },
    });
    const width = peak?.widthErrorMinos;
    const mass = peak?.massErrorMinos;
    if (!width || !mass || !peak) throw new Error('no MINOS errors');
    // 150 decays: the errors are of the Hesse size, from an actual scan on each side.
    expect(width.calls).toBeGreaterThan(2);
    expect(width.lower).not.toBe(width.upper);
    expect(width.lower).toBeGreaterThan(0.5 * peak.widthError);
    expect(width.upper).toBeLessThan(2 * peak.widthError);
    expect(mass.lower).toBeGreaterThan(0.5 * peak.massError);
    expect(mass.upper).toBeLessThan(2 * peak.massError);
  }, 120_000);
});
