/**
 * Issue 22: the reader accepts every construct of correctionlib schema v2 as correctionlib writes
 * it, and evaluates it as correctionlib's C++ evaluator does (`src/correction.cc`,
 * `src/formula_ast.cc`). The documents are hand-written to `schemav2.py`; expected values are worked
 * out from the spec in the comments.
 */
import { describe, expect, it } from 'vitest';
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import { evaluateCorrection } from './evaluate.ts';
import { validateCorrectionSet } from './validate.ts';

const real = (name: string) => ({ name, type: 'real', description: null });
const int = (name: string) => ({ name, type: 'int', description: null });
const str = (name: string) => ({ name, type: 'string', description: null });
const weight = { name: 'weight', type: 'real', description: null };

function correction(name: string, inputs: object[], data: unknown, extra: object = {}) {
  return { name, description: null, version: 1, inputs, output: weight, generic_formulas: null, data, ...extra };
}

function set(corrections: object[], extra: object = {}) {
  return validateCorrectionSet(
    JSON.parse(
      JSON.stringify({
        $schema:
          'https://cms-nanoaod.github.io/correctionlib/_downloads/87e1187fe70c7ee30d50bbacaa2b2cb5/schemav2.json',
        schema_version: 2,
        description: null,
        corrections,
        compound_corrections: null,
        ...extra,
      }),
    ),
    { file: 'issue-22.json' },
  );
}

describe('issue 22: correctionlib files as correctionlib ≥ 2.8 writes them', () => {
  it('accepts $schema, null compound_corrections and generic_formulas, "+inf" edges and flow "wrap"', () => {
    const s = set([
      correction('phi', [real('phi')], {
        nodetype: 'binning',
        input: 'phi',
        edges: [0, 1, 2, 4],
        content: [10, 20, 30],
        flow: 'wrap',
      }),
      correction('open', [real('x')], {
        nodetype: 'binning',
        input: 'x',
        edges: ['-inf', 0, '+inf'],
        content: [1, 2],
        flow: 'error',
      }),
    ]);
    const phi = (x: number) => evaluateCorrection(s, 'phi', { phi: x });
    // wrap: x → low + frac((x − low)/(high − low))·(high − low) with low 0, high 4.
    expect([0.5, 4.5, 5.5, -0.5, -3.5, 8, 3.99].map(phi)).toEqual([10, 10, 20, 30, 10, 10, 30]);
    expect(evaluateCorrection(s, 'open', { x: 1e300 })).toBe(2);
    expect(evaluateCorrection(s, 'open', { x: -1e300 })).toBe(1);
    // A period needs finite ends.
    const openWrap = { nodetype: 'binning', input: 'x', edges: [0, 1, '+inf'], content: [1, 2], flow: 'wrap' };
    expect(() => set([correction('w', [real('x')], openWrap)])).toThrow(
      /corrections\[0\]\.data\.flow: "wrap" needs finite first and last edges/,
    );
  });
});

describe('issue 22: binning flows and uniform edges', () => {
  const s = set([
    correction('flows', [str('flow'), real('x')], {
      nodetype: 'category',
      input: 'flow',
      content: [
        { key: 'clamp', value: { nodetype: 'binning', input: 'x', edges: [0, 1, 2], content: [1, 2], flow: 'clamp' } },
        { key: 'error', value: { nodetype: 'binning', input: 'x', edges: [0, 1, 2], content: [1, 2], flow: 'error' } },
        { key: 'value', value: { nodetype: 'binning', input: 'x', edges: [0, 1, 2], content: [1, 2], flow: -1 } },
        {
          key: 'uniform',
          value: {
            nodetype: 'binning',
            input: 'x',
            edges: { n: 4, low: 0, high: 2 },
            content: [1, 2, 3, 4],
            flow: 'clamp',
          },
        },
        {
          key: 'uniform-wrap',
          value: {
            nodetype: 'binning',
            input: 'x',
            edges: { n: 4, low: 0, high: 2 },
            content: [1, 2, 3, 4],
            flow: 'wrap',
          },
        },
      ],
      default: 0,
    }),
  ]);
  const at = (flow: string, x: number) => evaluateCorrection(s, 'flows', { flow, x });

  it('clamps, throws, evaluates the flow node, wraps, bins uniformly and falls back to default', () => {
    expect([-5, 0, 1, 1.99, 2, 7].map((x) => at('clamp', x))).toEqual([1, 1, 2, 2, 2, 2]);
    expect(() => at('error', 2)).toThrow(PhysicsInputError);
    expect(() => at('error', -0.1)).toThrow(/outside the binning/);
    expect([-0.1, 0.5, 2].map((x) => at('value', x))).toEqual([-1, 1, -1]);
    // uniform: bin = ⌊n·(x − low)/(high − low)⌋; 0.5 is the lower edge of bin 1.
    expect([0, 0.49, 0.5, 1.75, 2, -3].map((x) => at('uniform', x))).toEqual([1, 1, 2, 4, 4, 1]);
    // wrapped uniform: 2.25 → 0.25 (bin 0), −0.25 → 1.75 (bin 3).
    expect([2.25, -0.25, 4.6].map((x) => at('uniform-wrap', x))).toEqual([1, 4, 2]);
    expect(at('nothing', 0.5)).toBe(0);
  });
});

describe('issue 22: multibinning and category keys', () => {
  it('indexes content in C order over uniform and variable axes; int and string keys', () => {
    const s = set([
      correction('mb', [real('pt'), real('eta'), int('run')], {
        nodetype: 'category',
        input: 'run',
        content: [
          {
            key: 2018,
            value: {
              nodetype: 'multibinning',
              inputs: ['pt', 'eta'],
              edges: [[20, 50, '+inf'], { n: 3, low: -1.5, high: 1.5 }],
              // content[3·i_pt + i_eta]
              content: [11, 12, 13, 21, 22, 23],
              flow: 'clamp',
            },
          },
        ],
        default: { nodetype: 'category', input: 'run', content: [], default: 0.5 },
      }),
    ]);
    const at = (pt: number, eta: number, run: number) => evaluateCorrection(s, 'mb', { pt, eta, run });
    expect(at(30, -1, 2018)).toBe(11);
    expect(at(30, 0, 2018)).toBe(12);
    expect(at(60, 1.2, 2018)).toBe(23);
    expect(at(1e5, -9, 2018)).toBe(21);
    expect(at(5, 9, 2018)).toBe(13);
    expect(at(30, 0, 2017)).toBe(0.5);
  });
});

describe('issue 22: formulas (TFormula expressions)', () => {
  const formula = (expression: string, variables: string[], parameters?: number[]) => ({
    nodetype: 'formula',
    expression,
    parser: 'TFormula',
    variables,
    ...(parameters ? { parameters } : {}),
  });
  const s = set([
    correction(
      'f',
      [str('which'), real('pt'), real('eta'), int('n')],
      {
        nodetype: 'category',
        input: 'which',
        content: [
          // [0] + [1]·ln(x) + y² with x = pt, y = eta.
          { key: 'poly', value: formula('[0] + [1]*log(x) + y^2', ['pt', 'eta'], [1.5, 0.25]) },
          { key: 'pow', value: formula('2^3^2', []) },
          { key: 'sub', value: formula('x - 1 - 1', ['pt']) },
          { key: 'div', value: formula('x/2/2', ['pt']) },
          { key: 'cmp', value: formula('(x > 30)*2 + (x <= 30)*3 + (y == 0) + (x >= 30 && y != 1)', ['pt', 'eta']) },
          { key: 'funcs', value: formula('max(x, y) + min(x, y) + atan2(1, 1)*4 + abs(-2) + sqrt(16)', ['pt', 'eta']) },
          { key: 'xindex', value: formula('x[0]*x[2] + 1e-1 + 2.5e1', ['pt', 'eta', 'n']) },
          { key: 'unary', value: formula('-x + -(y) - -1 + exp(0) + erf(0) + 10^-1', ['pt', 'eta']) },
          { key: 'ref', value: { nodetype: 'formularef', index: 0, parameters: [2, 3] } },
          { key: 'ref1', value: { nodetype: 'formularef', index: 0, parameters: [-1, 0.5] } },
        ],
      },
      { generic_formulas: [formula('[0] + [1]*x', ['pt'])] },
    ),
  ]);
  const at = (which: string, pt: number, eta = 0, n = 0) => evaluateCorrection(s, 'f', { which, pt, eta, n });

  it('evaluates parameters, variables, operators with TFormula precedence, and functions', () => {
    expect(at('poly', Math.E ** 2, 3)).toBeCloseTo(1.5 + 0.25 * 2 + 9, 12);
    expect(at('pow', 0)).toBe(512);
    expect(at('sub', 10)).toBe(8);
    expect(at('div', 10)).toBe(2.5);
    // pt 40, eta 0: 2 + 0 + 1 + 1 = 4; pt 20, eta 1: 0 + 3 + 0 + 0 = 3.
    expect(at('cmp', 40, 0)).toBe(4);
    expect(at('cmp', 20, 1)).toBe(3);
    expect(at('funcs', 3, 5)).toBeCloseTo(5 + 3 + Math.PI + 2 + 4, 12);
    expect(at('xindex', 3, 0, 7)).toBeCloseTo(21.1 + 25, 12);
    expect(at('unary', 2, 3)).toBeCloseTo(-2 - 3 + 1 + 1 + 0 + 0.1, 12);
    expect(at('ref', 10)).toBe(32);
    expect(at('ref1', 10)).toBe(4);
  });

  it('refuses malformed formulas at validation, naming the path', () => {
    const bad =
      (data: unknown, extra: object = {}) =>
      () =>
        set([correction('g', [real('pt')], data, extra)]);
    expect(bad(formula('[0] + * x', ['pt'], [1]))).toThrow(/^issue-22\.json: corrections\[0\]\.data\.expression: /);
    expect(bad(formula('x + y', ['pt']))).toThrow(/corrections\[0\]\.data\.expression: .*variable y/);
    expect(bad(formula('[1]*x', ['pt'], [1]))).toThrow(/corrections\[0\]\.data\.expression: .*parameter \[1\]/);
    expect(bad(formula('foo(x)', ['pt']))).toThrow(DataFormatError);
    expect(bad(formula('x', ['eta']))).toThrow(/corrections\[0\]\.data\.variables\[0\]: "eta" is not an input/);
    expect(bad({ nodetype: 'formularef', index: 0, parameters: [1] })).toThrow(
      /corrections\[0\]\.data\.index: .*generic_formulas/,
    );
    expect(bad({ nodetype: 'lwtnn', opaque: {}, finalizer: {} })).toThrow(/corrections\[0\]\.data\.nodetype: .*lwtnn/);
  });
});

describe('issue 22: transform', () => {
  it('rewrites a real input and rounds a rewritten int input, for the subtree only', () => {
    const s = set([
      correction('t', [real('pt'), int('n')], {
        nodetype: 'transform',
        input: 'pt',
        rule: { nodetype: 'formula', expression: 'min(x, 100)', parser: 'TFormula', variables: ['pt'] },
        content: {
          nodetype: 'transform',
          input: 'n',
          rule: { nodetype: 'formula', expression: 'x/2', parser: 'TFormula', variables: ['n'] },
          content: {
            nodetype: 'formula',
            expression: 'x + 1000*y',
            parser: 'TFormula',
            variables: ['pt', 'n'],
          },
        },
      }),
    ]);
    // pt 250 → 100; n 5 → round(2.5) = 3 (std::round: half away from zero).
    expect(evaluateCorrection(s, 't', { pt: 250, n: 5 })).toBe(3100);
    expect(evaluateCorrection(s, 't', { pt: 42, n: -5 })).toBe(42 - 3000);
  });
});

describe('issue 22: hashprng', () => {
  // Golden values: correctionlib's HashPRNG::evaluate (src/correction.cc) compiled with g++/libstdc++
  // against the xxHash and pcg-cpp headers it bundles: XXH64 (seed 0) of the inputs as 64-bit words
  // (int64 as is, doubles by their bit pattern) seeds a pcg32_oneseq, then the distribution draws.
  const s = set([
    correction('rng', [str('dist'), int('event'), real('pt'), real('eta')], {
      nodetype: 'category',
      input: 'dist',
      content: ['stdflat', 'stdnormal', 'normal'].map((d) => ({
        key: d,
        value: {
          nodetype: 'category',
          input: 'event',
          content: [{ key: -1, value: { nodetype: 'hashprng', inputs: ['pt', 'eta'], distribution: d } }],
          default: { nodetype: 'hashprng', inputs: ['event'], distribution: d },
        },
      })),
    }),
  ]);
  const at = (dist: string, event: number, pt = 0, eta = 0) => evaluateCorrection(s, 'rng', { dist, event, pt, eta });

  it('reproduces correctionlib bit for bit', () => {
    expect([0, 1, 2, 3, 12345].map((e) => at('stdflat', e))).toEqual([
      0.85989147449632253, 0.051967288308180641, 0.63144185387076024, 0.81841868029720011, 0.26884021982536094,
    ]);
    expect([0, 1, 2, 3, 12345].map((e) => at('stdnormal', e))).toEqual([
      -0.29937078295431185, -0.38900413080945317, 0.77732373548113909, -0.39806855107870071, -0.86602333965868439,
    ]);
    expect([0, 1, 2, 3, 12345].map((e) => at('normal', e))).toEqual([
      -0.40966801654071239, -1.4494256619948833, 1.4339725959619045, -0.55856926598336354, -3.0670046837404827,
    ]);
    expect(at('stdflat', -1, 25, -1.2)).toBe(0.21370008006569974);
    expect(at('stdnormal', -1, 25, -1.2)).toBe(-0.67762927056521938);
    expect(at('normal', -1, 25, -1.2)).toBe(1.0690691036196283);
  });
});

describe('issue 22: compound corrections', () => {
  const scale = correction('scale', [real('pt')], {
    nodetype: 'binning',
    input: 'pt',
    edges: [0, 50, '+inf'],
    content: [1.1, 1.02],
    flow: 'clamp',
  });
  const sf = correction('sf', [real('pt'), real('eta')], {
    nodetype: 'multibinning',
    inputs: ['pt', 'eta'],
    edges: [
      [0, 50, '+inf'],
      [-5, 5],
    ],
    content: [0.9, 0.8],
    flow: 'clamp',
  });
  const compound = (name: string, input_op: string, output_op: string, stack = ['scale', 'scale', 'sf']) => ({
    name,
    description: null,
    inputs: [real('pt'), real('eta')],
    output: weight,
    inputs_update: ['pt'],
    input_op,
    output_op,
    stack,
  });
  const s = set([scale, sf], {
    compound_corrections: [
      compound('times', '*', '*'),
      compound('last', '*', 'last'),
      compound('plus', '+', '+', ['scale', 'sf']),
      compound('divide', '/', '/', ['scale', 'sf']),
    ],
  });

  it('updates the inputs between steps and accumulates the outputs', () => {
    // 46 → ×1.1 = 50.6 → ×1.02 = 51.612 (≥ 50, so sf = 0.8): out = 1.1·1.02·0.8.
    expect(evaluateCorrection(s, 'times', { pt: 46, eta: 0 })).toBeCloseTo(1.1 * 1.02 * 0.8, 12);
    expect(evaluateCorrection(s, 'last', { pt: 46, eta: 0 })).toBe(0.8);
    // 40 + 1.1 = 41.1 < 50 → 0.9; out = 1.1 + 0.9.
    expect(evaluateCorrection(s, 'plus', { pt: 40, eta: 0 })).toBeCloseTo(2.0, 12);
    // 55 / 1.02 = 53.9 ≥ 50 → 0.8; out = 1.02 / 0.8.
    expect(evaluateCorrection(s, 'divide', { pt: 55, eta: 0 })).toBeCloseTo(1.02 / 0.8, 12);
    expect(() => evaluateCorrection(s, 'times', { pt: 46 })).toThrow(/eta/);
  });

  it('refuses a stack naming an unknown correction or an input the compound does not have', () => {
    expect(() => set([scale], { compound_corrections: [compound('c', '*', '*', ['scale', 'nope'])] })).toThrow(
      /compound_corrections\[0\]\.stack\[1\]: .*"nope"/,
    );
    const c = { ...compound('c', '*', '*', ['scale']), inputs: [real('eta')], inputs_update: [] };
    expect(() => set([scale], { compound_corrections: [c] })).toThrow(/compound_corrections\[0\]\.stack\[0\]: .*pt/);
  });
});
