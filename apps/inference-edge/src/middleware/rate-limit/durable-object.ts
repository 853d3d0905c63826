import { DurableObject } from 'cloudflare:workers';
import { type Bucket, type BucketLimits, type TakeResult, takeToken } from './bucket.ts';

/** Arguments of {@link RateLimiter.take}. */
export interface TakeArgs extends BucketLimits {
  /** The caller's clock in ms since the epoch (tests pass their own). */
  now: number;
}

/**
 * The rate limit's counter, one Durable Object per client key (`idFromName('user:7')`,
 * `idFromName('ip:203.0.113.7')`): Cloudflare runs each object once in the world and feeds it one
 * request at a time, so every isolate of every location that serves that client takes from the
 * same bucket, without races.
 *
 * The bucket is kept in the object's memory, not its storage: a write per request would cost
 * latency and storage operations, and an object is only evicted after it has been idle for
 * seconds, by which time a bucket refilled at the configured rate (burst / rate = 2 s with the
 * defaults) would be full anyway. An eviction therefore hands a client at most the full bucket it
 * was about to have again.
 */
export class RateLimiter extends DurableObject<Env> {
  private bucket: Bucket | undefined;

  /** Takes one request's token from this client's bucket. */
  take(args: TakeArgs): TakeResult {
    const { bucket, result } = takeToken(this.bucket, args, args.now);
    this.bucket = bucket;
    return result;
  }

  /** The bucket as it stands (for tests and diagnostics); undefined before the first request. */
  peek(): Bucket | undefined {
    return this.bucket ? { ...this.bucket } : undefined;
  }
}
