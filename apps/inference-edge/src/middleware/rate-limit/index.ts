import { Lru } from '@hepml/models/runtime';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors.ts';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Sustained requests per second allowed per key. */
  ratePerSecond: number;
  /** Requests a key may send at once before the rate applies (bucket size). */
  burst: number;
  /** Keys kept at most (oldest dropped first), so memory stays bounded under many clients. */
  maxKeys?: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per client: the token's owner when authenticated, else the client address
 * (`CF-Connecting-IP`). Over the limit the answer is 429 with `Retry-After` (seconds until one
 * request is allowed again). Buckets live in the isolate's memory: each Workers isolate limits on
 * its own, which bounds abuse of one isolate; a deployment adds Cloudflare's rate-limiting rules
 * in front for a global limit.
 */
export function rateLimit(options: RateLimitOptions | ((env: AppEnv['Bindings']) => RateLimitOptions | null)) {
  // Made on the first request, when the options (from the environment) are known; the least
  // recently seen key is dropped first.
  let buckets: Lru<string, Bucket> | undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    const o = typeof options === 'function' ? options(c.env) : options;
    if (o === null) return next();
    const { ratePerSecond, burst, maxKeys = 10_000, now = Date.now } = o;
    buckets ??= new Lru<string, Bucket>(maxKeys);
    const p = c.get('principal');
    const key = p?.userId != null ? `user:${p.userId}` : `ip:${c.req.header('cf-connecting-ip') ?? 'local'}`;
    const t = now();
    let b = buckets.get(key);
    if (b) {
      b.tokens = Math.min(burst, b.tokens + ((t - b.updated) / 1000) * ratePerSecond);
      b.updated = t;
    } else {
      b = { tokens: burst, updated: t };
      buckets.set(key, b);
    }
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
      c.header('Retry-After', String(retryAfter));
      throw new ApiError(429, 'rate_limited', `too many requests; retry after ${retryAfter} s`);
    }
    b.tokens -= 1;
    c.header('RateLimit-Remaining', String(Math.floor(b.tokens)));
    return next();
  });
}

/**
 * The limits of wrangler.toml's `[vars]`: `RATE_LIMIT_PER_SECOND` (sustained requests per second
 * per client) and `RATE_LIMIT_BURST` (bucket size, default twice the rate). A rate of 0, or none
 * set, turns limiting off (the benchmarks do, to measure the worker rather than the limit); a
 * value that is not a non-negative number is a configuration error and fails every request.
 */
export function limitsFromEnv(env: AppEnv['Bindings']): RateLimitOptions | null {
  const vars = env as unknown as Record<string, string | undefined>;
  const rate = Number(vars.RATE_LIMIT_PER_SECOND ?? '0');
  const burst = Number(vars.RATE_LIMIT_BURST ?? String(2 * rate));
  if (!Number.isFinite(rate) || rate < 0 || !Number.isFinite(burst) || burst < 0) {
    throw new Error('RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST must be non-negative numbers');
  }
  if (rate === 0) return null;
  return { ratePerSecond: rate, burst: Math.max(1, burst) };
}
