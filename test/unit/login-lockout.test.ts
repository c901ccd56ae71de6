/**
 * The lockout's arithmetic (windows, thresholds, growth, retention) and the address buckets, without a table.
 */
import { describe, expect, it } from 'vitest';
import {
  addressBucket,
  isLive,
  livenessAt,
  lockoutMs,
  MAX_LOCKOUT_WINDOWS,
  remainingLockoutMs,
  retentionMs,
} from '../../lambdas/domain/login-lockout.ts';
import { retryAfterSeconds } from '../../lambdas/shared/http.ts';

const MINUTE = 60_000;
const rule = { threshold: 10, windowMs: 15 * MINUTE };
const T0 = Date.UTC(2026, 0, 1);

describe('lockoutMs', () => {
  it('is zero below the threshold', () => {
    for (const failures of [0, 1, 9]) expect(lockoutMs(failures, rule)).toBe(0);
  });

  it('is one window at the threshold and doubles with every further failure', () => {
    expect([10, 11, 12, 13].map((failures) => lockoutMs(failures, rule))).toEqual([
      15 * MINUTE,
      30 * MINUTE,
      60 * MINUTE,
      120 * MINUTE,
    ]);
  });

  it('stops growing at the cap, however many failures', () => {
    const cap = MAX_LOCKOUT_WINDOWS * rule.windowMs;

    expect(lockoutMs(14, rule)).toBe(cap);
    expect(lockoutMs(10_000, rule)).toBe(cap);
    expect(lockoutMs(Number.MAX_SAFE_INTEGER, rule)).toBe(cap);
  });

  it('locks from the first failure with a threshold of 1', () => {
    expect(lockoutMs(1, { threshold: 1, windowMs: 1000 })).toBe(1000);
  });
});

describe('remainingLockoutMs', () => {
  it('counts from the last failure', () => {
    const counter = { failures: 10, windowStart: T0, lastFailureAt: T0 + 5 * MINUTE };

    expect(remainingLockoutMs(counter, rule, T0 + 5 * MINUTE)).toBe(15 * MINUTE);
    expect(remainingLockoutMs(counter, rule, T0 + 19 * MINUTE)).toBe(MINUTE);
    expect(remainingLockoutMs(counter, rule, T0 + 20 * MINUTE)).toBe(0);
    expect(remainingLockoutMs(counter, rule, T0 + 60 * MINUTE)).toBe(0);
  });

  it('is zero for no counter and below the threshold', () => {
    expect(remainingLockoutMs(undefined, rule, T0)).toBe(0);
    expect(remainingLockoutMs({ failures: 9, windowStart: T0, lastFailureAt: T0 }, rule, T0)).toBe(0);
  });
});

describe('isLive', () => {
  it('keeps counting within the window of the first failure', () => {
    const counter = { failures: 9, windowStart: T0, lastFailureAt: T0 + MINUTE };

    expect(isLive(counter, rule, T0 + 15 * MINUTE - 1)).toBe(true);
    expect(isLive(counter, rule, T0 + 15 * MINUTE)).toBe(false);
  });

  it('remembers a counter that reached the threshold until a window after the longest lock', () => {
    const last = T0 + 10 * MINUTE;
    const counter = { failures: 10, windowStart: T0, lastFailureAt: last };

    // Long after its window, and after its own 15-minute lock: a further failure still grows the lock.
    expect(isLive(counter, rule, last + 60 * MINUTE)).toBe(true);
    expect(isLive(counter, rule, last + retentionMs(rule) - 1)).toBe(true);
    expect(isLive(counter, rule, last + retentionMs(rule))).toBe(false);
  });

  it('is what the database is asked to check', () => {
    const now = T0 + 30 * MINUTE;

    expect(livenessAt(rule, now)).toEqual({
      windowOpenAfter: now - rule.windowMs,
      threshold: rule.threshold,
      escalatedAfter: now - (MAX_LOCKOUT_WINDOWS + 1) * rule.windowMs,
    });
    expect(isLive(undefined, rule, now)).toBe(false);
  });

  it('keeps a counter at least until its longest lock has ended', () => {
    expect(retentionMs(rule)).toBeGreaterThan(lockoutMs(Number.MAX_SAFE_INTEGER, rule));
  });
});

describe('addressBucket', () => {
  it('keeps an IPv4 address as it is, however it is reported', () => {
    expect(addressBucket('198.51.100.7')).toBe('198.51.100.7');
    expect(addressBucket('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressBucket('::FFFF:c633:6407')).toBe('198.51.100.7');
    expect(addressBucket('0:0:0:0:0:ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('puts the addresses of one IPv6 /64 in one bucket, and other /64s in others', () => {
    const bucket = addressBucket('2001:db8:1:2::1');

    expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(addressBucket('2001:DB8:1:2:abcd::')).toBe(bucket);
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(addressBucket('fe80::1%eth0')).toBe(addressBucket('fe80::2'));
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  });

  it('counts anything that is not an address by its text, in a bucket no address can share', () => {
    for (const odd of ['', 'unknown', '999.1.1.1', 'x'.repeat(10_000), '1.2.3.4, 5.6.7.8', 'ROOM#x']) {
      expect(addressBucket(odd)).toBe(`unparsed:${odd}`);
    }
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, never below 1, so that a client waiting that long is let in', () => {
    expect([1, 999, 1000, 1001, 14 * MINUTE + 1].map(retryAfterSeconds)).toEqual([1, 1, 1, 2, 841]);
  });
});
