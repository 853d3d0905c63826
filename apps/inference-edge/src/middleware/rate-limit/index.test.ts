// The rate-limit middleware inside workerd with the real Durable Object namespace of wrangler.toml.
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { ANONYMOUS } from '@hepml/models/registry';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../env.ts';
import { errorResponse } from '../../errors.ts';
import type { RateLimiter } from './durable-object.ts';
import { rateLimit } from './index.ts';

/** A Hono app with its own middleware instance, as each isolate of a deployment has its own. */
function app(clock: { t: number }, limits = { ratePerSecond: 2, burst: 3 }) {
  const a = new Hono<AppEnv>();
  a.use('*', async (c, next) => {
    c.set('principal', ANONYMOUS);
    await next();
  });
  a.use('*', rateLimit({ ...limits, now: () => clock.t }));
  a.get('/', (c) => c.json({ ok: true }));
  a.onError(errorResponse);
  return a;
}

const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } });

describe('rateLimit', () => {
  it('allows a burst, then answers 429 with Retry-After, then refills at the rate', async () => {
    const clock = { t: 1_000_000 };
    const a = app(clock);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await a.request('/', from('192.0.2.10'), env);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await a.request('/', from('192.0.2.10'), env);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another client is not affected.
    expect((await a.request('/', from('192.0.2.11'), env)).status).toBe(200);
    clock.t += 500; // 0.5 s at 2/s refills one request
    expect((await a.request('/', from('192.0.2.10'), env)).status).toBe(200);
    expect((await a.request('/', from('192.0.2.10'), env)).status).toBe(429);
  });

  it('two middleware instances (two isolates) share one counter: the client’s Durable Object', async () => {
    const clock = { t: 2_000_000 };
    const first = app(clock);
    const second = app(clock);
    const ip = '192.0.2.20';
    expect((await first.request('/', from(ip), env)).status).toBe(200);
    expect((await first.request('/', from(ip), env)).status).toBe(200);
    // In isolate memory the second instance would start a full bucket of its own; it takes the last token.
    const third = await second.request('/', from(ip), env);
    expect(third.status).toBe(200);
    expect(third.headers.get('ratelimit-remaining')).toBe('0');
    expect((await second.request('/', from(ip), env)).status).toBe(429);
    expect((await first.request('/', from(ip), env)).status).toBe(429);
    // The bucket is in the object named after the client, nowhere else.
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`ip:${ip}`));
    const bucket = await runInDurableObject(stub, (limiter: RateLimiter) => limiter.peek());
    expect(bucket).toEqual({ tokens: 0, updated: 2_000_000 });
  });

  it('the worker’s own entry point and a separate app count against the same bucket', async () => {
    // exports.default is the deployed worker (its limits from wrangler.toml's vars, overridden to
    // 0 by the test config), so take through the object directly as the worker's middleware does.
    const ip = '192.0.2.30';
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`ip:${ip}`));
    const now = Date.now();
    for (let i = 0; i < 3; i++) await stub.take({ ratePerSecond: 1, burst: 3, now });
    const res = await app({ t: now }, { ratePerSecond: 1, burst: 3 }).request('/', from(ip), env);
    expect(res.status).toBe(429);
    // The deployed worker exports the class it binds (a missing export fails at start-up).
    expect((await exports.default.fetch(new Request('http://edge/v2/health/live'))).status).toBe(200);
  });

  it('refuses to run without the binding rather than silently not limiting', async () => {
    const { RATE_LIMITER: _, ...unbound } = env;
    const res = await app({ t: 0 }).request('/', from('192.0.2.40'), unbound as unknown as Env);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
