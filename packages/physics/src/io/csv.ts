/**
 * CSV in and out (RFC 4180: comma-separated, a header line, fields optionally in double quotes with
 * "" for a quote, LF or CRLF line ends). Works on strings, so it runs in Workers and browsers; the
 * caller reads the file.
 */
import { at } from '../array.ts';
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import type { ColumnType, Dataset, DatasetColumn } from './dataset.ts';

/** Options of {@link readCsv}. */
export interface CsvReadOptions {
  /** File name used in error messages and as the dataset's name (default `input.csv`). */
  file?: string;
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Columns to keep, in this order; each must be in the header. Default: all. */
  columns?: readonly string[];
  /**
   * Storage type per column. Columns not named here are inferred from the first 100 data rows:
   * `string` when more of their values are text than numbers; otherwise numeric — `int32` when
   * every number is an integer in the int32 range, else `float64` — and any text value in it is
   * malformed.
   */
  types?: Record<string, ColumnType>;
  /** Units per column, copied into the dataset. */
  units?: Record<string, string>;
  /**
   * What to do with a malformed row (wrong number of fields, a value that is not of its column's
   * type): `error` (default) throws {@link DataFormatError} naming file, row and column; `skip`
   * drops the row and reports it in `skipped`.
   */
  onMalformed?: 'error' | 'skip';
}

/** A malformed row that was skipped: 1-based line number in the file, the column, why. */
export interface CsvProblem {
  row: number;
  column: string;
  message: string;
}

/** Result of {@link readCsv}. */
export interface CsvReadResult {
  dataset: Dataset;
  /** Number of malformed rows skipped (0 unless `onMalformed: 'skip'`). */
  skipped: number;
  /** The first 100 skipped rows with the reason. */
  problems: CsvProblem[];
}

const INFERENCE_ROWS = 100;
const MAX_PROBLEMS = 100;

/**
 * Splits CSV text into records of fields. Each record carries the 1-based line on which it starts.
 * Throws {@link DataFormatError} for an unterminated quoted field or text after a closing quote.
 */
export function parseCsvRecords(
  text: string,
  file = 'input.csv',
  delimiter = ',',
): { line: number; fields: string[] }[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new PhysicsInputError('delimiter must be one character other than a quote or a line end', {
      field: 'delimiter',
    });
  }
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const n = text.length;
  let atFieldStart = true;
  const endRecord = (): void => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  while (i < n) {
    const ch = at(text, i);
    if (atFieldStart && ch === '"') {
      // Quoted field: runs to the next lone quote.
      const startLine = line;
      i++;
      let value = '';
      for (;;) {
        if (i >= n) {
          throw new DataFormatError(`${file}: unterminated quoted field starting on line ${startLine}`, {
            file,
            row: startLine,
          });
        }
        const c = at(text, i);
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      field = value;
      atFieldStart = false;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new DataFormatError(`${file}: line ${line}: text after a closing quote`, { file, row: line });
      }
      continue;
    }
    // Unquoted field: runs to the next delimiter or line end.
    let j = i;
    while (j < n) {
      const c = text[j];
      if (c === delimiter || c === '\n' || c === '\r') break;
      if (c === '"') {
        throw new DataFormatError(`${file}: line ${line}: quote inside an unquoted field`, { file, row: line });
      }
      j++;
    }
    if (j > i) {
      field = text.slice(i, j);
      atFieldStart = false;
      i = j;
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      recordLine = line;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** A number from a CSV field: decimal or exponent notation, `nan`, `inf`, `-inf` (any case); null otherwise. */
function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const lower = s.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  // Number() accepts hex, binary and whitespace-only strings; a CSV number is decimal.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

function inferType(values: readonly string[]): ColumnType {
  let numeric = 0;
  let text = 0;
  let allInt = true;
  for (const v of values) {
    const x = parseNumber(v);
    if (x === null) {
      text++;
      continue;
    }
    numeric++;
    if (!(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) allInt = false;
  }
  // Mostly text: a text column; mostly numbers: a numeric column whose odd values are malformed.
  if (text > numeric) return 'string';
  return allInt && numeric > 0 ? 'int32' : 'float64';
}

/**
 * Reads CSV text with a header line into a {@link Dataset}. Errors ({@link DataFormatError}, with
 * `file`, `row` = 1-based line number and `column`): a header with an empty or repeated name, a
 * requested column missing from the header (row 1), and — unless `onMalformed: 'skip'` — a row
 * with a wrong number of fields or a value that does not parse as its column's type (an empty
 * numeric field is malformed; `nan`/`inf` are numbers). Blank lines are ignored.
 */
export function readCsv(text: string, options: CsvReadOptions = {}): CsvReadResult {
  const file = options.file ?? 'input.csv';
  const onMalformed = options.onMalformed ?? 'error';
  const records = parseCsvRecords(text, file, options.delimiter ?? ',');
  const headerRecord = records[0];
  if (!headerRecord) throw new DataFormatError(`${file}: empty file, no header line`, { file, row: 1 });
  const header = headerRecord.fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') {
      throw new DataFormatError(`${file}: header field ${k + 1} is empty`, { file, row: headerRecord.line });
    }
    if (seen.has(h)) {
      throw new DataFormatError(`${file}: column ${h} appears twice in the header`, {
        file,
        row: headerRecord.line,
        column: h,
      });
    }
    seen.add(h);
  });
  const wanted = options.columns ?? header;
  const positions = wanted.map((name) => {
    const k = header.indexOf(name);
    if (k < 0) {
      throw new DataFormatError(`${file}: missing column ${name} (header has ${header.join(', ')})`, {
        file,
        row: headerRecord.line,
        column: name,
      });
    }
    return k;
  });
  const body = records.slice(1);
  const types = wanted.map((name, j) => {
    const given = options.types?.[name];
    if (given !== undefined) return given;
    const k = at(positions, j);
    const sampleValues: string[] = [];
    for (let r = 0; r < body.length && sampleValues.length < INFERENCE_ROWS; r++) {
      const rec = body[r] as { fields: string[] };
      if (rec.fields.length === header.length) sampleValues.push(at(rec.fields, k));
    }
    return inferType(sampleValues);
  });

  const problems: CsvProblem[] = [];
  let skipped = 0;
  const keep: number[][] = wanted.map(() => []);
  const keepText: string[][] = wanted.map(() => []);
  const numbers = new Float64Array(wanted.length);
  for (const rec of body) {
    let problem: CsvProblem | null = null;
    if (rec.fields.length !== header.length) {
      const column = rec.fields.length < header.length ? at(header, rec.fields.length) : '(extra field)';
      problem = {
        row: rec.line,
        column,
        message: `${rec.fields.length} fields where the header has ${header.length}`,
      };
    } else {
      for (let j = 0; j < wanted.length && problem === null; j++) {
        const raw = at(rec.fields, at(positions, j));
        const type = at(types, j);
        if (type === 'string') continue;
        const x = parseNumber(raw);
        if (x === null) {
          problem = { row: rec.line, column: at(wanted, j), message: `"${raw}" is not a number` };
        } else if (type === 'int32' && !(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) {
          problem = { row: rec.line, column: at(wanted, j), message: `"${raw}" is not a 32-bit integer` };
        } else {
          numbers[j] = x;
        }
      }
    }
    if (problem !== null) {
      if (onMalformed === 'error') {
        throw new DataFormatError(`${file}: row ${problem.row}, column ${problem.column}: ${problem.message}`, {
          file,
          row: problem.row,
          column: problem.column,
        });
      }
      skipped++;
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
      continue;
    }
    for (let j = 0; j < wanted.length; j++) {
      if (types[j] === 'string') at(keepText, j).push(at(rec.fields, at(positions, j)));
      else at(keep, j).push(at(numbers, j));
    }
  }
  const n = body.length - skipped;
  const columns: Record<string, DatasetColumn> = {};
  wanted.forEach((name, j) => {
    const type = at(types, j);
    const values = at(keep, j);
    if (type === 'string') columns[name] = at(keepText, j);
    else if (type === 'int32') columns[name] = Int32Array.from(values);
    else if (type === 'float32') columns[name] = Float32Array.from(values);
    else columns[name] = Float64Array.from(values);
  });
  const units: Record<string, string> = {};
  for (const name of wanted) {
    const u = options.units?.[name];
    if (u !== undefined) units[name] = u;
  }
  return { dataset: { name: file, n, columns, units }, skipped, problems };
}

/** Options of {@link writeCsv}. */
export interface CsvWriteOptions {
  /** Columns to write, in this order (default: all, in the dataset's order). */
  columns?: readonly string[];
  /** Also write `label`, `weight` and the truth columns when present (default true). */
  includeLabelWeightTruth?: boolean;
}

/**
 * The shortest decimal string that reads back to the same float32 (for float32 columns) or
 * float64 value: 6–9 significant digits for float32, up to 17 for float64. NaN and infinities as
 * `nan`, `inf`, `-inf`, which {@link readCsv} reads back.
 */
export function formatNumber(x: number, float32: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  if (!float32) return String(x);
  // Round-tripping is monotone in the number of digits (if p digits read back, p + 1 do), so start
  // in the middle: most float32 values need 7–9 digits.
  const seven = float32Digits(x, 7);
  if (seven !== null) return float32Digits(x, 6) ?? seven;
  return float32Digits(x, 8) ?? float32Digits(x, 9) ?? String(x);
}

/** `x` with `p` significant digits if that reads back to the same float32, else null. */
function float32Digits(x: number, p: number): string | null {
  const s = Number(x.toPrecision(p));
  return Math.fround(s) === x ? String(s) : null;
}

function quoteField(s: string): string {
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes a {@link Dataset} as CSV text (LF line ends, a header line, fields quoted when they hold
 * a comma, quote, line end or edge whitespace). Numbers round-trip exactly through {@link readCsv}
 * (see {@link formatNumber}). Images are not written (CSV is flat): use Parquet for them.
 * Throws {@link PhysicsInputError} for a requested column that does not exist.
 */
export function writeCsv(ds: Dataset, options: CsvWriteOptions = {}): string {
  const names = options.columns ?? Object.keys(ds.columns);
  const out: { name: string; col: DatasetColumn | Uint8Array }[] = names.map((name) => {
    const col = ds.columns[name];
    if (col === undefined) throw new PhysicsInputError(`dataset ${ds.name} has no column ${name}`, { field: name });
    return { name, col };
  });
  if (options.includeLabelWeightTruth ?? true) {
    if (ds.label) out.push({ name: 'label', col: ds.label });
    if (ds.weight) out.push({ name: 'weight', col: ds.weight });
    for (const [name, col] of Object.entries(ds.truth ?? {})) out.push({ name: `truth_${name}`, col });
  }
  const lines: string[] = [out.map((c) => quoteField(c.name)).join(',')];
  const f32 = out.map((c) => !Array.isArray(c.col) && c.col instanceof Float32Array);
  for (let i = 0; i < ds.n; i++) {
    const cells = new Array<string>(out.length);
    for (let j = 0; j < out.length; j++) {
      const col = (out[j] as { col: DatasetColumn | Uint8Array }).col;
      cells[j] = Array.isArray(col)
        ? quoteField(at(col, i))
        : formatNumber(at(col as Exclude<DatasetColumn, string[]>, i), at(f32, j));
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
