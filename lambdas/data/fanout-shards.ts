import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { fanOutShardKey } from './keys.ts';
import { leaseClaim } from './leases.ts';

/** What a shard's claim answers: the connections an earlier attempt already delivered to, to skip. */
export interface ShardClaim {
  readonly delivered: ReadonlySet<string>;
}

/**
 * The progress of each shard of a sharded room message, one item per message and shard, so that the fan-out
 * worker posts each shard once although asynchronous invocations are at least once (Lambda may run an event
 * twice, and retries a failed one). A worker claims its shard for a lease before posting and marks it done
 * after; a second run of a done shard, or one while another holds the lease, posts nothing. A run that failed
 * cleanly records whom it reached, and the retry posts to the others only. Only a run that died without a word
 * (a timeout) leaves its lease to run out, and its retry posts to the whole shard again (at least once).
 * Items expire (TTL) after `keepSeconds`, longer than Lambda keeps retrying an event.
 */
export class FanOutShardRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Claims the shard for `leaseMs`: 1 conditional UpdateItem (1 write unit, a few more once it holds the ids of
   * an earlier attempt) that succeeds when there is no item, or when the shard is not done and its lease ran
   * out. Answers undefined when the shard is done or held.
   */
  async claim(
    messageId: string,
    shard: number,
    nowMs: number,
    leaseMs: number,
    keepSeconds: number,
  ): Promise<ShardClaim | undefined> {
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          ...leaseClaim(this.tableName, fanOutShardKey(messageId, shard), {
            type: 'FanOutShard',
            doneAttribute: 'doneAt',
            nowMs,
            leaseMs,
            keepSeconds,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const delivered = output.Attributes?.delivered as Set<string> | undefined;
      return { delivered: new Set(delivered ?? []) };
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** Marks the shard done: 1 UpdateItem, which also drops the ids an earlier attempt recorded. */
  async markDone(messageId: string, shard: number, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fanOutShardKey(messageId, shard),
        UpdateExpression: 'SET doneAt = :at REMOVE leaseUntil, delivered',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /**
   * Gives the claim back after a failed attempt, adding the connections it reached: 1 UpdateItem (about one
   * write unit per 60 connection ids), so that the retry starts at once and skips them.
   */
  async release(messageId: string, shard: number, delivered: readonly string[]): Promise<void> {
    const add = delivered.length > 0;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fanOutShardKey(messageId, shard),
        UpdateExpression: `SET leaseUntil = :ended${add ? ' ADD delivered :delivered' : ''}`,
        ExpressionAttributeValues: { ':ended': 0, ...(add ? { ':delivered': new Set(delivered) } : {}) },
      }),
    );
  }
}
