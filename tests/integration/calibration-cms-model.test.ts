/**
 * Issue 9, real data: `calibrate-cms-model` trains a GBDT on the simulated CMS identification
 * variables, cuts it at 90 % prompt efficiency on simulation, and measures its scale factors by
 * tag-and-probe on the CMS 2011A Z→ee open data (CMS collaboration, CERN Open Data Portal, record
 * 545, CC-BY 4.0) against the CMS simulation. Small samples here; the figures in the report come
 * from the default sizes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadBaselineFromManifest, parseGbdt } from '@hepml/models/baselines';
import { readBundleDir } from '@hepml/models/node';
import { evaluateCorrection, type ScaleFactorTable, validateCorrectionSet } from '@hepml/physics';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'packages/models/scripts/calibrate-cms-model.ts');
const CMS_FILE = join(ROOT, '../shared/data/cms-open-data/Zee_Run2011A.csv');
const work = mkdtempSync(join(tmpdir(), 'hepml-cms-model-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function calibrate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('calibrate-cms-model on the CMS open data', () => {
  it('writes a GBDT, its working point at 90 % and real-data SFs with uncertainties', async () => {
    if (!existsSync(CMS_FILE)) throw new Error(`CMS open-data file missing: ${CMS_FILE} (see its README)`);
    const out = join(work, 'out');
    const result = await calibrate(['--train-pairs', '4000', '--mc-pairs', '15000', '--seed', '7', '--out', out]);
    expect(result.stderr).toMatch(/gbdt \[#+\]/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/εS = 90\.\d %/);

    const model = parseGbdt(JSON.parse(readFileSync(join(out, 'cms-gbdt.json'), 'utf8')));
    expect(model.inputs).toEqual(['pt', 'absEta', 'sigmaEtaEta', 'HoverE', 'isoTrack', 'isoEcal', 'isoHcal']);
    const wp = JSON.parse(readFileSync(join(out, 'cms-gbdt-working-point.json'), 'utf8')) as {
      threshold: number;
      signalEfficiency: number;
      backgroundEfficiency: number;
    };
    expect(wp.threshold).toBeGreaterThan(0);
    expect(wp.threshold).toBeLessThan(1);
    expect(wp.signalEfficiency).toBeGreaterThanOrEqual(0.9);
    expect(wp.signalEfficiency).toBeLessThan(0.91);
    expect(wp.backgroundEfficiency).toBeLessThan(0.1);

    const table = JSON.parse(readFileSync(join(out, 'cms-gbdt-sf.tables.json'), 'utf8')) as ScaleFactorTable;
    table.values.forEach((row, i) => {
      row.forEach((sf, j) => {
        const mc = table.effMc[i]?.[j]?.value as number;
        expect(mc).toBeGreaterThan(0.5);
        expect(mc).toBeLessThanOrEqual(1);
        expect(Number.isFinite(sf)).toBe(true);
        expect(sf).toBeGreaterThan(0.5);
        expect(sf).toBeLessThan(1.5);
        expect(table.stat[i]?.[j]).toBeGreaterThan(0);
      });
    });
    const set = validateCorrectionSet(JSON.parse(readFileSync(join(out, 'cms-gbdt-sf.correctionlib.json'), 'utf8')));
    const nominal = evaluateCorrection(set, 'cms-electron-gbdt-medium', { syst: 'nominal', pt: 45, abseta: 0.3 });
    expect(nominal).toBeCloseTo(table.values[3]?.[0] as number, 12);
    expect(evaluateCorrection(set, 'cms-electron-gbdt-medium', { syst: 'up', pt: 45, abseta: 0.3 })).toBeGreaterThan(
      nominal,
    );

    // The calibrated bundle: loadable by the baseline loader, working point `medium`, SFs inside.
    const bundle = await readBundleDir(join(out, 'cms-electron-gbdt'));
    expect(bundle.manifest.calibration?.scaleFactors).toBe('scale-factors.json');
    expect(bundle.manifest.workingPoints.map((w) => w.name)).toEqual(['medium']);
    expect(bundle.manifest.workingPoints[0]?.threshold).toBe(wp.threshold);
    const runner = loadBaselineFromManifest(bundle.manifest, bundle.files.get(bundle.manifest.weights) as Uint8Array);
    // pt, |η|, σiηiη, H/E, isoTrack, isoEcal, isoHcal: an isolated barrel electron, then a jet-like fake.
    const y = runner.evaluate(Float32Array.from([40, 0.5, 0.009, 0, 0, 1.5, 0, 40, 0.5, 0.016, 0.1, 15, 8, 5]), 2);
    expect(y[0]).toBeGreaterThan(wp.threshold);
    expect(y[1]).toBeLessThan(wp.threshold);
  }, 60_000);

  it('exits 1 with a message when the data file is missing', async () => {
    const result = await calibrate(['--data', join(work, 'nope.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CMS open-data file not found/);
  });
});
