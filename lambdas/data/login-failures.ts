import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginFailureSubject, loginFailuresKey } from './keys.ts';

/** A failed-login counter as stored: times in epoch milliseconds. */
export interface FailureCounter {
  readonly failures: number;
  /** The first failure of the current window. */
  readonly windowStart: number;
  readonly lastFailureAt: number;
}

/**
 * When a stored counter still counts (rather than starting afresh): its window opened after `windowOpenAfter`,
 * or it has reached `threshold` failures and its last failure came after `escalatedAfter`. The domain decides
 * the values (lambdas/domain/login-lockout.ts); the same test is made on what was read and, as a condition, by
 * the database on what it holds, so that concurrent failures never lose a count.
 */
export interface CounterLiveness {
  readonly windowOpenAfter: number;
  readonly threshold: number;
  readonly escalatedAfter: number;
}

/** One failure to add to a counter. */
export interface FailureRecord {
  readonly at: number;
  readonly live: CounterLiveness;
  /** Whether the counter read before the attempt was live: picks the write that will most likely succeed. */
  readonly wasLive: boolean;
  /** TTL, epoch seconds: when DynamoDB may delete the item. */
  readonly expiresAt: number;
}

const LIVE_CONDITION =
  'windowStart > :windowOpenAfter OR (failures >= :threshold AND lastFailureAt > :escalatedAfter)';

/** Failed-login counters: one item per username and one per source address, never read by a Scan. */
export class LoginFailureRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One strongly consistent GetItem: the count a 401 has just stored must stop the very next attempt. */
  async read(subject: LoginFailureSubject): Promise<FailureCounter | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: loginFailuresKey(subject), ConsistentRead: true }),
    );
    if (output.Item === undefined) return undefined;
    const { failures, windowStart, lastFailureAt } = output.Item;
    return { failures, windowStart, lastFailureAt };
  }

  /**
   * Adds one failure: one conditional UpdateItem that either increments a live counter or starts a new window.
   * Which one was read before; when a concurrent failure changed that in between, the condition fails and the
   * other write is made instead (at most twice more; in practice never).
   */
  async recordFailure(subject: LoginFailureSubject, record: FailureRecord): Promise<void> {
    const key = loginFailuresKey(subject);
    let continuing = record.wasLive;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            ...(continuing ? incrementOf(record) : restartOf(record)),
          }),
        );
        return;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException' || attempt >= 2) throw error;
        continuing = !continuing;
      }
    }
  }
}

const livenessValues = ({ live }: FailureRecord) => ({
  ':windowOpenAfter': live.windowOpenAfter,
  ':threshold': live.threshold,
  ':escalatedAfter': live.escalatedAfter,
});

function incrementOf(record: FailureRecord) {
  return {
    UpdateExpression: 'ADD failures :one SET lastFailureAt = :at, expiresAt = :expiresAt',
    ConditionExpression: LIVE_CONDITION,
    ExpressionAttributeValues: {
      ':one': 1,
      ':at': record.at,
      ':expiresAt': record.expiresAt,
      ...livenessValues(record),
    },
  };
}

function restartOf(record: FailureRecord) {
  return {
    UpdateExpression:
      'SET #type = :type, failures = :one, windowStart = :at, lastFailureAt = :at, expiresAt = :expiresAt',
    ConditionExpression: `attribute_not_exists(PK) OR NOT (${LIVE_CONDITION})`,
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':type': 'LoginFailures',
      ':one': 1,
      ':at': record.at,
      ':expiresAt': record.expiresAt,
      ...livenessValues(record),
    },
  };
}
