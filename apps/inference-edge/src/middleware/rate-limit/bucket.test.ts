import { describe, expect, it } from 'vitest';
import { type Bucket, takeToken } from './bucket.ts';

const limits = { ratePerSecond: 2, burst: 3 };

describe('takeToken', () => {
  it('starts full, allows the burst, then refuses with the seconds until one token is back', () => {
    let b: Bucket | undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = takeToken(b, limits, 1000);
      b = r.bucket;
      expect(r.result.allowed).toBe(true);
      remaining.push(r.result.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = takeToken(b, limits, 1000);
    expect(refused.result).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // 0.25 s at 2/s is half a token: still refused, and the half token is kept.
    expect(takeToken(b, limits, 1250).result.allowed).toBe(false);
    expect(b?.tokens).toBeCloseTo(0.5, 12);
    // Another 0.25 s completes it.
    expect(takeToken(b, limits, 1500).result).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
  });

  it('refills no further than the burst, and a clock that went backwards refills nothing', () => {
    const { bucket } = takeToken(undefined, limits, 0);
    expect(takeToken(bucket, limits, 3_600_000).result.remaining).toBe(2);
    const before = bucket.tokens;
    takeToken(bucket, limits, 3_599_000);
    expect(bucket.tokens).toBe(before - 1);
    expect(bucket.updated).toBe(3_600_000);
  });

  it('waits ceil((1 − tokens)/rate) seconds at a slow rate', () => {
    const slow = { ratePerSecond: 0.1, burst: 1 };
    const { bucket } = takeToken(undefined, slow, 0);
    expect(takeToken(bucket, slow, 0).result.retryAfterSeconds).toBe(10);
    expect(takeToken(bucket, slow, 4000).result.retryAfterSeconds).toBe(6);
  });
});
