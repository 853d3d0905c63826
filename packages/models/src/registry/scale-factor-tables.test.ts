// The hepml-scale-factors/1 schema (ScaleFactorTablesV1): errors name the file and the JSON path
// of the field at fault; nulls (empty bins) read back as NaN. Byte-level damage and the other
// schema violations: tests/integration/malformed-files.test.ts.
import type { ScaleFactorTable } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import { encodeScaleFactorTables, parseScaleFactorTables, ScaleFactorTablesV1 } from './scale-factor-tables.ts';

const eff = { value: 0.9, errorLow: 0.01, errorHigh: 0.01, passed: 90, total: 100 };
const empty = { value: Number.NaN, errorLow: Number.NaN, errorHigh: Number.NaN, passed: 0, total: 0 };
const table: ScaleFactorTable = {
  name: 'wp80',
  ptEdges: [10, 20, 50],
  absEtaEdges: [0, 1.37, 2.47],
  values: [
    [0.95, Number.NaN],
    [0.99, 0.97],
  ],
  stat: [
    [0.03, Number.NaN],
    [0.01, 0.02],
  ],
  syst: [
    [0.04, Number.NaN],
    [0.0, 0.02],
  ],
  systBySource: {
    pileup: [
      [0.01, Number.NaN],
      [0, 0.01],
    ],
  },
  effData: [
    [eff, empty],
    [eff, eff],
  ],
  effMc: [
    [eff, empty],
    [eff, eff],
  ],
  provenance: { data: 'toy-data', mc: 'toy-mc', method: 'tag-and-probe' },
};
const FILE = 'scale-factor-tables.json';
const valid = encodeScaleFactorTables([{ workingPoint: 'medium', table }]);
// biome-ignore lint/suspicious/noExplicitAny: the test mutates a parsed JSON document in place
type Json = any;

function refusal(mutate: (d: Json) => void): BundleError {
  const d = JSON.parse(new TextDecoder().decode(valid)) as Json;
  mutate(d);
  try {
    parseScaleFactorTables(FILE, new TextEncoder().encode(JSON.stringify(d)));
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('ScaleFactorTablesV1', () => {
  it('reads back what encodeScaleFactorTables wrote, empty bins as NaN', () => {
    const parsed = parseScaleFactorTables(FILE, valid);
    expect(parsed.tables).toHaveLength(1);
    expect(parsed.tables[0]?.table).toEqual(table);
    expect(Number.isNaN(parsed.tables[0]?.table.effData[0]?.[1]?.value)).toBe(true);
    // The schema is usable on its own (the reader is a safeParse of it).
    expect(ScaleFactorTablesV1.safeParse(JSON.parse(new TextDecoder().decode(valid))).success).toBe(true);
  });

  it('a missing systBySource reads as none', () => {
    const d = JSON.parse(new TextDecoder().decode(valid)) as Json;
    delete d.tables[0].table.systBySource;
    const parsed = parseScaleFactorTables(FILE, new TextEncoder().encode(JSON.stringify(d)));
    expect(parsed.tables[0]?.table.systBySource).toEqual({});
  });

  it('names the file, the JSON path and the rule broken', () => {
    const cases: [(d: Json) => void, string, string][] = [
      [(d) => (d.format = 'x'), 'format', 'must be "hepml-scale-factors"'],
      [(d) => (d.tables[0].extra = 1), 'tables[0].extra', 'unknown key'],
      [(d) => (d.tables[0].table.ptEdges = [10, 10, 50]), 'tables[0].table.ptEdges', 'strictly increasing'],
      [(d) => (d.tables[0].table.ptEdges = [10]), 'tables[0].table.ptEdges', 'at least two edges'],
      [(d) => (d.tables[0].table.syst[1] = [0.1]), 'tables[0].table.syst[1]', 'must be an array of 2 numbers'],
      [(d) => (d.tables[0].table.syst = [[0.1, 0.1]]), 'tables[0].table.syst', 'must be an array of 2 rows'],
      [
        (d) => (d.tables[0].table.systBySource.pileup[0][0] = 'x'),
        'tables[0].table.systBySource.pileup[0][0]',
        'must be a finite number',
      ],
      [(d) => (d.tables[0].table.effMc[1][0].value = 1.5), 'tables[0].table.effMc[1][0].value', 'must lie in [0, 1]'],
      [
        (d) => delete d.tables[0].table.effMc[1][0].total,
        'tables[0].table.effMc[1][0].total',
        'must be a finite number',
      ],
      [(d) => (d.tables[0].table.provenance.mc = 3), 'tables[0].table.provenance.mc', 'must be a string'],
      [(d) => (d.tables[0].workingPoint = ''), 'tables[0].workingPoint', 'must be a non-empty string'],
    ];
    for (const [mutate, field, rule] of cases) {
      const err = refusal(mutate);
      expect(err.field, field).toBe(field);
      expect(err.message, field).toContain(`${FILE}: ${field}: `);
      expect(err.message, field).toContain(rule);
    }
  });

  it('refuses a root that is not an object and bytes that are not UTF-8 JSON', () => {
    expect(() => parseScaleFactorTables(FILE, new TextEncoder().encode('[]'))).toThrow(
      `${FILE}: (root): must be a JSON object`,
    );
    expect(() => parseScaleFactorTables(FILE, new Uint8Array([0x7b, 0xff]))).toThrow(`${FILE}: not valid UTF-8 JSON`);
  });
});
