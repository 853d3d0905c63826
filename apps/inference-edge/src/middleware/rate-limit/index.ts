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
export function rateLimit(options: RateLimitOptions) {
  const { ratePerSecond, burst, maxKeys = 10_000, now = Date.now } = options;
  const buckets = new Map<string, Bucket>();
  return createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    const key = p?.userId != null ? `user:${p.userId}` : `ip:${c.req.header('cf-connecting-ip') ?? 'local'}`;
    const t = now();
    let b = buckets.get(key);
    if (b) {
      b.tokens = Math.min(burst, b.tokens + ((t - b.updated) / 1000) * ratePerSecond);
      b.updated = t;
      // Refresh the key's position so the least recently seen key is dropped first.
      buckets.delete(key);
      buckets.set(key, b);
    } else {
      b = { tokens: burst, updated: t };
      buckets.set(key, b);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
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
