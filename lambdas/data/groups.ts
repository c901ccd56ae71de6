import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { limits } from '../../lib/contract/limits.ts';
import type { Conversation } from './conversations.ts';
import { queryIndexPartition } from './index-query.ts';
import {
  blockKey,
  canonicalUsername,
  conversationKey,
  userConversationItemKeys,
  userConversationKey,
  userConversationsIndexKey,
} from './keys.ts';
import { transactWrite } from './transactions.ts';

/** What a group's META item says of it: its participants (sorted case-insensitively), title and creation. */
export interface GroupRecord {
  readonly conversationId: string;
  readonly participants: string[];
  readonly title?: string;
  readonly createdAt: string;
}

/** Why adding a participant was refused (the caller left, the user is in, the group is full, a block). */
export type AddOutcome = 'added' | 'not a participant' | 'already in' | 'full' | 'blocked';

/**
 * The participants of a conversation's META item: a direct one lists its two, a group keeps a map of them by
 * canonical username (`members`), so that adding and leaving are one conditional update of that item each.
 */
export function participantsOfMeta(item: Record<string, unknown> | undefined): string[] {
  if (item === undefined) return [];
  if (item.members !== undefined) return sortNames(Object.values(item.members as Record<string, string>));
  return (item.participants as string[] | undefined) ?? [];
}

const sortNames = (names: string[]) =>
  names.sort((a, b) => (canonicalUsername(a) < canonicalUsername(b) ? -1 : 1));

/**
 * Groups: the META item of the conversation's partition holds the participants (`members`, a map by canonical
 * username, and `participantCount`, whose condition keeps the 100 cap), the title and the creation time; each
 * participant has the per-user conversation item direct conversations have (membership is one GetItem of it,
 * the list is one Query of GSI1, read markers live on it), without participants or title, which the META
 * item alone holds so that adding, leaving and renaming never rewrite every participant's item.
 */
export class GroupRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a group: 1 PutItem of its META item (its id is random and new), then one transaction of the
   * participants' items (at most 100 Puts). A failure between the two leaves a META item nobody can reach.
   */
  async create(group: GroupRecord): Promise<void> {
    const members = Object.fromEntries(group.participants.map((name) => [canonicalUsername(name), name]));
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: conversationKey(group.conversationId),
        UpdateExpression:
          'SET #type = :type, conversationId = :id, kind = :group, members = :members, participantCount = :count, createdAt = :at' +
          (group.title === undefined ? '' : ', title = :title'),
        ConditionExpression: 'attribute_not_exists(PK)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'Conversation',
          ':id': group.conversationId,
          ':group': 'group',
          ':members': members,
          ':count': group.participants.length,
          ':at': group.createdAt,
          ...(group.title === undefined ? {} : { ':title': group.title }),
        },
      }),
    );
    const outcome = await transactWrite(
      this.doc,
      group.participants.map((participant) => ({
        Put: {
          TableName: this.tableName,
          Item: this.participantItem(participant, group.conversationId, group.createdAt),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      })),
    );
    if (!outcome.ok) throw new Error('A new group’s participant item existed already');
  }

  /** A group's META item, strongly consistent (1 GetItem, at most about 7 KB: 2 read units); undefined for none. */
  async get(conversationId: string): Promise<GroupRecord | undefined> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: conversationKey(conversationId),
        ConsistentRead: true,
      }),
    );
    return output.Item?.kind === 'group' ? toGroup(output.Item) : undefined;
  }

  /** The META items of these groups (1 BatchGetItem, at most 100 keys: a page of the conversation list). */
  async getMany(conversationIds: readonly string[]): Promise<Map<string, GroupRecord>> {
    const groups = new Map<string, GroupRecord>();
    let keys: Record<string, unknown>[] = conversationIds.map((id) => ({ ...conversationKey(id) }));
    while (keys.length > 0) {
      const output = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
      );
      for (const item of output.Responses?.[this.tableName] ?? []) {
        groups.set(item.conversationId as string, toGroup(item));
      }
      keys = (output.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
    return groups;
  }

  /**
   * Adds `username` on behalf of `by`, in one transaction: the META item gains them under 100 participants
   * (and not twice), their item is written, `by` must still be a participant, and `username` must not block
   * `by` (4 items: about 4 write units and 2 read units).
   */
  async add(
    conversationId: string,
    username: string,
    by: string,
    at: string,
    lastMessage: Conversation['lastMessage'],
  ): Promise<AddOutcome> {
    const outcome = await transactWrite(this.doc, [
      {
        Update: {
          TableName: this.tableName,
          Key: conversationKey(conversationId),
          UpdateExpression: 'SET members.#member = :name, participantCount = participantCount + :one',
          ConditionExpression:
            'kind = :group AND participantCount < :max AND attribute_not_exists(members.#member)',
          ExpressionAttributeNames: { '#member': canonicalUsername(username) },
          ExpressionAttributeValues: {
            ':name': username,
            ':one': 1,
            ':group': 'group',
            ':max': limits.maxGroupParticipants,
          },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: this.participantItem(username, conversationId, at, lastMessage),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: userConversationKey(by, conversationId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: blockKey(username, by),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
    if (outcome.ok) return 'added';
    if (outcome.failedConditions.includes(2)) return 'not a participant';
    if (outcome.failedConditions.includes(1)) return 'already in';
    if (outcome.failedConditions.includes(3)) return 'blocked';
    return 'full';
  }

  /**
   * `username` leaves: one transaction deleting their item and taking them out of the META item (2 items:
   * about 4 write units). Answers false when they were no participant (any more).
   */
  async leave(conversationId: string, username: string): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Delete: {
          TableName: this.tableName,
          Key: userConversationKey(username, conversationId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: conversationKey(conversationId),
          UpdateExpression: 'REMOVE members.#member SET participantCount = participantCount - :one',
          ConditionExpression: 'attribute_exists(members.#member)',
          ExpressionAttributeNames: { '#member': canonicalUsername(username) },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);
    return outcome.ok;
  }

  /**
   * The ids of every group `username` is in: Queries of their conversation list (GSI1, every page; half a read
   * unit per 4 KB of whole items, since a projection saves transfer, not units), direct conversations left out.
   * @param pageSize items per page; unset in production, set by tests to prove that every page is read.
   */
  async groupIdsOf(username: string, pageSize?: number): Promise<string[]> {
    const items = await queryIndexPartition(
      this.doc,
      this.tableName,
      userConversationsIndexKey(username),
      ['conversationId', 'kind'],
      pageSize,
    );
    return items.filter((item) => item.kind === 'group').map((item) => item.conversationId as string);
  }

  /** Sets a group's title: 1 UpdateItem of its META item (about 7 write units at 100 participants). */
  async rename(conversationId: string, title: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: conversationKey(conversationId),
        UpdateExpression: 'SET title = :title',
        ConditionExpression: 'kind = :group',
        ExpressionAttributeValues: { ':title': title, ':group': 'group' },
      }),
    );
  }

  /**
   * A participant's item of a group: listed by last activity (GSI1) like a direct conversation's. One added
   * to a group with history starts with its last message, and their read marker at it: what came before they
   * joined is not counted unread.
   */
  private participantItem(
    participant: string,
    conversationId: string,
    at: string,
    lastMessage: Conversation['lastMessage'] = null,
  ) {
    const keys = userConversationItemKeys(participant, conversationId, at);
    const seen = lastMessage === null ? {} : { lastMessageId: lastMessage.messageId };
    const read = lastMessage === null ? {} : { lastReadMessageId: lastMessage.messageId };
    return {
      ...keys,
      type: 'UserConversation',
      conversationId,
      kind: 'group',
      lastMessage,
      ...seen,
      ...read,
    };
  }
}

function toGroup(item: Record<string, unknown>): GroupRecord {
  return {
    conversationId: item.conversationId as string,
    participants: participantsOfMeta(item),
    ...(item.title === undefined ? {} : { title: item.title as string }),
    createdAt: item.createdAt as string,
  };
}

/** A participant's view of a group: its item's last message and the META item's participants and title. */
export function groupConversation(
  group: GroupRecord,
  lastMessage: Conversation['lastMessage'],
): Conversation {
  return {
    conversationId: group.conversationId,
    kind: 'group',
    participants: group.participants,
    ...(group.title === undefined ? {} : { title: group.title }),
    createdAt: group.createdAt,
    lastMessage,
  };
}
