// Storage persists across the tests of a file here, so each test publishes under its own name.

import { openRegistry, resolveVersion } from '@hepml/models/registry';
import { createMlpRunner, weightsFromBytes } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { api } from '../../test/api.ts';
import { publishTiny } from '../../test/fixtures.ts';

const post = (path: string, body: unknown) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/v1/models', () => {
  it('lists published models with their metrics', async () => {
    await publishTiny('listed');
    await publishTiny('listed');
    const res = await api('/v1/models?task=electron-id');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { models: { name: string; latestVersion: number; metrics: { auc: number } }[] };
    expect(body.models.find((m) => m.name === 'listed')).toMatchObject({ latestVersion: 2, metrics: { auc: 0.9 } });
    const other = (await (await api('/v1/models?task=b-tagging')).json()) as { models: unknown[] };
    expect(other.models).toEqual([]);
  });

  it('predicts one score per row, equal to the in-process runtime', async () => {
    const bundle = await publishTiny('predictor');
    const rows = [
      { et: 41.2, eta: 0.3, reta: 0.95 },
      { et: 12, eta: -2.1, reta: 0.8 },
    ];
    const res = await post('/v1/models/predictor/predict', { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scores: number[]; version: number };
    const runner = createMlpRunner(bundle.manifest, weightsFromBytes(bundle.files.get('weights.bin') as Uint8Array));
    const expected = runner.predict(Float32Array.from([41.2, 0.3, 0.95, 12, -2.1, 0.8]), 2);
    expect(body.version).toBe(1);
    expect(body.scores).toHaveLength(2);
    for (const [i, s] of body.scores.entries()) expect(s).toBeCloseTo(expected[i] as number, 6);
  });

  it('answers a missing input with 400 naming the field', async () => {
    await publishTiny();
    const res = await post('/v1/models/tiny-tagger/predict', { rows: [{ et: 40, eta: 0.1 }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_input', message: 'rows[0].reta is missing', field: 'rows[0].reta' },
    });
  });

  it('answers a non-numeric or non-finite input with 400 naming the field', async () => {
    await publishTiny();
    const res = await post('/v1/models/tiny-tagger/predict', { rows: [{ et: '40', eta: 0.1, reta: 0.9 }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('rows[0].et');
    const res2 = await api('/v1/models/tiny-tagger/predict', {
      method: 'POST',
      body: '{"rows":[{"et":1e999,"eta":0,"reta":0.9}]}',
    });
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { error: { field: string } }).error.field).toBe('rows[0].et');
  });

  it('answers an unknown model with 404 and bad JSON with 400', async () => {
    const res = await post('/v1/models/nope/predict', { rows: [{ et: 1 }] });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await api('/v1/models/nope/predict', { method: 'POST', body: '{"rows": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('body');
  });

  it('refuses a bundle whose weights do not match the manifest hash (503, not served)', async () => {
    await publishTiny('tampered');
    const { env } = await import('cloudflare:workers');
    const resolved = await resolveVersion(openRegistry(env.DB), 'tampered', 1);
    await env.MODELS.put(resolved.files['weights.bin']?.r2Key ?? '', new Uint8Array(4 * 21));
    const res = await post('/v1/models/tampered/predict', { rows: [{ et: 40, eta: 0.1, reta: 0.9 }] });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_unavailable');
    // Other models keep serving.
    await publishTiny('still-fine');
    expect((await post('/v1/models/still-fine/predict', { rows: [{ et: 40, eta: 0.1, reta: 0.9 }] })).status).toBe(200);
  });
});

describe('bundle cache', () => {
  it('loads a version from R2 once per isolate and serves it from memory afterwards', async () => {
    await publishTiny('cached-once');
    const row = { rows: [{ et: 40, eta: 0.1, reta: 0.9 }] };
    const first = await post('/v1/models/cached-once/predict', row);
    expect(first.status).toBe(200);
    const { env } = await import('cloudflare:workers');
    const resolved = await resolveVersion(openRegistry(env.DB), 'cached-once', 1);
    // With the objects gone from R2, only the isolate's copy can answer.
    await env.MODELS.delete(Object.values(resolved.files).map((f) => f.r2Key));
    const second = await post('/v1/models/cached-once/predict', row);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(await first.json());
    // A version never loaded before has to come from R2, and is refused without its objects.
    await publishTiny('cached-once', 0.9);
    const v2 = await resolveVersion(openRegistry(env.DB), 'cached-once', 2);
    await env.MODELS.delete(v2.files['weights.bin']?.r2Key ?? '');
    expect((await post('/v1/models/cached-once/versions/2/predict', row)).status).toBe(503);
    expect((await post('/v1/models/cached-once/versions/1/predict', row)).status).toBe(200);
  });

  it('refuses a body that is not valid UTF-8 with 400 naming the body', async () => {
    await publishTiny('utf8-check');
    const bytes = new Uint8Array([...new TextEncoder().encode('{"rows":[{"et":'), 0xff, 0xfe, 0x7d, 0x5d, 0x7d]);
    const res = await api('/v1/models/utf8-check/predict', { method: 'POST', body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('body');
  });
});
