import { describe, expect, it } from 'vitest';
import type { ScaleFactorTable } from '../calibration/scale-factor-table.ts';
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import { evaluateCorrection } from './evaluate.ts';
import { scaleFactorsToCorrectionSet } from './from-scale-factors.ts';
import { validateCorrectionSet } from './validate.ts';

const efficiency = { value: 0.9, errorLow: 0.01, errorHigh: 0.01, passed: 90, total: 100 };

function table(): ScaleFactorTable {
  const ptEdges = [10, 20, 50];
  const absEtaEdges = [0, 1.4442, 1.566, 2.5];
  return {
    name: 'electron-id-tight',
    ptEdges,
    absEtaEdges,
    values: [
      [0.95, 0.9, 0.97],
      [0.99, 0.93, 1.01],
    ],
    stat: [
      [0.03, 0.1, 0.04],
      [0.01, 0.05, 0.02],
    ],
    syst: [
      [0.04, 0.0, 0.03],
      [0.0, 0.12, 0.0],
    ],
    systBySource: {},
    effData: ptEdges.slice(1).map(() => absEtaEdges.slice(1).map(() => efficiency)),
    effMc: ptEdges.slice(1).map(() => absEtaEdges.slice(1).map(() => efficiency)),
    provenance: { data: 'toy-data', mc: 'toy-mc', method: 'tag-and-probe' },
  };
}

describe('correctionlib schema v2 export, validation and evaluation', () => {
  it('round-trips a scale-factor table through JSON text', () => {
    const set = scaleFactorsToCorrectionSet(table(), { openLastPtBin: true });
    const parsed = validateCorrectionSet(JSON.parse(JSON.stringify(set)), { file: 'sf.json' });
    const at = (syst: string, pt: number, abseta: number) =>
      evaluateCorrection(parsed, 'electron-id-tight', { syst, pt, abseta });
    expect(at('nominal', 15, 0.5)).toBe(0.95);
    expect(at('nominal', 25, 2.0)).toBe(1.01);
    // up/down = nominal ± √(stat² + syst²): bin [0][0] has 0.03 ⊕ 0.04 = 0.05.
    expect(at('up', 15, 0.5)).toBeCloseTo(1.0, 12);
    expect(at('down', 15, 0.5)).toBeCloseTo(0.9, 12);
    expect(at('up', 30, 1.5)).toBeCloseTo(0.93 + 0.13, 12);
    // Lower edges belong to their bin: 20 GeV and |η| = 1.4442 are in the second bins.
    expect(at('nominal', 20, 1.4442)).toBe(0.93);
    // The last pT edge is "inf", so 1 TeV is inside the last bin; |η| above 2.5 clamps.
    expect(JSON.stringify(parsed)).toContain('"edges":[[10,20,"inf"],[0,1.4442,1.566,2.5]]');
    expect(at('nominal', 1000, 3.0)).toBe(1.01);
    // Below the first pT edge clamps to the first bin.
    expect(at('nominal', 5, 0.1)).toBe(0.95);
  });

  it('evaluates a hand-written document in the correctionlib documentation form', () => {
    const doc = {
      schema_version: 2,
      corrections: [
        {
          name: 'ptweight',
          version: 1,
          inputs: [{ name: 'pt', type: 'real', description: 'Muon transverse momentum' }],
          output: { name: 'weight', type: 'real', description: 'Multiplicative event weight' },
          data: {
            nodetype: 'binning',
            input: 'pt',
            edges: [10, 20, 30, 40, 50, 80, 120],
            content: [1.1, 1.08, 1.06, 1.04, 1.02, 1.0],
            flow: 'clamp',
          },
        },
      ],
    };
    const set = validateCorrectionSet(doc);
    expect(evaluateCorrection(set, 'ptweight', { pt: 45 })).toBe(1.04);
    expect(evaluateCorrection(set, 'ptweight', { pt: 50 })).toBe(1.02);
    expect(evaluateCorrection(set, 'ptweight', { pt: 500 })).toBe(1.0);
    expect(evaluateCorrection(set, 'ptweight', { pt: 1 })).toBe(1.1);
  });

  it('treats "-inf" and "inf" edges as open edge bins, lo <= x < hi', () => {
    const set = validateCorrectionSet({
      schema_version: 2,
      corrections: [
        {
          name: 'open',
          version: 1,
          inputs: [{ name: 'x', type: 'real' }],
          output: { name: 'weight', type: 'real' },
          data: { nodetype: 'binning', input: 'x', edges: ['-inf', 0, 'inf'], content: [1, 2], flow: 'error' },
        },
      ],
    });
    const at = (x: number) => evaluateCorrection(set, 'open', { x });
    expect([-Infinity, -1e300, -1e-300, 0, 1e300].map(at)).toEqual([1, 1, 1, 2, 2]);
    expect(() => at(Infinity)).toThrow(/outside the binning/);
  });

  it('accepts what correctionlib writes: null descriptions and defaults, open edges, integer keys', () => {
    // The form of `CorrectionSet.json()` from correctionlib's pydantic models: unset optionals as null.
    const doc = {
      schema_version: 2,
      description: null,
      corrections: [
        {
          name: 'btag',
          description: null,
          version: 2,
          inputs: [
            { name: 'flavour', type: 'int', description: null },
            { name: 'pt', type: 'real', description: 'jet pT [GeV]' },
          ],
          output: { name: 'sf', type: 'real', description: null },
          data: {
            nodetype: 'category',
            input: 'flavour',
            content: [
              {
                key: 5,
                value: {
                  nodetype: 'binning',
                  input: 'pt',
                  edges: ['-inf', 30, 'inf'],
                  content: [0.9, 0.95],
                  flow: 'error',
                },
              },
              { key: 0, value: 1 },
            ],
            default: null,
          },
        },
      ],
    };
    const set = validateCorrectionSet(JSON.parse(JSON.stringify(doc)), { file: 'btag.json' });
    expect(set.description).toBeUndefined();
    expect(set.corrections[0]?.data).toMatchObject({ nodetype: 'category', default: undefined });
    expect(evaluateCorrection(set, 'btag', { flavour: 5, pt: 10 })).toBe(0.9);
    expect(evaluateCorrection(set, 'btag', { flavour: 5, pt: 1e4 })).toBe(0.95);
    expect(evaluateCorrection(set, 'btag', { flavour: 0, pt: 10 })).toBe(1);
    expect(() => evaluateCorrection(set, 'btag', { flavour: 4, pt: 10 })).toThrow(PhysicsInputError);
    // The same finite edges out of order are refused at the edge that breaks the order.
    const bad = JSON.parse(JSON.stringify(doc)) as typeof doc;
    (bad.corrections[0]?.data.content[0]?.value as { edges: unknown[] }).edges = ['-inf', 30, 20, 'inf'];
    expect(() => validateCorrectionSet(bad, { file: 'btag.json' })).toThrow(
      /^btag\.json: corrections\[0\]\.data\.content\[0\]\.value\.edges\[2\]: edges must be strictly increasing \(20 after 30\)$/,
    );
  });

  it('throws on out-of-range values with flow "error" and on bad inputs', () => {
    const set = validateCorrectionSet(
      JSON.parse(JSON.stringify(scaleFactorsToCorrectionSet(table(), { flow: 'error' }))),
    );
    expect(evaluateCorrection(set, 'electron-id-tight', { syst: 'nominal', pt: 49.9, abseta: 2.49 })).toBe(1.01);
    expect(() => evaluateCorrection(set, 'electron-id-tight', { syst: 'nominal', pt: 50, abseta: 1 })).toThrow(
      PhysicsInputError,
    );
    expect(() => evaluateCorrection(set, 'electron-id-tight', { syst: 'sideways', pt: 30, abseta: 1 })).toThrow(
      /sideways/,
    );
    expect(() => evaluateCorrection(set, 'electron-id-tight', { syst: 'nominal', pt: 30 })).toThrow(/abseta/);
    expect(() => evaluateCorrection(set, 'electron-id-tight', { syst: 'nominal', pt: Number.NaN, abseta: 1 })).toThrow(
      /NaN/,
    );
    expect(() => evaluateCorrection(set, 'other', { syst: 'nominal', pt: 30, abseta: 1 })).toThrow(/other/);
  });

  it('refuses to export a non-finite bin unless a fallback is given', () => {
    const t = table();
    (t.values[1] as number[])[2] = Number.NaN;
    expect(() => scaleFactorsToCorrectionSet(t)).toThrow(/pt \[20, 50\) GeV/);
    const set = scaleFactorsToCorrectionSet(t, { nonFiniteBins: { value: 1, uncertainty: 0.5 } });
    expect(evaluateCorrection(set, 'electron-id-tight', { syst: 'up', pt: 30, abseta: 2 })).toBe(1.5);
  });

  it('names the JSON path of each violation', () => {
    const good = () => JSON.parse(JSON.stringify(scaleFactorsToCorrectionSet(table())));
    const cases: [(d: ReturnType<typeof good>) => void, RegExp][] = [
      [(d) => (d.schema_version = 1), /^sf\.json: schema_version: must be 2/],
      [
        (d) => (d.corrections[0].data.content[1].value.edges[0][2] = 15),
        /corrections\[0\]\.data\.content\[1\]\.value\.edges\[0\]\[2\]: edges must be strictly increasing/,
      ],
      [
        (d) => d.corrections[0].data.content[2].value.content.pop(),
        /corrections\[0\]\.data\.content\[2\]\.value\.content: has 5 entries/,
      ],
      [
        (d) => (d.corrections[0].data.content[0].value.flow = 'wrapped'),
        /content\[0\]\.value\.flow: must be "clamp", "error", "wrap"/,
      ],
      [(d) => delete d.corrections[0].data.content[0].value.flow, /content\[0\]\.value\.flow: is missing/],
      [(d) => (d.corrections[0].data.content[1].key = 'nominal'), /content\[1\]\.key: duplicate key "nominal"/],
      [(d) => (d.corrections[0].output.type = 'int'), /corrections\[0\]\.output\.type/],
      [(d) => (d.corrections[0].data.content[0].value.inputs[1] = 'eta'), /inputs\[1\]: "eta" is not an input/],
      [
        (d) => (d.corrections[0].data.content[0].value.edges[1][0] = 'inf'),
        /edges\[1\]\[0\]: "inf" is allowed only as the last edge/,
      ],
      [
        (d) => (d.corrections[0].data.content[0].value.content[3] = 'x'),
        /content\[0\]\.value\.content\[3\]: must be an object/,
      ],
      [(d) => (d.corrections[0].extra = 1), /corrections\[0\]\.extra: unknown or unsupported key/],
      [
        (d) => (d.corrections[0].data.nodetype = 'lwtnn'),
        /corrections\[0\]\.data\.nodetype: unsupported node type "lwtnn"/,
      ],
      [(d) => d.corrections.push(d.corrections[0]), /corrections\[1\]\.name: duplicate correction name/],
      [(d) => (d.corrections[0].version = 1.5), /corrections\[0\]\.version: must be an integer/],
    ];
    for (const [mutate, message] of cases) {
      const d = good();
      mutate(d);
      expect(() => validateCorrectionSet(d, { file: 'sf.json' })).toThrow(message);
      expect(() => validateCorrectionSet(d, { file: 'sf.json' })).toThrow(DataFormatError);
    }
  });
});
