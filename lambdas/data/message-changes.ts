import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Conversation } from './conversations.ts';
import {
  clientMessageIdKey,
  emojiKeyPart,
  type Key,
  type MessageTarget,
  messagePartition,
  messageSortKey,
  reactionKey,
  reactionsRange,
  roomMembershipKey,
  userConversationKey,
} from './keys.ts';
import { type Message, REACTION_COUNT_PREFIX, toMessage } from './messages.ts';
import { conditionally, transactWrite } from './transactions.ts';

/** A message item as stored: the message's fields, its deletion mark and its reaction counts. */
export type StoredMessage = Record<string, unknown> & { readonly from: string; readonly deleted?: true };

export type EditOutcome = { readonly edited: Message } | { readonly refused: 'not-found' | 'not-author' };
export type DeleteOutcome = 'deleted' | 'unchanged' | 'not-found' | 'not-allowed';
export type ReactionOutcome = 'changed' | 'unchanged' | 'not-found' | 'too-many';

/** How deletion is authorised: as the author (a condition on `from`), or as a room's owner or moderator. */
export type Deleter = { readonly author: string } | { readonly moderator: string; readonly room: string };

/** Guesses about a reaction count that a failed condition corrects: at most this many attempts. */
const MAX_GUESSES = 6;

const messageKey = (target: MessageTarget, messageId: string): Key => ({
  PK: messagePartition(target),
  SK: messageSortKey(messageId),
});

/**
 * Edits, deletions and reactions of stored messages. Every change is one conditional write or one transaction,
 * so the database decides races: an edit and a deletion of one message never leave an edited tombstone, and
 * concurrent reactions count exactly (a per-user reaction item written with the message's count in one
 * transaction). A failed condition is followed by one strongly consistent read, only to say why.
 */
export class MessageChangeRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The message item, strongly consistent, or undefined. */
  async get(target: MessageTarget, messageId: string): Promise<StoredMessage | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: messageKey(target, messageId), ConsistentRead: true }),
    );
    return output.Item as StoredMessage | undefined;
  }

  /** Sets the text and `editedAt` of the author's message unless it is deleted: one conditional UpdateItem. */
  async edit(
    target: MessageTarget,
    messageId: string,
    author: string,
    text: string,
    editedAt: string,
  ): Promise<EditOutcome> {
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(target, messageId),
          UpdateExpression: 'SET #text = :text, editedAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deleted) AND #from = :author',
          ExpressionAttributeNames: { '#text': 'text', '#from': 'from' },
          ExpressionAttributeValues: { ':text': text, ':at': editedAt, ':author': author },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { edited: toMessage(output.Attributes ?? {}) };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    const stored = await this.get(target, messageId);
    return { refused: stored === undefined || stored.deleted ? 'not-found' : 'not-author' };
  }

  /**
   * Makes the message a tombstone: text emptied, reply and edit time removed, in one transaction with, for a
   * moderator, a check that their role still allows it, and with the overwriting of the clientMessageId guard's
   * copy (a retried send then answers the tombstone, and the old text is kept nowhere). Deleting a tombstone
   * again is `unchanged`.
   */
  async delete(target: MessageTarget, stored: StoredMessage, deleter: Deleter): Promise<DeleteOutcome> {
    const message = toMessage(stored);
    const asAuthor = 'author' in deleter;
    const outcome = await transactWrite(this.doc, [
      {
        Update: {
          TableName: this.tableName,
          Key: messageKey(target, message.messageId),
          UpdateExpression: 'SET deleted = :true, #text = :empty REMOVE replyTo, editedAt',
          ConditionExpression: `attribute_exists(PK) AND attribute_not_exists(deleted)${asAuthor ? ' AND #from = :actor' : ''}`,
          ExpressionAttributeNames: { '#text': 'text', ...(asAuthor ? { '#from': 'from' } : {}) },
          ExpressionAttributeValues: {
            ':true': true,
            ':empty': '',
            ...(asAuthor ? { ':actor': deleter.author } : {}),
          },
        },
      },
      ...(asAuthor
        ? []
        : [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: roomMembershipKey(deleter.room, deleter.moderator),
                ConditionExpression: '#role IN (:owner, :moderator)',
                ExpressionAttributeNames: { '#role': 'role' },
                ExpressionAttributeValues: { ':owner': 'owner', ':moderator': 'moderator' },
              },
            },
          ]),
      ...(stored.clientMessageId === undefined
        ? []
        : [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...clientMessageIdKey(target, message.from, stored.clientMessageId as string),
                  type: 'ClientMessageId',
                  message: toMessage({ ...stored, deleted: true }),
                },
              },
            },
          ]),
    ]);
    if (outcome.ok) return 'deleted';
    if (!asAuthor && outcome.failedConditions.includes(1)) return 'not-allowed';
    const now = await this.get(target, message.messageId);
    if (now === undefined) return 'not-found';
    return now.deleted ? 'unchanged' : 'not-allowed';
  }

  /**
   * Adds (`added`) or takes back the user's reaction with `emoji`: one transaction of 2 (the user's reaction item,
   * on condition that it is absent or present; the message's count of that emoji, and its number of distinct
   * emoji, on a guess of whether the count exists or ends, which a failed condition corrects).
   */
  async react(
    target: MessageTarget,
    messageId: string,
    username: string,
    emoji: string,
    added: boolean,
    maxDistinct: number,
  ): Promise<ReactionOutcome> {
    const reaction = reactionKey(target, username, messageId, emoji);
    const names = { '#count': `${REACTION_COUNT_PREFIX}${emojiKeyPart(emoji)}` };
    let fresh = true; // the guess: the count is new (adding), or ends (taking back)
    for (let attempt = 0; attempt < MAX_GUESSES; attempt++) {
      const outcome = await transactWrite(this.doc, [
        added
          ? {
              Put: {
                TableName: this.tableName,
                Item: { ...reaction, type: 'Reaction', messageId, emoji, username },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            }
          : {
              Delete: {
                TableName: this.tableName,
                Key: reaction,
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
        {
          Update: {
            TableName: this.tableName,
            Key: messageKey(target, messageId),
            ...countChange(added, fresh, maxDistinct),
            ExpressionAttributeNames: names,
          },
        },
      ]);
      if (outcome.ok) return 'changed';
      const stored = await this.get(target, messageId);
      if (stored === undefined || stored.deleted) return 'not-found';
      if (outcome.failedConditions.includes(0)) return 'unchanged';
      const count = stored[names['#count']];
      const distinct = (stored.reactionKinds as number | undefined) ?? 0;
      if (added && count === undefined && distinct >= maxDistinct) return 'too-many';
      fresh = added ? count === undefined : count === 1;
    }
    throw new Error('A reaction count kept changing under concurrent reactions');
  }

  /**
   * Which of `messages` (one page, oldest first) the user reacted to, with which emoji: one Query of the user's
   * reaction items between the page's first and last message ids.
   */
  async reactionsOf(target: MessageTarget, username: string, messages: readonly Message[]) {
    const mine = new Set<string>();
    const first = messages[0];
    const last = messages.at(-1);
    if (first === undefined || last === undefined) return mine;
    const range = reactionsRange(username, first.messageId, last.messageId);
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': messagePartition(target),
            ':from': range.from,
            ':to': range.to,
          },
          ProjectionExpression: 'messageId, emoji',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of output.Items ?? []) mine.add(`${item.messageId}\n${item.emoji}`);
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return mine;
  }

  /**
   * After an edit or a deletion, the participants' copies of a conversation's last message, where it is this one:
   * 1 UpdateItem per participant, on condition that it still is (a later message is left alone).
   */
  async reviseLastMessage(conversation: Conversation, message: Message): Promise<void> {
    await Promise.all(
      conversation.participants.map((participant) =>
        conditionally(
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: userConversationKey(participant, conversation.conversationId),
              UpdateExpression: 'SET lastMessage = :message',
              ConditionExpression: 'lastMessageId = :id',
              ExpressionAttributeValues: { ':message': message, ':id': message.messageId },
            }),
          ),
        ),
      ),
    );
  }

  /** Whether the message exists and is not deleted: for `replyTo`, one strongly consistent GetItem. */
  async isLive(target: MessageTarget, messageId: string): Promise<boolean> {
    const stored = await this.get(target, messageId);
    return stored !== undefined && !stored.deleted;
  }
}

/** The message side of a reaction change, under the guess `fresh` (see `react`). */
function countChange(added: boolean, fresh: boolean, maxDistinct: number) {
  const live = 'attribute_exists(PK) AND attribute_not_exists(deleted)';
  if (added && fresh) {
    return {
      UpdateExpression: 'SET #count = :one, reactionKinds = if_not_exists(reactionKinds, :zero) + :one',
      ConditionExpression: `${live} AND attribute_not_exists(#count) AND (attribute_not_exists(reactionKinds) OR reactionKinds < :max)`,
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':max': maxDistinct },
    };
  }
  if (added) {
    return {
      UpdateExpression: 'SET #count = #count + :one',
      ConditionExpression: `${live} AND #count >= :one`,
      ExpressionAttributeValues: { ':one': 1 },
    };
  }
  if (fresh) {
    return {
      UpdateExpression: 'REMOVE #count SET reactionKinds = reactionKinds - :one',
      ConditionExpression: `${live} AND #count = :one`,
      ExpressionAttributeValues: { ':one': 1 },
    };
  }
  return {
    UpdateExpression: 'SET #count = #count - :one',
    ConditionExpression: `${live} AND #count > :one`,
    ExpressionAttributeValues: { ':one': 1 },
  };
}
