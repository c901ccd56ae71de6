/**
 * Sharded fan-out for large rooms (docs/architecture.md, "Sharded fan-out"). Above a threshold of recipients,
 * the sending function does not post a room message itself: it splits the room's connection ids, which it has
 * already read for the message, into shards and hands each to the fan-out worker function by an asynchronous
 * invocation; the workers post in parallel, each paced under its share of the account's request budget.
 */
import type { ServerFrameOf } from '../../lib/contract/index.ts';
import type { FanOutShardRepository } from '../data/fanout-shards.ts';
import { type ConnectionPoster, fanOut } from './fanout.ts';
import { type DeliveryDeps, deliver, dropConnections } from './presence.ts';

/** One shard of a room message: what the sender hands to one fan-out worker (the invocation's payload). */
export interface FanOutShard {
  readonly messageId: string;
  /** 0-based, and how many shards the message has. */
  readonly shard: number;
  readonly shards: number;
  /** The posts per second this shard may make: its even share of the message's budget. */
  readonly postsPerSecond: number;
  readonly connectionIds: readonly string[];
  readonly frame: ServerFrameOf<'message'>;
}

/** Hands a shard to a fan-out worker without waiting for it (Lambda's asynchronous `Invoke`). */
export interface ShardInvoker {
  invoke(shard: FanOutShard): Promise<void>;
}

/** When and how room messages are sharded: FANOUT_* (lambdas/shared/environment.ts). */
export interface Sharding {
  /** Recipients above which a message is sharded. */
  readonly threshold: number;
  /** Connections per shard, at most. */
  readonly shardSize: number;
  /** The posts per second all shards of one message may make together. */
  readonly postsPerSecond: number;
  readonly invoker: ShardInvoker;
}

export interface ShardingDeps extends DeliveryDeps {
  /** Absent: every message is posted by the function that sends it. */
  readonly sharding?: Sharding;
}

/**
 * Delivers a room message to connections: posted here up to the threshold, as before; above it, split into
 * `ceil(n / shardSize)` shards of nearly equal size, each handed to a worker (one `Invoke` each, all at once).
 * Resolves when every shard is handed over, long before it is delivered. A shard Lambda refuses to take
 * (throttled, or no worker) is posted here instead, so that the message still reaches everyone.
 */
export async function deliverRoomMessage(
  deps: ShardingDeps,
  connectionIds: readonly string[],
  frame: ServerFrameOf<'message'>,
): Promise<void> {
  const { sharding } = deps;
  if (sharding === undefined || connectionIds.length <= sharding.threshold) {
    await deliver(deps, connectionIds, frame);
    return;
  }
  const shards = splitEvenly(connectionIds, sharding.shardSize);
  const postsPerSecond = Math.max(1, Math.floor(sharding.postsPerSecond / shards.length));
  await Promise.all(
    shards.map(async (ids, shard) => {
      try {
        await sharding.invoker.invoke({
          messageId: frame.messageId,
          shard,
          shards: shards.length,
          postsPerSecond,
          connectionIds: ids,
          frame,
        });
      } catch (error) {
        deps.warn('Fan-out shard not handed over: posted by the sender', {
          messageId: frame.messageId,
          shard,
          errorName: (error as Error)?.name,
        });
        await deliver(deps, ids, frame);
      }
    }),
  );
  deps.recordMetric('FanOutShards', shards.length);
  deps.recordMetric('FanOutSize', connectionIds.length);
}

/** `items` in `ceil(n / most)` consecutive slices whose sizes differ by one at most. */
export function splitEvenly<T>(items: readonly T[], most: number): T[][] {
  const count = Math.ceil(items.length / most);
  const slices: T[][] = [];
  for (let index = 0, start = 0; index < count; index++) {
    const end = start + Math.ceil((items.length - start) / (count - index));
    slices.push(items.slice(start, end));
    start = end;
  }
  return slices;
}

/** What the fan-out worker needs besides delivery. */
export interface FanOutWorkerDeps extends DeliveryDeps {
  readonly shards: FanOutShardRepository;
  /** How long a claim holds a shard: the worker's timeout, so that a dead worker's claim ends with it. */
  readonly leaseMs: number;
  /** Waits, for pacing (a timer; tests and the benchmark's model give their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Shard items outlive every retry of their event (its maximum age, lib/fanout-worker.ts) with room to spare. */
export const SHARD_KEEP_SECONDS = 60 * 60;

/**
 * A worker's burst: half a second of its rate may go at once, as API Gateway's account bucket holds half a
 * second of its steady rate (a burst of 5,000 on 10,000 requests a second).
 */
export const BURST_SECONDS = 0.5;

export interface ShardOutcome {
  /** False when another run holds the shard or has done it: nothing was posted. */
  readonly claimed: boolean;
  readonly delivered: number;
  readonly gone: number;
  /** Connections an earlier attempt had reached, not posted again. */
  readonly skipped: number;
}

/**
 * The fan-out worker: posts one shard, once. Claims the shard (lambdas/data/fanout-shards.ts), posts to the
 * connections an earlier attempt did not reach with the sender's `fanOut` (bounded concurrency, backoff on
 * `LimitExceededException`), each post first taking a token of a bucket filled at the shard's posts per
 * second, prunes the gone, and marks the shard done. When posts failed for another reason it records whom it
 * reached, gives the claim back and throws, so that Lambda's retry posts to the rest.
 * @throws Error when posts failed (after recording the progress), for Lambda to retry the event.
 */
export async function runShard(deps: FanOutWorkerDeps, shard: FanOutShard): Promise<ShardOutcome> {
  const claim = await deps.shards.claim(
    shard.messageId,
    shard.shard,
    deps.now().getTime(),
    deps.leaseMs,
    SHARD_KEEP_SECONDS,
  );
  if (claim === undefined) {
    deps.recordMetric('FanOutShardsSkipped', 1);
    return { claimed: false, delivered: 0, gone: 0, skipped: 0 };
  }
  const pending = shard.connectionIds.filter((id) => !claim.delivered.has(id));
  const pace = pacer(shard.postsPerSecond, deps.sleep);
  const reached: string[] = [];
  const failed: string[] = [];
  let goneIds: readonly string[] = [];
  const poster: ConnectionPoster = {
    async post(connectionId, data) {
      await pace();
      await deps.poster.post(connectionId, data);
      reached.push(connectionId);
    },
  };
  const result = await fanOut(
    {
      poster,
      concurrency: deps.fanOutConcurrency,
      onGone: async (gone) => {
        goneIds = gone;
        await dropConnections(deps, gone);
      },
      onFailure: (connectionId, error) => {
        failed.push(connectionId);
        deps.warn('Post to connection failed', { connectionId, errorName: (error as Error)?.name });
      },
    },
    pending,
    shard.frame,
  );
  deps.recordMetric('Deliveries', result.delivered);
  if (result.gone > 0) deps.recordMetric('GoneConnections', result.gone);
  if (failed.length > 0) {
    deps.recordMetric('FanOutShardFailures', 1);
    await deps.shards.release(shard.messageId, shard.shard, [...reached, ...goneIds]);
    throw new Error(`${failed.length} posts of shard ${shard.shard} of ${shard.messageId} failed`);
  }
  await deps.shards.markDone(shard.messageId, shard.shard, deps.now().toISOString());
  return {
    claimed: true,
    delivered: result.delivered,
    gone: result.gone,
    skipped: shard.connectionIds.length - pending.length,
  };
}

/**
 * A token bucket as a schedule (the generic cell rate algorithm): each call reserves the next slot of
 * `perSecond` and waits until it is due, with `BURST_SECONDS` of slots free at once. Calls may overlap.
 */
export function pacer(
  perSecond: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => number = () => performance.now(),
): () => Promise<void> {
  const intervalMs = 1000 / perSecond;
  const toleranceMs = Math.max(0, Math.floor(perSecond * BURST_SECONDS) - 1) * intervalMs;
  let dueAt = Number.NEGATIVE_INFINITY;
  return async () => {
    const at = now();
    dueAt = Math.max(dueAt, at);
    const waitMs = dueAt - at - toleranceMs;
    dueAt += intervalMs;
    if (waitMs > 0) await sleep(waitMs);
  };
}
