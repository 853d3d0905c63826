import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors.ts';
import { readCsv } from '../io/csv.ts';
import { generateCmsZee } from '../sim/cms-electron.ts';
import {
  CMS_SF_REGIONS,
  CMS_WP80,
  CMS_WP95,
  cmsPairMass,
  cmsTagAndProbe,
  cmsZeePairsFromDataset,
  cmsZeePairsFromSample,
  cmsZPeakPairs,
  inEcalGap,
  masslessPairMass,
  measureCmsScaleFactors,
  measureInclusiveCmsScaleFactors,
  passesCmsCutBasedId,
} from './cms-zee.ts';
import type { ScaleFactorTable } from './scale-factor-table.ts';
import { inclusiveScaleFactorLine, scaleFactorTableLines } from './scale-factor-text.ts';

const parseCmsZeeCsv = (text: string, options: { file?: string; maxRows?: number } = {}) =>
  cmsZeePairsFromDataset(readCsv(text, { file: options.file ?? 'Zee_Run2011A.csv' }).dataset, options);

const HEADER =
  'Run,Event,pt1,eta1,phi1,Q1,type1,sigmaEtaEta1,HoverE1,isoTrack1,isoEcal1,isoHcal1,pt2,eta2,phi2,Q2,type2,sigmaEtaEta2,HoverE2,isoTrack2,isoEcal2,isoHcal2';
// Row 1: two tight barrel electrons (both tags). Row 2: tight barrel + endcap electron failing H/E
// (0.03 > 0.025), same sign. Row 3: an electron in the ECAL gap (|η| = 1.5).
const ROWS = [
  '1,10,40,0.5,0.1,-1,EB,0.009,0.01,1,1,1,45,-0.3,3.0,1,EB,0.0085,0.0,0,2,0.5',
  '1,11,38,1.0,0.2,1,EB,0.008,0.0,0,1,0,42,2.0,-2.9,1,EE,0.025,0.03,0.5,1,0.5',
  '1,12,35,1.5,0.2,1,EE,0.02,0.0,0,1,0,42,0.1,-2.9,-1,EB,0.009,0.0,0,1,0',
];

describe('CMS Z→ee open-data tag-and-probe', () => {
  it('parses the CSV strictly and computes massless pair masses', () => {
    const pairs = parseCmsZeeCsv(`${HEADER}\n${ROWS.join('\n')}\n`);
    expect(pairs.n).toBe(3);
    const [a, b] = pairs.electrons;
    expect(Array.from(a.isBarrel)).toEqual([1, 1, 0]);
    expect(b.hOverE[1]).toBe(0.03);
    expect(pairs.event[2]).toBe(12);
    // m² = 2·40·45·(cosh 0.8 − cos 2.9).
    expect(masslessPairMass(40, 0.5, 0.1, 45, -0.3, 3.0)).toBeCloseTo(
      Math.sqrt(2 * 40 * 45 * (Math.cosh(0.8) - Math.cos(2.9))),
      12,
    );
    expect(parseCmsZeeCsv(`${HEADER}\n${ROWS.join('\n')}`, { maxRows: 1 }).n).toBe(1);
  });

  it('computes the pair mass through invariantMass, without the cancellation of cosh − cos', () => {
    // Nearly collinear: m = 2·pt·sinh(Δη/2) = 5e-7 GeV, where cosh(1e-8) − 1 rounds to 0.
    expect(masslessPairMass(50, 1, 0.3, 50, 1 + 1e-8, 0.3)).toBeCloseTo(2 * 50 * Math.sinh(0.5e-8), 12);
    expect(() => masslessPairMass(Number.NaN, 0, 0, 40, 0, 1)).toThrow(/pt is not finite/);
  });

  it('selects opposite-sign pairs of two identified electrons outside the gap for the Z peak', () => {
    const pairs = parseCmsZeeCsv(`${HEADER}\n${ROWS.join('\n')}\n`);
    // Row 1 only: row 2 is same-sign, row 3 has an electron in the gap.
    expect(cmsZPeakPairs(pairs)).toEqual({ mass: [cmsPairMass(pairs, 0)], category: ['BB'] });
    expect(cmsPairMass(pairs, 0)).toBe(masslessPairMass(40, 0.5, 0.1, 45, -0.3, 3.0));
    const strict = { ...CMS_WP95, barrel: { ...CMS_WP95.barrel, sigmaIetaIeta: 0.0085 } };
    expect(cmsZPeakPairs(pairs, strict).mass).toEqual([]);
  });

  it('names file, row and column of malformed input', () => {
    const bad =
      (rows: string[], header = HEADER) =>
      () =>
        parseCmsZeeCsv(`${header}\n${rows.join('\n')}`, { file: 'x.csv' });
    expect(bad([ROWS[0]?.replace(',EB,', ',XB,') as string])).toThrow(/x\.csv: row 2, column type1/);
    expect(bad([ROWS[0]?.replace(',-1,', ',0,') as string])).toThrow(/row 2, column Q1: charge 0/);
    expect(bad([ROWS[0]?.replace('40,', '-40,') as string])).toThrow(/column pt1: pt -40 is not positive/);
    expect(bad([ROWS[0] as string], HEADER.replace('isoHcal2', 'isoHcalX'))).toThrow(/missing column isoHcal2/);
    try {
      bad([ROWS[0] as string, ROWS[1]?.replace('0.03', 'abc') as string])();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as DataFormatError).row).toBe(3);
      expect((error as DataFormatError).column).toBe('HoverE2');
    }
  });

  it('applies barrel and endcap cuts of the working points and pairs tags with probes', () => {
    const pairs = parseCmsZeeCsv(`${HEADER}\n${ROWS.join('\n')}`);
    const [a, b] = pairs.electrons;
    expect(passesCmsCutBasedId(a, 0, CMS_WP80)).toBe(true);
    expect(passesCmsCutBasedId(b, 1, CMS_WP80)).toBe(false); // endcap H/E 0.03 ≥ 0.025
    expect(passesCmsCutBasedId(b, 1, CMS_WP95)).toBe(true); // WP95 endcap H/E < 0.07
    expect(inEcalGap(-1.5)).toBe(true);
    expect(inEcalGap(1.44)).toBe(false);
    const probes = cmsTagAndProbe(pairs, { id: CMS_WP80 });
    // Row 1: both legs are tags → 2 probes (both pass); row 2: one tag, the endcap probe fails; row 3: gap.
    expect(probes.mass.length).toBe(3);
    expect(Array.from(probes.passed)).toEqual([1, 1, 0]);
    expect(Array.from(probes.sameSign)).toEqual([0, 0, 1]);
    expect(probes.absEta[2]).toBe(2);
    // A tighter tag (barrel only, pt ≥ 39 GeV) keeps the first pair only (both legs qualify).
    expect(cmsTagAndProbe(pairs, { id: CMS_WP80, tagPtMin: 39, tagBarrelOnly: true }).mass.length).toBe(2);
  });

  it('puts simulated pairs through the same tag-and-probe as the file, with a custom probe selection', () => {
    const sample = generateCmsZee({ n: 3000, seed: 11 });
    const pairs = cmsZeePairsFromSample(sample);
    expect(pairs.n).toBe(3000);
    expect(pairs.electrons[0].pt[5]).toBe(sample.columns.pt1?.[5]);
    expect(pairs.electrons[1].sigmaIetaIeta[7]).toBe(sample.columns.sigmaEtaEta2?.[7]);
    const byId = cmsTagAndProbe(pairs, { id: CMS_WP95 });
    const byFunction = cmsTagAndProbe(pairs, { probePasses: (e, r) => passesCmsCutBasedId(e, r, CMS_WP95) });
    expect(byFunction.passed).toEqual(byId.passed);
    const none = cmsTagAndProbe(pairs, { probePasses: () => false });
    expect(none.passed.every((v) => v === 0)).toBe(true);
    expect(none.mass.length).toBe(byId.mass.length);
    // Signal MC: WP95 keeps most probes.
    const eff = byId.passed.reduce((s, v) => s + v, 0) / byId.passed.length;
    expect(eff).toBeGreaterThan(0.7);
    expect(eff).toBeLessThan(0.98);
    expect(() => cmsTagAndProbe(pairs, {})).toThrow(/probe identification/);
    const { pt1: _dropped, ...rest } = sample.columns;
    expect(() => cmsZeePairsFromSample({ ...sample, columns: rest })).toThrow(/pt1/);
  });

  it('gives SF = 1 when data and MC are the same sample, and SF ≈ 1 for fake-rich data after same-sign subtraction', () => {
    const mc = cmsZeePairsFromSample(generateCmsZee({ n: 4000, seed: 12 }));
    const same = measureCmsScaleFactors({
      name: 'wp80',
      data: mc,
      mc,
      id: CMS_WP80,
      ptEdges: [25, 40, 300],
      absEtaEdges: [0, 1.4442, 2.5],
      fitVariation: false,
      dataName: 'sim',
      mcName: 'sim',
    }).table;
    for (const [i, row] of same.values.entries()) {
      for (const [j, sf] of row.entries()) {
        expect(sf).toBeCloseTo(1, 12);
        expect(same.stat[i]?.[j]).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(same.systBySource).sort()).toEqual(['background', 'mass-window', 'tag']);
    // Data with fakes: same-sign subtraction removes most of them, so the SF stays near 1.
    const data = cmsZeePairsFromSample(generateCmsZee({ n: 4000, seed: 13, fakeFraction: 0.2 }));
    const sf = measureCmsScaleFactors({
      name: 'wp80',
      data,
      mc,
      id: CMS_WP80,
      ptEdges: [25, 300],
      absEtaEdges: [0, 1.4442],
      fitVariation: false,
      dataName: 'sim+fakes',
      mcName: 'sim',
    }).table;
    expect(Math.abs((sf.values[0]?.[0] as number) - 1)).toBeLessThan(3 * Math.hypot(sf.stat[0]?.[0] as number, 0.02));
    expect(() => measureCmsScaleFactors({ name: 'x', data, mc, dataName: '', mcName: '' })).toThrow(
      /probe identification/,
    );
  });

  it('measures the inclusive barrel and endcap scale factors and prints tables and lines', () => {
    const mc = cmsZeePairsFromSample(generateCmsZee({ n: 4000, seed: 12 }));
    const inclusive = measureInclusiveCmsScaleFactors({ name: 'wp80', data: mc, mc, id: CMS_WP80 });
    expect(inclusive.map((r) => r.region)).toEqual(CMS_SF_REGIONS.map((r) => r.region));
    for (const [k, { table }] of inclusive.entries()) {
      expect(table.ptEdges).toEqual([25, 300]);
      expect(table.absEtaEdges).toEqual(CMS_SF_REGIONS[k]?.absEtaEdges);
      expect(table.values[0]?.[0]).toBeCloseTo(1, 12);
    }
    const barrel = inclusive[0]?.table as ScaleFactorTable;
    expect(inclusiveScaleFactorLine('barrel', barrel)).toMatch(
      /^inclusive barrel: ε_data +\d+\.\d ± +\d+\.\d %, ε_MC +\d+\.\d ± +\d+\.\d %, SF 1\.000 ± \d\.\d{3} \(stat\) ± \d\.\d{3} \(syst, no fit variation\)$/,
    );
    const lines = scaleFactorTableLines({ ...barrel, values: [[Number.NaN]] });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^pt \[GeV\] +\|η\| +ε_data \[%\] +ε_MC \[%\] +SF ± stat ± syst$/);
    expect(lines[1]).toMatch(
      /^25–300 +0–1\.4442 +\d+\.\d ± +\d+\.\d +\d+\.\d ± +\d+\.\d +n\/a ± \d\.\d{3} ± \d\.\d{3}$/,
    );
  });
});
