/** A token bucket: `tokens` requests may be sent now; it refills at a rate up to its size. */
export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms since the epoch. */
  updated: number;
}

/** Limits of one bucket. */
export interface BucketLimits {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Bucket size: requests that may be sent at once before the rate applies. */
  burst: number;
}

/** What {@link takeToken} decided for one request. */
export interface TakeResult {
  allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Takes one request's token from `bucket` (a missing bucket starts full), refilling it first by
 * `ratePerSecond × elapsed` up to `burst`. A clock that went backwards (callers in different
 * isolates read their own clocks) refills nothing rather than draining the bucket. Over the limit
 * the bucket is left as refilled and the answer says how long until one token is back:
 * ceil((1 − tokens) / rate) seconds, at least 1. Mutates and returns the bucket.
 */
export function takeToken(
  bucket: Bucket | undefined,
  limits: BucketLimits,
  nowMs: number,
): { bucket: Bucket; result: TakeResult } {
  const { ratePerSecond, burst } = limits;
  const b = bucket ?? { tokens: burst, updated: nowMs };
  const elapsedMs = Math.max(0, nowMs - b.updated);
  b.tokens = Math.min(burst, b.tokens + (elapsedMs / 1000) * ratePerSecond);
  b.updated = Math.max(b.updated, nowMs);
  if (b.tokens < 1) {
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
    return { bucket: b, result: { allowed: false, remaining: 0, retryAfterSeconds } };
  }
  b.tokens -= 1;
  return { bucket: b, result: { allowed: true, remaining: Math.floor(b.tokens), retryAfterSeconds: 0 } };
}
