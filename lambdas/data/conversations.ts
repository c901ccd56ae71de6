import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { GroupRepository, groupConversation } from './groups.ts';
import {
  blockKey,
  canonicalUsername,
  conversationActivitySortKey,
  conversationKey,
  userConversationItemKeys,
  userConversationKey,
  userConversationsIndexKey,
} from './keys.ts';
import type { Message } from './messages.ts';
import type { Page } from './rooms.ts';
import { GSI1 } from './schema.ts';
import { conditionally, transactWrite } from './transactions.ts';

/** A conversation, as the contract shows it (lib/contract); participants as registered, sorted case-insensitively. */
export type Conversation = contract.Conversation;

/** What a conversation id looks like; anything else cannot name one. */
export const CONVERSATION_ID_PATTERN = /^c_[A-Za-z0-9_-]{22}$/;

/** What a conversations-list cursor decodes to: `<ISO time>#<conversation id>`. */
export const CONVERSATION_CURSOR_PATTERN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#c_[A-Za-z0-9_-]{22}$/;

/**
 * Conversations: a META item under the conversation's partition, and one item per participant under the
 * user's partition, indexed by last activity (GSI1) so that a user's conversations are one Query, most recent
 * first, with the last message denormalised into it.
 */
export class ConversationRepository {
  /** Group conversations' own operations (lambdas/data/groups.ts). */
  readonly groups: GroupRepository;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.groups = new GroupRepository(doc, tableName);
  }

  /**
   * Creates the conversation unless it exists: its META item and both participants' list items in one
   * transaction conditioned on the (derived) key being new, so that racing callers agree on one conversation,
   * one `createdAt`, and never leave half of it written. Blocks are checked in the same transaction, so that
   * one made meanwhile is never missed: the opener must not be blocked by the peer, and whether the opener
   * blocks the peer must still be `openerBlocksPeer` (then the peer's item is marked `blockedByPeer`). Answers
   * whether this call created it, found it, was refused by a block, or met a block changed meanwhile.
   */
  async open(
    conversation: Omit<Conversation, 'lastMessage'>,
    opener: string,
    openerBlocksPeer: boolean,
  ): Promise<'created' | 'exists' | 'blocked' | 'block changed'> {
    const isNew = 'attribute_not_exists(PK)';
    const peer = conversation.participants.find(
      (participant) => canonicalUsername(participant) !== canonicalUsername(opener),
    );
    if (peer === undefined) throw new Error('A conversation needs two participants');
    const blocked = (participant: string) =>
      openerBlocksPeer && canonicalUsername(participant) === canonicalUsername(peer)
        ? { blockedByPeer: true }
        : {};
    const outcome = await transactWrite(this.doc, [
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: blockKey(peer, opener),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: blockKey(opener, peer),
          ConditionExpression: openerBlocksPeer ? 'attribute_exists(PK)' : 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...conversationKey(conversation.conversationId),
            type: 'Conversation',
            ...conversation,
            kind: 'direct',
          },
          ConditionExpression: isNew,
        },
      },
      ...conversation.participants.map((participant) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            ...userConversationItemKeys(participant, conversation.conversationId, conversation.createdAt),
            type: 'UserConversation',
            ...conversation,
            lastMessage: null,
            ...blocked(participant),
          },
          ConditionExpression: isNew,
        },
      })),
    ]);
    if (outcome.ok) return 'created';
    if (outcome.failedConditions.includes(0)) return 'blocked';
    return outcome.failedConditions.includes(1) ? 'block changed' : 'exists';
  }

  /**
   * The conversation as one participant sees it, or undefined when it does not exist or the user is not a
   * participant (the two are indistinguishable on purpose). One strongly consistent GetItem; for a group, a
   * second one of its META item (its participants and title).
   */
  async getFor(username: string, conversationId: string): Promise<Conversation | undefined> {
    return (await this.participation(username, conversationId))?.conversation;
  }

  /**
   * As `getFor`, and whether the other participant blocks this one (marked on this participant's item by
   * lambdas/data/blocks.ts): the send path learns both from its one GetItem.
   */
  async participation(
    username: string,
    conversationId: string,
  ): Promise<{ conversation: Conversation; blockedByPeer: boolean } | undefined> {
    // An id of another shape names no conversation; it never reaches a key.
    if (!CONVERSATION_ID_PATTERN.test(conversationId)) return undefined;
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userConversationKey(username, conversationId),
        ConsistentRead: true,
      }),
    );
    if (output.Item === undefined) return undefined;
    if (output.Item.kind === 'group') {
      const group = await this.groups.get(conversationId);
      if (group === undefined) return undefined;
      return { conversation: groupConversation(group, lastMessageOf(output.Item)), blockedByPeer: false };
    }
    return { conversation: toConversation(output.Item), blockedByPeer: output.Item.blockedByPeer === true };
  }

  /**
   * Mutes or unmutes the conversation for one participant (no push for it while muted): 1 UpdateItem of their
   * item of it, on condition that it exists. Answers false when they are no participant of it.
   */
  async setMuted(username: string, conversationId: string, muted: boolean): Promise<boolean> {
    if (!CONVERSATION_ID_PATTERN.test(conversationId)) return false;
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userConversationKey(username, conversationId),
          UpdateExpression: muted ? 'SET muted = :true' : 'REMOVE muted',
          ConditionExpression: 'attribute_exists(PK)',
          ...(muted ? { ExpressionAttributeValues: { ':true': true } } : {}),
        }),
      ),
    );
  }

  /**
   * A page of a user's conversations, most recent activity first, with their read marker: one Query of GSI1,
   * and one BatchGetItem of the META items of the groups on the page (their participants and titles).
   */
  async listFor(
    username: string,
    limit: number,
    after: string | undefined,
  ): Promise<Page<Conversation & { readonly lastReadMessageId: string | null }>> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1,
        KeyConditionExpression: after === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK < :after',
        ExpressionAttributeValues: {
          ':pk': userConversationsIndexKey(username),
          ...(after === undefined ? {} : { ':after': after }),
        },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    const items = output.Items ?? [];
    const page = items.slice(0, limit);
    const last = page.at(-1);
    const groupIds = page
      .filter((item) => item.kind === 'group')
      .map((item) => item.conversationId as string);
    const groups = groupIds.length === 0 ? new Map() : await this.groups.getMany(groupIds);
    return {
      items: page.flatMap((item) => {
        const group = groups.get(item.conversationId as string);
        if (item.kind === 'group' && group === undefined) return [];
        const lastReadMessageId = (item.lastReadMessageId as string | undefined) ?? null;
        const conversation = group ? groupConversation(group, lastMessageOf(item)) : toConversation(item);
        return [{ ...conversation, lastReadMessageId }];
      }),
      after: items.length > limit && last !== undefined ? (last.GSI1SK as string) : undefined,
    };
  }

  /**
   * Records a new message as both participants' last activity: one conditional UpdateItem per participant,
   * skipped when a newer message got there first (messages can finish out of order).
   */
  async recordLastMessage(conversation: Conversation, message: Message): Promise<void> {
    await Promise.all(
      conversation.participants.map(async (participant) => {
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: userConversationKey(participant, conversation.conversationId),
              UpdateExpression: 'SET lastMessage = :message, lastMessageId = :id, GSI1SK = :activity',
              ConditionExpression:
                'attribute_exists(PK) AND (attribute_not_exists(lastMessageId) OR lastMessageId <= :id)',
              ExpressionAttributeValues: {
                ':message': message,
                ':id': message.messageId,
                ':activity': conversationActivitySortKey(message.sentAt, conversation.conversationId),
              },
            }),
          );
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        }
      }),
    );
  }
}

/** A direct conversation from its META item or a participant's item (stored before `kind` existed, too). */
export function toConversation(item: Record<string, unknown>): Conversation {
  return {
    conversationId: item.conversationId as string,
    kind: 'direct',
    participants: item.participants as string[],
    createdAt: item.createdAt as string,
    lastMessage: lastMessageOf(item),
  };
}

const lastMessageOf = (item: Record<string, unknown>) =>
  (item.lastMessage as Message | null | undefined) ?? null;
