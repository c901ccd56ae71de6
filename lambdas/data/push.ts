import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { participantsOfMeta } from './groups.ts';
import {
  conversationKey,
  presenceKey,
  pushSentKey,
  roomMembershipKey,
  userConnectionsIndexKey,
  userConversationKey,
} from './keys.ts';
import { leaseClaim } from './leases.ts';
import { GSI1 } from './schema.ts';
import { conditionally } from './transactions.ts';

/** One push: a message to one device of one user. */
export interface PushTarget {
  readonly messageId: string;
  readonly username: string;
  readonly deviceId: string;
}

/**
 * What the notifier reads to decide who gets a push, and the markers that make it send each push once. A
 * marker is claimed for a short lease before the push is sent and marked sent after: a redelivered stream
 * record finds it sent and sends nothing; a notifier that died between the two leaves a lease that runs out,
 * and the retry sends (at least once).
 */
export class PushRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The participants of a conversation, direct or group, and a group's title: 1 GetItem of its META item (at
   * most 100 names).
   */
  async participants(conversationId: string): Promise<{ names: readonly string[]; title?: string }> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: conversationKey(conversationId),
        ProjectionExpression: 'participants, members, title',
      }),
    );
    const title = output.Item?.title;
    return { names: participantsOfMeta(output.Item), ...(typeof title === 'string' ? { title } : {}) };
  }

  /** Whether `username` muted the conversation: 1 GetItem of their item of it, eventually consistent. */
  async isMuted(username: string, conversationId: string): Promise<boolean> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userConversationKey(username, conversationId),
        ProjectionExpression: 'muted',
      }),
    );
    return output.Item?.muted === true;
  }

  /** Whether `username` has an open WebSocket connection: 1 Query of their connections index, 1 item. */
  async isConnected(username: string): Promise<boolean> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': userConnectionsIndexKey(username) },
        ProjectionExpression: 'PK',
        Limit: 1,
      }),
    );
    return (output.Items ?? []).length > 0;
  }

  /**
   * Whether `username` is a member of the room with no connection present in it: 2 GetItems in parallel (their
   * member item and their presence item there). A user who is not a member is never pushed a room's message:
   * a private room's text must not reach someone merely named in it.
   */
  async isAbsentMember(room: string, username: string): Promise<boolean> {
    const exists = async (key: { PK: string; SK: string }) =>
      (
        await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'PK' }),
        )
      ).Item !== undefined;
    const [member, present] = await Promise.all([
      exists(roomMembershipKey(room, username)),
      exists(presenceKey(room, username)),
    ]);
    return member && !present;
  }

  /**
   * Claims the push for `leaseMs`: 1 conditional UpdateItem, which succeeds when no marker exists, or when an
   * earlier claim was never marked sent and its lease ran out. The marker expires (TTL) after `keepSeconds`,
   * longer than the stream keeps a record (24 hours).
   */
  claim(target: PushTarget, nowMs: number, leaseMs: number, keepSeconds: number): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new UpdateCommand(
          leaseClaim(this.tableName, pushSentKey(target.messageId, target.username, target.deviceId), {
            type: 'PushSent',
            doneAttribute: 'sentAt',
            nowMs,
            leaseMs,
            keepSeconds,
          }),
        ),
      ),
    );
  }

  /** Marks a claimed push sent: 1 UpdateItem. */
  async markSent(target: PushTarget, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: pushSentKey(target.messageId, target.username, target.deviceId),
        UpdateExpression: 'SET sentAt = :at REMOVE leaseUntil',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /**
   * Gives a claim back after a failed send, so that the retry sends at once: 1 UpdateItem ending the lease,
   * unless the push was marked sent meanwhile.
   */
  async release(target: PushTarget): Promise<void> {
    await conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pushSentKey(target.messageId, target.username, target.deviceId),
          UpdateExpression: 'SET leaseUntil = :ended',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(sentAt)',
          ExpressionAttributeValues: { ':ended': 0 },
        }),
      ),
    );
  }
}
