/**
 * Issue 18's `pnpm data`: inspect and convert run on the shared ROOT files (written by ROOT itself):
 * the NanoAOD's muons flattened with a selection, the HZZ jets padded, several files into one
 * Parquet file read back with the same numbers as the library; bad input (no such file, tree,
 * branch or column, a syntax error, a truncated copy, a text file) is one line on stderr and
 * exit status 2, never a stack trace.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readCsv, readParquetEventTable, readRootEventTable } from '@hepml/physics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../../shared/data/root/', import.meta.url));
const NANO = join(DIR, 'nanoAOD_2015_CMS_Open_Data_ttbar.root');
const HZZ = join(DIR, 'uproot-HZZ.root');
const HZZ_LZMA = join(DIR, 'uproot-HZZ-lzma.root');
const work = mkdtempSync(join(tmpdir(), 'hepml-data-'));

async function data(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/physics/scripts/data.ts'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const buffer = (path: string): ArrayBuffer => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

beforeAll(() => {
  for (const f of [NANO, HZZ, HZZ_LZMA]) {
    if (!existsSync(f)) throw new Error(`shared ROOT file missing: ${f} (see /work/shared/data/README.md)`);
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pnpm data', () => {
  it('inspect lists trees, entries and branches with type and counter', async () => {
    const r = await data(['inspect', HZZ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('TTree events: 2421 entries, 51 branches');
    expect(r.stdout).toMatch(/Muon_Px +\| float\[\] +\| NMuon +\| float32/);
    expect(r.stdout).toMatch(/triggerIsoMu24 +\| bool +\| +\| int32/);
    const nano = await data(['inspect', NANO]);
    expect(nano.code).toBe(0);
    expect(nano.stdout).toContain('TTree Events "Events": 200 entries, 947 branches');
    expect(nano.stdout).toMatch(/event +\| uint64_t +\| +\| float64/);
    expect(nano.stdout).toMatch(/Muon_pt +\| float\[\] +\| nMuon/);
  });

  it('convert --objects Muon --select: one row per selected muon, the event broadcast', async () => {
    const out = join(work, 'muons.csv');
    const select = 'Muon_pt > 20 && abs(Muon_eta) < 2.4 && Muon_isGlobal';
    const r = await data(['convert', NANO, '--objects', 'Muon', '--select', select, '--out', out]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/left out .*Electron.*Jet/);
    const ds = readCsv(readFileSync(out, 'utf8'), { file: 'muons.csv' }).dataset;
    // The same selection done here on the library's reading.
    const t = await readRootEventTable(buffer(NANO));
    const pt = t.jagged.Muon_pt?.values as Float32Array;
    const eta = t.jagged.Muon_eta?.values as Float32Array;
    const global = t.jagged.Muon_isGlobal?.values as Int32Array;
    const expected = Array.from(pt).filter((p, i) => p > 20 && Math.abs(eta[i] as number) < 2.4 && global[i] === 1);
    expect(expected.length).toBeGreaterThan(20);
    expect(ds.n).toBe(expected.length);
    expect(Array.from(ds.columns.Muon_pt as Float64Array)).toEqual(expected.map((x) => expect.closeTo(x, 5)));
    expect(Object.keys(ds.columns)).toEqual(expect.arrayContaining(['run', 'event', 'MET_pt', 'nMuon', 'Muon_eta']));
    expect(Object.keys(ds.columns).some((c) => c.startsWith('Jet_'))).toBe(false);
    expect(r.stdout).toMatch(new RegExp(`200 events from 1 file → ${expected.length} rows`));
    expect(r.stdout).toMatch(/events\/s, [0-9.]+ MB\/s read/);
  });

  it('convert several files with --pad and --branches into Parquet, chunked', async () => {
    const out = join(work, 'jets.parquet');
    const r = await data([
      'convert',
      HZZ,
      HZZ_LZMA,
      '--branches',
      'Jet_P*,MET_*,EventWeight',
      '--pad',
      'Jet:2',
      '--chunk-entries',
      '1000',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4842 events from 2 files → 4842 rows');
    const back = await readParquetEventTable(buffer(out));
    expect(back.n).toBe(4842);
    expect(Object.keys(back.columns)).toEqual([
      'MET_px',
      'MET_py',
      'EventWeight',
      'NJet',
      'Jet_Px[0]',
      'Jet_Px[1]',
      'Jet_Py[0]',
      'Jet_Py[1]',
      'Jet_Pz[0]',
      'Jet_Pz[1]',
    ]);
    const t = await readRootEventTable(buffer(HZZ));
    const jet = t.jagged.Jet_Px;
    const lead = back.columns['Jet_Px[0]'] as Float32Array;
    let wrong = 0;
    for (let i = 0; i < t.n; i++) {
      const want =
        (jet?.offsets[i + 1] as number) > (jet?.offsets[i] as number)
          ? jet?.values[jet.offsets[i] as number]
          : Number.NaN;
      if (!Object.is(lead[i], want) || !Object.is(lead[i + t.n], want)) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('bad input: one line naming file, tree, branch or column; exit 2', async () => {
    const truncated = join(work, 'truncated.root');
    writeFileSync(truncated, readFileSync(HZZ).subarray(0, 100_000));
    const text = join(work, 'notes.root');
    writeFileSync(text, 'just some text\n');
    copyFileSync(HZZ, join(work, 'copy.root'));
    const out = join(work, 'x.csv');
    const cases: [string[], RegExp][] = [
      [['inspect', join(work, 'missing.root')], /missing\.root: no such file/],
      [
        ['convert', HZZ, '--tree', 'Events', '--out', out],
        /uproot-HZZ\.root: no TTree named Events \(TTrees: events\)/,
      ],
      [['convert', HZZ, '--branches', 'Muon_pt', '--out', out], /uproot-HZZ\.root: TTree events has no branch Muon_pt/],
      [['convert', HZZ, '--branches', 'Tau_*', '--out', out], /TTree events has no branch matching Tau_\*/],
      [
        ['convert', HZZ, '--objects', 'Tau', '--out', out],
        /uproot-HZZ\.root: TTree events: no jagged branches Tau_\* \(collections: Jet, Muon, Electron, Photon\)/,
      ],
      [
        ['convert', HZZ, '--objects', 'Muon', '--select', 'Muon_Pxx > 1', '--out', out],
        /uproot-HZZ\.root: TTree events: --select: unknown column Muon_Pxx .*did you mean Muon_Px\?/,
      ],
      [
        ['convert', HZZ, '--select', 'NJet >', '--out', out],
        /--select: expected a value, found the end .* at position 6/,
      ],
      [['convert', truncated, '--out', out], /truncated\.root: /],
      [['inspect', truncated], /truncated\.root: /],
      [['convert', join(work, 'copy.root'), '--out', join(work, 'x.txt')], /--out must end in \.csv or \.parquet/],
      [['inspect', text], /notes\.root: /],
      [['convert', HZZ, '--pad', 'Jet', '--out', out], /--pad wants PREFIX:K/],
      [['frobnicate'], /usage: pnpm data/],
      [['convert', HZZ, '--out', join(work, 'no-such-dir', 'x.csv')], /no-such-dir\/x\.csv: cannot be written/],
    ];
    for (const [args, message] of cases) {
      const r = await data(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0], args.join(' ')).toMatch(/^data: /);
      expect(lines[0], args.join(' ')).toMatch(message);
    }
  });
});
