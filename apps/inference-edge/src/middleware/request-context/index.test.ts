// Every answer carries X-Request-Id and Server-Timing; every request is one JSON log line with the
// model, version, rows, status and ms, and never a token (issue 20).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, post } from '../../../test/api.ts';
import { mlpBundle, publish, tokenFor } from '../../../test/fixtures.ts';
import { requestIdOf } from './index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Server-Timing header's phases (name → ms). */
function phases(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([a-z]+);dur=([0-9.]+)\s*$/.exec(part);
    if (m) out[m[1] as string] = Number(m[2]);
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('request context', () => {
  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    expect(requestIdOf('abc-123_X.y:z')).toBe('abc-123_X.y:z');
    expect(requestIdOf(undefined)).toMatch(UUID);
    for (const bad of ['', 'a b', 'x'.repeat(129), 'id"<script>', 'ä']) expect(requestIdOf(bad), bad).toMatch(UUID);
    const echoed = await api('/v2/health/live', { headers: { 'x-request-id': 'client-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-42');
    const made = await api('/v2/health/live', { headers: { 'x-request-id': 'no spaces please' } });
    expect(made.headers.get('x-request-id')).toMatch(UUID);
  });

  it('puts Server-Timing (parse, model, total) on answers and errors alike', async () => {
    await publish(await mlpBundle({ name: 'rc-model' }));
    const ok = await post('/v1/models/rc-model/predict', { rows: [{ et: 40, eta: 0.1, reta: 0.9 }] });
    expect(ok.status).toBe(200);
    const t = phases(ok.headers.get('server-timing'));
    expect(Object.keys(t)).toEqual(['parse', 'model', 'total']);
    expect(t.total).toBeGreaterThanOrEqual((t.parse ?? 0) + (t.model ?? 0) - 0.01);
    for (const res of [await api('/v1/nothing'), await post('/v2/models/rc-model/infer', { inputs: [] })]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(Object.keys(phases(res.headers.get('server-timing')))).toEqual(['parse', 'model', 'total']);
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('logs one JSON line per request with model, version, rows, status and ms, and no token', async () => {
    await publish(await mlpBundle({ name: 'rc-logged' }));
    const token = await tokenFor('rc-user', ['read']);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await post(
      '/v2/models/rc-logged/infer',
      {
        inputs: [
          { name: 'et', shape: [2], datatype: 'FP32', data: [40, 41] },
          { name: 'eta', shape: [2], datatype: 'FP32', data: [0.1, 0.2] },
          { name: 'reta', shape: [2], datatype: 'FP32', data: [0.9, 0.91] },
        ],
      },
      token,
    );
    expect(res.status).toBe(200);
    await api(`/v1/me?token=${token}`, { headers: { authorization: 'Bearer nope' } });
    const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{"msg":"request"'));
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({
      msg: 'request',
      id: res.headers.get('x-request-id'),
      method: 'POST',
      path: '/v2/models/rc-logged/infer',
      status: 200,
      model: 'rc-logged',
      version: 1,
      rows: 2,
    });
    expect(typeof first.ms).toBe('number');
    expect(JSON.parse(lines[1] as string)).toMatchObject({ path: '/v1/me', status: 401 });
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain('nope');
    }
  });
});
