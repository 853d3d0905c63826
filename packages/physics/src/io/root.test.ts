import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors.ts';
import { generateElectronId } from '../sim/electron-id.ts';
import { type Dataset, datasetFromSample } from './dataset.ts';
import { readRootTree } from './root.ts';
import { inspectRoot, readRootEvents } from './root-events.ts';
import { writeRootTree } from './root-writer.ts';

const mixed: Dataset = {
  name: 'demo',
  n: 4,
  columns: {
    px: Float32Array.from([1.5, -2.25, 3e-8, 4e30]),
    energy: Float64Array.from([0.1, Math.PI, -1e-300, 1e300]),
    event: Int32Array.from([7, -8, 2147483647, -2147483648]),
    kind: ['a', 'b', 'c', 'd'],
  },
  units: {},
};

describe('ROOT TTree (jsroot reader, minimal writer)', () => {
  it('writes a ROOT file: "root" magic, fBEGIN = 100, fEND = file length, same bytes for the same data', () => {
    const bytes = writeRootTree(mixed, { treeName: 'events' });
    const view = new DataView(bytes);
    expect(String.fromCharCode(...new Uint8Array(bytes, 0, 4))).toBe('root');
    expect(view.getInt32(8)).toBe(100);
    expect(view.getInt32(12)).toBe(bytes.byteLength);
    expect(new Uint8Array(writeRootTree(mixed, { treeName: 'events' }))).toEqual(new Uint8Array(bytes));
  });

  it('reads back float, double, int and text (TLeafC) branches exactly', async () => {
    const ds = await readRootTree(writeRootTree(mixed, { treeName: 'events' }), { file: 'demo.root' });
    expect(ds.name).toBe('demo.root');
    expect(ds.n).toBe(4);
    expect(Object.keys(ds.columns)).toEqual(['px', 'energy', 'event', 'kind']);
    expect(ds.columns.kind).toEqual(['a', 'b', 'c', 'd']);
    expect(ds.columns.px).toBeInstanceOf(Float32Array);
    expect(Array.from(ds.columns.px as Float32Array)).toEqual(Array.from(mixed.columns.px as Float32Array));
    expect(Array.from(ds.columns.energy as Float64Array)).toEqual([0.1, Math.PI, -1e-300, 1e300]);
    expect(Array.from(ds.columns.event as Int32Array)).toEqual([7, -8, 2147483647, -2147483648]);
  });

  it('round-trips a simulated electron-ID sample and selects branches', async () => {
    const ds = datasetFromSample(generateElectronId({ n: 2000, seed: 8 }));
    const bytes = writeRootTree(ds);
    const all = await readRootTree(bytes);
    expect(all.n).toBe(2000);
    for (const [name, col] of Object.entries(ds.columns)) {
      expect(Array.from(all.columns[name] as Float32Array), name).toEqual(Array.from(col as Float32Array));
    }
    const some = await readRootTree(bytes, { tree: 'tree', branches: ['eOverP', 'et'] });
    expect(Object.keys(some.columns)).toEqual(['eOverP', 'et']);
    expect(some.columns.et?.[1999]).toBe(ds.columns.et?.[1999]);
  });

  it('writes TLeafC text of any length, located by entry offsets, read back chunk by chunk', async () => {
    const long = 'x'.repeat(300);
    const text = ['', 'EB', long, 'EE', 'élan', 'a,b "q"'];
    const ds: Dataset = {
      name: 't',
      n: 6,
      columns: { type: text, e: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      units: {},
    };
    const bytes = writeRootTree(ds, { treeName: 'events' });
    const info = await inspectRoot(bytes);
    expect(info.trees[0]?.branches[0]).toMatchObject({
      name: 'type',
      type: 'char*',
      leaf: 'TLeafC',
      storage: 'string',
      shape: 1,
    });
    const parts: string[] = [];
    for await (const chunk of readRootEvents(bytes, { chunkEntries: 4 }))
      parts.push(...(chunk.columns.type as string[]));
    expect(parts).toEqual(text);
    const flat = await readRootTree(bytes);
    expect(flat.columns.type).toEqual(text);
    expect(Array.from(flat.columns.e as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names file, tree and branch in its errors', async () => {
    const bytes = writeRootTree(mixed, { treeName: 'events' });
    const err = (p: Promise<unknown>) => p.then(() => null).catch((e: unknown) => e as DataFormatError);
    const missingBranch = await err(readRootTree(bytes, { file: 'x.root', branches: ['py'] }));
    expect(missingBranch).toBeInstanceOf(DataFormatError);
    expect(missingBranch?.message).toMatch(/x\.root: TTree events has no branch py/);
    expect(missingBranch?.column).toBe('py');
    const missingTree = await err(readRootTree(bytes, { file: 'x.root', tree: 'nope' }));
    expect(missingTree?.message).toMatch(/no TTree named nope/);
    const notRoot = await err(readRootTree(new Uint8Array(512).buffer, { file: 'zero.root' }));
    expect(notRoot).toBeInstanceOf(DataFormatError);
    expect(notRoot?.file).toBe('zero.root');
    expect(() => writeRootTree({ name: 't', n: 1, columns: { s: ['π'] }, units: {} })).toThrow(/Latin-1/);
    expect(() => writeRootTree({ name: 't', n: 0, columns: {}, units: {} })).toThrow(/no column/);
  });
});
