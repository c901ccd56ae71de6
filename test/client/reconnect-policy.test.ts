import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReconnectPolicy, reconnectDelayMs } from '../../lib/client/reconnect-policy.ts';

const settings = { initialDelayMs: 500, maxDelayMs: 30_000 };
/** The largest value `Math.random` can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

/** Any attempt after a drop, and any delay settings (including a zero delay). */
const anyAttempt = fc.integer({ min: 1, max: 5000 });
const anySettings = fc.record({
  initialDelayMs: fc.integer({ min: 0, max: 60_000 }),
  maxDelayMs: fc.integer({ min: 0, max: 600_000 }),
});

describe('reconnectDelayMs', () => {
  it('doubles the ceiling from the initial delay and keeps between half of it and all of it', () => {
    // Prepare: the ceilings of the first attempts, 500 ms doubling.
    const ceilings = [500, 1000, 2000, 4000];
    ceilings.forEach((ceiling, index) => {
      // Act and assess: the random half at its lowest and highest.
      expect(reconnectDelayMs(index + 1, settings, () => 0)).toBe(ceiling / 2);
      expect(reconnectDelayMs(index + 1, settings, () => ALMOST_ONE)).toBe(ceiling);
    });
  });

  it('never waits longer than maxDelayMs, however many attempts there were', () => {
    expect(reconnectDelayMs(7, settings, () => ALMOST_ONE)).toBe(30_000);
    expect(reconnectDelayMs(7, settings, () => 0)).toBe(15_000);
    expect(reconnectDelayMs(5000, settings, () => ALMOST_ONE)).toBe(30_000);
  });

  it('spreads clients dropped together: the random half moves the delay', () => {
    const delays = [0, 0.25, 0.5, 0.75].map((random) => reconnectDelayMs(3, settings, () => random));
    expect(delays).toEqual([1000, 1250, 1500, 1750]);
  });

  it('waits at least half the first delay and at most maxDelayMs, for any attempt, settings and draw', () => {
    const anyDraw = fc.double({ min: 0, max: ALMOST_ONE, noNaN: true });
    fc.assert(
      fc.property(anyAttempt, anySettings, anyDraw, (attempt, delays, random) => {
        const delay = reconnectDelayMs(attempt, delays, () => random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(delays.maxDelayMs);
        expect(delay).toBeGreaterThanOrEqual(
          Math.floor(Math.min(delays.initialDelayMs, delays.maxDelayMs) / 2),
        );
      }),
    );
  });

  it('never shortens the shortest possible wait from one attempt to the next', () => {
    fc.assert(
      fc.property(anyAttempt, anySettings, (attempt, delays) => {
        const shortest = (n: number) => reconnectDelayMs(n, delays, () => 0);
        expect(shortest(attempt + 1)).toBeGreaterThanOrEqual(shortest(attempt));
      }),
    );
  });

  it('keeps an initial delay of zero at zero, even after thousands of attempts', () => {
    expect(reconnectDelayMs(3000, { initialDelayMs: 0, maxDelayMs: 1000 }, () => 0.5)).toBe(0);
  });
});

describe('ReconnectPolicy', () => {
  it('numbers the attempts after a drop and gives up after maxAttempts', () => {
    const policy = new ReconnectPolicy({ ...settings, maxAttempts: 3 }, () => 0);

    const attempts = [policy.next(), policy.next(), policy.next(), policy.next()];

    expect(attempts).toEqual([
      { attempt: 1, delayMs: 250 },
      { attempt: 2, delayMs: 500 },
      { attempt: 3, delayMs: 1000 },
      undefined,
    ]);
  });

  it('starts from the first attempt and the initial delay again after reset', () => {
    const policy = new ReconnectPolicy({ ...settings, maxAttempts: 2 }, () => 0);
    policy.next();
    policy.next();

    policy.reset();

    expect(policy.next()).toEqual({ attempt: 1, delayMs: 250 });
  });

  it('never gives up without a limit', () => {
    const policy = new ReconnectPolicy({ ...settings, maxAttempts: Number.POSITIVE_INFINITY }, () => 0);
    let last: ReturnType<ReconnectPolicy['next']>;
    for (let index = 0; index < 100; index += 1) last = policy.next();
    expect(last).toEqual({ attempt: 100, delayMs: 15_000 });
  });
});
