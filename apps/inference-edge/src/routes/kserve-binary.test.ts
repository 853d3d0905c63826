// KServe v2 as real clients call it (issue 20): Triton's binary tensor data extension built byte by
// byte from its documentation (docs/protocol/extension_binary_data.md: JSON header of
// Inference-Header-Content-Length bytes, then raw little-endian row-major tensors), nested JSON
// data, the protocol's error form and the model-repository index.
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { api, errorOf, post } from '../../test/api.ts';
import { mlpBundle, publish, tokenFor } from '../../test/fixtures.ts';

interface InferJson {
  model_name: string;
  model_version: string;
  outputs: {
    name: string;
    shape: number[];
    datatype: string;
    data?: number[];
    parameters?: { binary_data_size: number };
  }[];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** header bytes followed by the parts, as one body. */
function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** POSTs a binary-extension body: `header` (JSON text, written by hand) then `data`. */
function postBinary(path: string, header: string, data: Uint8Array, headers: Record<string, string> = {}) {
  const head = utf8(header);
  return api(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(head.byteLength),
      ...headers,
    },
    body: concat(head, data),
  });
}

/** A response of the extension: its JSON header and the bytes after it. */
async function splitBinary(res: Response): Promise<{ json: InferJson; data: DataView }> {
  const length = Number(res.headers.get('inference-header-content-length'));
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(length).toBeGreaterThan(0);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(0, length))) as InferJson;
  return { json, data: new DataView(bytes.buffer, bytes.byteOffset + length) };
}

// Three rows, chosen exactly representable in every datatype they are sent as.
const ET = [41.25, 12.5, 80];
const ETA = [0.3, -2.1, 1.1];
// FP16 words of 0.875, 0.9375 and 1.0 (sign 0, exponent 14/14/15, fraction .75/.875/0).
const RETA_FP16_WORDS = [0x3b00, 0x3b80, 0x3c00];
const RETA = [0.875, 0.9375, 1];

/** The in-process answer for rows of (et, eta, reta) given as float32. */
async function expectedScores(name: string, rows: number[][]): Promise<Float32Array> {
  const bundle = await mlpBundle({ name });
  const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
  return runner.predict(Float32Array.from(rows.flat()), rows.length);
}

describe('KServe v2 binary tensor data (as tritonclient sends it)', () => {
  it('GET /v2 lists binary_tensor_data among its extensions', async () => {
    const meta = (await (await api('/v2')).json()) as { extensions: string[] };
    expect(meta.extensions).toContain('binary_tensor_data');
  });

  it('answers a request built byte by byte from the extension document, as binary and as JSON', async () => {
    await publish(await mlpBundle({ name: 'kb-tagger' }));
    const data = new DataView(new ArrayBuffer(12 + 24 + 6));
    ET.forEach((v, i) => {
      data.setFloat32(4 * i, v, true);
    });
    ETA.forEach((v, i) => {
      data.setFloat64(12 + 8 * i, v, true);
    });
    RETA_FP16_WORDS.forEach((w, i) => {
      data.setUint16(36 + 2 * i, w, true);
    });
    const bytes = new Uint8Array(data.buffer);
    const header =
      '{"id":"t-1","inputs":[' +
      '{"name":"et","shape":[3],"datatype":"FP32","parameters":{"binary_data_size":12}},' +
      '{"name":"eta","shape":[3,1],"datatype":"FP64","parameters":{"binary_data_size":24}},' +
      '{"name":"reta","shape":[3],"datatype":"FP16","parameters":{"binary_data_size":6}}],' +
      '"outputs":[{"name":"score","parameters":{"binary_data":true}}]}';
    const want = await expectedScores(
      'kb-tagger',
      ET.map((et, r) => [et, Math.fround(ETA[r] as number), RETA[r] as number]),
    );

    const res = await postBinary('/v2/models/kb-tagger/infer', header, bytes);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const { json, data: out } = await splitBinary(res);
    expect(json.model_name).toBe('kb-tagger');
    expect(json.outputs).toEqual([
      { name: 'score', shape: [3], datatype: 'FP32', parameters: { binary_data_size: 12 } },
    ]);
    expect(out.byteLength).toBe(12);
    for (let r = 0; r < 3; r++) expect(out.getFloat32(4 * r, true)).toBe(want[r]);

    // tritonclient's default: no outputs named, binary_data_output on the request.
    const defaults = header.replace(
      ',"outputs":[{"name":"score","parameters":{"binary_data":true}}]',
      ',"parameters":{"binary_data_output":true}',
    );
    const all = await splitBinary(await postBinary('/v2/models/kb-tagger/infer', defaults, bytes));
    expect(all.json.outputs.map((o) => o.name)).toEqual(['score']);
    for (let r = 0; r < 3; r++) expect(all.data.getFloat32(4 * r, true)).toBe(want[r]);

    // Binary in, JSON out: the same values as the JSON request of the same rows.
    const jsonOut = await postBinary(
      '/v2/models/kb-tagger/infer',
      header.replace('"binary_data":true', '"binary_data":false'),
      bytes,
    );
    expect(jsonOut.headers.get('content-type')).toContain('application/json');
    const fromBinary = (await jsonOut.json()) as InferJson;
    const fromJson = (await (
      await post('/v2/models/kb-tagger/infer', {
        inputs: [
          { name: 'et', shape: [3], datatype: 'FP32', data: ET },
          { name: 'eta', shape: [3, 1], datatype: 'FP64', data: ETA },
          { name: 'reta', shape: [3], datatype: 'FP32', data: RETA },
        ],
      })
    ).json()) as InferJson;
    expect(fromBinary.outputs[0]?.data).toEqual(Array.from(want));
    expect(fromJson.outputs[0]?.data).toEqual(fromBinary.outputs[0]?.data);
  });

  it('reads every numeric datatype and BOOL, little-endian, mixed with JSON inputs', async () => {
    await publish(await mlpBundle({ name: 'kb-types' }));
    const rows = [
      [1, 0, 1],
      [0, 1, 1],
      [1, 1, 0],
    ];
    const want = await expectedScores('kb-types', rows);
    const column = (j: number) => rows.map((r) => r[j] as number);
    const writers: Record<string, [number, (v: DataView, o: number, x: number) => void]> = {
      BOOL: [1, (v, o, x) => v.setUint8(o, x)],
      UINT8: [1, (v, o, x) => v.setUint8(o, x)],
      INT8: [1, (v, o, x) => v.setInt8(o, x)],
      UINT16: [2, (v, o, x) => v.setUint16(o, x, true)],
      INT16: [2, (v, o, x) => v.setInt16(o, x, true)],
      UINT32: [4, (v, o, x) => v.setUint32(o, x, true)],
      INT32: [4, (v, o, x) => v.setInt32(o, x, true)],
      UINT64: [8, (v, o, x) => v.setBigUint64(o, BigInt(x), true)],
      INT64: [8, (v, o, x) => v.setBigInt64(o, BigInt(x), true)],
      FP16: [2, (v, o, x) => v.setUint16(o, x === 1 ? 0x3c00 : 0, true)],
      FP32: [4, (v, o, x) => v.setFloat32(o, x, true)],
      FP64: [8, (v, o, x) => v.setFloat64(o, x, true)],
    };
    for (const [datatype, [size, write]] of Object.entries(writers)) {
      // et and reta binary in this datatype (reta after a 1-byte-odd offset when size is 1),
      // eta as JSON in the same datatype (BOOL as true/false).
      const data = new DataView(new ArrayBuffer(6 * size));
      column(0).forEach((x, r) => {
        write(data, r * size, x);
      });
      column(2).forEach((x, r) => {
        write(data, (3 + r) * size, x);
      });
      const etaJson = datatype === 'BOOL' ? column(1).map((x) => x === 1) : column(1);
      const header = JSON.stringify({
        inputs: [
          { name: 'et', shape: [3], datatype, parameters: { binary_data_size: 3 * size } },
          { name: 'eta', shape: [3], datatype, data: etaJson },
          { name: 'reta', shape: [3, 1], datatype, parameters: { binary_data_size: 3 * size } },
        ],
        parameters: { binary_data_output: true },
      });
      const res = await postBinary('/v2/models/kb-types/infer', header, new Uint8Array(data.buffer));
      expect(res.status, datatype).toBe(200);
      const { data: out } = await splitBinary(res);
      for (let r = 0; r < 3; r++) expect(out.getFloat32(4 * r, true), `${datatype} row ${r}`).toBe(want[r]);
    }
  });

  it('refuses sizes that do not add up with a 400 in the protocol form naming the field', async () => {
    await publish(await mlpBundle({ name: 'kb-sizes' }));
    const path = '/v2/models/kb-sizes/infer';
    const tensor = (name: string, size: number, datatype = 'FP32') =>
      `{"name":"${name}","shape":[2],"datatype":"${datatype}","parameters":{"binary_data_size":${size}}}`;
    const header = (et: number, datatype = 'FP32') =>
      `{"inputs":[${tensor('et', et, datatype)},${tensor('eta', 8)},${tensor('reta', 8)}]}`;
    const bytes = (n: number) => new Uint8Array(n);
    const cases: [string, Promise<Response>, string][] = [
      [
        'declared size ≠ shape × dtype',
        postBinary(path, header(12), bytes(28)),
        'inputs[0].parameters.binary_data_size',
      ],
      ['body shorter than declared', postBinary(path, header(8), bytes(20)), 'body'],
      ['body longer than declared', postBinary(path, header(8), bytes(30)), 'body'],
      [
        'header length past the body',
        api(path, { method: 'POST', headers: { 'inference-header-content-length': '100000' }, body: utf8(header(8)) }),
        'inference-header-content-length',
      ],
      [
        'header length not a number',
        api(path, { method: 'POST', headers: { 'inference-header-content-length': '12abc' }, body: utf8(header(8)) }),
        'inference-header-content-length',
      ],
      [
        'binary sizes without the header',
        api(path, { method: 'POST', body: utf8(header(8)) }),
        'inference-header-content-length',
      ],
      ['BYTES', postBinary(path, header(8, 'BYTES'), bytes(24)), 'inputs[0].datatype'],
      [
        'data and binary_data_size both',
        postBinary(
          path,
          `{"inputs":[{"name":"et","shape":[2],"datatype":"FP32","data":[1,2],"parameters":{"binary_data_size":8}},${tensor('eta', 8)},${tensor('reta', 8)}]}`,
          bytes(24),
        ),
        'inputs[0].data',
      ],
      [
        'a NaN in binary FP32',
        postBinary(path, header(8), concat(new Uint8Array(new Float32Array([1, Number.NaN]).buffer), bytes(16))),
        'inputs[0].data[1]',
      ],
      [
        'a BOOL byte of 2',
        postBinary(
          path,
          `{"inputs":[${tensor('et', 2, 'BOOL')},${tensor('eta', 8)},${tensor('reta', 8)}]}`,
          concat(new Uint8Array([1, 2]), bytes(16)),
        ),
        'inputs[0].data[1]',
      ],
    ];
    for (const [what, pending, field] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(400);
      const body = (await res.json()) as { error: unknown; code: string; field?: string };
      expect(typeof body.error, what).toBe('string');
      expect(body.code, what).toBe('invalid_input');
      expect(body.field, `${what}: ${body.error}`).toBe(field);
    }
  });

  it('takes nested data matching the shape and refuses nesting that does not', async () => {
    await publish(await mlpBundle({ name: 'kb-nested' }));
    const path = '/v2/models/kb-nested/infer';
    const flat = [
      { name: 'et', shape: [2], datatype: 'FP32', data: [40, 50] },
      { name: 'eta', shape: [2], datatype: 'FP32', data: [0.5, 0.6] },
      { name: 'reta', shape: [2], datatype: 'FP32', data: [0.9, 0.95] },
    ];
    const nested = [
      flat[0],
      { name: 'eta', shape: [2, 1], datatype: 'FP32', data: [[0.5], [0.6]] },
      { name: 'reta', shape: [2, 1], datatype: 'FP64', data: [[0.9], [0.95]] },
    ];
    const a = (await (await post(path, { inputs: flat })).json()) as InferJson;
    const b = await post(path, { inputs: nested });
    expect(b.status).toBe(200);
    expect(((await b.json()) as InferJson).outputs[0]?.data).toEqual(a.outputs[0]?.data);
    const bad: [unknown, string, RegExp][] = [
      [[[0.5, 0.6]], 'inputs[1].data', /1 entries, dimension 0 of shape \[2, 1\] is 2/],
      [[[0.5], 0.6], 'inputs[1].data[0]', /other entries are not/],
      [[[0.5], [0.6, 0.7]], 'inputs[1].data[1]', /2 entries, dimension 1 of shape \[2, 1\] is 1/],
      [[[0.5], [[0.6]]], 'inputs[1].data[1][0]', /nests deeper/],
      [[[0.5], ['x']], 'inputs[1].data[1][0]', /finite number/],
    ];
    for (const [data, field, message] of bad) {
      const res = await post(path, { inputs: [flat[0], { ...nested[1], data }, flat[2]] });
      expect(res.status, JSON.stringify(data)).toBe(400);
      const e = await errorOf(res);
      expect(e.field, JSON.stringify(data)).toBe(field);
      expect(e.message).toMatch(message);
    }
    // Integer datatypes hold integers in range.
    const int = await post(path, { inputs: [{ ...flat[0], datatype: 'UINT8', data: [40, 256] }, flat[1], flat[2]] });
    expect(await errorOf(int)).toMatchObject({ field: 'inputs[0].data[1]' });
  });

  it('answers /v2 errors as {"error": "<message>"} with code and field beside it; /v1 keeps its envelope', async () => {
    const missing = await post('/v2/models/kb-no-such/infer', { inputs: [] });
    expect(missing.status).toBe(400);
    const v2 = (await missing.json()) as Record<string, unknown>;
    expect(typeof v2.error).toBe('string');
    expect(v2.field).toBe('inputs');
    const unknown = await api('/v2/models/kb-no-such');
    expect(unknown.status).toBe(404);
    expect(typeof ((await unknown.json()) as { error: unknown }).error).toBe('string');
    const noRoute = await api('/v2/nothing-here');
    expect(noRoute.status).toBe(404);
    expect(typeof ((await noRoute.json()) as { error: unknown }).error).toBe('string');
    const v1 = (await (await api('/v1/models/kb-no-such')).json()) as { error: { code: string; message: string } };
    expect(v1.error.code).toBe('not_found');
    expect(typeof v1.error.message).toBe('string');
  });
});

describe('POST /v2/repository/index', () => {
  it('lists the versions the caller may see, with state and reason, and filters on ready', async () => {
    await publish(await mlpBundle({ name: 'kb-index-public' }));
    await publish(await mlpBundle({ name: 'kb-index-public', phase: 1 }));
    await publish(await mlpBundle({ name: 'kb-index-private' }), { visibility: 'private', owner: 'kb-owner' });
    const owner = await tokenFor('kb-owner', ['read', 'publish']);
    const stranger = await tokenFor('kb-stranger', ['read']);
    expect(
      (
        await post(
          '/v1/models/kb-index-public/versions/1/deprecate',
          {},
          await tokenFor('kb-admin', ['admin'], { admin: true }),
        )
      ).status,
    ).toBe(200);

    type Entry = { name: string; version: string; state: string; reason: string };
    const index = async (token?: string, body: unknown = {}) => {
      const res = await post('/v2/repository/index', body, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as Entry[]).filter((e) => e.name.startsWith('kb-index-'));
    };
    const anonymous = await index();
    expect(anonymous).toEqual([
      { name: 'kb-index-public', version: '2', state: 'READY', reason: '' },
      {
        name: 'kb-index-public',
        version: '1',
        state: 'READY',
        reason: 'deprecated: served by its number, not as latest',
      },
    ]);
    expect(await index(stranger)).toEqual(anonymous);
    const mine = await index(owner, { ready: true });
    expect(mine.map((e) => `${e.name}@${e.version}`).sort()).toEqual([
      'kb-index-private@1',
      'kb-index-public@1',
      'kb-index-public@2',
    ]);
    const bad = await post('/v2/repository/index', { ready: 'yes' });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ field: 'ready' });
  });
});
