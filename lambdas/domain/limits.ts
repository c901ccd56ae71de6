import type { RateLimitKind } from '../../lib/contract/index.ts';
import type { BucketStep, LimitRepository } from '../data/limits.ts';
import type { RatePolicy } from '../shared/config.ts';
import { QuotaExceededError, RateLimitedError } from '../shared/errors.ts';
import type { RecordMetric } from '../shared/metrics.ts';

/**
 * Per-user limits, never one budget shared by all (docs/PROTOCOL.md, "Limits and quotas"). Each rate is a token
 * bucket per user and kind, kept as GCRA keeps it: one number, the time at which the bucket is full again. The
 * arithmetic is here; the conditional writes that apply it atomically are in lambdas/data/limits.ts.
 */
export interface LimitDeps {
  readonly limits: LimitRepository;
  readonly ratePolicies: Readonly<Record<RateLimitKind, RatePolicy>>;
  readonly quotas: { readonly connectionsPerUser: number; readonly roomsPerConnection: number };
  readonly now: () => Date;
  readonly recordMetric: RecordMetric;
}

const RATE_NOUNS: Readonly<Record<RateLimitKind, string>> = {
  message: 'messages',
  join: 'joins',
  roomCreation: 'rooms created',
  conversationOpen: 'conversations opened',
  reaction: 'reactions',
};

/**
 * The bounds of a request at `nowMs` against a bucket of `policy`: a request is admitted when, after it, the
 * bucket's `tat` is at most `burst` intervals ahead of now.
 */
export function bucketStep(policy: RatePolicy, nowMs: number): BucketStep {
  const { intervalMs, burst } = policy;
  return {
    now: nowMs,
    intervalMs,
    latestTat: nowMs + (burst - 1) * intervalMs,
    // Once `tat` has passed, the bucket is full and the item means nothing: `tat` is at most burst intervals on.
    expiresAt: Math.ceil((nowMs + burst * intervalMs) / 1000) + 1,
  };
}

/** How long a refused request must wait until the bucket admits one again, in whole ms, at least 1. */
export function retryAfterMs(policy: RatePolicy, tat: number, nowMs: number): number {
  return Math.max(1, Math.ceil(tat - (policy.burst - 1) * policy.intervalMs - nowMs));
}

/**
 * Takes one token of `kind` from the user's bucket: one conditional write (two in a burst). Call it first, so
 * that a refused request stores and sends nothing.
 * @throws RateLimitedError when the user is over the rate.
 */
export async function takeRateToken(deps: LimitDeps, kind: RateLimitKind, username: string): Promise<void> {
  const policy = deps.ratePolicies[kind];
  const now = deps.now().getTime();
  const outcome = await deps.limits.take(kind, username, bucketStep(policy, now));
  if (outcome.taken) return;
  // Counted for the alarm on refusals: many mean abuse, or limits set too tight for real use.
  deps.recordMetric('RateLimited', 1);
  throw new RateLimitedError(RATE_NOUNS[kind], retryAfterMs(policy, outcome.tat, now));
}

/**
 * Refuses a new connection of a user who already has the quota open (one counted Query of their connections).
 * @throws QuotaExceededError, which the handshake answers with 429.
 */
export async function checkConnectionQuota(deps: LimitDeps, username: string): Promise<void> {
  const open = await deps.limits.connectionCount(username, Math.floor(deps.now().getTime() / 1000));
  if (open >= deps.quotas.connectionsPerUser) {
    throw new QuotaExceededError(`At most ${deps.quotas.connectionsPerUser} connections per user.`);
  }
}
