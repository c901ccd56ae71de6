import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { rateBucketKey, userConnectionsIndexKey } from './keys.ts';
import { GSI1 } from './schema.ts';

/**
 * The bounds of one request against a token bucket, computed by the domain (lambdas/domain/limits.ts) for the
 * request's time. The bucket holds one number, `tat` (the "theoretical arrival time" of GCRA, epoch ms): the
 * time at which the bucket would be full again.
 */
export interface BucketStep {
  /** The request's time, epoch ms. */
  readonly now: number;
  /** What one request adds to `tat`. */
  readonly intervalMs: number;
  /** The largest `tat` that still admits the request: `now + (burst - 1) × interval`. */
  readonly latestTat: number;
  /** TTL, epoch seconds: when the bucket is full again whatever happened, and may be deleted. */
  readonly expiresAt: number;
}

/** Whether the request was admitted; when not, the bucket's `tat`, from which the wait is computed. */
export type BucketOutcome = { readonly taken: true } | { readonly taken: false; readonly tat: number };

const MAX_ATTEMPTS = 3;

/**
 * Per-user token buckets (one item per user and kind) and the count of a user's connections. A request costs
 * one conditional UpdateItem, never a read first: a bucket that is full (absent, or `tat` in the past) is reset
 * to `now + interval`; otherwise `tat` grows by one interval on condition that it stays within the burst. A
 * failed condition returns the item (ReturnValuesOnConditionCheckFailure), which tells which write to make
 * instead, or that the request is over the limit.
 */
export class LimitRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes one token from the user's bucket of `kind`. Tries the reset first: a user within their steady rate
   * (almost everyone) finds the bucket full, so that is one write; a burst costs two; a refused request one.
   */
  async take(kind: string, username: string, step: BucketStep): Promise<BucketOutcome> {
    const key = rateBucketKey(kind, username);
    let write: ConditionalWrite = resetOf(step);
    let tat = Number.NaN;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.updateOrStored(key, write);
      if (stored === 'updated') return { taken: true };
      tat = stored;
      // Over the burst: limited, without another write. Otherwise the other write fits what is stored now.
      if (tat > step.latestTat) return { taken: false, tat };
      write = tat >= step.now ? incrementOf(step) : resetOf(step);
    }
    // The bucket kept changing under concurrent requests of the same user: refuse this one, it may retry.
    return { taken: false, tat: Number.isNaN(tat) ? step.latestTat + step.intervalMs : tat };
  }

  /** One conditional UpdateItem: `updated`, or the `tat` stored when the condition failed (NaN: no item). */
  private async updateOrStored(
    key: ReturnType<typeof rateBucketKey>,
    write: ConditionalWrite,
  ): Promise<'updated' | number> {
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: key,
      ...write,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    return this.doc.send(update).then(
      () => 'updated' as const,
      (error: unknown) => {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        return tatOf(error);
      },
    );
  }

  /**
   * How many connections the user has open: one Query of their connections index, counted (`Select COUNT`),
   * leaving out items past their TTL that DynamoDB has not deleted yet. Eventually consistent: a connection
   * opened a moment ago may not be counted yet (docs/reliability.md says why that is acceptable).
   */
  async connectionCount(username: string, nowSeconds: number): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'GSI1PK = :pk',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':pk': userConnectionsIndexKey(username), ':now': nowSeconds },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += output.Count ?? 0;
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return count;
  }
}

/** The expressions of one conditional UpdateItem of a bucket. */
interface ConditionalWrite {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

function resetOf(step: BucketStep): ConditionalWrite {
  return {
    UpdateExpression: 'SET #type = :type, tat = :reset, expiresAt = :expiresAt',
    ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':type': 'RateBucket',
      ':reset': step.now + step.intervalMs,
      ':now': step.now,
      ':expiresAt': step.expiresAt,
    },
  };
}

function incrementOf(step: BucketStep): ConditionalWrite {
  return {
    UpdateExpression: 'SET tat = tat + :interval, expiresAt = :expiresAt',
    ConditionExpression: 'tat >= :now AND tat <= :latest',
    ExpressionAttributeValues: {
      ':interval': step.intervalMs,
      ':now': step.now,
      ':latest': step.latestTat,
      ':expiresAt': step.expiresAt,
    },
  };
}

/** The stored `tat` from a failed condition's returned item (raw attribute values), or NaN when absent. */
function tatOf(error: unknown): number {
  const item = (error as { Item?: { tat?: { N?: string } } }).Item;
  return item?.tat?.N === undefined ? Number.NaN : Number(item.tat.N);
}
