/**
 * Every file of ../shared/data/root/ (written by ROOT itself; scikit-hep-testdata, BSD-3) is read
 * whole — every branch, jagged and flat — through the public reader, then flattened and padded,
 * with known numbers: HZZ has 2,421 events and 3,825 muons (uproot's tutorial figures; its first
 * event's muons have Px −52.899 and 37.738 GeV), the same values in its four compressions, the
 * NanoAOD 200 events, every counter equal to the lengths of the lists it counts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  collectionColumns,
  collections,
  DataFormatError,
  type EventTable,
  flattenObjects,
  inspectRoot,
  jaggedLength,
  padObjects,
  readRootEvents,
  readRootEventTable,
  readRootTree,
} from '@hepml/physics';
import { beforeAll, describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../../../shared/data/root/', import.meta.url));
const FILES = [
  'nanoAOD_2015_CMS_Open_Data_ttbar.root',
  'uproot-HZZ-lz4.root',
  'uproot-HZZ-lzma.root',
  'uproot-HZZ-zstd.root',
  'uproot-HZZ.root',
];
const HZZ = FILES.filter((f) => f.startsWith('uproot-HZZ'));

const bytes = (name: string): ArrayBuffer => {
  const b = readFileSync(`${DIR}${name}`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

const tables = new Map<string, EventTable>();
beforeAll(async () => {
  for (const f of FILES) {
    if (!existsSync(`${DIR}${f}`))
      throw new Error(`shared ROOT file missing: ${DIR}${f} (see /work/shared/data/README.md)`);
  }
  for (const f of FILES) tables.set(f, await readRootEventTable(bytes(f), { file: f }));
});

const table = (f: string): EventTable => tables.get(f) as EventTable;
const sameBytes = (a: ArrayBufferView | undefined, b: ArrayBufferView): boolean =>
  a !== undefined &&
  a.constructor === b.constructor &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

describe('real ROOT files, read whole', () => {
  it('the shared folder holds exactly the files this test reads', () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith('.root'))
        .sort(),
    ).toEqual(FILES);
  });

  it('inspects every file: trees, entries, branch types and counters', async () => {
    const hzz = await inspectRoot(bytes('uproot-HZZ.root'), { file: 'uproot-HZZ.root' });
    expect(hzz.trees.map((t) => [t.name, t.entries])).toEqual([['events', 2421]]);
    const br = new Map(hzz.trees[0]?.branches.map((b) => [b.name, b]));
    expect(br.size).toBe(51);
    expect(br.get('Muon_Px')).toMatchObject({ type: 'float', shape: 'jagged', counter: 'NMuon', storage: 'float32' });
    expect(br.get('Jet_ID')).toMatchObject({ type: 'bool', shape: 'jagged', counter: 'NJet', storage: 'int32' });
    expect(br.get('triggerIsoMu24')).toMatchObject({ type: 'bool', shape: 1 });
    expect(br.get('NMuon')).toMatchObject({ type: 'int32_t', shape: 1 });
    const nano = await inspectRoot(bytes(FILES[0] as string));
    const nb = new Map(nano.trees[0]?.branches.map((b) => [b.name, b]));
    expect(nano.trees[0]?.name).toBe('Events');
    expect(nano.trees[0]?.entries).toBe(200);
    expect(nb.size).toBe(947);
    expect(nb.get('event')).toMatchObject({ type: 'uint64_t', storage: 'float64', shape: 1 });
    expect(nb.get('nMuon')).toMatchObject({ type: 'uint32_t', storage: 'float64' });
    expect(nb.get('Muon_pt')).toMatchObject({ type: 'float', counter: 'nMuon', shape: 'jagged' });
    expect(nb.get('Electron_lostHits')).toMatchObject({ type: 'uint8_t', counter: 'nElectron' });
    expect([...nb.values()].filter((b) => b.unsupported)).toEqual([]);
  });

  it('reads every branch of every file; each counter equals the lengths of its lists', () => {
    for (const f of FILES) {
      const t = table(f);
      const nBranches = Object.keys(t.columns).length + Object.keys(t.jagged).length;
      expect(nBranches, f).toBe(f.startsWith('nano') ? 947 : 51);
      expect(Object.keys(t.counters).length, f).toBe(Object.keys(t.jagged).length);
      for (const [name, counter] of Object.entries(t.counters)) {
        const count = t.columns[counter] as ArrayLike<number>;
        const col = t.jagged[name];
        if (!col) throw new Error(`${f}: no jagged ${name}`);
        let sum = 0;
        for (let i = 0; i < t.n; i++) {
          sum += count[i] as number;
          if (jaggedLength(col, i) !== count[i]) throw new Error(`${f}: ${name} event ${i}`);
        }
        expect(col.values.length, `${f} ${name}`).toBe(sum);
      }
    }
  });

  it('HZZ: 2,421 events, 3,825 muons, known first values, bools as 0/1', () => {
    const t = table('uproot-HZZ.root');
    expect(t.n).toBe(2421);
    const px = t.jagged.Muon_Px;
    expect(px?.values.length).toBe(3825);
    expect(Array.from(px?.values.subarray(0, 2) ?? [])).toEqual([
      expect.closeTo(-52.89945602, 6),
      expect.closeTo(37.73778152, 6),
    ]);
    expect(Array.from((t.columns.NMuon as Int32Array).subarray(0, 5))).toEqual([2, 1, 2, 2, 2]);
    for (const v of t.columns.triggerIsoMu24 as Int32Array) expect(v === 0 || v === 1).toBe(true);
    for (const v of t.jagged.Jet_ID?.values ?? []) expect(v === 0 || v === 1).toBe(true);
    expect(t.jagged.Muon_Charge?.values).toBeInstanceOf(Int32Array);
    for (const v of t.jagged.Muon_Charge?.values ?? []) expect(Math.abs(v)).toBe(1);
  });

  it('HZZ: the four compressions (zlib, LZ4, ZSTD, LZMA) give the same values, bit for bit', () => {
    const ref = table('uproot-HZZ.root');
    for (const f of HZZ) {
      const t = table(f);
      expect(t.n, f).toBe(ref.n);
      const differing: string[] = [];
      for (const [name, col] of Object.entries(ref.columns)) {
        if (!sameBytes(t.columns[name] as ArrayBufferView, col as ArrayBufferView)) differing.push(name);
      }
      for (const [name, col] of Object.entries(ref.jagged)) {
        const other = t.jagged[name];
        if (!other || !sameBytes(other.offsets, col.offsets) || !sameBytes(other.values, col.values))
          differing.push(name);
      }
      expect(differing, f).toEqual([]);
    }
  });

  it('NanoAOD: 200 events, run/event numbers, muons flattened with the event broadcast', () => {
    const t = table(FILES[0] as string);
    expect(t.n).toBe(200);
    expect((t.columns.event as Float64Array)[0]).toBe(227291401);
    for (const r of t.columns.run as Float64Array) expect(r).toBe(1);
    const muons = flattenObjects(t, 'Muon');
    const nMuon = (t.columns.nMuon as Float64Array).reduce((s, x) => s + x, 0);
    expect(muons.n).toBe(nMuon);
    expect(muons.n).toBe(41);
    expect(Object.keys(muons.columns)).toContain('MET_pt');
    expect(Object.keys(muons.columns)).toContain('Muon_tightId');
    expect(Object.keys(muons.columns).some((c) => c.startsWith('Jet_'))).toBe(false);
    // Each muon row carries its own event's number and MET.
    const offsets = t.jagged.Muon_pt?.offsets as Int32Array;
    for (let i = 0; i < t.n; i++) {
      for (let j = offsets[i] as number; j < (offsets[i + 1] as number); j++) {
        expect((muons.columns.event as Float64Array)[j]).toBe((t.columns.event as Float64Array)[i]);
        expect((muons.columns.MET_pt as Float32Array)[j]).toBe((t.columns.MET_pt as Float32Array)[i]);
      }
    }
    for (const pt of muons.columns.Muon_pt as Float32Array) expect(pt).toBeGreaterThan(0);
  });

  it('every collection of every file flattens and pads (4 leading objects, NaN beyond)', () => {
    for (const f of FILES) {
      const t = table(f);
      const prefixes = collections(t);
      expect(prefixes.length, f).toBeGreaterThan(3);
      for (const prefix of prefixes) {
        const names = collectionColumns(t, prefix);
        const flat = flattenObjects(t, prefix);
        expect(flat.n, `${f} ${prefix}`).toBe(t.jagged[names[0] as string]?.values.length);
        const padded = padObjects(t, { [prefix]: 4 });
        expect(padded.n).toBe(t.n);
        const first = names[0] as string;
        const col = t.jagged[first];
        const p0 = padded.columns[`${first}[0]`] as Float64Array;
        const p3 = padded.columns[`${first}[3]`] as Float64Array;
        let wrong = 0;
        for (let i = 0; i < t.n; i++) {
          const len = jaggedLength(col as NonNullable<typeof col>, i);
          const o = col?.offsets[i] as number;
          if (!Object.is(p0[i], len > 0 ? col?.values[o] : Number.NaN)) wrong++;
          if (!Object.is(p3[i], len > 3 ? col?.values[o + 3] : Number.NaN)) wrong++;
        }
        expect(wrong, `${f} ${first}`).toBe(0);
      }
    }
  });

  it('chunked reading gives the same table and reports progress', async () => {
    const parts: EventTable[] = [];
    const seen: number[] = [];
    for await (const part of readRootEvents(bytes('uproot-HZZ-zstd.root'), {
      branches: ['Muon_Px', 'Jet_Px', 'MET_px'],
      chunkEntries: 500,
      onProgress: (p) => seen.push(p.entries),
    })) {
      parts.push(part);
    }
    expect(parts.map((p) => p.n)).toEqual([500, 500, 500, 500, 421]);
    expect(seen).toEqual([500, 1000, 1500, 2000, 2421]);
    const ref = table('uproot-HZZ.root');
    const px = parts.flatMap((p) => Array.from(p.jagged.Muon_Px?.values ?? []));
    expect(px).toEqual(Array.from(ref.jagged.Muon_Px?.values ?? []));
    expect(Object.keys(parts[0]?.columns ?? {}).sort()).toEqual(['MET_px', 'NJet', 'NMuon']);
    // The NanoAOD records no basket sizes (fTotBytes 0): chunks are sized from the types.
    const nanoParts: EventTable[] = [];
    for await (const part of readRootEvents(bytes(FILES[0] as string), { chunkBytes: 1e6 })) nanoParts.push(part);
    expect(nanoParts.length).toBeGreaterThan(2);
    expect(nanoParts.reduce((s, p) => s + p.n, 0)).toBe(200);
    const pts = nanoParts.flatMap((p) => Array.from(p.jagged.Muon_pt?.values ?? []));
    expect(pts).toEqual(Array.from(table(FILES[0] as string).jagged.Muon_pt?.values ?? []));
  });

  it('flat branches read basket-wise (jsroot arrays mode) give the same values, chunked or not', async () => {
    const ref = table('uproot-HZZ-lz4.root');
    const flat = ['NJet', 'MET_px', 'EventWeight', 'triggerIsoMu24', 'NPrimaryVertices'];
    for (const chunkEntries of [2421, 1000, 7]) {
      const t = await readRootEventTable(bytes('uproot-HZZ-lz4.root'), { branches: flat, chunkEntries });
      expect(t.n).toBe(2421);
      for (const name of flat)
        expect(sameBytes(t.columns[name] as ArrayBufferView, ref.columns[name] as ArrayBufferView), name).toBe(true);
    }
    const nano = await readRootEventTable(bytes(FILES[0] as string), { branches: ['run', 'event', 'MET_pt', 'nMuon'] });
    const nanoRef = table(FILES[0] as string);
    for (const name of ['run', 'event', 'MET_pt', 'nMuon']) {
      expect(sameBytes(nano.columns[name] as ArrayBufferView, nanoRef.columns[name] as ArrayBufferView), name).toBe(
        true,
      );
    }
  });

  it('names the file, tree and branch of bad input; a truncated file is an error, not a crash', async () => {
    const all = bytes('uproot-HZZ.root');
    await expect(readRootEventTable(all, { file: 'HZZ.root', tree: 'Events' })).rejects.toThrow(
      'HZZ.root: no TTree named Events (TTrees: events)',
    );
    await expect(readRootEventTable(all, { file: 'HZZ.root', branches: ['Muon_pt'] })).rejects.toThrow(
      'HZZ.root: TTree events has no branch Muon_pt',
    );
    await expect(readRootTree(all, { file: 'HZZ.root' })).rejects.toThrow(
      'HZZ.root: branch Jet_Px is not a flat scalar branch (read it with readEvents, then flatten or pad it)',
    );
    const flat = await readRootTree(all, { file: 'HZZ.root', branches: ['MET_px', 'NMuon'] });
    expect(Object.keys(flat.columns)).toEqual(['MET_px', 'NMuon']);
    expect((flat.columns.NMuon as Int32Array).reduce((a, b) => a + b, 0)).toBe(3825);
    const truncated = all.slice(0, Math.floor(all.byteLength / 2));
    await expect(readRootEventTable(truncated, { file: 'cut.root' })).rejects.toThrow(DataFormatError);
    await expect(readRootEventTable(truncated, { file: 'cut.root' })).rejects.toThrow(/^cut\.root: /);
    await expect(readRootEventTable(new TextEncoder().encode('a,b\n1,2\n').buffer, { file: 'x.root' })).rejects.toThrow(
      /^x\.root: not a readable ROOT file/,
    );
  });
});
