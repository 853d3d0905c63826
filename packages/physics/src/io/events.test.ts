import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import {
  checkJagged,
  collections,
  concatEventTables,
  type EventTable,
  flattenObjects,
  gatherObjects,
  padObjects,
  selectEvents,
  ValuesBuilder,
} from './events.ts';

// Three events: 2 muons, 0 muons, 1 muon; jets 1, 3, 0.
const table = (): EventTable => ({
  name: 'demo.root',
  n: 3,
  columns: {
    run: Int32Array.from([1, 1, 2]),
    MET_pt: Float32Array.from([10, 20, 30]),
    tag: ['a', 'b', 'c'],
    nMuon: Int32Array.from([2, 0, 1]),
  },
  jagged: {
    Muon_pt: { offsets: Int32Array.from([0, 2, 2, 3]), values: Float32Array.from([40, 25, 15]) },
    Muon_charge: { offsets: Int32Array.from([0, 2, 2, 3]), values: Int32Array.from([1, -1, 1]) },
    Jet_pt: { offsets: Int32Array.from([0, 1, 4, 4]), values: Float64Array.from([100, 90, 50, 30]) },
  },
  counters: { Muon_pt: 'nMuon', Muon_charge: 'nMuon' },
  units: { Muon_pt: 'GeV', MET_pt: 'GeV', Jet_pt: 'GeV' },
});

describe('event tables', () => {
  it('flattens one row per object with the event scalars broadcast', () => {
    const ds = flattenObjects(table(), 'Muon', { index: true });
    expect(ds.n).toBe(3);
    expect(Object.keys(ds.columns)).toEqual(['Muon_pt', 'Muon_charge', 'Muon_index', 'run', 'MET_pt', 'tag', 'nMuon']);
    expect(Array.from(ds.columns.Muon_pt as Float32Array)).toEqual([40, 25, 15]);
    expect(Array.from(ds.columns.Muon_index as Int32Array)).toEqual([0, 1, 0]);
    expect(Array.from(ds.columns.run as Int32Array)).toEqual([1, 1, 2]);
    expect(Array.from(ds.columns.MET_pt as Float32Array)).toEqual([10, 10, 30]);
    expect(ds.columns.tag).toEqual(['a', 'a', 'c']);
    expect(ds.units).toEqual({ Muon_pt: 'GeV', MET_pt: 'GeV' });
  });

  it('flattens with another collection padded per event', () => {
    const ds = flattenObjects(table(), 'Muon', { pad: { Jet: 2 } });
    expect(Array.from(ds.columns['Jet_pt[0]'] as Float64Array)).toEqual([100, 100, Number.NaN]);
    expect(Array.from(ds.columns['Jet_pt[1]'] as Float64Array)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(ds.units['Jet_pt[0]']).toBe('GeV');
  });

  it('pads the first k objects per event; NaN by default, integers kept with an integer pad', () => {
    const ds = padObjects(table(), { Muon: 2, Jet: 3 });
    expect(ds.n).toBe(3);
    expect(Array.from(ds.columns['Muon_pt[0]'] as Float32Array)).toEqual([40, Number.NaN, 15]);
    expect(Array.from(ds.columns['Muon_pt[1]'] as Float32Array)).toEqual([25, Number.NaN, Number.NaN]);
    expect(ds.columns['Muon_charge[0]']).toBeInstanceOf(Float64Array);
    expect(Array.from(ds.columns['Jet_pt[2]'] as Float64Array)).toEqual([Number.NaN, 30, Number.NaN]);
    expect(Object.keys(ds.columns).filter((c) => !c.includes('['))).toEqual(['run', 'MET_pt', 'tag', 'nMuon']);
    const zero = padObjects(table(), { Muon: 1 }, { padValue: -999 });
    expect(zero.columns['Muon_charge[0]']).toBeInstanceOf(Int32Array);
    expect(Array.from(zero.columns['Muon_charge[0]'] as Int32Array)).toEqual([1, -999, 1]);
  });

  it('refuses unknown collections, bad k and collections whose counts differ', () => {
    expect(() => flattenObjects(table(), 'Electron')).toThrow(
      'demo.root: no jagged columns Electron_* (collections: Muon, Jet)',
    );
    expect(() => padObjects(table(), { Jet: 0 })).toThrow(PhysicsInputError);
    const t = table();
    t.jagged.Muon_eta = { offsets: Int32Array.from([0, 1, 2, 3]), values: Float32Array.from([0, 1, 2]) };
    expect(() => flattenObjects(t, 'Muon')).toThrow(
      /Muon_eta and Muon_pt hold different numbers of objects at event 0/,
    );
    expect(collections(t)).toEqual(['Muon', 'Jet']);
  });

  it('concatenates tables and selects events, keeping the lists with their events', () => {
    const both = concatEventTables([table(), table()]);
    expect(both.n).toBe(6);
    expect(both.name).toBe('demo.root');
    expect(Array.from(both.jagged.Muon_pt?.offsets ?? [])).toEqual([0, 2, 2, 3, 5, 5, 6]);
    expect(Array.from(both.jagged.Jet_pt?.values ?? [])).toEqual([100, 90, 50, 30, 100, 90, 50, 30]);
    checkJagged('Muon_pt', both.jagged.Muon_pt as NonNullable<EventTable['jagged'][string]>, 6);
    const picked = selectEvents(both, [5, 1, 0]);
    expect(Array.from(picked.jagged.Muon_pt?.offsets ?? [])).toEqual([0, 1, 1, 3]);
    expect(Array.from(picked.jagged.Muon_pt?.values ?? [])).toEqual([15, 40, 25]);
    expect(picked.columns.tag).toEqual(['c', 'b', 'a']);
    const other = table();
    other.columns.MET_pt = Float64Array.from([1, 2, 3]);
    expect(() => concatEventTables([table(), other])).toThrow(/stores it differently/);
    expect(() => selectEvents(both, [6])).toThrow(/outside \[0, 6\)/);
  });

  it('checks offsets', () => {
    expect(() => checkJagged('x', { offsets: Int32Array.from([0, 2, 1]), values: new Float32Array(1) }, 2)).toThrow(
      /offsets decrease at event 1/,
    );
    expect(() => checkJagged('x', { offsets: Int32Array.from([0, 2]), values: new Float32Array(1) }, 1)).toThrow(
      /do not span/,
    );
  });

  it('grows a values builder', () => {
    const b = new ValuesBuilder(Float64Array, 1);
    for (let i = 0; i < 100; i++) b.push(i);
    b.pushAll([1, 2, 3]);
    const v = b.finish();
    expect(v.length).toBe(103);
    expect(v[99]).toBe(99);
    expect(v[102]).toBe(3);
  });
});

describe('gatherObjects', () => {
  // Muons point at jets of their event: event 0 muon 0 → jet 0, muon 1 → −1 (none); event 2 muon 0 → 5 (out of range: event 2 has no jet).
  const linked = (): EventTable => {
    const t = table();
    t.jagged.Muon_jetIdx = { offsets: Int32Array.from([0, 2, 2, 3]), values: Int32Array.from([0, -1, 5]) };
    t.counters.Muon_jetIdx = 'nMuon';
    return t;
  };

  it('takes the indexed object of the other collection, NaN where there is none', () => {
    const out = gatherObjects(linked(), [{ name: 'Muon_jetPt', from: 'Jet_pt', index: 'Muon_jetIdx' }]);
    expect(Array.from(out.jagged.Muon_jetPt?.values ?? [])).toEqual([100, Number.NaN, Number.NaN]);
    expect(out.counters.Muon_jetPt).toBe('nMuon');
    const ds = flattenObjects(out, 'Muon');
    expect(Array.from(ds.columns.Muon_jetPt as Float64Array)).toEqual([100, Number.NaN, Number.NaN]);
  });

  it('indexes within each event, not the whole column', () => {
    const t = linked();
    t.jagged.Muon_jetIdx = { offsets: Int32Array.from([0, 2, 2, 3]), values: Int32Array.from([0, 0, 0]) };
    t.jagged.Jet_pt = { offsets: Int32Array.from([0, 1, 1, 3]), values: Float64Array.from([100, 70, 60]) };
    const out = gatherObjects(t, [{ name: 'Muon_jetPt', from: 'Jet_pt', index: 'Muon_jetIdx' }]);
    expect(Array.from(out.jagged.Muon_jetPt?.values ?? [])).toEqual([100, 100, 70]);
  });

  it('names the unknown column and a name outside the index collection', () => {
    expect(() => gatherObjects(linked(), [{ name: 'Muon_x', from: 'GenJet_pt', index: 'Muon_jetIdx' }])).toThrow(
      /no jagged column GenJet_pt/,
    );
    expect(() => gatherObjects(linked(), [{ name: 'Jet_x', from: 'Jet_pt', index: 'Muon_jetIdx' }])).toThrow(
      /must start with Muon_/,
    );
    expect(() => gatherObjects(linked(), [{ name: 'Muon_pt', from: 'Jet_pt', index: 'Muon_jetIdx' }])).toThrow(
      PhysicsInputError,
    );
  });
});
