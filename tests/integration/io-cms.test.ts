/**
 * The CMS open data (Z→ee candidates, Run 2011A; CMS collaboration, CERN Open Data Portal, record
 * 545, CC-BY 4.0) loads through the public CSV reader with typed columns, and its known properties
 * hold: 18,885 pairs, every pair mass in 60–120 GeV, about 77 % opposite-sign.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Dataset, readCsv, splitDataset } from '@hepml/physics';
import { beforeAll, describe, expect, it } from 'vitest';

const CMS_FILE = fileURLToPath(new URL('../../../shared/data/cms-open-data/Zee_Run2011A.csv', import.meta.url));

let ds: Dataset;
beforeAll(() => {
  if (!existsSync(CMS_FILE)) {
    throw new Error(`CMS open-data file missing: ${CMS_FILE} (see /work/shared/data/README.md)`);
  }
  const result = readCsv(readFileSync(CMS_FILE, 'utf8'), {
    file: 'Zee_Run2011A.csv',
    units: { pt1: 'GeV', pt2: 'GeV', phi1: 'rad', phi2: 'rad' },
  });
  expect(result.skipped).toBe(0);
  ds = result.dataset;
});

const num = (name: string): Float64Array | Int32Array => {
  const c = ds.columns[name];
  if (c === undefined || Array.isArray(c)) throw new Error(`no numeric column ${name}`);
  return c as Float64Array | Int32Array;
};

describe('CMS open data Zee_Run2011A.csv', () => {
  it('loads 18,885 pairs with typed columns', () => {
    expect(ds.n).toBe(18_885);
    expect(Object.keys(ds.columns)).toHaveLength(22);
    expect(ds.columns.Run).toBeInstanceOf(Int32Array);
    expect(ds.columns.Event).toBeInstanceOf(Int32Array);
    expect(ds.columns.pt1).toBeInstanceOf(Float64Array);
    expect(ds.columns.Q1).toBeInstanceOf(Int32Array);
    const types = ds.columns.type1 as string[];
    expect(new Set(types)).toEqual(new Set(['EB', 'EE']));
    expect(ds.units.pt1).toBe('GeV');
  });

  it('has the documented physics: pair masses in 60–120 GeV, barrel = |η| < 1.479, ~77 % opposite sign', () => {
    const [pt1, eta1, phi1, pt2, eta2, phi2] = ['pt1', 'eta1', 'phi1', 'pt2', 'eta2', 'phi2'].map(
      num,
    ) as Float64Array[];
    const q1 = num('Q1');
    const q2 = num('Q2');
    let opposite = 0;
    let mMin = Number.POSITIVE_INFINITY;
    let mMax = 0;
    for (let i = 0; i < ds.n; i++) {
      // Massless electrons: m² = 2 pT1 pT2 (cosh Δη − cos Δφ).
      const m = Math.sqrt(
        2 *
          (pt1?.[i] as number) *
          (pt2?.[i] as number) *
          (Math.cosh((eta1?.[i] as number) - (eta2?.[i] as number)) -
            Math.cos((phi1?.[i] as number) - (phi2?.[i] as number))),
      );
      mMin = Math.min(mMin, m);
      mMax = Math.max(mMax, m);
      if ((q1[i] as number) * (q2[i] as number) < 0) opposite++;
    }
    expect(mMin).toBeGreaterThan(59.9);
    expect(mMax).toBeLessThan(120.1);
    expect(mMin).toBeLessThan(61);
    expect(mMax).toBeGreaterThan(119);
    expect(opposite / ds.n).toBeGreaterThan(0.74);
    expect(opposite / ds.n).toBeLessThan(0.8);
    const type1 = ds.columns.type1 as string[];
    let agree = 0;
    for (let i = 0; i < ds.n; i++) if (Math.abs(eta1?.[i] as number) < 1.479 === (type1[i] === 'EB')) agree++;
    expect(agree / ds.n).toBeGreaterThan(0.99);
  });

  it('splits deterministically', () => {
    const a = splitDataset(ds, { seed: 1 });
    const b = splitDataset(ds, { seed: 1 });
    expect(a.test.n).toBe(Math.round(18_885 * 0.15));
    expect(Array.from(a.test.columns.Event as Int32Array)).toEqual(Array.from(b.test.columns.Event as Int32Array));
  });
});
