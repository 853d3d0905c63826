// Property-based fuzzing of the edge API inside workerd (issue 11): generated malformed requests to
// v1 predict (rows and columns), KServe v2 infer and publish. Every answer must be a 4xx JSON error
// envelope `{"error": {"code", "message", "field"}}` (on /v2 the protocol's `{"error": "<message>",
// "code", "field"}`) naming the field at fault — never a 5xx, never
// a stack trace or SQL. Each generator starts from a valid request and applies exactly one
// mutation that makes it invalid, so the expected status and field are known per case.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.ts';
import { bundleTar, cnnBundle, mlpBundle, publish, tokenFor } from './fixtures.ts';

const SEED = 20261123;
const TAGGER = 'fuzz-tagger';
const CNN = 'fuzz-cnn';
const INPUTS = ['et', 'eta', 'reta'] as const;
const WPS = [
  { name: 'loose', signalEfficiency: 0.95, threshold: 0.2, backgroundEfficiency: 0.3 },
  { name: 'medium', signalEfficiency: 0.85, threshold: 0.5, backgroundEfficiency: 0.1 },
];
/** From wrangler.toml [vars]. */
const MAX_BODY_BYTES = 16_777_216;
const MAX_BATCH_ROWS = 10_000;
/**
 * Fraction of the full 10,100 generated requests to send (`VITE_FUZZ_SCALE`, default 1). Requests
 * go straight to the worker's fetch handler inside workerd (test/api.ts): ~0.3 ms each, about
 * 10 s for the whole file on one core.
 */
// Vite replaces import.meta.env in the test bundle; the worker tsconfig does not load vite's types.
const SCALE = Number(
  (import.meta as ImportMeta & { env?: Record<string, string | undefined> }).env?.VITE_FUZZ_SCALE ?? 1,
);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const FUZZ_TIMEOUT_MS = 120_000;

let fuzzed = 0;
const statuses = new Map<number, number>();
let publisher = '';
let reader = '';
let validTar: Uint8Array<ArrayBuffer> = new Uint8Array(0);
/** Byte range of weights.bin's content inside `validTar` (a flip there must break its sha256). */
let weightsRange: [number, number] = [0, 0];

/** What a malformed request must answer. */
interface Expect {
  status: number | readonly number[];
  /**
   * The exact field, a pattern, or undefined to require only that some field is named; null where
   * no route matches at all (the path itself is the problem, so no field is named).
   */
  field?: string | RegExp | null;
}

interface Case {
  what: string;
  path: string;
  body: BodyInit;
  headers?: Record<string, string>;
  expect: Expect;
}

const LEAK_RE = /\n\s+at |\.ts:\d+|\.js:\d+|\bselect\b.*\bfrom\b|\binsert into\b|sqlite|D1_ERROR|SQLITE_/i;

/** What is wrong with an answer to a malformed request, or null when it is the right 4xx envelope. */
function problemOf(c: Case, status: number, contentType: string, text: string): string | null {
  if (status < 400 || status >= 500) return 'not a 4xx';
  const allowed = typeof c.expect.status === 'number' ? [c.expect.status] : c.expect.status;
  if (!allowed.includes(status)) return `status not in ${allowed.join('/')}`;
  if (!contentType.includes('application/json')) return `content-type ${contentType}`;
  let body: { error?: { code?: unknown; message?: unknown; field?: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  let err: { code?: unknown; message?: unknown; field?: unknown };
  if (c.path.startsWith('/v2/')) {
    // The open inference protocol's form: the message as a string, code and field beside it.
    const v2 = body as { error?: unknown; code?: unknown; field?: unknown };
    if (Object.keys(v2).some((k) => !['error', 'code', 'field'].includes(k))) return 'body is not {"error": "…", …}';
    err = { code: v2.code, message: v2.error, field: v2.field };
  } else {
    if (Object.keys(body).join() !== 'error') return 'body is not {"error": …}';
    err = body.error ?? {};
  }
  if (typeof err.code !== 'string' || !/^[a-z_]+$/.test(err.code)) return 'error.code missing';
  if (typeof err.message !== 'string' || err.message.length === 0) return 'error.message missing';
  if (c.expect.field !== null || err.field !== undefined) {
    if (typeof err.field !== 'string' || err.field.length === 0) return 'error.field missing';
  }
  if (typeof c.expect.field === 'string' && err.field !== c.expect.field) return `field is not ${c.expect.field}`;
  if (c.expect.field instanceof RegExp && !c.expect.field.test(String(err.field))) return `field ≁ ${c.expect.field}`;
  if (LEAK_RE.test(text)) return 'leaks a stack trace or SQL';
  return null;
}

/** Sends one case and checks its answer (one `expect` per case: the checks themselves are plain code). */
async function send(c: Case): Promise<number> {
  const res = await api(c.path, {
    method: 'POST',
    headers: { ...(typeof c.body === 'string' ? { 'content-type': 'application/json' } : {}), ...(c.headers ?? {}) },
    body: c.body,
  });
  const text = await res.text();
  fuzzed++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const problem = problemOf(c, res.status, res.headers.get('content-type') ?? '', text);
  if (problem !== null) expect.fail(`${c.what} → ${res.status} ${text.slice(0, 300)}: ${problem}`);
  return res.status;
}

// ---- generators -------------------------------------------------------------------------------

const goodValue = fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true });
const goodRow = fc.record({ et: goodValue, eta: goodValue, reta: goodValue });
const goodRows = fc.array(goodRow, { minLength: 1, maxLength: 12 });

/** JSON values that are not finite numbers (wrong types, NaN/Inf spelled as strings, nesting). */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '', '1', null, true, false),
  fc.array(goodValue, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), goodValue, { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'number'),
);

/** Keys no model input or request field uses (`pt`/`eta` are allowed extras of SF taggers). */
const extraKey = fc
  .string({ minLength: 1, maxLength: 10 })
  .filter((k) => !['et', 'eta', 'reta', 'pt', 'rows', 'columns', 'image', 'workingPoint'].includes(k));

/** Raw JSON number tokens that parse to ±Infinity or are not JSON at all. */
const hugeToken = fc.constantFrom('1e999', '-1e999', '1E400', '-9e9999', '123456789e999');
const invalidToken = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '+1',
  '01',
  '.5',
  '1.',
  '0x10',
  '1e',
  '--1',
  'nul',
);

/** `depth` nested arrays: a body JSON.stringify would not build without recursion. */
const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

/** Inserts bytes that are not valid UTF-8 into an encoded body. */
const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe],
  [0xc3], // lead byte without continuation
  [0x80], // lone continuation
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
);

function withBytes(text: string, at: number, bytes: readonly number[]): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder().encode(text);
  const i = Math.min(at, enc.length);
  const out = new Uint8Array(enc.length + bytes.length);
  out.set(enc.subarray(0, i), 0);
  out.set(bytes, i);
  out.set(enc.subarray(i), i + bytes.length);
  return out;
}

const rowsPath = fc.constantFrom(`/v1/models/${TAGGER}/predict`, `/v1/models/${TAGGER}/versions/1/predict`);

/** v1 predict, rows form: one mutation of a valid body. */
const rowsCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(rowsPath, goodRows, fc.nat(), fc.constantFrom(...INPUTS), badValue).map(([path, rows, r0, key, v]) => {
    const r = r0 % rows.length;
    const body = rows.map((row, i) => (i === r ? { ...row, [key]: v } : row));
    return {
      what: 'bad value',
      path,
      body: JSON.stringify({ rows: body }),
      expect: { status: 400, field: `rows[${r}].${key}` },
    };
  }),
  fc.tuple(rowsPath, goodRows, fc.nat(), fc.constantFrom(...INPUTS)).map(([path, rows, r0, key]) => {
    const r = r0 % rows.length;
    const body = rows.map((row, i) => {
      if (i !== r) return row;
      const { [key]: _, ...rest } = row;
      return rest;
    });
    return {
      what: 'missing input',
      path,
      body: JSON.stringify({ rows: body }),
      expect: { status: 400, field: `rows[${r}].${key}` },
    };
  }),
  fc.tuple(rowsPath, goodRows, fc.nat(), extraKey, fc.oneof(goodValue, badValue)).map(([path, rows, r0, key, v]) => {
    const r = r0 % rows.length;
    const body = rows.map((row, i) => (i === r ? { ...row, [key]: v } : row));
    return {
      what: 'extra input',
      path,
      body: JSON.stringify({ rows: body }),
      expect: { status: 400, field: `rows[${r}].${key}` },
    };
  }),
  fc
    .tuple(rowsPath, goodRows, fc.nat(), fc.oneof(goodValue, fc.string(), fc.constant(null), fc.array(goodValue)))
    .map(([path, rows, r0, v]) => {
      const r = r0 % rows.length;
      const body = rows.map((row, i) => (i === r ? v : row));
      return {
        what: 'row not an object',
        path,
        body: JSON.stringify({ rows: body }),
        expect: { status: 400, field: `rows[${r}]` },
      };
    }),
  fc.tuple(rowsPath, goodRows, extraKey, fc.jsonValue({ maxDepth: 2 })).map(([path, rows, key, v]) => ({
    what: 'extra top-level field',
    path,
    body: JSON.stringify({ rows, [key]: v }),
    expect: { status: 400, field: key },
  })),
  fc
    .tuple(
      rowsPath,
      fc.oneof(goodValue, fc.string(), fc.constant(null), fc.boolean(), fc.dictionary(fc.string(), goodValue)),
    )
    .map(([path, v]) => ({
      what: 'rows not an array',
      path,
      body: JSON.stringify({ rows: v }),
      expect: { status: 400, field: 'rows' },
    })),
  fc
    .tuple(rowsPath, fc.oneof(fc.array(goodValue), goodValue, fc.string(), fc.constant(null), fc.boolean()))
    .map(([path, v]) => ({
      what: 'body not an object',
      path,
      body: JSON.stringify(v),
      expect: { status: 400, field: 'body' },
    })),
  fc.tuple(rowsPath, goodRows, fc.nat(), fc.constantFrom(...INPUTS), hugeToken).map(([path, rows, r0, key, token]) => {
    const r = r0 % rows.length;
    const marker = '"__HUGE__"';
    const body = JSON.stringify({ rows: rows.map((row, i) => (i === r ? { ...row, [key]: '__HUGE__' } : row)) });
    return {
      what: `huge exponent ${token}`,
      path,
      body: body.replace(marker, token),
      expect: { status: 400, field: `rows[${r}].${key}` },
    };
  }),
  fc
    .tuple(rowsPath, goodRows, fc.nat(), fc.constantFrom(...INPUTS), invalidToken)
    .map(([path, rows, r0, key, token]) => {
      const r = r0 % rows.length;
      const body = JSON.stringify({ rows: rows.map((row, i) => (i === r ? { ...row, [key]: '__BAD__' } : row)) });
      return {
        what: `invalid token ${token}`,
        path,
        body: body.replace('"__BAD__"', token),
        expect: { status: 400, field: 'body' },
      };
    }),
  fc.tuple(rowsPath, goodRows, fc.nat({ max: 10_000 })).map(([path, rows, cut]) => {
    const text = JSON.stringify({ rows });
    return {
      what: 'truncated JSON',
      path,
      body: text.slice(0, cut % text.length),
      expect: { status: 400, field: 'body' },
    };
  }),
  fc
    .tuple(rowsPath, fc.integer({ min: 1, max: 50_000 }), fc.constantFrom('row', 'value', 'extra'))
    .map(([path, depth, where]) => {
      const rows = where === 'row' ? `[${nested(depth)}]` : `[{"et":${nested(depth)},"eta":0,"reta":1}]`;
      const body =
        where === 'extra' ? `{"rows":[{"et":1,"eta":0,"reta":1}],"deep":${nested(depth)}}` : `{"rows":${rows}}`;
      const field = where === 'row' ? 'rows[0]' : where === 'value' ? 'rows[0].et' : 'deep';
      return { what: `nesting ${depth} in ${where}`, path, body, expect: { status: 400, field } };
    }),
  fc.tuple(rowsPath, goodRows, fc.nat(), invalidUtf8).map(([path, rows, at, bytes]) => {
    const text = JSON.stringify({ rows });
    return {
      what: `invalid UTF-8 ${bytes}`,
      path,
      body: withBytes(text, at % text.length, bytes),
      expect: { status: 400, field: 'body' },
    };
  }),
  fc.tuple(rowsPath, goodRows, badValue).map(([path, rows, wp]) => ({
    what: 'bad workingPoint',
    path,
    body: JSON.stringify({ rows, workingPoint: typeof wp === 'string' && ['loose', 'medium'].includes(wp) ? 7 : wp }),
    expect: { status: 400, field: 'workingPoint' },
  })),
  fc.tuple(rowsPath, goodRows).map(([path, rows]) => ({
    what: 'rows and columns',
    path,
    body: JSON.stringify({ rows, columns: { et: [1], eta: [0], reta: [1] } }),
    expect: { status: 400, field: 'columns' },
  })),
  rowsPath.map((path) => ({ what: 'empty rows', path, body: '{"rows":[]}', expect: { status: 400, field: 'rows' } })),
  rowsPath.map((path) => ({
    what: 'neither rows nor columns',
    path,
    body: '{}',
    expect: { status: 400, field: 'rows' },
  })),
  fc
    .tuple(rowsPath, goodRows, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }))
    .map(([path, rows, shape]) => ({
      what: 'image to a model without one',
      path,
      body: JSON.stringify({ rows, image: { shape, data: [] } }),
      expect: { status: 400, field: /^image/ },
    })),
);

/** v1 predict, columns form. */
const goodColumns = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(...INPUTS.map(() => fc.array(goodValue, { minLength: n, maxLength: n }))))
  .map(([et, eta, reta]) => ({ et, eta, reta }) as Record<string, number[]>);

const columnsCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(rowsPath, goodColumns, fc.constantFrom(...INPUTS), fc.nat(), badValue).map(([path, cols, key, i0, v]) => {
    const col = [...(cols[key] as number[])];
    const i = i0 % col.length;
    col[i] = v as number;
    return {
      what: 'bad column value',
      path,
      body: JSON.stringify({ columns: { ...cols, [key]: col } }),
      expect: { status: 400, field: `columns.${key}[${i}]` },
    };
  }),
  fc.tuple(rowsPath, goodColumns, fc.constantFrom(...INPUTS)).map(([path, cols, key]) => {
    const { [key]: _, ...rest } = cols;
    return {
      what: 'missing column',
      path,
      body: JSON.stringify({ columns: rest }),
      expect: { status: 400, field: `columns.${key}` },
    };
  }),
  fc.tuple(rowsPath, goodColumns, extraKey).map(([path, cols, key]) => ({
    what: 'extra column',
    path,
    body: JSON.stringify({ columns: { ...cols, [key]: [1] } }),
    expect: { status: 400, field: `columns.${key}` },
  })),
  fc
    .tuple(rowsPath, goodColumns, fc.constantFrom(...INPUTS), fc.integer({ min: 1, max: 5 }))
    .map(([path, cols, key, extra]) => {
      const col = [...(cols[key] as number[]), ...Array.from({ length: extra }, () => 1)];
      // The first input fixes the row count, so a longer first column is reported at the second.
      const field = key === 'et' ? 'columns.eta' : `columns.${key}`;
      return {
        what: 'ragged columns',
        path,
        body: JSON.stringify({ columns: { ...cols, [key]: col } }),
        expect: { status: 400, field },
      };
    }),
  fc
    .tuple(
      rowsPath,
      goodColumns,
      fc.constantFrom(...INPUTS),
      fc.oneof(goodValue, fc.string(), fc.constant(null), fc.dictionary(fc.string(), goodValue)),
    )
    .map(([path, cols, key, v]) => ({
      what: 'column not an array',
      path,
      body: JSON.stringify({ columns: { ...cols, [key]: v } }),
      expect: { status: 400, field: `columns.${key}` },
    })),
  fc.tuple(rowsPath, fc.oneof(fc.array(goodValue), goodValue, fc.string(), fc.constant(null))).map(([path, v]) => ({
    what: 'columns not an object',
    path,
    body: JSON.stringify({ columns: v }),
    expect: { status: 400, field: 'columns' },
  })),
  rowsPath.map((path) => ({
    what: 'empty columns',
    path,
    body: '{"columns":{"et":[],"eta":[],"reta":[]}}',
    expect: { status: 400, field: 'columns' },
  })),
  fc.tuple(rowsPath, goodColumns, fc.constantFrom(...INPUTS), hugeToken).map(([path, cols, key, token]) => {
    const body = JSON.stringify({ columns: { ...cols, [key]: ['__HUGE__', ...(cols[key] as number[]).slice(1)] } });
    return {
      what: `huge column ${token}`,
      path,
      body: body.replace('"__HUGE__"', token),
      expect: { status: 400, field: `columns.${key}[0]` },
    };
  }),
);

/** KServe v2 infer. */
interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
  [k: string]: unknown;
}
const goodInfer = fc
  .tuple(fc.integer({ min: 1, max: 10 }), fc.constantFrom('FP32', 'FP64'), fc.boolean())
  .chain(([n, datatype, twoD]) =>
    fc
      .tuple(...INPUTS.map(() => fc.array(goodValue, { minLength: n, maxLength: n })))
      .map((cols) =>
        INPUTS.map((name, j) => ({ name, shape: twoD ? [n, 1] : [n], datatype, data: cols[j] as number[] }) as Tensor),
      ),
  );
const inferPath = fc.constantFrom(`/v2/models/${TAGGER}/infer`, `/v2/models/${TAGGER}/versions/1/infer`);
const inferBody = (inputs: unknown, more: Record<string, unknown> = {}) => JSON.stringify({ inputs, ...more });
const pick = (k: number, n: number) => k % n;

const inferCase: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      inferPath,
      goodInfer,
      fc.nat(),
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom('INT128', 'fp32', 'BYTES', 'FP8', 'STRING'),
        goodValue,
        fc.constant(null),
      ),
    )
    // Every numeric datatype and BOOL is valid (issue 20); only others are bad.
    .filter(
      ([, , , d]) =>
        ![
          'BOOL',
          'UINT8',
          'UINT16',
          'UINT32',
          'UINT64',
          'INT8',
          'INT16',
          'INT32',
          'INT64',
          'FP16',
          'FP32',
          'FP64',
        ].includes(d as string),
    )
    .map(([path, inputs, k, datatype]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, datatype } : x));
      return {
        what: 'bad datatype',
        path,
        body: inferBody(t),
        expect: { status: 400, field: `inputs[${i}].datatype` },
      };
    }),
  fc
    .tuple(
      inferPath,
      goodInfer,
      fc.nat(),
      fc.oneof(
        fc.integer({ max: -1 }),
        fc.double({ min: 0.1, max: 9.9, noNaN: true }).filter((x) => !Number.isInteger(x)),
        fc.string({ maxLength: 3 }),
        fc.constant(null),
      ),
    )
    .map(([path, inputs, k, bad]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, shape: [bad as number] } : x));
      return {
        what: 'bad shape element',
        path,
        body: inferBody(t),
        expect: { status: 400, field: `inputs[${i}].shape[0]` },
      };
    }),
  fc
    .tuple(
      inferPath,
      goodInfer,
      fc.nat(),
      fc.oneof(fc.constant([] as number[]), fc.array(fc.nat({ max: 3 }), { minLength: 5, maxLength: 7 })),
    )
    .map(([path, inputs, k, shape]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, shape } : x));
      return { what: 'bad shape rank', path, body: inferBody(t), expect: { status: 400, field: `inputs[${i}].shape` } };
    }),
  fc
    .tuple(inferPath, goodInfer, fc.nat(), fc.integer({ min: 1, max: 4 }), fc.boolean())
    .map(([path, inputs, k, d, more]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => {
        if (j !== i) return x;
        const data = more
          ? [...x.data, ...Array.from({ length: d }, () => 0.5)]
          : x.data.slice(0, Math.max(0, x.data.length - d));
        return { ...x, data };
      });
      const shortened = !more && (inputs[i] as Tensor).data.length - d <= 0 && false;
      return {
        what: 'data length ≠ shape',
        path,
        body: inferBody(t),
        expect: { status: 400, field: shortened ? /inputs/ : `inputs[${i}].data` },
      };
    }),
  fc.tuple(inferPath, goodInfer, fc.nat(), fc.nat(), badValue).map(([path, inputs, k, e, v]) => {
    const i = pick(k, inputs.length);
    const t = inputs[i] as Tensor;
    const at = e % t.data.length;
    const data = [...t.data];
    data[at] = v as number;
    const all = inputs.map((x, j) => (j === i ? { ...x, data } : x));
    return {
      what: 'bad data value',
      path,
      body: inferBody(all),
      expect: { status: 400, field: `inputs[${i}].data[${at}]` },
    };
  }),
  fc
    .tuple(
      inferPath,
      goodInfer,
      fc.nat(),
      extraKey.filter((s) => s.length <= 64),
    )
    .map(([path, inputs, k, name]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, name } : x));
      // Renaming an input leaves one manifest input without a tensor: the unknown name is reported first.
      return { what: 'unknown input', path, body: inferBody(t), expect: { status: 400, field: `inputs[${i}].name` } };
    }),
  fc.tuple(inferPath, goodInfer, fc.nat()).map(([path, inputs, k]) => {
    const i = pick(k, inputs.length);
    const t = [...inputs, { ...(inputs[i] as Tensor) }];
    return {
      what: 'duplicate input',
      path,
      body: inferBody(t),
      expect: { status: 400, field: `inputs[${inputs.length}].name` },
    };
  }),
  fc.tuple(inferPath, goodInfer, fc.nat()).map(([path, inputs, k]) => {
    const i = pick(k, inputs.length);
    const t = inputs.filter((_, j) => j !== i);
    return { what: 'missing input', path, body: inferBody(t), expect: { status: 400, field: `inputs.${INPUTS[i]}` } };
  }),
  fc.tuple(inferPath, goodInfer, fc.nat(), fc.integer({ min: 2, max: 3 })).map(([path, inputs, k, w]) => {
    const i = pick(k, inputs.length);
    const t = inputs.map((x, j) => {
      if (j !== i) return x;
      const n = x.shape[0] as number;
      return { ...x, shape: [n, w], data: Array.from({ length: n * w }, () => 0.1) };
    });
    return {
      what: 'scalar input of width > 1',
      path,
      body: inferBody(t),
      expect: { status: 400, field: `inputs[${i}].shape` },
    };
  }),
  fc.tuple(inferPath, goodInfer, fc.nat(), fc.integer({ min: 1, max: 3 })).map(([path, inputs, k, extra]) => {
    const i = pick(k, inputs.length);
    const t = inputs.map((x, j) => {
      if (j !== i) return x;
      const m = (x.shape[0] as number) + extra;
      return { ...x, shape: [m], data: Array.from({ length: m }, () => 0.1) };
    });
    return {
      what: 'row counts differ',
      path,
      body: inferBody(t),
      expect: { status: 400, field: /^inputs\[[0-2]\]\.shape$/ },
    };
  }),
  fc
    .tuple(
      inferPath,
      goodInfer,
      fc.nat(),
      extraKey.filter((k) => !['name', 'shape', 'datatype', 'data', 'parameters'].includes(k)),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([path, inputs, k, key, v]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, [key]: v } : x));
      return {
        what: 'extra tensor field',
        path,
        body: inferBody(t),
        expect: { status: 400, field: `inputs[${i}].${key}` },
      };
    }),
  fc
    .tuple(inferPath, goodInfer, fc.nat(), fc.constantFrom('name', 'shape', 'datatype', 'data'))
    .map(([path, inputs, k, key]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => {
        if (j !== i) return x;
        const { [key]: _, ...rest } = x;
        return rest;
      });
      return {
        what: `tensor without ${key}`,
        path,
        body: inferBody(t),
        expect: { status: 400, field: `inputs[${i}].${key}` },
      };
    }),
  fc
    .tuple(
      inferPath,
      fc.oneof(
        fc.constant([] as unknown[]),
        goodValue,
        fc.string(),
        fc.constant(null),
        fc.dictionary(fc.string(), goodValue),
      ),
    )
    .map(([path, v]) => ({
      what: 'inputs not a tensor list',
      path,
      body: inferBody(v),
      expect: { status: 400, field: 'inputs' },
    })),
  fc
    .tuple(
      inferPath,
      goodInfer,
      extraKey.filter((k) => !['id', 'parameters', 'inputs', 'outputs'].includes(k)),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([path, inputs, key, v]) => ({
      what: 'extra request field',
      path,
      body: inferBody(inputs, { [key]: v }),
      expect: { status: 400, field: key },
    })),
  fc
    .tuple(inferPath, goodInfer, fc.oneof(goodValue, fc.boolean(), fc.constant(null), fc.array(fc.string())))
    .map(([path, inputs, id]) => ({
      what: 'id not a string',
      path,
      body: inferBody(inputs, { id }),
      expect: { status: 400, field: 'id' },
    })),
  fc
    .tuple(
      inferPath,
      goodInfer,
      extraKey.filter((s) => s !== 'score' && s.length <= 64),
    )
    .map(([path, inputs, name]) => ({
      what: 'unknown output',
      path,
      body: inferBody(inputs, { outputs: [{ name }] }),
      expect: { status: 400, field: 'outputs[0].name' },
    })),
  inferPath.map((path) => ({
    what: 'empty batch',
    path,
    body: inferBody(INPUTS.map((name) => ({ name, shape: [0], datatype: 'FP32', data: [] }))),
    expect: { status: 400, field: 'inputs' },
  })),
  fc
    .tuple(inferPath, goodInfer, fc.nat(), fc.constantFrom(...INPUTS), hugeToken)
    .map(([path, inputs, k, _name, token]) => {
      const i = pick(k, inputs.length);
      const t = inputs.map((x, j) => (j === i ? { ...x, data: ['__HUGE__', ...x.data.slice(1)] } : x));
      return {
        what: `huge tensor value ${token}`,
        path,
        body: inferBody(t).replace('"__HUGE__"', token),
        expect: { status: 400, field: `inputs[${i}].data[0]` },
      };
    }),
  fc.tuple(inferPath, goodInfer, fc.nat(), invalidUtf8).map(([path, inputs, at, bytes]) => {
    const text = inferBody(inputs);
    return {
      what: `invalid UTF-8 ${bytes}`,
      path,
      body: withBytes(text, at % text.length, bytes),
      expect: { status: 400, field: 'body' },
    };
  }),
  fc.tuple(inferPath, fc.integer({ min: 1, max: 50_000 })).map(([path, depth]) => ({
    what: `nesting ${depth} in inputs`,
    path,
    body: `{"inputs":${nested(depth)}}`,
    expect: { status: 400, field: 'inputs[0]' },
  })),
);

/** Model names in the path: unknown, over-long or oddly encoded names are 404 or 400, never 5xx. */
const nameCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
      fc.string({ minLength: 129, maxLength: 200 }).map(encodeURIComponent),
      // Already percent-encoded: invalid UTF-8, NUL, traversal.
      fc.constantFrom('%FF', '%C0%AF', '%00', '..%2F..%2Fetc', '%E2%82'),
    ),
    fc.constantFrom('/v1/models/{}/predict', '/v2/models/{}/infer', '/v1/models/{}/versions/latest/predict'),
  )
  .map(([segment, template]) => {
    const body = template.startsWith('/v2')
      ? inferBody([{ name: 'et', shape: [1], datatype: 'FP32', data: [1] }])
      : '{"rows":[{"et":1,"eta":0,"reta":1}]}';
    return {
      what: `model name ${segment}`,
      path: template.replace('{}', segment),
      body,
      // `.` and `..` are resolved away by the URL, leaving a path no route matches (no field).
      expect: { status: [400, 404], field: null },
    };
  });

/**
 * KServe v2 binary tensor data (issue 20): a valid binary request (each input FP32 or FP64 with
 * `binary_data_size`, the bytes after the JSON header) with one fault: a wrong declared size, a
 * body cut short or padded, a header length past the body or not a number, random bytes as the
 * header, or a NaN in the data.
 */
const binaryInferCase: fc.Arbitrary<Case> = fc
  .tuple(
    inferPath,
    goodInfer,
    fc.nat(),
    fc.constantFrom('size', 'short', 'long', 'header past body', 'header not a number', 'garbage header', 'nan'),
    fc.integer({ min: 1, max: 7 }),
    fc.uint8Array({ minLength: 1, maxLength: 40 }),
  )
  .map(([path, inputs, k, fault, d, garbage]) => {
    const i = pick(k, inputs.length);
    const parts = inputs.map((t) =>
      t.datatype === 'FP64'
        ? new Uint8Array(Float64Array.from(t.data).buffer)
        : new Uint8Array(Float32Array.from(t.data).buffer),
    );
    if (fault === 'nan') {
      const p = parts[i] as Uint8Array;
      const view = new DataView(p.buffer);
      if (inputs[i]?.datatype === 'FP64') view.setFloat64(0, Number.NaN, true);
      else view.setFloat32(0, Number.NaN, true);
    }
    const header = {
      inputs: inputs.map(({ data, ...t }, j) => ({
        ...t,
        parameters: { binary_data_size: (parts[j] as Uint8Array).byteLength + (fault === 'size' && j === i ? d : 0) },
      })),
    };
    const head = new TextEncoder().encode(JSON.stringify(header));
    let data = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.byteLength;
    }
    if (fault === 'short') data = data.subarray(0, Math.max(0, data.byteLength - d));
    if (fault === 'long') data = new Uint8Array([...data, ...new Uint8Array(d)]);
    const first = fault === 'garbage header' ? garbage : head;
    const body = new Uint8Array(first.byteLength + data.byteLength);
    body.set(first, 0);
    body.set(data, first.byteLength);
    const headerLength =
      fault === 'header past body'
        ? String(body.byteLength + d)
        : fault === 'header not a number'
          ? `${d}x`
          : String(first.byteLength);
    const field =
      fault === 'size'
        ? `inputs[${i}].parameters.binary_data_size`
        : fault === 'short' || fault === 'long'
          ? 'body'
          : fault === 'nan'
            ? `inputs[${i}].data[0]`
            : fault === 'garbage header'
              ? /^(body|inputs.*|.+)$/
              : 'inference-header-content-length';
    return {
      what: `binary tensors: ${fault}`,
      path,
      body,
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': headerLength },
      expect: { status: 400, field },
    };
  });

// ---- publish ----------------------------------------------------------------------------------

const publishCase: fc.Arbitrary<Case> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes) => ({
    what: 'random bytes as a tar',
    path: '/v1/models',
    body: bytes,
    headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
    expect: { status: [400, 422] },
  })),
  fc.nat().map((cut) => ({
    what: 'truncated tar',
    path: '/v1/models',
    body: validTar.slice(0, 1 + (cut % (validTar.length - 1025))),
    headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
    expect: { status: [400, 422] },
  })),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
    const tar = validTar.slice();
    const [lo, hi] = weightsRange;
    const i = lo + (at % (hi - lo));
    tar[i] = (tar[i] as number) ^ (1 << bit);
    return {
      what: `bit ${bit} flipped in weights.bin at ${i}`,
      path: '/v1/models',
      body: tar,
      headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
      expect: { status: 422, field: /weights\.bin|files/ },
    };
  }),
  fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !['private', 'collaboration', 'public'].includes(v)),
    )
    .map(([v]) => ({
      what: 'bad visibility',
      path: `/v1/models?visibility=${encodeURIComponent(v)}`,
      body: validTar,
      headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
      expect: { status: 400, field: 'visibility' },
    })),
  fc
    .oneof(
      fc.integer({ max: 0 }).map(String),
      fc.string({ maxLength: 6 }).filter((s) => !(Number.isInteger(Number(s)) && Number(s) > 0)),
    )
    .map((v) => ({
      what: 'bad parentVersion',
      path: `/v1/models?parentVersion=${encodeURIComponent(v)}`,
      body: validTar,
      headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
      expect: { status: 400, field: 'parentVersion' },
    })),
  fc.constantFrom('application/json', 'text/plain', 'application/zip', '').map((type) => ({
    what: `content type ${type}`,
    path: '/v1/models',
    body: validTar,
    headers: { 'content-type': type, authorization: `Bearer ${publisher}` },
    expect: { status: 415, field: 'content-type' },
  })),
  fc.constantFrom('missing', 'text').map((how) => {
    const form = new FormData();
    if (how === 'text') form.set('bundle', 'not a file');
    else form.set('visibility', 'public');
    return {
      what: `multipart bundle ${how}`,
      path: '/v1/models',
      body: form,
      headers: { authorization: `Bearer ${publisher}` },
      expect: { status: 400, field: 'bundle' },
    };
  }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => ({
    what: 'broken multipart',
    path: '/v1/models',
    body: bytes,
    headers: { 'content-type': 'multipart/form-data; boundary=xyz', authorization: `Bearer ${publisher}` },
    expect: { status: 400 },
  })),
  fc.constantFrom('none', 'read').map((who) => ({
    what: `publish as ${who}`,
    path: '/v1/models',
    body: validTar,
    headers: { 'content-type': 'application/x-tar', ...(who === 'read' ? { authorization: `Bearer ${reader}` } : {}) },
    expect: { status: who === 'read' ? 403 : 401, field: 'authorization' },
  })),
);

/**
 * Sends `numRuns` seeded cases of an arbitrary; returns how many were sent. The cases are drawn
 * with `fc.sample` and sent in a plain loop: `fc.asyncProperty` costs ~40 ms of scheduling per run
 * inside workerd (measured), ten times the request itself. A failure names the case in full, so it
 * replays from the seed without shrinking.
 */
async function fuzz(arb: fc.Arbitrary<Case>, numRuns: number, seed: number): Promise<number> {
  const before = fuzzed;
  for (const c of fc.sample(arb, { numRuns, seed })) await send(c);
  return fuzzed - before;
}

beforeAll(async () => {
  await publish(await mlpBundle({ name: TAGGER, workingPoints: WPS }));
  await publish(await cnnBundle(CNN));
  publisher = await tokenFor('fuzz-publisher', ['read', 'publish']);
  reader = await tokenFor('fuzz-reader', ['read']);
  const bundle = await mlpBundle({ name: 'fuzz-upload', workingPoints: WPS });
  validTar = bundleTar(bundle);
  // Locate weights.bin's content: the 512-byte header whose name field starts with it, then its data.
  const dec = new TextDecoder();
  for (let o = 0; o + 512 <= validTar.length; o += 512) {
    if (dec.decode(validTar.subarray(o, o + 11)) === 'weights.bin') {
      const size = Number.parseInt(dec.decode(validTar.subarray(o + 124, o + 135)), 8);
      weightsRange = [o + 512, o + 512 + size];
      break;
    }
  }
  expect(weightsRange[1]).toBeGreaterThan(weightsRange[0]);
});

afterAll(() => {
  const by = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
  console.log(`fuzz: ${fuzzed} generated requests inside workerd (seed ${SEED}); statuses ${by.join(' ')}`);
});

describe('fuzz: every malformed request is a 4xx naming the problem, never a 5xx', () => {
  it(
    'v1 predict, rows form',
    async () => {
      expect(await fuzz(rowsCase, runs(3500), SEED)).toBe(runs(3500));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'v1 predict, columns form',
    async () => {
      expect(await fuzz(columnsCase, runs(1800), SEED + 1)).toBe(runs(1800));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'KServe v2 infer',
    async () => {
      expect(await fuzz(inferCase, runs(3500), SEED + 2)).toBe(runs(3500));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'KServe v2 infer with binary tensor data',
    async () => {
      expect(await fuzz(binaryInferCase, runs(600), SEED + 7)).toBe(runs(600));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'model names in the path',
    async () => {
      expect(await fuzz(nameCase, runs(600), SEED + 3)).toBe(runs(600));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'publish: random, truncated and bit-flipped archives, bad options, wrong media types and tokens',
    async () => {
      expect(await fuzz(publishCase, runs(700), SEED + 4)).toBe(runs(700));
    },
    FUZZ_TIMEOUT_MS,
  );

  it('the valid baseline of every generator is served (so the mutations are what is refused)', async () => {
    const rows = await api(`/v1/models/${TAGGER}/predict`, {
      method: 'POST',
      body: JSON.stringify({ rows: [{ et: 40, eta: 0.1, reta: 0.9 }] }),
    });
    expect(rows.status).toBe(200);
    const cols = await api(`/v1/models/${TAGGER}/predict`, {
      method: 'POST',
      body: JSON.stringify({ columns: { et: [40], eta: [0.1], reta: [0.9] } }),
    });
    expect(cols.status).toBe(200);
    const infer = await api(`/v2/models/${TAGGER}/infer`, {
      method: 'POST',
      body: inferBody(INPUTS.map((name) => ({ name, shape: [1, 1], datatype: 'FP64', data: [0.5] }))),
    });
    expect(infer.status).toBe(200);
    const pub = await api('/v1/models', {
      method: 'POST',
      headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${publisher}` },
      body: validTar,
    });
    expect(pub.status).toBe(201);
  });
});

describe('oversized requests and batches: 413 naming the body or the batch', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const big = (bytes: number) => {
    const row = '{"et":40.123456,"eta":0.1,"reta":0.9},';
    const rows = row.repeat(Math.ceil(bytes / row.length));
    return `{"rows":[${rows.slice(0, -1)}]}`;
  };

  it('a body over MAX_BODY_BYTES, declared or streamed, to predict and infer', async () => {
    const text = big(MAX_BODY_BYTES + 1);
    for (const path of [`/v1/models/${TAGGER}/predict`, `/v2/models/${TAGGER}/infer`]) {
      expect(await send({ what: 'declared oversized', path, body: text, expect: { status: 413, field: 'body' } })).toBe(
        413,
      );
      const bytes = new TextEncoder().encode(text);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let o = 0; o < bytes.length; o += 1 << 20) controller.enqueue(bytes.subarray(o, o + (1 << 20)));
          controller.close();
        },
      });
      expect(
        await send({ what: 'streamed oversized', path, body: stream, expect: { status: 413, field: 'body' } }),
      ).toBe(413);
      // A small declared length beside a chunked body: the body, not the header, is what is read.
      const understated = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let o = 0; o < bytes.length; o += 1 << 20) controller.enqueue(bytes.subarray(o, o + (1 << 20)));
          controller.close();
        },
      });
      expect(
        await send({
          what: 'understated length, chunked',
          path,
          body: understated,
          headers: { 'content-length': '10', 'transfer-encoding': 'chunked' },
          expect: { status: 413, field: 'body' },
        }),
      ).toBe(413);
    }
  });

  it('a batch over MAX_BATCH_ROWS in rows, columns and tensors', async () => {
    const n = MAX_BATCH_ROWS + 1;
    const rows = JSON.stringify({ rows: Array.from({ length: n }, () => ({ et: 40, eta: 0.1, reta: 0.9 })) });
    const column = Array.from({ length: n }, () => 0.5);
    const columns = JSON.stringify({ columns: { et: column, eta: column, reta: column } });
    const tensors = inferBody(INPUTS.map((name) => ({ name, shape: [n], datatype: 'FP32', data: column })));
    await send({
      what: 'rows',
      path: `/v1/models/${TAGGER}/predict`,
      body: rows,
      expect: { status: 413, field: 'rows' },
    });
    await send({
      what: 'columns',
      path: `/v1/models/${TAGGER}/predict`,
      body: columns,
      expect: { status: 413, field: 'columns' },
    });
    await send({
      what: 'tensors',
      path: `/v2/models/${TAGGER}/infer`,
      body: tensors,
      expect: { status: 413, field: 'inputs' },
    });
  });

  it('CNN images of the wrong shape or size', async () => {
    const base = { rows: [{ eRaw: 50, eta: 0.1 }] };
    const cases: [unknown, string][] = [
      [undefined, 'image'],
      [{ shape: [1, 4, 4], data: Array(16).fill(1) }, 'image.shape'],
      [{ shape: [2, 4, 4, 1], data: Array(32).fill(1) }, 'image.shape'],
      [{ shape: [1, 4, 4, 1], data: Array(15).fill(1) }, 'image.data'],
      [{ shape: [1, 4, 4, 1], data: [...Array(15).fill(1), 'x'] }, 'image.data[15]'],
      [{ shape: [1, 4, 4, -1], data: [] }, 'image.shape[3]'],
      [{ shape: [1, 4, 4, 1], data: Array(16).fill(1), extra: 1 }, 'image.extra'],
    ];
    for (const [image, field] of cases) {
      await send({
        what: `image ${JSON.stringify(image)?.slice(0, 40)}`,
        path: `/v1/models/${CNN}/predict`,
        body: JSON.stringify(image === undefined ? base : { ...base, image }),
        expect: { status: 400, field },
      });
    }
  });
});
