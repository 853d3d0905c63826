import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors.ts';
import type { BucketLimits } from './bucket.ts';

export { RateLimiter } from './durable-object.ts';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions extends BucketLimits {
  /** Clock in ms (tests pass their own). */
  now?: () => number;
}

/**
 * A token bucket per client: the token's owner when authenticated, else the client address
 * (`CF-Connecting-IP`). Over the limit the answer is 429 with `Retry-After` (seconds until one
 * request is allowed again); under it, `RateLimit-Remaining`. The bucket lives in the client's
 * Durable Object (binding `RATE_LIMITER`, class {@link RateLimiter}), so every isolate that serves
 * the client counts against the same limit.
 */
export function rateLimit(options: RateLimitOptions | ((env: AppEnv['Bindings']) => RateLimitOptions | null)) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const o = typeof options === 'function' ? options(c.env) : options;
    if (o === null) return next();
    const { ratePerSecond, burst, now = Date.now } = o;
    const namespace = c.env.RATE_LIMITER;
    // A deployment without the binding would silently not limit; refuse instead (a 500 that logs why).
    if (!namespace) throw new Error('the Durable Object binding RATE_LIMITER is missing (see wrangler.toml)');
    const p = c.get('principal');
    const key = p?.userId != null ? `user:${p.userId}` : `ip:${c.req.header('cf-connecting-ip') ?? 'local'}`;
    const limiter = namespace.get(namespace.idFromName(key));
    const r = await limiter.take({ ratePerSecond, burst, now: now() });
    if (!r.allowed) {
      c.header('Retry-After', String(r.retryAfterSeconds));
      throw new ApiError(429, 'rate_limited', `too many requests; retry after ${r.retryAfterSeconds} s`);
    }
    c.header('RateLimit-Remaining', String(r.remaining));
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
