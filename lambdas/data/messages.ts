import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import {
  canonicalUsername,
  clientMessageIdKey,
  emojiOfKeyPart,
  MESSAGE_PREFIX,
  MESSAGES_END,
  type MessageTarget,
  messagePartition,
  messageSortKey,
  userMessagesIndexEntry,
} from './keys.ts';
import { transactWrite } from './transactions.ts';

export type { MessageTarget } from './keys.ts';

/** A stored message, as the contract shows it (lib/contract). Exactly one of `room` and `conversationId` is set. */
export type Message = contract.Message;

export interface AppendResult {
  readonly message: Message;
  /** False when the clientMessageId had been used: `message` is then the first one, stored earlier. */
  readonly created: boolean;
}

/** Where a page of history starts: before a message (older ones, the default: the newest), or after one. */
export interface HistoryPosition {
  readonly before?: string;
  readonly after?: string;
}

export type HistoryPage =
  | {
      /** Oldest to newest. */
      readonly messages: Message[];
      /** The message id to fetch older messages before, or undefined at the beginning of the history. */
      readonly before: string | undefined;
    }
  | {
      /** Oldest to newest. */
      readonly messages: Message[];
      /** The message id to fetch newer messages after, or undefined when the page reached the newest. */
      readonly after: string | undefined;
    };

const MESSAGE_FIELDS = [
  'messageId',
  'room',
  'conversationId',
  'from',
  'text',
  'sentAt',
  'clientMessageId',
  'replyTo',
  'editedAt',
] as const;

/** The attribute of a message item that counts one emoji's reactions: `R_` and the emoji's key part. */
export const REACTION_COUNT_PREFIX = 'R_';

/** Messages under their room's or conversation's partition, sorted by their ULID. */
export class MessageRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a message in its room's or conversation's partition. Without a clientMessageId: one PutItem. With one: the message and a guard
   * item keyed by sender and clientMessageId are written in one transaction conditioned on the guard being
   * new, so a retry (even a concurrent one) stores nothing and gets the first message back.
   */
  async append(message: Message): Promise<AppendResult> {
    const target = targetOf(message);
    const item = {
      PK: messagePartition(target),
      SK: messageSortKey(message.messageId),
      // Listed among its sender's messages, for the account export: one index write per message.
      ...userMessagesIndexEntry(message.from, message.messageId),
      type: 'Message',
      ...message,
    };
    if (message.clientMessageId === undefined) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
      return { message, created: true };
    }
    const guardKey = clientMessageIdKey(target, message.from, message.clientMessageId);
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...guardKey, type: 'ClientMessageId', message },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { TableName: this.tableName, Item: item } },
    ]);
    if (outcome.ok) return { message, created: true };
    const guard = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: guardKey, ConsistentRead: true }),
    );
    if (guard.Item === undefined) throw new Error('clientMessageId guard vanished after a failed condition');
    return { message: toMessage(guard.Item.message as Record<string, unknown>), created: false };
  }

  /**
   * A page of history. Before a message (or from the newest): the `limit` most recent messages older than it,
   * oldest first; one Query, newest first, of `limit + 2` items (the range is inclusive: the `before` message
   * itself comes back and is dropped; one more tells whether an older page exists). After a message: the `limit`
   * oldest messages newer than it, oldest first; one Query the other way round, of `limit + 2` items likewise.
   */
  async page(target: MessageTarget, limit: number, position: HistoryPosition = {}): Promise<HistoryPage> {
    const partition = messagePartition(target);
    const { before, after } = position;
    const bound = after ?? before;
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression:
          bound === undefined
            ? 'PK = :pk AND begins_with(SK, :prefix)'
            : 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues:
          bound === undefined
            ? { ':pk': partition, ':prefix': MESSAGE_PREFIX }
            : after === undefined
              ? { ':pk': partition, ':from': MESSAGE_PREFIX, ':to': messageSortKey(bound) }
              : { ':pk': partition, ':from': messageSortKey(bound), ':to': MESSAGES_END },
        ScanIndexForward: after !== undefined,
        Limit: limit + 2,
      }),
    );
    // BETWEEN is inclusive: drop the bounding message itself.
    const ordered = (output.Items ?? [])
      .map(toHistoryMessage)
      .filter((message) => message.messageId !== bound);
    const page = ordered.slice(0, limit);
    const hasMore = ordered.length > limit;
    if (after !== undefined) return { messages: page, after: hasMore ? page.at(-1)?.messageId : undefined };
    const oldestFirst = page.reverse();
    return { messages: oldestFirst, before: hasMore ? oldestFirst[0]?.messageId : undefined };
  }

  /** Whether a message is stored in this room or conversation: one GetItem, eventually consistent. */
  async exists(target: MessageTarget, messageId: string): Promise<boolean> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: messagePartition(target), SK: messageSortKey(messageId) },
        ProjectionExpression: 'PK',
      }),
    );
    return output.Item !== undefined;
  }

  /**
   * How many messages from others (tombstones aside) came after `marker` (all of them without one), exact up to
   * `cap`: one Query, newest first, of at most `cap` items, stopping at the reader's own latest message (writing
   * after them means having seen them). Never more than `cap` items are read, whatever the history holds, so
   * tombstones among the newest `cap` may make a count above the cap read a little below it.
   */
  async countUnread(
    target: MessageTarget,
    reader: string,
    marker: string | undefined,
    cap: number,
  ): Promise<number> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': messagePartition(target),
          // The marker itself is in the inclusive range; it is read, and counts as the reader's (it is read).
          ':from': marker === undefined ? MESSAGE_PREFIX : messageSortKey(marker),
          ':to': MESSAGES_END,
        },
        ProjectionExpression: 'messageId, #from, deleted',
        ExpressionAttributeNames: { '#from': 'from' },
        ScanIndexForward: false,
        Limit: cap + (marker === undefined ? 0 : 1),
      }),
    );
    let unread = 0;
    for (const item of output.Items ?? []) {
      if (item.messageId === marker || canonicalUsername(item.from as string) === canonicalUsername(reader))
        break;
      // A deleted message is nothing to read.
      if (item.deleted !== true) unread += 1;
    }
    return Math.min(unread, cap);
  }
}

function targetOf(message: Message): MessageTarget {
  if (message.room !== undefined) return { room: message.room };
  if (message.conversationId !== undefined) return { conversationId: message.conversationId };
  throw new Error('A message needs a room or a conversation');
}

/**
 * A message item as the contract shows it. A deleted one is a tombstone: its id, place, sender and time, with
 * `deleted: true` and empty text, and nothing else (its reply, edit time and reactions are dropped here too).
 */
export function toMessage(item: Record<string, unknown>): Message {
  if (item.deleted === true) {
    const { messageId, room, conversationId, from, sentAt } = item as Message;
    return { messageId, ...(room ? { room } : { conversationId }), from, text: '', sentAt, deleted: true };
  }
  const message: Record<string, unknown> = {};
  for (const field of MESSAGE_FIELDS) {
    if (item[field] !== undefined) message[field] = item[field];
  }
  return message as unknown as Message;
}

/** A message item as history shows it: with its reactions by count when it has any (`me` is filled in by the history use case). */
export function toHistoryMessage(item: Record<string, unknown>): Message {
  const message = toMessage(item);
  if (message.deleted) return message;
  const reactions = Object.entries(item)
    .filter(
      ([name, count]) => name.startsWith(REACTION_COUNT_PREFIX) && typeof count === 'number' && count > 0,
    )
    .map(([name, count]) => ({
      emoji: emojiOfKeyPart(name.slice(REACTION_COUNT_PREFIX.length)),
      count: count as number,
      me: false,
    }))
    .sort((a, b) => b.count - a.count || (a.emoji < b.emoji ? -1 : 1));
  return reactions.length === 0 ? message : { ...message, reactions };
}
