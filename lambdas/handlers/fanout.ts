import { type FanOutShard, runShard } from '../domain/sharded-fanout.ts';
import { logger } from '../shared/logger.ts';
import { flushMetrics } from '../shared/metrics.ts';
import { buildFanOutWorkerDeps } from './deps.ts';

const deps = buildFanOutWorkerDeps();

/**
 * The fan-out worker: invoked asynchronously by the functions that send room messages, once per shard of a
 * message to a large room (lambdas/domain/sharded-fanout.ts), on AWS and in the local stack's emulated Lambda
 * alike. A thrown error makes Lambda retry the event (twice), then send it to the on-failure destination.
 */
export async function handler(event: FanOutShard): Promise<void> {
  try {
    if (!isShard(event)) {
      // Not ours (only the chat's functions may invoke it): retrying would not make it one.
      logger.error('Fan-out worker invoked with something other than a shard');
      return;
    }
    const outcome = await runShard(deps, event);
    logger.info('Fan-out shard', { messageId: event.messageId, shard: event.shard, ...outcome });
  } finally {
    flushMetrics();
  }
}

function isShard(event: unknown): event is FanOutShard {
  const shard = event as Partial<FanOutShard> | null;
  return (
    typeof shard?.messageId === 'string' &&
    Number.isInteger(shard.shard) &&
    Number.isInteger(shard.shards) &&
    typeof shard.postsPerSecond === 'number' &&
    shard.postsPerSecond > 0 &&
    Array.isArray(shard.connectionIds) &&
    shard.connectionIds.every((id) => typeof id === 'string') &&
    shard.frame?.type === 'message' &&
    shard.frame.messageId === shard.messageId
  );
}
