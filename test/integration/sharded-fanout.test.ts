import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { FanOutShardRepository } from '../../lambdas/data/fanout-shards.ts';
import { PresenceRepository } from '../../lambdas/data/presence.ts';
import type { ConnectionPoster } from '../../lambdas/domain/fanout.ts';
import {
  deliverRoomMessage,
  type FanOutShard,
  type FanOutWorkerDeps,
  pacer,
  runShard,
  type ShardingDeps,
  splitEvenly,
} from '../../lambdas/domain/sharded-fanout.ts';
import type { ServerFrameOf } from '../../lib/contract/index.ts';
import { useFreshTable } from '../support/table.ts';

const { tableName } = await useFreshTable();
const doc = createDocumentClient();

/**
 * API Gateway's answers (delivered, Gone, a transient failure) cannot all be produced by the local management
 * API on demand: a recording fake stands in for it here; the end-to-end test (test/e2e/sharded-fanout.test.ts)
 * posts for real.
 */
function recordingPoster(fail: (connectionId: string) => string | undefined = () => undefined) {
  const posted: string[] = [];
  const poster: ConnectionPoster = {
    async post(connectionId) {
      const failure = fail(connectionId);
      if (failure !== undefined) throw Object.assign(new Error(failure), { name: failure });
      posted.push(connectionId);
    },
  };
  return { posted, poster };
}

const frame = (messageId: string): ServerFrameOf<'message'> => ({
  type: 'message',
  messageId,
  room: 'big',
  from: 'alice',
  text: 'hello',
  sentAt: new Date().toISOString(),
});

const ids = (count: number, prefix = 'c') =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

function deliveryDeps(poster: ConnectionPoster) {
  return {
    connections: new ConnectionRepository(doc, tableName),
    presence: new PresenceRepository(doc, tableName),
    presenceListMax: 100,
    poster,
    fanOutConcurrency: 16,
    now: () => new Date(),
    warn: () => {},
    recordMetric: () => {},
  };
}

function workerDeps(poster: ConnectionPoster): FanOutWorkerDeps {
  return {
    ...deliveryDeps(poster),
    shards: new FanOutShardRepository(doc, tableName),
    leaseMs: 15_000,
  };
}

const shardOf = (messageId: string, connectionIds: string[], postsPerSecond = 10_000): FanOutShard => ({
  messageId,
  shard: 0,
  shards: 1,
  postsPerSecond,
  connectionIds,
  frame: frame(messageId),
});

describe('splitting a room into shards', () => {
  it('makes ceil(n / size) slices of nearly equal size, in order, covering every id once', () => {
    const slices = splitEvenly(ids(1001), 500);
    expect(slices.map((slice) => slice.length)).toEqual([334, 334, 333]);
    expect(slices.flat()).toEqual(ids(1001));
    expect(splitEvenly(ids(1000), 500).map((slice) => slice.length)).toEqual([500, 500]);
    expect(splitEvenly([], 500)).toEqual([]);
  });
});

describe('pacing', () => {
  it('lets half a second of the rate go at once, then one post per interval', async () => {
    let clock = 0;
    const waits: number[] = [];
    const pace = pacer(
      20,
      async (ms) => {
        waits.push(ms);
      },
      () => clock,
    );
    for (let i = 0; i < 13; i++) await pace();
    // 10 at once (0.5 s of 20 a second), then the 11th, 12th, 13th due 50, 100 and 150 ms on.
    expect(waits).toEqual([50, 100, 150]);
    clock = 10_000;
    waits.length = 0;
    await pace();
    expect(waits).toEqual([]);
  });
});

describe('the sender above and below the threshold', () => {
  const invoked: FanOutShard[] = [];
  const sharding = (refuse = false) => ({
    threshold: 10,
    shardSize: 4,
    postsPerSecond: 900,
    invoker: {
      async invoke(shard: FanOutShard) {
        if (refuse) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
        invoked.push(shard);
      },
    },
  });

  it('posts a room at the threshold itself, and hands a larger one to workers in shards', async () => {
    const { posted, poster } = recordingPoster();
    const deps: ShardingDeps = { ...deliveryDeps(poster), sharding: sharding() };
    await deliverRoomMessage(deps, ids(10), frame('m-small'));
    expect(posted).toHaveLength(10);
    expect(invoked).toEqual([]);

    posted.length = 0;
    await deliverRoomMessage(deps, ids(11), frame('m-large'));
    expect(posted).toEqual([]);
    expect(invoked.map((shard) => shard.connectionIds.length)).toEqual([4, 4, 3]);
    expect(invoked.flatMap((shard) => shard.connectionIds)).toEqual(ids(11));
    expect(invoked.map((shard) => [shard.shard, shard.shards, shard.postsPerSecond])).toEqual([
      [0, 3, 300],
      [1, 3, 300],
      [2, 3, 300],
    ]);
    expect(new Set(invoked.map((shard) => shard.messageId))).toEqual(new Set(['m-large']));
  });

  it('posts a shard Lambda refused itself', async () => {
    const { posted, poster } = recordingPoster();
    await deliverRoomMessage({ ...deliveryDeps(poster), sharding: sharding(true) }, ids(11), frame('m-r'));
    expect(posted.sort()).toEqual(ids(11).sort());
  });
});

describe('the worker', () => {
  it('posts its shard once: a second run of the same event posts nothing', async () => {
    const { posted, poster } = recordingPoster();
    const deps = workerDeps(poster);
    const first = await runShard(deps, shardOf('m-once', ids(30)));
    expect(first).toEqual({ claimed: true, delivered: 30, gone: 0, skipped: 0 });
    const again = await runShard(deps, shardOf('m-once', ids(30)));
    expect(again.claimed).toBe(false);
    expect(posted).toHaveLength(30);
  });

  it('after posts failed, records whom it reached and throws; the retry posts to the others only', async () => {
    let failing = true;
    const { posted, poster } = recordingPoster((id) =>
      failing && (id === 'c-3' || id === 'c-7') ? 'InternalServerErrorException' : undefined,
    );
    const deps = workerDeps(poster);
    await expect(runShard(deps, shardOf('m-retry', ids(20)))).rejects.toThrow(/2 posts of shard 0/);
    expect(posted).toHaveLength(18);
    failing = false;
    const retry = await runShard(deps, shardOf('m-retry', ids(20)));
    expect(retry).toEqual({ claimed: true, delivered: 2, gone: 0, skipped: 18 });
    expect(posted.sort()).toEqual(ids(20).sort());
  });

  it('does not post a shard another run holds', async () => {
    const { posted, poster } = recordingPoster();
    const shards = new FanOutShardRepository(doc, tableName);
    expect(await shards.claim('m-held', 0, Date.now(), 15_000, 60)).toBeDefined();
    const outcome = await runShard(workerDeps(poster), shardOf('m-held', ids(5)));
    expect(outcome.claimed).toBe(false);
    expect(posted).toEqual([]);
  });

  it('prunes gone connections and does not count them failed', async () => {
    const { posted, poster } = recordingPoster((id) => (id.startsWith('gone') ? 'GoneException' : undefined));
    const outcome = await runShard(workerDeps(poster), shardOf('m-gone', [...ids(5), ...ids(2, 'gone')]));
    expect(outcome).toEqual({ claimed: true, delivered: 5, gone: 2, skipped: 0 });
    expect(posted).toHaveLength(5);
  });

  it('stays under its share of the budget', async () => {
    const { posted, poster } = recordingPoster();
    const started = performance.now();
    // 40 a second: 20 at once, then the other 20 over half a second.
    await runShard(workerDeps(poster), shardOf('m-paced', ids(40), 40));
    const elapsed = performance.now() - started;
    expect(posted).toHaveLength(40);
    expect(elapsed).toBeGreaterThanOrEqual(450);
  });
});
