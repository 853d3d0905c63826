/**
 * Tag-and-probe and the Z peak on real CMS data (issue 9): the first 4,000 pairs of the CMS 2011A
 * Z→ee open data (CMS collaboration, CERN Open Data Portal, record 545, CC-BY 4.0) through the
 * public CSV reader, the CMS VBTF cut-based identification and the BW ⊗ CB peak fit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CMS_WP80,
  CMS_WP95,
  cmsTagAndProbe,
  cmsZeePairsFromDataset,
  cmsZeePairsFromSample,
  fitZPeak,
  generateCmsZee,
  inEcalGap,
  masslessPairMass,
  measureCmsScaleFactors,
  measureEfficiencies,
  passesCmsCutBasedId,
  readCsv,
} from '@hepml/physics';
import { describe, expect, it } from 'vitest';

const CMS_FILE = fileURLToPath(new URL('../../../shared/data/cms-open-data/Zee_Run2011A.csv', import.meta.url));
const ROWS = 4000;

function loadPairs(rows = ROWS) {
  if (!existsSync(CMS_FILE)) {
    throw new Error(`CMS open-data file missing: ${CMS_FILE} (see /work/shared/data/README.md)`);
  }
  const lines = readFileSync(CMS_FILE, 'utf8').split('\n');
  const text = lines.slice(0, rows + 1).join('\n');
  return cmsZeePairsFromDataset(readCsv(text, { file: 'Zee_Run2011A.csv' }).dataset);
}

describe('calibration on the CMS Z→ee open data (first 4,000 pairs)', () => {
  const pairs = loadPairs();

  it('measures WP80 and WP95 efficiencies in [0, 1], same-sign subtracted, WP95 looser than WP80', () => {
    expect(pairs.n).toBe(ROWS);
    const options = {
      ptEdges: [25, 35, 45, 300],
      absEtaEdges: [0, 1.4442, 2.5],
      massWindow: [81, 101] as const,
      background: { kind: 'same-sign' } as const,
    };
    const wp80 = measureEfficiencies(cmsTagAndProbe(pairs, { id: CMS_WP80 }), options);
    const wp95 = measureEfficiencies(cmsTagAndProbe(pairs, { id: CMS_WP95 }), options);
    // Probes beyond |η| = 2.5 are counted and reported, not dropped silently (issue 22).
    expect(wp80.outOfRange).toEqual({
      ptUnderflow: 0,
      ptOverflow: 0,
      absEtaUnderflow: 0,
      absEtaOverflow: 20,
      probes: 20,
    });
    expect(wp80.warnings).toEqual([
      '20 probes outside the binning are not used: pt < 25 GeV: 0, pt ≥ 300 GeV: 0, |η| < 0: 0, |η| ≥ 2.5: 20',
    ]);
    for (const map of [wp80, wp95]) {
      for (const row of map.bins) {
        for (const bin of row) {
          expect(bin.value).toBeGreaterThanOrEqual(0);
          expect(bin.value).toBeLessThanOrEqual(1);
          expect(bin.value - bin.errorLow).toBeGreaterThanOrEqual(0);
          expect(bin.value + bin.errorHigh).toBeLessThanOrEqual(1 + 1e-12);
          expect(bin.total).toBeGreaterThan(20);
        }
      }
    }
    // WP95 is looser on every cut: its efficiency is at least WP80's in every bin (same probes).
    wp80.bins.forEach((row, i) => {
      row.forEach((bin, j) => {
        expect(wp95.bins[i]?.[j]?.value).toBeGreaterThanOrEqual(bin.value);
      });
    });
    // Efficiency rises with pt (isolation cuts are relative to pt) in the barrel.
    expect(wp80.bins[2]?.[0]?.value).toBeGreaterThan(wp80.bins[0]?.[0]?.value as number);
  });

  it('fits the Z peak of opposite-sign WP95 pairs near m_Z = 91.19 GeV', () => {
    const [a, b] = pairs.electrons;
    const masses: number[] = [];
    for (let r = 0; r < pairs.n; r++) {
      if (a.charge[r] === b.charge[r] || inEcalGap(a.eta[r] as number) || inEcalGap(b.eta[r] as number)) continue;
      if (!passesCmsCutBasedId(a, r, CMS_WP95) || !passesCmsCutBasedId(b, r, CMS_WP95)) continue;
      masses.push(
        masslessPairMass(
          a.pt[r] as number,
          a.eta[r] as number,
          a.phi[r] as number,
          b.pt[r] as number,
          b.eta[r] as number,
          b.phi[r] as number,
        ),
      );
    }
    const peak = fitZPeak(masses);
    expect(peak.fit.status.converged).toBe(true);
    expect(Math.abs(peak.mass - 91.19)).toBeLessThan(1);
    expect(peak.massError).toBeLessThan(0.2);
    expect(peak.width).toBeGreaterThan(0.5);
    expect(peak.width).toBeLessThan(4);
    expect(peak.signal / peak.events).toBeGreaterThan(0.8);
  });
});

describe('scale factors on the CMS Z→ee open data (all 18,885 pairs) against the CMS simulation', () => {
  const data = loadPairs(Number.POSITIVE_INFINITY);
  const mc = cmsZeePairsFromSample(generateCmsZee({ n: 40_000, seed: 2011 }));

  it('gives finite WP80 SFs in 0.5–1.5 with positive uncertainties in every populated bin, MC ε in [0, 1]', () => {
    expect(data.n).toBe(18_885);
    const m = measureCmsScaleFactors({
      name: CMS_WP80.name,
      data,
      mc,
      id: CMS_WP80,
      fitVariation: false,
      dataName: 'Zee_Run2011A.csv',
      mcName: 'generateCmsZee(40000, 2011)',
    });
    const t = m.table;
    expect(t.values.length).toBe(5);
    let populated = 0;
    t.values.forEach((row, i) => {
      row.forEach((sf, j) => {
        const d = t.effData[i]?.[j];
        const e = t.effMc[i]?.[j];
        expect(e?.value).toBeGreaterThanOrEqual(0);
        expect(e?.value).toBeLessThanOrEqual(1);
        if (!d || !(d.total > 50)) return;
        populated++;
        expect(Number.isFinite(sf)).toBe(true);
        expect(sf).toBeGreaterThan(0.5);
        expect(sf).toBeLessThan(1.5);
        expect(t.stat[i]?.[j]).toBeGreaterThan(0);
        expect(t.syst[i]?.[j]).toBeGreaterThan(0);
        expect(sf).toBeCloseTo(d.value / (e?.value as number), 12);
      });
    });
    // Every bin of 5 pT × 4 |η| holds more than 50 signal probes in data.
    expect(populated).toBe(20);
    // WP95 is looser: its SFs lie closer to 1 in the barrel, where the simulation is best.
    const wp95 = measureCmsScaleFactors({
      name: CMS_WP95.name,
      data,
      mc,
      id: CMS_WP95,
      ptEdges: [25, 300],
      absEtaEdges: [0, 1.4442],
      fitVariation: false,
      dataName: 'Zee_Run2011A.csv',
      mcName: 'generateCmsZee(40000, 2011)',
    }).table;
    expect(Math.abs((wp95.values[0]?.[0] as number) - 1)).toBeLessThan(0.05);
  });
});
