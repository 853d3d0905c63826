import { ANONYMOUS } from '@hepml/models/registry';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../env.ts';
import { errorResponse } from '../../errors.ts';
import { rateLimit } from './index.ts';

function app(clock: { t: number }) {
  const a = new Hono<AppEnv>();
  a.use('*', async (c, next) => {
    c.set('principal', ANONYMOUS);
    await next();
  });
  a.use('*', rateLimit({ ratePerSecond: 2, burst: 3, now: () => clock.t }));
  a.get('/', (c) => c.json({ ok: true }));
  a.onError(errorResponse);
  return a;
}

const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } });

describe('rateLimit', () => {
  it('allows a burst, then answers 429 with Retry-After, then refills at the rate', async () => {
    const clock = { t: 0 };
    const a = app(clock);
    for (let i = 0; i < 3; i++) expect((await a.request('/', from('1.2.3.4'))).status).toBe(200);
    const limited = await a.request('/', from('1.2.3.4'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another client is not affected.
    expect((await a.request('/', from('5.6.7.8'))).status).toBe(200);
    clock.t += 500; // 0.5 s at 2/s refills one request
    expect((await a.request('/', from('1.2.3.4'))).status).toBe(200);
    expect((await a.request('/', from('1.2.3.4'))).status).toBe(429);
  });
});
