/**
 * A small, safe parser of selections and derived inputs over named columns
 * (`Muon_pt > 20 && abs(Muon_eta) < 2.4 && Muon_tightId`, `sqrt(MET_px**2 + MET_py**2)`), in the
 * spirit of ROOT's TTreeFormula and numexpr. It compiles to closures over the column arrays, never
 * `eval` or `Function`. (correctionlib's formulas have their own grammar — variables `x y z t`,
 * `^` for powers, unary minus binding tighter than `^` — in `correctionlib/formula.ts`; this one
 * names columns and follows Python for `**`.)
 *
 * Grammar, by increasing precedence (binary operators left-associative unless said):
 * 1. `||` or `or`
 * 2. `&&` or `and`
 * 3. `not` (prefix, as Python: `not x > 1` is `not (x > 1)`)
 * 4. comparisons `== != < <= > >=` (no chaining: `a < b < c` is a syntax error)
 * 5. `+ -`
 * 6. `* / %` (`%` is the C remainder, the sign of the dividend)
 * 7. prefix `-`, `+` and `!` (as C: `!x > 1` is `(!x) > 1`)
 * 8. `**` (power, right-associative, binds tighter than a unary minus on its left: `-x**2` is
 *    `-(x**2)`, `2**-1` is 0.5, as in Python)
 * 9. numbers (`3`, `2.5`, `.5`, `1e-3`), `true`/`false`, `"text"` or `'text'` (only beside `==`/`!=`
 *    with a text column), column names `[A-Za-z_][A-Za-z0-9_.]*` optionally followed by `[k]`
 *    (`Jet_pt[0]`: the name of a padded column), function calls and parentheses.
 *
 * Functions: `abs sqrt exp log log10 sin cos tan asin acos atan sinh cosh tanh floor ceil round`
 * (one argument), `atan2(y, x)`, `pow(x, y)`, `min max` (two or more), `hypot` (one or more);
 * angles in radians. `^` is refused with a pointer to `**` (ROOT's TFormula powers, numexpr's xor:
 * too ambiguous to guess).
 *
 * Truth: comparisons and logic give 1 or 0; a value is true when it is neither 0 nor NaN, so a
 * missing object padded with NaN passes no cut on itself (`Jet_btag[3]` and `Jet_pt[3] > 20` are
 * false). Logic short-circuits per row.
 */
import { FieldError } from '../errors.ts';
import { type Dataset, type DatasetColumn, selectRows } from './dataset.ts';

/** A syntax error: the message ends with the expression and a caret under `position` (0-based). */
export class ExpressionSyntaxError extends FieldError {
  override name = 'ExpressionSyntaxError';
  readonly position: number;
  readonly expression: string;
  constructor(message: string, expression: string, position: number) {
    super(`${message} at position ${position}\n  ${expression}\n  ${' '.repeat(position)}^`, { field: 'expression' });
    this.expression = expression;
    this.position = position;
  }
}

/** A column the expression names that the table lacks, or one of the wrong kind (text where a number is needed). */
export class ExpressionColumnError extends FieldError {
  override name = 'ExpressionColumnError';
  readonly column: string;
  constructor(message: string, column: string) {
    super(message, { field: column });
    this.column = column;
  }
}

/** The syntax tree of an expression. `position` is where the node starts in the source. */
export type ExpressionNode =
  | { kind: 'number'; value: number; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'column'; name: string; position: number }
  | { kind: 'unary'; op: '-' | '+' | '!' | 'not'; operand: ExpressionNode; position: number }
  | { kind: 'binary'; op: BinaryOperator; left: ExpressionNode; right: ExpressionNode; position: number }
  | { kind: 'call'; name: string; args: ExpressionNode[]; position: number };

type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '**';

type Token =
  | { type: 'number'; value: number; position: number; text: string }
  | { type: 'string'; value: string; position: number; text: string }
  | { type: 'name'; value: string; position: number; text: string }
  | { type: 'op'; value: string; position: number; text: string }
  | { type: 'end'; position: number; text: string };

/** Functions by name: arity bounds and the operation. */
const FUNCTIONS: Readonly<Record<string, { min: number; max: number; apply: (args: number[]) => number }>> = {
  abs: { min: 1, max: 1, apply: (a) => Math.abs(a[0] as number) },
  sqrt: { min: 1, max: 1, apply: (a) => Math.sqrt(a[0] as number) },
  exp: { min: 1, max: 1, apply: (a) => Math.exp(a[0] as number) },
  log: { min: 1, max: 1, apply: (a) => Math.log(a[0] as number) },
  log10: { min: 1, max: 1, apply: (a) => Math.log10(a[0] as number) },
  sin: { min: 1, max: 1, apply: (a) => Math.sin(a[0] as number) },
  cos: { min: 1, max: 1, apply: (a) => Math.cos(a[0] as number) },
  tan: { min: 1, max: 1, apply: (a) => Math.tan(a[0] as number) },
  asin: { min: 1, max: 1, apply: (a) => Math.asin(a[0] as number) },
  acos: { min: 1, max: 1, apply: (a) => Math.acos(a[0] as number) },
  atan: { min: 1, max: 1, apply: (a) => Math.atan(a[0] as number) },
  sinh: { min: 1, max: 1, apply: (a) => Math.sinh(a[0] as number) },
  cosh: { min: 1, max: 1, apply: (a) => Math.cosh(a[0] as number) },
  tanh: { min: 1, max: 1, apply: (a) => Math.tanh(a[0] as number) },
  floor: { min: 1, max: 1, apply: (a) => Math.floor(a[0] as number) },
  ceil: { min: 1, max: 1, apply: (a) => Math.ceil(a[0] as number) },
  round: { min: 1, max: 1, apply: (a) => Math.round(a[0] as number) },
  atan2: { min: 2, max: 2, apply: (a) => Math.atan2(a[0] as number, a[1] as number) },
  pow: { min: 2, max: 2, apply: (a) => (a[0] as number) ** (a[1] as number) },
  min: { min: 2, max: Number.POSITIVE_INFINITY, apply: (a) => Math.min(...a) },
  max: { min: 2, max: Number.POSITIVE_INFINITY, apply: (a) => Math.max(...a) },
  hypot: { min: 1, max: Number.POSITIVE_INFINITY, apply: (a) => Math.hypot(...a) },
};

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);
const TWO_CHAR = new Set(['**', '&&', '||', '==', '!=', '<=', '>=']);
const ONE_CHAR = new Set(['+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ',']);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isNamePart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const fail = (message: string, at: number): never => {
    throw new ExpressionSyntaxError(message, source, at);
  };
  while (pos < source.length) {
    const c = source[pos] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      pos++;
      continue;
    }
    const start = pos;
    if (isDigit(c) || (c === '.' && isDigit(source[pos + 1]))) {
      while (isDigit(source[pos])) pos++;
      if (source[pos] === '.') {
        pos++;
        while (isDigit(source[pos])) pos++;
      }
      if (source[pos] === 'e' || source[pos] === 'E') {
        const save = pos;
        pos++;
        if (source[pos] === '+' || source[pos] === '-') pos++;
        if (!isDigit(source[pos])) fail('malformed exponent of a number', save);
        while (isDigit(source[pos])) pos++;
      }
      if (isNameStart(source[pos])) fail('a name cannot start with a digit', start);
      const text = source.slice(start, pos);
      tokens.push({ type: 'number', value: Number(text), position: start, text });
      continue;
    }
    if (isNameStart(c)) {
      while (isNamePart(source[pos])) pos++;
      // `Jet_pt[0]`: the index belongs to the name (the padded column's name).
      if (source[pos] === '[') {
        const open = pos;
        pos++;
        while (source[pos] === ' ') pos++;
        if (!isDigit(source[pos])) fail('expected a non-negative integer index', pos);
        while (isDigit(source[pos])) pos++;
        while (source[pos] === ' ') pos++;
        if (source[pos] !== ']') fail('expected "]"', pos);
        pos++;
        const base = source.slice(start, open);
        const index = source.slice(open + 1, pos - 1).trim();
        tokens.push({
          type: 'name',
          value: `${base}[${Number(index)}]`,
          position: start,
          text: source.slice(start, pos),
        });
        continue;
      }
      const text = source.slice(start, pos);
      tokens.push({ type: 'name', value: text, position: start, text });
      continue;
    }
    if (c === '"' || c === "'") {
      pos++;
      let value = '';
      while (pos < source.length && source[pos] !== c) {
        if (source[pos] === '\\' && pos + 1 < source.length) pos++;
        value += source[pos];
        pos++;
      }
      if (pos >= source.length) fail('unterminated text literal', start);
      pos++;
      tokens.push({ type: 'string', value, position: start, text: source.slice(start, pos) });
      continue;
    }
    const two = source.slice(pos, pos + 2);
    if (TWO_CHAR.has(two)) {
      tokens.push({ type: 'op', value: two, position: start, text: two });
      pos += 2;
      continue;
    }
    if (c === '^') fail('"^" is not an operator here; write powers as "**"', start);
    if (c === '=') fail('"=" is not an operator; compare with "=="', start);
    if (c === '&' || c === '|') fail(`"${c}" is not an operator; write "${c}${c}"`, start);
    if (ONE_CHAR.has(c)) {
      tokens.push({ type: 'op', value: c, position: start, text: c });
      pos++;
      continue;
    }
    fail(`unexpected character "${c}"`, start);
  }
  tokens.push({ type: 'end', position: source.length, text: '' });
  return tokens;
}

/**
 * Parses an expression (grammar in the module comment) into its syntax tree. Throws
 * {@link ExpressionSyntaxError} naming the position of the first token that does not fit, an
 * unknown function or a wrong number of arguments.
 */
export function parseExpression(source: string): ExpressionNode {
  const tokens = tokenize(source);
  let k = 0;
  const peek = (): Token => tokens[k] as Token;
  const fail = (message: string, token: Token = peek()): never => {
    throw new ExpressionSyntaxError(message, source, token.position);
  };
  const describe = (t: Token): string => (t.type === 'end' ? 'the end of the expression' : `"${t.text}"`);
  const isOp = (t: Token, ...ops: string[]): boolean =>
    (t.type === 'op' && ops.includes(t.value)) || (t.type === 'name' && ops.includes(t.value));

  const binaryLevel = (ops: string[], next: () => ExpressionNode, alias: Record<string, BinaryOperator> = {}) => {
    return (): ExpressionNode => {
      let left = next();
      while (isOp(peek(), ...ops, ...Object.keys(alias))) {
        const t = tokens[k++] as Token & { value: string };
        const op = (alias[t.value] ?? t.value) as BinaryOperator;
        const right = next();
        left = { kind: 'binary', op, left, right, position: t.position };
      }
      return left;
    };
  };

  const primary = (): ExpressionNode => {
    const t = peek();
    if (t.type === 'number') {
      k++;
      return { kind: 'number', value: t.value, position: t.position };
    }
    if (t.type === 'string') {
      k++;
      return { kind: 'string', value: t.value, position: t.position };
    }
    if (t.type === 'name') {
      if (t.value === 'true' || t.value === 'false') {
        k++;
        return { kind: 'number', value: t.value === 'true' ? 1 : 0, position: t.position };
      }
      if (KEYWORDS.has(t.value)) fail(`expected a value, found ${describe(t)}`);
      k++;
      const next = peek();
      if (next.type === 'op' && next.value === '(') {
        const fn = FUNCTIONS[t.value];
        if (!fn) fail(`unknown function "${t.value}"`, t);
        k++;
        const args: ExpressionNode[] = [];
        if (!isOp(peek(), ')')) {
          args.push(or());
          while (isOp(peek(), ',')) {
            k++;
            args.push(or());
          }
        }
        if (!isOp(peek(), ')')) fail(`expected "," or ")", found ${describe(peek())}`);
        k++;
        const f = fn as (typeof FUNCTIONS)[string];
        if (args.length < f.min || args.length > f.max) {
          const want = f.min === f.max ? `${f.min}` : f.max === Number.POSITIVE_INFINITY ? `at least ${f.min}` : '';
          fail(`${t.value} takes ${want} argument${f.min === 1 && f.max === 1 ? '' : 's'}, got ${args.length}`, t);
        }
        return { kind: 'call', name: t.value, args, position: t.position };
      }
      return { kind: 'column', name: t.value, position: t.position };
    }
    if (isOp(t, '(')) {
      k++;
      const inner = or();
      if (!isOp(peek(), ')')) fail(`expected ")", found ${describe(peek())}`);
      k++;
      return inner;
    }
    return fail(`expected a value, found ${describe(t)}`);
  };
  // `**` is right-associative and its right operand may carry a sign: `2**-1`.
  const power = (): ExpressionNode => {
    const base = primary();
    const t = peek();
    if (isOp(t, '**')) {
      k++;
      const exponent = unary();
      return { kind: 'binary', op: '**', left: base, right: exponent, position: t.position };
    }
    return base;
  };
  const unary = (): ExpressionNode => {
    const t = peek();
    if (t.type === 'op' && (t.value === '-' || t.value === '+' || t.value === '!')) {
      k++;
      return { kind: 'unary', op: t.value as '-' | '+' | '!', operand: unary(), position: t.position };
    }
    return power();
  };
  const multiplicative = binaryLevel(['*', '/', '%'], unary);
  const additive = binaryLevel(['+', '-'], multiplicative);
  const comparison = (): ExpressionNode => {
    const left = additive();
    const t = peek();
    if (isOp(t, '==', '!=', '<', '<=', '>', '>=')) {
      k++;
      const right = additive();
      const after = peek();
      if (isOp(after, '==', '!=', '<', '<=', '>', '>=')) {
        fail('comparisons do not chain; join them with "&&"', after);
      }
      return {
        kind: 'binary',
        op: (t as { value: string }).value as BinaryOperator,
        left,
        right,
        position: t.position,
      };
    }
    return left;
  };
  const not = (): ExpressionNode => {
    const t = peek();
    if (t.type === 'name' && t.value === 'not') {
      k++;
      return { kind: 'unary', op: 'not', operand: not(), position: t.position };
    }
    return comparison();
  };
  const and = binaryLevel(['&&'], not, { and: '&&' });
  const or: () => ExpressionNode = binaryLevel(['||'], and, { or: '||' });

  const tree = or();
  if (peek().type !== 'end') fail(`unexpected ${describe(peek())}`);
  return tree;
}

/** The column names an expression reads, in order of first appearance. */
export function expressionColumns(node: ExpressionNode): string[] {
  const names: string[] = [];
  const walk = (n: ExpressionNode): void => {
    if (n.kind === 'column') {
      if (!names.includes(n.name)) names.push(n.name);
    } else if (n.kind === 'unary') walk(n.operand);
    else if (n.kind === 'binary') {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === 'call') n.args.forEach(walk);
  };
  walk(node);
  return names;
}

/** Columns an expression is evaluated over: numbers (typed arrays, plain arrays) or text. */
export type ExpressionColumns = Readonly<Record<string, ArrayLike<number> | DatasetColumn>>;

/** A parsed expression, ready to evaluate over tables of columns. */
export interface CompiledExpression {
  /** The source text. */
  readonly source: string;
  /** Its syntax tree. */
  readonly tree: ExpressionNode;
  /** The columns it reads, in order of first appearance. */
  readonly columns: readonly string[];
  /**
   * Its value on each of the `n` rows of `columns` (every column it reads must be there, with at
   * least `n` rows). Throws {@link ExpressionColumnError} naming a missing column, a text column in
   * arithmetic, or a number column compared with text.
   */
  evaluate(columns: ExpressionColumns, n: number): Float64Array;
  /** The indices of the rows where it is true (neither 0 nor NaN), ascending. */
  select(columns: ExpressionColumns, n: number): Int32Array;
}

const truthy = (x: number): boolean => x !== 0 && !Number.isNaN(x);
const isTextColumn = (col: ArrayLike<number> | DatasetColumn): boolean =>
  Array.isArray(col) && col.length > 0 && typeof col[0] === 'string';

type RowFn = (i: number) => number;
type TextFn = (i: number) => string;

function closestName(name: string, known: readonly string[]): string | undefined {
  // Levenshtein distance, to suggest the column the user probably meant.
  const distance = (a: string, b: string): number => {
    const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diag = prev[0] as number;
      prev[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const up = prev[j] as number;
        prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
        diag = up;
      }
    }
    return prev[b.length] as number;
  };
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function compileTree(source: string, tree: ExpressionNode, columns: ExpressionColumns): RowFn {
  const column = (name: string) => {
    const col = columns[name];
    if (col === undefined) {
      const hint = closestName(name, Object.keys(columns));
      throw new ExpressionColumnError(
        `unknown column ${name} in "${source}"${hint ? ` (did you mean ${hint}?)` : ''}`,
        name,
      );
    }
    return col;
  };
  const isText = (n: ExpressionNode): boolean =>
    n.kind === 'string' || (n.kind === 'column' && isTextColumn(column(n.name)));
  const text = (n: ExpressionNode): TextFn => {
    if (n.kind === 'string') {
      const v = n.value;
      return () => v;
    }
    const col = column((n as { name: string }).name) as string[];
    return (i) => col[i] as string;
  };
  const num = (n: ExpressionNode): RowFn => {
    switch (n.kind) {
      case 'number': {
        const v = n.value;
        return () => v;
      }
      case 'string':
        throw new ExpressionColumnError(`text "${n.value}" used as a number in "${source}"`, n.value);
      case 'column': {
        const col = column(n.name);
        if (isTextColumn(col)) {
          throw new ExpressionColumnError(
            `column ${n.name} holds text; compare it with == or != "…" in "${source}"`,
            n.name,
          );
        }
        const arr = col as ArrayLike<number>;
        return (i) => arr[i] as number;
      }
      case 'unary': {
        const a = num(n.operand);
        if (n.op === '-') return (i) => -a(i);
        if (n.op === '+') return a;
        return (i) => (truthy(a(i)) ? 0 : 1);
      }
      case 'call': {
        const f = FUNCTIONS[n.name] as (typeof FUNCTIONS)[string];
        const args = n.args.map(num);
        if (args.length === 1) {
          const a = args[0] as RowFn;
          const g = f.apply;
          const one = [0];
          return (i) => {
            one[0] = a(i);
            return g(one);
          };
        }
        if (args.length === 2) {
          const a = args[0] as RowFn;
          const b = args[1] as RowFn;
          const g = f.apply;
          const two = [0, 0];
          return (i) => {
            two[0] = a(i);
            two[1] = b(i);
            return g(two);
          };
        }
        return (i) => f.apply(args.map((a) => a(i)));
      }
      case 'binary': {
        const { op } = n;
        if ((op === '==' || op === '!=') && (isText(n.left) || isText(n.right))) {
          if (!(isText(n.left) && isText(n.right))) {
            const numeric = isText(n.left) ? n.right : n.left;
            const name = numeric.kind === 'column' ? numeric.name : 'a number';
            throw new ExpressionColumnError(`${name} compared with text in "${source}"`, name);
          }
          const a = text(n.left);
          const b = text(n.right);
          return op === '==' ? (i) => (a(i) === b(i) ? 1 : 0) : (i) => (a(i) !== b(i) ? 1 : 0);
        }
        const a = num(n.left);
        const b = num(n.right);
        switch (op) {
          case '||':
            return (i) => (truthy(a(i)) || truthy(b(i)) ? 1 : 0);
          case '&&':
            return (i) => (truthy(a(i)) && truthy(b(i)) ? 1 : 0);
          case '==':
            return (i) => (a(i) === b(i) ? 1 : 0);
          case '!=':
            return (i) => (a(i) !== b(i) ? 1 : 0);
          case '<':
            return (i) => (a(i) < b(i) ? 1 : 0);
          case '<=':
            return (i) => (a(i) <= b(i) ? 1 : 0);
          case '>':
            return (i) => (a(i) > b(i) ? 1 : 0);
          case '>=':
            return (i) => (a(i) >= b(i) ? 1 : 0);
          case '+':
            return (i) => a(i) + b(i);
          case '-':
            return (i) => a(i) - b(i);
          case '*':
            return (i) => a(i) * b(i);
          case '/':
            return (i) => a(i) / b(i);
          case '%':
            return (i) => a(i) % b(i);
          case '**':
            return (i) => a(i) ** b(i);
        }
      }
    }
    return n satisfies never;
  };
  return num(tree);
}

/**
 * Parses `source` and returns it ready to evaluate over any table that has its columns. Throws
 * {@link ExpressionSyntaxError} (with the position and a caret) for a syntax error; when `known`
 * columns are given, also {@link ExpressionColumnError} for a column not among them (with the
 * closest name as a hint), before any data is read.
 */
export function compileExpression(source: string, known?: readonly string[]): CompiledExpression {
  const tree = parseExpression(source);
  const columns = expressionColumns(tree);
  if (known) {
    for (const name of columns) {
      if (!known.includes(name)) {
        const hint = closestName(name, known);
        throw new ExpressionColumnError(
          `unknown column ${name} in "${source}"${hint ? ` (did you mean ${hint}?)` : ''}`,
          name,
        );
      }
    }
  }
  const check = (table: ExpressionColumns, n: number): void => {
    for (const name of columns) {
      const col = table[name];
      if (col !== undefined && col.length < n) {
        throw new ExpressionColumnError(`column ${name} has ${col.length} rows, fewer than ${n}`, name);
      }
    }
  };
  return {
    source,
    tree,
    columns,
    evaluate(table, n) {
      check(table, n);
      const f = compileTree(source, tree, table);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f(i);
      return out;
    },
    select(table, n) {
      check(table, n);
      const f = compileTree(source, tree, table);
      const keep = new Int32Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if (truthy(f(i))) keep[m++] = i;
      return keep.slice(0, m);
    },
  };
}

/**
 * The rows of a dataset where `selection` is true (neither 0 nor NaN), in order. Throws
 * {@link ExpressionSyntaxError} or {@link ExpressionColumnError} (with the closest column name).
 */
export function filterDataset(ds: Dataset, selection: string): Dataset {
  const e = compileExpression(selection, Object.keys(ds.columns));
  return selectRows(ds, e.select(ds.columns, ds.n));
}

/**
 * The dataset with derived columns added (float64), each an expression over the columns before it
 * (`{ MET: 'hypot(MET_px, MET_py)' }`); an existing name is an error, so nothing is overwritten.
 */
export function withDerivedColumns(ds: Dataset, derived: Readonly<Record<string, string>>): Dataset {
  const columns = { ...ds.columns };
  for (const [name, source] of Object.entries(derived)) {
    if (name in columns) throw new ExpressionColumnError(`column ${name} exists already in ${ds.name}`, name);
    columns[name] = compileExpression(source, Object.keys(columns)).evaluate(columns, ds.n);
  }
  return { ...ds, columns };
}
