import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionColumnError, ExpressionSyntaxError, parseExpression } from './expression.ts';

const one = (source: string, columns: Record<string, ArrayLike<number> | string[]> = {}): number =>
  compileExpression(source).evaluate(columns, 1)[0] as number;

describe('expression parser', () => {
  it('follows the stated precedence and associativity', () => {
    expect(one('1 + 2 * 3')).toBe(7);
    expect(one('(1 + 2) * 3')).toBe(9);
    expect(one('2 ** 3 ** 2')).toBe(512);
    expect(one('-2 ** 2')).toBe(-4);
    expect(one('2 ** -1')).toBe(0.5);
    expect(one('10 - 4 - 3')).toBe(3);
    expect(one('64 / 4 / 2')).toBe(8);
    expect(one('-7 % 3')).toBe(-1);
    expect(one('1 + 1 > 1')).toBe(1);
    expect(one('1 || 0 && 0')).toBe(1);
    expect(one('(1 || 0) && 0')).toBe(0);
    expect(one('not 2 > 3')).toBe(1);
    expect(one('!2 > -1')).toBe(1);
    expect(one('!(2 > -1)')).toBe(0);
    expect(one('1 and not 0 or 0')).toBe(1);
    expect(one('true + true')).toBe(2);
    expect(one('.5e1 + 1.5E-1')).toBeCloseTo(5.15, 15);
  });

  it('evaluates functions', () => {
    expect(one('abs(-3) + sqrt(16) + exp(0) + log(1) + log10(1000)')).toBe(11);
    expect(one('atan2(1, 1)')).toBeCloseTo(Math.PI / 4, 15);
    expect(one('min(3, 1, 2) + max(3, 1, 2)')).toBe(4);
    expect(one('hypot(3, 4)')).toBe(5);
    expect(one('cosh(0) + sinh(0) + tanh(0) + cos(0) + sin(0) + tan(0)')).toBe(2);
    expect(one('pow(2, 10) + floor(1.5) + ceil(1.5) + round(2.5)')).toBe(1024 + 1 + 2 + 3);
  });

  it('reads columns, padded names with an index and text columns against text', () => {
    const cols = {
      Muon_pt: Float32Array.from([25, 10, 40]),
      Muon_eta: Float64Array.from([0.5, -1, -2.6]),
      Muon_tightId: Int32Array.from([1, 1, 0]),
      'Jet_pt[0]': Float64Array.from([50, Number.NaN, 30]),
      type: ['EB', 'EE', 'EB'],
    };
    const sel = compileExpression('Muon_pt > 20 && abs(Muon_eta) < 2.4 && Muon_tightId');
    expect(sel.columns).toEqual(['Muon_pt', 'Muon_eta', 'Muon_tightId']);
    expect(Array.from(sel.evaluate(cols, 3))).toEqual([1, 0, 0]);
    expect(Array.from(compileExpression('Jet_pt[ 0 ] > 40').select(cols, 3))).toEqual([0]);
    expect(Array.from(compileExpression('Jet_pt[0]').select(cols, 3))).toEqual([0, 2]);
    expect(Array.from(compileExpression('type == "EB" and Muon_pt > 30').select(cols, 3))).toEqual([2]);
    expect(Array.from(compileExpression("'EE' != type").evaluate(cols, 3))).toEqual([1, 0, 1]);
  });

  it('treats NaN as false and short-circuits', () => {
    expect(one('x || 0', { x: [Number.NaN] })).toBe(0);
    expect(one('!x', { x: [Number.NaN] })).toBe(1);
    expect(one('x > 0', { x: [Number.NaN] })).toBe(0);
  });

  it('names the position of a syntax error with a caret', () => {
    const cases: [string, number, RegExp][] = [
      ['Muon_pt > ', 10, /expected a value, found the end/],
      ['Muon_pt >> 20', 9, /expected a value, found ">"/],
      ['(a + b', 6, /expected "\)"/],
      ['a ^ 2', 2, /write powers as "\*\*"/],
      ['a = 2', 2, /compare with "=="/],
      ['a & b', 2, /write "&&"/],
      ['a < b < c', 6, /do not chain/],
      ['foo(1)', 0, /unknown function "foo"/],
      ['atan2(1)', 0, /atan2 takes 2 arguments, got 1/],
      ['a b', 2, /unexpected "b"/],
      ['1e+', 1, /malformed exponent/],
      ['"abc', 0, /unterminated/],
      ['Jet_pt[x]', 7, /non-negative integer index/],
      ['a $ b', 2, /unexpected character "\$"/],
    ];
    for (const [source, position, message] of cases) {
      let error: unknown;
      try {
        parseExpression(source);
      } catch (e) {
        error = e;
      }
      expect(error, source).toBeInstanceOf(ExpressionSyntaxError);
      const e = error as ExpressionSyntaxError;
      expect(e.position, source).toBe(position);
      expect(e.message, source).toMatch(message);
      expect(e.message.split('\n')[2], source).toBe(`  ${' '.repeat(position)}^`);
    }
  });

  it('names an unknown column, with the closest known one', () => {
    expect(() => compileExpression('Muon_ptt > 20', ['Muon_pt', 'Muon_eta'])).toThrow(
      /unknown column Muon_ptt in "Muon_ptt > 20" \(did you mean Muon_pt\?\)/,
    );
    const e = compileExpression('nope + 1');
    expect(() => e.evaluate({ a: [1] }, 1)).toThrow(ExpressionColumnError);
    expect(() => e.evaluate({ a: [1] }, 1)).toThrow(/unknown column nope/);
    expect(() => compileExpression('type > 1').evaluate({ type: ['EB'] }, 1)).toThrow(/column type holds text/);
    expect(() => compileExpression('x == "EB"').evaluate({ x: [1] }, 1)).toThrow(/x compared with text/);
    expect(() => compileExpression('x + 1').evaluate({ x: [1] }, 2)).toThrow(/column x has 1 rows, fewer than 2/);
  });

  // A random expression as fully parenthesised source text with its value computed directly in JS.
  type Gen = { src: string; f: (x: number, y: number) => number };
  const t = (b: boolean) => (b ? 1 : 0);
  const truthy = (v: number) => v !== 0 && !Number.isNaN(v);
  const { expr } = fc.letrec<{ expr: Gen; leaf: Gen; node: Gen }>((tie) => ({
    leaf: fc.oneof(
      fc.constant({ src: 'x', f: (x: number) => x }),
      fc.constant({ src: 'y', f: (_: number, y: number) => y }),
      fc.integer({ min: 0, max: 9 }).map((v) => ({ src: String(v), f: () => v })),
    ),
    node: fc.oneof(
      fc
        .tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '<', '>=', '==', '&&', '||', 'and', 'or'), tie('expr'))
        .map(([a, op, b]) => {
          const ops: Record<string, (p: number, q: number) => number> = {
            '+': (p, q) => p + q,
            '-': (p, q) => p - q,
            '*': (p, q) => p * q,
            '/': (p, q) => p / q,
            '<': (p, q) => t(p < q),
            '>=': (p, q) => t(p >= q),
            '==': (p, q) => t(p === q),
            '&&': (p, q) => t(truthy(p) && truthy(q)),
            '||': (p, q) => t(truthy(p) || truthy(q)),
            and: (p, q) => t(truthy(p) && truthy(q)),
            or: (p, q) => t(truthy(p) || truthy(q)),
          };
          const g = ops[op] as (p: number, q: number) => number;
          return { src: `(${a.src} ${op} ${b.src})`, f: (x: number, y: number) => g(a.f(x, y), b.f(x, y)) };
        }),
      tie('expr').map((a) => ({ src: `-(${a.src})`, f: (x: number, y: number) => -a.f(x, y) })),
      tie('expr').map((a) => ({ src: `!${a.src}`, f: (x: number, y: number) => t(!truthy(a.f(x, y))) })),
      tie('expr').map((a) => ({ src: `abs(${a.src})`, f: (x: number, y: number) => Math.abs(a.f(x, y)) })),
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => ({
        src: `max(${a.src}, ${b.src})`,
        f: (x: number, y: number) => Math.max(a.f(x, y), b.f(x, y)),
      })),
    ),
    expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('node')),
  }));

  it('property: compiled expressions agree with a direct evaluation', () => {
    fc.assert(
      fc.property(
        expr,
        fc.array(fc.tuple(fc.double({ noNaN: false }), fc.double()), { minLength: 1, maxLength: 8 }),
        (g, rows) => {
          const x = Float64Array.from(rows, (r) => r[0]);
          const y = Float64Array.from(rows, (r) => r[1]);
          const got = compileExpression(g.src).evaluate({ x, y }, rows.length);
          for (let i = 0; i < rows.length; i++)
            expect(
              Object.is(got[i], g.f(x[i] as number, y[i] as number)) || got[i] === g.f(x[i] as number, y[i] as number),
            ).toBe(true);
        },
      ),
      { seed: 18, numRuns: 300 },
    );
  });

  it('property: any text either parses or throws a syntax error at a position inside it', () => {
    const alphabet = fc.constantFrom(...'ab1.e+-*/()<>=!&|, ^"x_[]'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 20 }).map((cs) => cs.join('')),
        (source) => {
          try {
            parseExpression(source);
          } catch (e) {
            expect(e).toBeInstanceOf(ExpressionSyntaxError);
            const pos = (e as ExpressionSyntaxError).position;
            expect(pos >= 0 && pos <= source.length).toBe(true);
          }
        },
      ),
      { seed: 18, numRuns: 2000 },
    );
  });
});
