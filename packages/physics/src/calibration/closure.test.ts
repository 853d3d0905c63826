import { describe, expect, it } from 'vitest';
import { evaluateCorrection } from '../correctionlib/evaluate.ts';
import { scaleFactorsToCorrectionSet } from '../correctionlib/from-scale-factors.ts';
import { validateCorrectionSet } from '../correctionlib/validate.ts';
import { generateTagAndProbe } from '../sim/tag-and-probe.ts';
import { measureScaleFactors } from './scale-factors.ts';
import { probesFromSimulation, trueEfficiencies } from './simulated-probes.ts';

const ptEdges = [15, 25, 35, 45, 60];
const absEtaEdges = [0, 0.8, 1.37, 2.0, 2.47];
const N = 25_000;

function meanAndWidth(values: readonly number[]): [number, number] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1))];
}

describe('closure of tag-and-probe scale factors on simulation (issue 9)', () => {
  it('recovers the injected ID mis-modelling: pulls over 16 pT × |η| bins have mean ≈ 0 and width ≈ 1', () => {
    // Pseudo-data with the default distortion (shifted and smeared shower shapes, 6 % fakes) and MC.
    const data = generateTagAndProbe({ n: N, seed: 9001, kind: 'data' });
    const mc = generateTagAndProbe({ n: N, seed: 9002, kind: 'mc' });
    const measurement = measureScaleFactors({
      name: 'reference-cut-based-id',
      data: probesFromSimulation(data),
      mc: probesFromSimulation(mc),
      options: { ptEdges, absEtaEdges, massWindow: [81, 101], background: { kind: 'same-sign' } },
      variations: [
        { source: 'mass-window', label: '76-106', options: { massWindow: [76, 106] } },
        { source: 'mass-window', label: '86-96', options: { massWindow: [86, 96] } },
        {
          source: 'background',
          label: 'sidebands',
          options: { background: { kind: 'sidebands', low: [60, 70], high: [110, 120] } },
        },
        {
          source: 'tag',
          label: 'tag pt > 30 GeV',
          data: probesFromSimulation(data, { tagPtMin: 30 }),
          mc: probesFromSimulation(mc, { tagPtMin: 30 }),
        },
      ],
      provenance: { data: 'pseudo-data seed 9001', mc: 'MC seed 9002', method: 'OS − SS in 81–101 GeV' },
    });
    const { table } = measurement;
    // Only the probes above the last pT edge, counted and reported (issue 22), once per probe set.
    expect(measurement.warnings).toHaveLength(4);
    for (const w of measurement.warnings) {
      expect(w).toMatch(
        /^(data|MC)( \(tag tag pt > 30 GeV\))?: \d+ probes outside the binning are not used: pt < 15 GeV: 0, pt ≥ 60 GeV: \d+, \|η\| < 0: 0, \|η\| ≥ 2\.47: 0$/,
      );
    }
    expect(measurement.data.outOfRange.ptOverflow).toBe(1001);
    // The truth: efficiencies of real Z→ee probes in independent samples of each kind (their own
    // binomial error enters the pull denominator).
    const trueData = trueEfficiencies(generateTagAndProbe({ n: N, seed: 9003, kind: 'data' }), ptEdges, absEtaEdges);
    const trueMc = trueEfficiencies(generateTagAndProbe({ n: N, seed: 9004, kind: 'mc' }), ptEdges, absEtaEdges);
    const pulls: number[] = [];
    const againstOne: number[] = [];
    table.values.forEach((row, i) => {
      row.forEach((sf, j) => {
        const d = trueData[i]?.[j];
        const m = trueMc[i]?.[j];
        if (!d || !m) throw new Error('missing truth bin');
        const sfTrue = d.efficiency / m.efficiency;
        const sigmaTrue = sfTrue * Math.hypot(d.error / d.efficiency, m.error / m.efficiency);
        const stat = table.stat[i]?.[j] as number;
        pulls.push((sf - sfTrue) / Math.hypot(stat, sigmaTrue));
        againstOne.push((sf - 1) / stat);
        expect(table.syst[i]?.[j]).toBeGreaterThanOrEqual(0);
      });
    });
    expect(pulls).toHaveLength(16);
    const [mean, width] = meanAndWidth(pulls);
    // 16 pulls: the mean has σ ≈ 0.25, the width σ ≈ 0.18.
    expect(Math.abs(mean)).toBeLessThan(0.75);
    expect(width).toBeGreaterThan(0.5);
    expect(width).toBeLessThan(1.6);
    // The mis-modelling is visible: SF = 1 is excluded (χ² over 16 bins far above 16).
    expect(againstOne.reduce((s, p) => s + p * p, 0)).toBeGreaterThan(60);
    // Systematics are itemised by source and combined in quadrature.
    expect(Object.keys(table.systBySource).sort()).toEqual(['background', 'mass-window', 'tag']);
    const s00 = ['background', 'mass-window', 'tag'].map((k) => table.systBySource[k]?.[1]?.[0] as number);
    expect(table.syst[1]?.[0]).toBeCloseTo(Math.hypot(...s00), 14);
    // The table exports to correctionlib v2 and evaluates back to the same numbers.
    const set = validateCorrectionSet(JSON.parse(JSON.stringify(scaleFactorsToCorrectionSet(table))));
    const nominal = evaluateCorrection(set, 'reference-cut-based-id', { syst: 'nominal', pt: 40, abseta: 1.5 });
    expect(nominal).toBeCloseTo(table.values[2]?.[2] as number, 12);
    const up = evaluateCorrection(set, 'reference-cut-based-id', { syst: 'up', pt: 40, abseta: 1.5 });
    expect(up - nominal).toBeCloseTo(Math.hypot(table.stat[2]?.[2] as number, table.syst[2]?.[2] as number), 12);
  }, 30_000);
});
