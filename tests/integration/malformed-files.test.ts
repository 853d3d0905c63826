// Malformed scale-factor tables, correctionlib files and CSV (issue 11): truncated, bit-flipped and
// schema-violating inputs are refused with an error naming the file and the field (bundles: see
// packages/models/src/bundle/malformed.test.ts). Seeded fast-check drives the byte-level damage.
import { BundleError } from '@hepml/models/bundle';
import { encodeScaleFactorTables, parseScaleFactorTables } from '@hepml/models/registry';
import {
  DataFormatError,
  readCsv,
  type ScaleFactorTable,
  scaleFactorsToCorrectionSet,
  validateCorrectionSet,
} from '@hepml/physics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const SEED = 1123;
// biome-ignore lint/suspicious/noExplicitAny: the tests mutate arbitrary JSON documents in place
type Json = any;
const eff = { value: 0.9, errorLow: 0.01, errorHigh: 0.01, passed: 90, total: 100 };
const table: ScaleFactorTable = {
  name: 'wp80',
  ptEdges: [10, 20, 50],
  absEtaEdges: [0, 1.37, 2.47],
  values: [
    [0.95, 0.9],
    [0.99, 0.97],
  ],
  stat: [
    [0.03, 0.05],
    [0.01, 0.02],
  ],
  syst: [
    [0.04, 0.12],
    [0.0, 0.02],
  ],
  systBySource: {},
  effData: [
    [eff, eff],
    [eff, eff],
  ],
  effMc: [
    [eff, eff],
    [eff, eff],
  ],
  provenance: { data: 'toy-data', mc: 'toy-mc', method: 'tag-and-probe' },
};
const SF_FILE = 'scale-factor-tables.json';
const valid = encodeScaleFactorTables([{ workingPoint: 'medium', table }]);
/** Bytes up to the closing brace: cutting only trailing whitespace leaves a valid file. */
const body = new TextDecoder().decode(valid).lastIndexOf('}') + 1;

/** Parses, returning the error (or null when the bytes were accepted). */
function sfError(bytes: Uint8Array): BundleError | null {
  try {
    parseScaleFactorTables(SF_FILE, bytes);
    return null;
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    return err;
  }
}

describe('scale-factor tables (parseScaleFactorTables)', () => {
  it('parses the valid file (the baseline the damage is applied to)', () => {
    expect(parseScaleFactorTables(SF_FILE, valid).tables[0]?.table.values).toEqual(table.values);
  });

  it('truncated at any byte: refused naming the file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: body - 1 }), (cut) => {
        const err = sfError(valid.subarray(0, cut));
        expect(err, `cut at ${cut}`).not.toBeNull();
        expect(err?.message).toContain(SF_FILE);
        expect(err?.field).toBeTruthy();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('one bit flipped anywhere: refused naming file and field, or parsed to a different but valid table', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const bytes = valid.slice();
        bytes[at] = (bytes[at] as number) ^ (1 << bit);
        const err = sfError(bytes);
        if (err) {
          refused++;
          expect(err.message).toContain(SF_FILE);
          expect(err.field).toBeTruthy();
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
    // Most flips break the JSON or the schema (a flip inside a digit can still give a valid number).
    expect(refused).toBeGreaterThan(250);
  });

  it('schema violations name the field', () => {
    const doc = () => JSON.parse(new TextDecoder().decode(valid)) as Json;
    const cases: [(d: Json) => void, string][] = [
      [(d) => (d.formatVersion = 2), 'formatVersion'],
      [(d) => (d.extra = 1), 'extra'],
      [(d) => (d.tables = []), 'tables'],
      [(d) => (d.tables[0].table.values[1] = [0.9]), 'tables[0].table.values[1]'],
      [(d) => (d.tables[0].table.values[0][1] = 'x'), 'tables[0].table.values[0][1]'],
      [(d) => (d.tables[0].table.stat[0][0] = -0.1), 'tables[0].table.stat[0][0]'],
      [(d) => (d.tables[0].table.ptEdges = [20, 10, 50]), 'tables[0].table.ptEdges'],
      [(d) => (d.tables[0].table.absEtaEdges = [-1, 0, 1]), 'tables[0].table.absEtaEdges[0]'],
      [(d) => delete d.tables[0].table.provenance, 'tables[0].table.provenance'],
      [(d) => d.tables.push(d.tables[0]), 'tables[1].workingPoint'],
    ];
    for (const [mutate, field] of cases) {
      const d = doc();
      mutate(d);
      const err = sfError(new TextEncoder().encode(JSON.stringify(d)));
      expect(err, field).not.toBeNull();
      expect(err?.field, field).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}`));
      expect(err?.message).toContain(SF_FILE);
    }
  });
});

describe('correctionlib v2 files (validateCorrectionSet)', () => {
  const file = 'sf.corrections.json';
  const text = JSON.stringify(scaleFactorsToCorrectionSet(table, { openLastPtBin: true }));

  function clError(s: string): DataFormatError | null {
    try {
      validateCorrectionSet(JSON.parse(s), { file });
      return null;
    } catch (err) {
      if (err instanceof SyntaxError) return null; // JSON-level damage: the reader's JSON.parse refuses it
      if (!(err instanceof DataFormatError)) throw err;
      return err;
    }
  }

  it('accepts the valid file and refuses schema violations naming file and path', () => {
    expect(clError(text)).toBeNull();
    const base = JSON.parse(text) as Json;
    const cases: [(d: Json) => void, RegExp][] = [
      [(d) => (d.schema_version = 1), /schema_version/],
      [(d) => (d.corrections = 'x'), /corrections/],
      [(d) => (d.corrections[0].bogus = true), /corrections\[0\]/],
      [(d) => delete d.corrections[0].inputs, /corrections\[0\]/],
      [(d) => delete d.corrections[0].data, /corrections\[0\]/],
    ];
    for (const [mutate, path] of cases) {
      const d = structuredClone(base);
      mutate(d);
      const err = clError(JSON.stringify(d));
      expect(err, String(path)).not.toBeNull();
      expect(err?.file).toBe(file);
      expect(err?.message).toContain(file);
      expect(err?.column).toMatch(path);
    }
  });

  it('any single-character damage that still parses as JSON is valid or refused by name, never a crash', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: text.length - 1 }),
        fc.constantFrom('0', '9', '-', '"', 'x', '}'),
        (at, ch) => {
          const err = clError(`${text.slice(0, at)}${ch}${text.slice(at + 1)}`);
          if (err) {
            expect(err.file).toBe(file);
            expect(err.column).toBeTruthy();
          }
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });
});

describe('CSV (readCsv)', () => {
  const file = 'electrons.csv';
  const csv = 'pt,eta,passed\n41.2,0.5,1\n38.0,-1.2,0\n55.5,2.1,1\n';

  function csvError(s: string): DataFormatError {
    try {
      readCsv(s, { file, types: { pt: 'float64', eta: 'float64', passed: 'int32' } });
    } catch (err) {
      if (err instanceof DataFormatError) return err;
      throw err;
    }
    throw new Error(`accepted: ${JSON.stringify(s)}`);
  }

  it('reads the valid file', () => {
    expect(readCsv(csv, { file }).dataset).toBeDefined();
  });

  it('refuses truncated rows, bad values and broken headers naming file, row and column', () => {
    const truncated = csvError(csv.slice(0, csv.lastIndexOf(',') + 1).replace(/,$/, '\n'));
    expect(truncated.file).toBe(file);
    expect(truncated.row).toBe(4);
    const bad = csvError('pt,eta,passed\n41.2,0.5,1\n38.0,abc,0\n');
    expect(bad).toMatchObject({ file, row: 3, column: 'eta' });
    expect(bad.message).toContain(file);
    expect(csvError('pt,pt,passed\n1,2,3\n').message).toContain(file);
    expect(csvError('').message).toContain(file);
    const missing = (() => {
      try {
        readCsv(csv, { file, columns: ['pt', 'mass'] });
      } catch (err) {
        return err as DataFormatError;
      }
      return null;
    })();
    expect(missing).toMatchObject({ file, row: 1 });
    expect(missing?.message).toContain('mass');
  });

  it('truncated at any byte: read (a shorter file) or refused naming file and row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: csv.length - 1 }), (cut) => {
        try {
          readCsv(csv.slice(0, cut), { file, types: { pt: 'float64', eta: 'float64', passed: 'int32' } });
        } catch (err) {
          expect(err).toBeInstanceOf(DataFormatError);
          expect((err as DataFormatError).file).toBe(file);
          expect((err as DataFormatError).row).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
