import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type MessageTarget, typingKey } from './keys.ts';

/**
 * The typing throttle: at most one `typing` notice of a user to one room or conversation is relayed per
 * interval. One item per user and target holds when the last one was relayed; TTL deletes it soon after.
 */
export class TypingThrottle {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Claims the right to relay one notice now: one conditional PutItem (1 write unit; a refused claim is charged
   * 1 too), on condition that there is no item or its last relay is at least `intervalMs` old. Of concurrent
   * notices exactly one is claimed. Answers whether this one may be relayed.
   */
  async claim(username: string, target: MessageTarget, nowMs: number, intervalMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...typingKey(username, target),
            type: 'TypingThrottle',
            relayedAt: nowMs,
            expiresAt: Math.ceil((nowMs + intervalMs) / 1000) + 1,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR relayedAt <= :cutoff',
          ExpressionAttributeValues: { ':cutoff': nowMs - intervalMs },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
