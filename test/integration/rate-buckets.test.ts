/**
 * The per-user token buckets against DynamoDB Local, at chosen instants: the GCRA arithmetic of
 * lambdas/domain/limits.ts applied by the conditional writes of lambdas/data/limits.ts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { rateBucketKey } from '../../lambdas/data/keys.ts';
import { LimitRepository } from '../../lambdas/data/limits.ts';
import { bucketStep, type LimitDeps, retryAfterMs, takeRateToken } from '../../lambdas/domain/limits.ts';
import type { RatePolicy } from '../../lambdas/shared/config.ts';
import { uniqueName } from '../support/accounts.ts';
import { tableReader, useFreshTable } from '../support/table.ts';

const { tableName, endpoint } = await useFreshTable();
const repository = new LimitRepository(createDocumentClient(), tableName);
const reader = tableReader(endpoint);
// 5 a second, burst 20: the message rate's defaults.
const policy: RatePolicy = { intervalMs: 200, burst: 20 };
const T0 = 1_800_000_000_000;

const take = (username: string, at: number) => repository.take('message', username, bucketStep(policy, at));

describe('a token bucket per user', () => {
  it('admits a burst at one instant, then refuses, saying when one more fits', async () => {
    const user = uniqueName('burst');
    for (let index = 0; index < policy.burst; index++) expect(await take(user, T0)).toEqual({ taken: true });

    const refused = await take(user, T0);
    expect(refused.taken).toBe(false);
    if (refused.taken) return;
    expect(retryAfterMs(policy, refused.tat, T0)).toBe(policy.intervalMs);
    // Refused requests take nothing: just before the wait is over still refused, at its end admitted.
    expect((await take(user, T0 + policy.intervalMs - 1)).taken).toBe(false);
    expect(await take(user, T0 + policy.intervalMs)).toEqual({ taken: true });
    expect((await take(user, T0 + policy.intervalMs)).taken).toBe(false);
  });

  it('refills at the steady rate and is full again after an idle spell', async () => {
    const user = uniqueName('steady');
    // Sending exactly at the rate never runs out.
    for (let index = 0; index < 100; index++) {
      expect(await take(user, T0 + index * policy.intervalMs)).toEqual({ taken: true });
    }
    const idle = T0 + 100 * policy.intervalMs + policy.burst * policy.intervalMs;
    for (let index = 0; index < policy.burst; index++)
      expect(await take(user, idle)).toEqual({ taken: true });
    expect((await take(user, idle)).taken).toBe(false);
  });

  it('admits exactly the burst when requests race, and keeps users apart', async () => {
    const user = uniqueName('race');
    const other = uniqueName('other');
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => take(user, T0)));
    expect(outcomes.filter((outcome) => outcome.taken)).toHaveLength(policy.burst);
    expect(await take(other, T0)).toEqual({ taken: true });
  });

  it('stores one small item per user and kind, with a TTL once the bucket is full again', async () => {
    const user = uniqueName('Stored');
    await take(user, T0);
    const { Item } = await reader.send(
      new GetCommand({ TableName: tableName, Key: rateBucketKey('message', user), ConsistentRead: true }),
    );
    expect(Item).toEqual({
      ...rateBucketKey('message', user.toLowerCase()),
      type: 'RateBucket',
      tat: T0 + policy.intervalMs,
      expiresAt: Math.ceil((T0 + policy.burst * policy.intervalMs) / 1000) + 1,
    });
  });

  it('refuses with RATE_LIMITED and retryAfterMs through the domain', async () => {
    const recorded: [string, number][] = [];
    const deps: LimitDeps = {
      limits: repository,
      ratePolicies: {
        message: policy,
        join: policy,
        roomCreation: { intervalMs: 6_000, burst: 2 },
        conversationOpen: policy,
        reaction: policy,
      },
      quotas: { connectionsPerUser: 10, roomsPerConnection: 50 },
      now: () => new Date(T0),
      recordMetric: (name, value) => recorded.push([name, value]),
    };
    const user = uniqueName('domain');
    await takeRateToken(deps, 'roomCreation', user);
    await takeRateToken(deps, 'roomCreation', user);
    await expect(takeRateToken(deps, 'roomCreation', user)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryAfterMs: 6_000,
    });
    expect(recorded).toEqual([['RateLimited', 1]]);
    // Another kind of the same user has a bucket of its own.
    await takeRateToken(deps, 'message', user);
  });
});
