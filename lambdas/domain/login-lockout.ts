import { isIPv4, isIPv6 } from 'node:net';
import type { LoginFailureSubject } from '../data/keys.ts';
import type { CounterLiveness, FailureCounter, LoginFailureRepository } from '../data/login-failures.ts';
import { TooManyAttemptsError } from '../shared/errors.ts';
import type { RecordMetric } from '../shared/metrics.ts';

/**
 * Login brute-force protection: failed logins are counted per username (whether it exists or not) and per
 * source address; past a threshold within a window, attempts are refused before the password is looked at.
 *
 * The arithmetic: a counter's window opens at its first failure and lasts `windowMs`. The failure that brings
 * it to `threshold` locks it for one window; every further failure (one made once the lock has ended, or one
 * that was already in flight) doubles the lock, up to {@link MAX_LOCKOUT_WINDOWS} windows, counted from that
 * failure. A counter that reached the threshold is remembered until a window has passed after the longest lock
 * could end, so that waiting out one lock does not reset the growth; one that did not starts afresh when its
 * window has passed.
 */

/** The longest lockout, in windows: 2 hours with the default 15-minute window. */
export const MAX_LOCKOUT_WINDOWS = 8;

/** One counter's rule: how many failures within how long. */
export interface LockoutRule {
  readonly threshold: number;
  readonly windowMs: number;
}

/** The configured thresholds and window (lambdas/shared/config.ts). */
export interface LoginLockoutPolicy {
  readonly usernameFailures: number;
  readonly addressFailures: number;
  readonly windowMs: number;
}

/** How long a counter with `failures` failures is locked after its last one: 0 below the threshold. */
export function lockoutMs(failures: number, rule: LockoutRule): number {
  if (failures < rule.threshold) return 0;
  return rule.windowMs * Math.min(2 ** (failures - rule.threshold), MAX_LOCKOUT_WINDOWS);
}

/** How long until a counter's lock ends, at `now`: 0 when it is not locked. */
export function remainingLockoutMs(
  counter: FailureCounter | undefined,
  rule: LockoutRule,
  now: number,
): number {
  if (counter === undefined) return 0;
  return Math.max(0, counter.lastFailureAt + lockoutMs(counter.failures, rule) - now);
}

/** How long after its last failure a counter must be kept: the longest lock, and one window after it. */
export function retentionMs(rule: LockoutRule): number {
  return (MAX_LOCKOUT_WINDOWS + 1) * rule.windowMs;
}

/** When, at `now`, a counter still counts rather than starting afresh (the test the database repeats). */
export function livenessAt(rule: LockoutRule, now: number): CounterLiveness {
  return {
    windowOpenAfter: now - rule.windowMs,
    threshold: rule.threshold,
    escalatedAfter: now - retentionMs(rule),
  };
}

/** Whether a counter read at `now` still counts. */
export function isLive(counter: FailureCounter | undefined, rule: LockoutRule, now: number): boolean {
  if (counter === undefined) return false;
  const live = livenessAt(rule, now);
  return (
    counter.windowStart > live.windowOpenAfter ||
    (counter.failures >= live.threshold && counter.lastFailureAt > live.escalatedAfter)
  );
}

/**
 * The bucket an address is counted in: an IPv4 address as it is (an IPv4-mapped IPv6 address too, so one client
 * is one bucket whichever way it is reported), an IPv6 address by its /64 prefix (one subscriber usually holds a
 * whole /64, and could otherwise take a fresh address for every guess), anything else by its text. The result
 * is only ever hashed into a key.
 */
export function addressBucket(sourceIp: string): string {
  const address = (sourceIp.split('%')[0] as string).trim().toLowerCase();
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return `unparsed:${sourceIp}`;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6] as number, groups[7] as number];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address;
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const [first, last] = [parse(head), parse(tail ?? '')];
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/** What the lockout needs: its counters, its policy, the clock and the metrics. */
export interface LoginLockoutDeps {
  readonly failures: LoginFailureRepository;
  readonly policy: LoginLockoutPolicy;
  readonly now: () => number;
  readonly recordMetric: RecordMetric;
}

/** An admitted login attempt: call `failed` when its credentials turn out wrong. */
export interface LoginAttempt {
  failed(): Promise<void>;
}

/**
 * Admits a login attempt, or refuses it while the username or the address is locked. Costs two strongly
 * consistent GetItems (in parallel) whatever the outcome; the username need not exist, and the answer is the
 * same whether it does.
 * @throws TooManyAttemptsError with the longer of the two remaining locks.
 */
export async function admitLogin(
  deps: LoginLockoutDeps,
  username: string,
  sourceIp: string,
): Promise<LoginAttempt> {
  const { usernameFailures, addressFailures, windowMs } = deps.policy;
  const counters: readonly { subject: LoginFailureSubject; rule: LockoutRule }[] = [
    { subject: { username }, rule: { threshold: usernameFailures, windowMs } },
    { subject: { address: addressBucket(sourceIp) }, rule: { threshold: addressFailures, windowMs } },
  ];
  const read = await Promise.all(counters.map(({ subject }) => deps.failures.read(subject)));
  const now = deps.now();
  const retryAfterMs = Math.max(
    ...counters.map(({ rule }, index) => remainingLockoutMs(read[index], rule, now)),
  );
  if (retryAfterMs > 0) {
    deps.recordMetric('LoginLockouts', 1);
    throw new TooManyAttemptsError(retryAfterMs);
  }
  return {
    async failed() {
      deps.recordMetric('LoginFailures', 1);
      const at = deps.now();
      await Promise.all(
        counters.map(({ subject, rule }, index) =>
          deps.failures.recordFailure(subject, {
            at,
            live: livenessAt(rule, at),
            wasLive: isLive(read[index], rule, at),
            expiresAt: Math.ceil((at + retentionMs(rule)) / 1000),
          }),
        ),
      );
    },
  };
}
