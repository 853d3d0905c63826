// The rate limit as the worker applies it, with the limits of wrangler.toml's [vars] (the test
// sets low ones): per client, 429 with Retry-After and the JSON error (the protocol's form on
// /v2), health and docs untouched.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { tokenFor } from '../../../test/fixtures.ts';
import app from '../../index.ts';

const limited = { ...env, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' } as unknown as Env;

function send(path: string, headers: Record<string, string>, bindings: Env = limited): Promise<Response> {
  return Promise.resolve(app.fetch(new Request(`http://edge${path}`, { headers }), bindings, createExecutionContext()));
}

describe('rate limit in the worker', () => {
  it('answers a client over its burst 429 with Retry-After, others and other keys unaffected', async () => {
    const ip = { 'cf-connecting-ip': '203.0.113.7' };
    for (let i = 0; i < 3; i++) expect((await send('/v1/models', ip)).status).toBe(200);
    const res = await send('/v2/health/ready', ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ error: expect.stringMatching(/retry after/), code: 'rate_limited' });
    // Another address has its own bucket; the index and docs are not limited.
    expect((await send('/v1/models', { 'cf-connecting-ip': '203.0.113.8' })).status).toBe(200);
    expect((await send('/', ip)).status).toBe(200);
    // A token's owner is one client whatever address it calls from.
    const token = await tokenFor('rate-limited-user', ['read']);
    const auth = (n: number) => ({ authorization: `Bearer ${token}`, 'cf-connecting-ip': `198.51.100.${n}` });
    for (let i = 0; i < 3; i++) expect((await send('/v1/models', auth(i))).status).toBe(200);
    expect((await send('/v1/models', auth(9))).status).toBe(429);
  });

  it('is off at a rate of 0, and refuses a malformed setting without leaking it', async () => {
    const off = { ...env, RATE_LIMIT_PER_SECOND: '0' } as unknown as Env;
    for (let i = 0; i < 20; i++)
      expect((await send('/v2/health/live', { 'cf-connecting-ip': '192.0.2.1' }, off)).status).toBe(200);
    const bad = { ...env, RATE_LIMIT_PER_SECOND: 'fast' } as unknown as Env;
    const res = await send('/v2/health/live', {}, bad);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error', code: 'internal' });
  });
});
