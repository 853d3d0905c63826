/**
 * A small, safe parser of correctionlib's TFormula-like expressions (`parser: "TFormula"`), built
 * to the PEG grammar of correctionlib's `src/formula_ast.cc`; it compiles to closures, never `eval`.
 *
 * Grammar (whitespace is spaces and tabs):
 * - literal `-?[0-9]+(\.[0-9]*)?(e-?[0-9]+)?` (a leading `-` followed by a digit belongs to it);
 * - variables `x`, `y`, `z`, `t` (the 1st … 4th entry of `variables`) and `x[i]` (the i-th, from 0);
 * - parameters `[i]`;
 * - unary minus, which binds tighter than every binary operator (so `-x^2` is `(-x)^2`, as in
 *   correctionlib);
 * - functions of one argument `log log10 exp erf sqrt abs cos sin tan acos asin atan cosh sinh tanh
 *   acosh asinh atanh` and of two `atan2 pow max min`;
 * - binary operators by increasing precedence `||`, `&&`, `== !=`, `> < >= <=`, `- +`, `/ *`
 *   (all left-associative) and `^` (power, right-associative). Comparisons and logic give 1 or 0.
 */
import { erf } from '../stats/special.ts';

/** A compiled formula: the value for the variable values and parameters given. */
export type FormulaFunction = (variables: readonly number[], parameters: readonly number[]) => number;

/** A parsed expression with the highest variable and parameter index it uses (−1 for none). */
export interface ParsedFormula {
  evaluate: FormulaFunction;
  maxVariable: number;
  maxParameter: number;
}

/** A syntax error in an expression, with the 0-based character position. */
export class FormulaSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FormulaSyntaxError';
  }
}

const UNARY: Readonly<Record<string, (a: number) => number>> = {
  log: Math.log,
  log10: Math.log10,
  exp: Math.exp,
  erf,
  sqrt: Math.sqrt,
  abs: Math.abs,
  cos: Math.cos,
  sin: Math.sin,
  tan: Math.tan,
  acos: Math.acos,
  asin: Math.asin,
  atan: Math.atan,
  cosh: Math.cosh,
  sinh: Math.sinh,
  tanh: Math.tanh,
  acosh: Math.acosh,
  asinh: Math.asinh,
  atanh: Math.atanh,
};

// std::max/std::min: max(a, b) is a unless a < b, which differs from Math.max only for NaN.
const BINARY_FUNCTIONS: Readonly<Record<string, (a: number, b: number) => number>> = {
  atan2: Math.atan2,
  pow: Math.pow,
  // biome-ignore lint/complexity/useMathMinMax: std::max(a, b) returns a when either is NaN, Math.max NaN.
  max: (a, b) => (a < b ? b : a),
  // biome-ignore lint/complexity/useMathMinMax: as std::min, for NaN arguments.
  min: (a, b) => (b < a ? b : a),
};

const truth = (b: boolean) => (b ? 1 : 0);

/** Binary operators: precedence (higher binds tighter) and operation. */
const OPERATORS: Readonly<Record<string, { precedence: number; apply: (a: number, b: number) => number }>> = {
  '||': { precedence: 1, apply: (a, b) => truth(a !== 0 || b !== 0) },
  '&&': { precedence: 2, apply: (a, b) => truth(a !== 0 && b !== 0) },
  '==': { precedence: 3, apply: (a, b) => truth(a === b) },
  '!=': { precedence: 3, apply: (a, b) => truth(a !== b) },
  '>': { precedence: 4, apply: (a, b) => truth(a > b) },
  '<': { precedence: 4, apply: (a, b) => truth(a < b) },
  '>=': { precedence: 4, apply: (a, b) => truth(a >= b) },
  '<=': { precedence: 4, apply: (a, b) => truth(a <= b) },
  '-': { precedence: 5, apply: (a, b) => a - b },
  '+': { precedence: 5, apply: (a, b) => a + b },
  '/': { precedence: 6, apply: (a, b) => a / b },
  '*': { precedence: 6, apply: (a, b) => a * b },
  '^': { precedence: 7, apply: Math.pow },
};
const POWER_PRECEDENCE = 7;

/**
 * Parses a TFormula expression (see the module comment). Throws {@link FormulaSyntaxError} with
 * the position of the first character that does not fit the grammar, or an unknown function.
 */
export function parseFormula(expression: string): ParsedFormula {
  let pos = 0;
  let maxVariable = -1;
  let maxParameter = -1;
  const fail = (message: string): never => {
    throw new FormulaSyntaxError(`${message} at position ${pos} of "${expression}"`, pos);
  };
  const skip = () => {
    while (expression[pos] === ' ' || expression[pos] === '\t') pos++;
  };
  const digits = () => {
    const start = pos;
    while (pos < expression.length && expression[pos] !== undefined && /[0-9]/.test(expression[pos] as string)) pos++;
    return expression.slice(start, pos);
  };
  const expect = (c: string) => {
    skip();
    if (expression[pos] !== c) fail(`expected "${c}"`);
    pos++;
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

  const binaryOperator = (): string | undefined => {
    skip();
    const two = expression.slice(pos, pos + 2);
    if (two in OPERATORS) return two;
    const one = expression[pos];
    return one !== undefined && one in OPERATORS ? one : undefined;
  };

  const literal = (): FormulaFunction => {
    const start = pos;
    if (expression[pos] === '-') pos++;
    digits();
    if (expression[pos] === '.') {
      pos++;
      digits();
    }
    if (expression[pos] === 'e') {
      const save = pos;
      pos++;
      if (expression[pos] === '-') pos++;
      if (digits() === '') pos = save;
    }
    const value = Number(expression.slice(start, pos));
    return () => value;
  };

  const primary = (): FormulaFunction => {
    skip();
    const c = expression[pos];
    if (c === '(') {
      pos++;
      const inner = parseExpression(1);
      expect(')');
      return inner;
    }
    if (c === '[') {
      pos++;
      const index = digits();
      if (index === '') fail('expected a parameter index');
      expect(']');
      const i = Number(index);
      maxParameter = Math.max(maxParameter, i);
      return (_v, p) => p[i] as number;
    }
    const name = /^[a-z][a-z0-9]*/.exec(expression.slice(pos))?.[0];
    if (name === undefined) return fail('expected a number, variable, parameter, function or "("');
    const start = pos;
    pos += name.length;
    skip();
    if (expression[pos] === '(') {
      pos++;
      const unary = UNARY[name];
      const binary = BINARY_FUNCTIONS[name];
      if (unary) {
        const a = parseExpression(1);
        expect(')');
        return (v, p) => unary(a(v, p));
      }
      if (binary) {
        const a = parseExpression(1);
        expect(',');
        const b = parseExpression(1);
        expect(')');
        return (v, p) => binary(a(v, p), b(v, p));
      }
      pos = start;
      return fail(`unknown function "${name}"`);
    }
    let index: number;
    if (name === 'x' && expression[pos] === '[') {
      pos++;
      const i = digits();
      if (i === '') fail('expected a variable index');
      expect(']');
      index = Number(i);
    } else {
      index = ['x', 'y', 'z', 't'].indexOf(name);
      if (index < 0 || name.length !== 1) {
        pos = start;
        return fail(`unknown name "${name}" (variables are x, y, z, t, x[i])`);
      }
    }
    maxVariable = Math.max(maxVariable, index);
    return (v) => v[index] as number;
  };

  const atom = (): FormulaFunction => {
    skip();
    if (expression[pos] === '-') {
      if (isDigit(expression[pos + 1])) return literal();
      pos++;
      const operand = primary();
      return (v, p) => -operand(v, p);
    }
    if (isDigit(expression[pos])) return literal();
    return primary();
  };

  // Precedence climbing: operators of precedence ≥ minPrecedence extend the left operand.
  const parseExpression = (minPrecedence: number): FormulaFunction => {
    let left = atom();
    for (;;) {
      const op = binaryOperator();
      if (op === undefined) return left;
      const spec = OPERATORS[op];
      if (spec === undefined || spec.precedence < minPrecedence) return left;
      pos += op.length;
      const right = parseExpression(spec.precedence === POWER_PRECEDENCE ? spec.precedence : spec.precedence + 1);
      const a = left;
      const apply = spec.apply;
      left = (v, p) => apply(a(v, p), right(v, p));
    }
  };

  const evaluate = parseExpression(1);
  skip();
  if (pos < expression.length) fail('unexpected character');
  return { evaluate, maxVariable, maxParameter };
}
