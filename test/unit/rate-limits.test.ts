import { describe, expect, it } from 'vitest';
import { bucketStep, retryAfterMs } from '../../lambdas/domain/limits.ts';

describe('the GCRA arithmetic', () => {
  const policy = { intervalMs: 200, burst: 20 };

  it('admits a request while the bucket is at most burst − 1 intervals ahead of now', () => {
    expect(bucketStep(policy, 1_000)).toEqual({
      now: 1_000,
      intervalMs: 200,
      latestTat: 1_000 + 19 * 200,
      expiresAt: Math.ceil((1_000 + 20 * 200) / 1000) + 1,
    });
  });

  it('makes a refused request wait until one more fits, never less than 1 ms', () => {
    // Full burst taken at 1000: tat = 1000 + 20 × 200; the next fits once tat − 19 × 200 is reached.
    expect(retryAfterMs(policy, 1_000 + 20 * 200, 1_000)).toBe(200);
    expect(retryAfterMs(policy, 1_000 + 20 * 200, 1_150)).toBe(50);
    expect(retryAfterMs(policy, 1_000 + 20 * 200, 1_200)).toBe(1);
    // Fractional intervals (7 a minute) round up to whole milliseconds.
    expect(retryAfterMs({ intervalMs: 60_000 / 7, burst: 1 }, 60_000 / 7, 0)).toBe(8572);
  });
});
