/**
 * Issue 9's `pnpm calibrate`: a bundle whose score is a cut on the probe's Rη goes through the CLI
 * on simulated pseudo-data and MC; the bundle comes back with a correctionlib file and the full
 * scale-factor tables, both readable by the registry's and physics' strict readers, and the SFs
 * show the injected mis-modelling (data showers wider in η: Rη lower, so fewer probes pass).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { readBundleDir, writeBundleDir } from '@hepml/models/node';
import { parseScaleFactorTables } from '@hepml/models/registry';
import {
  type Dataset,
  evaluateCorrection,
  generateTagAndProbe,
  validateCorrectionSet,
  writeCsv,
  writeRootTree,
} from '@hepml/physics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hepml-calibrate-'));
const bundleDir = join(work, 'reta-cut');
const outDir = join(work, 'reta-cut-calibrated');
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

async function calibrate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts/calibrate.ts'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  // score = sigmoid((Rη − 0.91)/0.01 + 1) (kernel and bias both 1): score ≥ sigmoid(0) ⇔ Rη ≥ 0.90,
  // score ≥ sigmoid(3) ⇔ Rη ≥ 0.93.
  const layers = [{ type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];
  const parameters = mlpParameterCount(1, layers);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'reta-cut',
      task: 'electron-id',
      description: 'a cut on Rη written as a one-neuron network, for the calibrate CLI test',
      inputs: [{ name: 'reta', unit: '1', offset: 0.91, scale: 0.01 }],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 1, layers, parameters },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [
        // Test fixture: the efficiencies are not used by the calibration, only the thresholds.
        { name: 'loose', signalEfficiency: 0.95, threshold: sigmoid(0), backgroundEfficiency: 0.5 },
        { name: 'tight', signalEfficiency: 0.8, threshold: sigmoid(3), backgroundEfficiency: 0.2 },
      ],
      lineage: {
        datasetHash: 'test',
        codeVersion: 'test',
        seed: 1,
        createdAt: '2026-11-23T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(new Float32Array([1, 1]).buffer)]]),
  );
  await writeBundleDir(bundle, bundleDir);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('pnpm calibrate', () => {
  it('writes validated scale factors of every working point into the bundle', async () => {
    const out = await calibrate(['--model', bundleDir, '--out', outDir, '--n', '40000', '--seed', '3']);
    expect(out.stderr).not.toMatch(/calibrate: /);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('reta-cut loose: SF ± stat ± syst');
    expect(out.stdout).toContain('reta-cut tight: SF ± stat ± syst');
    const calibrated = await readBundleDir(outDir);
    expect(calibrated.manifest.calibration).toEqual({
      scaleFactors: 'scale-factors.json',
      tables: 'scale-factor-tables.json',
    });
    const tables = parseScaleFactorTables(
      'scale-factor-tables.json',
      calibrated.files.get('scale-factor-tables.json') as Uint8Array,
    );
    expect(tables.tables.map((t) => t.workingPoint)).toEqual(['loose', 'tight']);
    const set = validateCorrectionSet(
      JSON.parse(new TextDecoder().decode(calibrated.files.get('scale-factors.json') as Uint8Array)),
    );
    expect(set.corrections.map((c) => c.name)).toEqual(['reta-cut-loose', 'reta-cut-tight']);
    const sf = (wp: string, pt: number, abseta: number) =>
      evaluateCorrection(set, `reta-cut-${wp}`, { syst: 'nominal', pt, abseta });
    // Data's Rη is lower by 0.004 and smeared: the tighter the Rη cut, the lower the SF.
    expect(sf('tight', 40, 0.5)).toBeLessThan(0.97);
    expect(sf('tight', 40, 0.5)).toBeLessThan(sf('loose', 40, 0.5));
    // The table and the correctionlib file carry the same nominal values (pt 40 GeV is bin 2, |η| 0.5 bin 0).
    expect(sf('tight', 40, 0.5)).toBeCloseTo(tables.tables[1]?.table.values[2]?.[0] as number, 12);
  });

  it("takes the user's own tag-and-probe files (ROOT, CSV), columns named by --column, and measures the same (issue 18)", async () => {
    // The samples the built-in run generates (n 40000, seeds 3 and 4), written as a physicist's
    // ntuples would be: their own column names, data as a ROOT TTree, simulation as CSV.
    const own = (kind: 'data' | 'mc', seed: number): Dataset => {
      const s = generateTagAndProbe({ n: 40000, seed, kind });
      const c = s.columns;
      return {
        name: kind,
        n: s.n,
        columns: {
          pair_mass: c.mass as Float32Array,
          tag_pt: c.tagPt as Float32Array,
          tag_eta: c.tagEta as Float32Array,
          tag_q: c.tagCharge as Float32Array,
          probe_pt: c.probePt as Float32Array,
          probe_eta: c.probeEta as Float32Array,
          probe_q: c.probeCharge as Float32Array,
          probe_reta: c.reta as Float32Array,
        },
        units: {},
      };
    };
    const dataFile = join(work, 'tnp-data.root');
    const mcFile = join(work, 'tnp-mc.csv');
    writeFileSync(dataFile, new Uint8Array(writeRootTree(own('data', 3), { treeName: 'pairs' })));
    writeFileSync(mcFile, writeCsv(own('mc', 4)));
    const mapping = [
      'mass=pair_mass',
      'tagPt=tag_pt',
      'tagEta=tag_eta',
      'tagCharge=tag_q',
      'probePt=probe_pt',
      'probeEta=probe_eta',
      'probeCharge=probe_q',
      'reta=probe_reta',
    ].flatMap((m) => ['--column', m]);
    const userOut = join(work, 'reta-cut-user-files');
    const out = await calibrate([
      '--model',
      bundleDir,
      '--out',
      userOut,
      '--data',
      dataFile,
      '--tree',
      'pairs',
      '--mc',
      mcFile,
      ...mapping,
    ]);
    expect(out.stderr).not.toMatch(/calibrate: /);
    expect(out.code).toBe(0);
    const tablesOf = async (dir: string) =>
      parseScaleFactorTables(
        'scale-factor-tables.json',
        (await readBundleDir(dir)).files.get('scale-factor-tables.json') as Uint8Array,
      ).tables.map((t) => ({ workingPoint: t.workingPoint, values: t.table.values, stat: t.table.stat }));
    // Same pairs, same cuts: the same scale factors as from the generated samples.
    expect(await tablesOf(userOut)).toEqual(await tablesOf(outDir));

    const missing = await calibrate(['--model', bundleDir, '--out', userOut, '--data', dataFile, '--mc', mcFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      `calibrate: ${dataFile}: no column "mass" (name it with --column mass=<column or expression>)`,
    );
  });

  it('refuses a missing bundle with a named error', async () => {
    const out = await calibrate(['--model', join(work, 'nothing-here')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^calibrate: .*nothing-here/);
  });
});
