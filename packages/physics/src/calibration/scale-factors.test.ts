import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { clopperPearsonInterval } from '../stats/efficiency.ts';
import { measureScaleFactors } from './scale-factors.ts';
import { makeProbeSet, type ProbeSet } from './tag-and-probe.ts';

/** Opposite-sign probes at 91 GeV (and 78 GeV, inside only the wide window): [passing, failing] counts. */
function probes(core: [number, number], shoulder: [number, number] = [0, 0]): ProbeSet {
  const mass: number[] = [];
  const passed: number[] = [];
  const add = (m: number, pass: number, fail: number) => {
    for (let i = 0; i < pass + fail; i++) {
      mass.push(m);
      passed.push(i < pass ? 1 : 0);
    }
  };
  add(91, ...core);
  add(78, ...shoulder);
  const n = mass.length;
  return makeProbeSet({
    mass,
    pt: new Array(n).fill(40),
    eta: new Array(n).fill(-1.1),
    tagCharge: new Array(n).fill(-1),
    probeCharge: new Array(n).fill(1),
    passed,
  });
}

const options = {
  ptEdges: [25, 60],
  absEtaEdges: [0, 1.5],
  massWindow: [81, 101] as const,
  background: { kind: 'none' } as const,
};
const provenance = { data: 'd', mc: 'm', method: 'counts' };

describe('scale factors', () => {
  it('forms SF = ε_data/ε_MC with σ_stat = SF·√((σ_d/ε_d)² + (σ_MC/ε_MC)²) from symmetrised Clopper–Pearson errors', () => {
    const { table } = measureScaleFactors({
      name: 'wp',
      data: probes([80, 20]),
      mc: probes([450, 50]),
      options,
      provenance,
    });
    const d = clopperPearsonInterval(80, 100);
    const m = clopperPearsonInterval(450, 500);
    const sd = (d.upper - d.lower) / 2;
    const sm = (m.upper - m.lower) / 2;
    const sf = 0.8 / 0.9;
    expect(table.values[0]?.[0]).toBeCloseTo(sf, 14);
    expect(table.stat[0]?.[0]).toBeCloseTo(sf * Math.hypot(sd / 0.8, sm / 0.9), 14);
    expect(table.syst[0]?.[0]).toBe(0);
    expect(table.effData[0]?.[0]?.total).toBe(100);
  });

  it('takes the largest deviation per source and adds sources in quadrature', () => {
    const data = probes([80, 20], [10, 10]);
    const mc = probes([90, 10], [10, 0]);
    const tighterMc = probes([85, 15]);
    const result = measureScaleFactors({
      name: 'wp',
      data,
      mc,
      options,
      variations: [
        { source: 'mass-window', label: 'wide', options: { massWindow: [76, 106] } },
        { source: 'mass-window', label: 'narrow', options: { massWindow: [86, 96] } },
        { source: 'tag', label: 'tight', mc: tighterMc },
      ],
      provenance,
    });
    const nominal = 0.8 / 0.9;
    const wide = 90 / 120 / (100 / 110);
    const tag = 0.8 / 0.85;
    expect(result.variations.map((v) => v.values[0]?.[0])).toEqual([
      expect.closeTo(wide, 14),
      expect.closeTo(nominal, 14),
      expect.closeTo(tag, 14),
    ]);
    expect(result.table.systBySource['mass-window']?.[0]?.[0]).toBeCloseTo(Math.abs(wide - nominal), 14);
    expect(result.table.syst[0]?.[0]).toBeCloseTo(Math.hypot(wide - nominal, tag - nominal), 14);
  });

  it('gives NaN, with a warning, where MC has no probes, and rejects a variation without a name', () => {
    const result = measureScaleFactors({
      name: 'wp',
      data: probes([8, 2]),
      mc: probes([0, 0]),
      options,
      provenance,
    });
    expect(result.table.values[0]?.[0]).toBeNaN();
    expect(result.warnings.some((w) => w.startsWith('MC: pt [25, 60) GeV'))).toBe(true);
    expect(() =>
      measureScaleFactors({
        name: 'wp',
        data: probes([8, 2]),
        mc: probes([8, 2]),
        options,
        variations: [{ source: '', label: 'x' }],
        provenance,
      }),
    ).toThrow(PhysicsInputError);
  });
});
