import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  clientMessageIdKey,
  connectionKey,
  invitationKey,
  type Key,
  messagePartition,
  messageSortKey,
  ROOM_SORT_KEY,
  roomInviteesQuery,
  roomKey,
  roomMembershipsQuery,
  roomPartitionKey,
  userRoomKey,
} from './keys.ts';
import type { Message } from './messages.ts';
import { type Room, toRoom } from './rooms.ts';
import { conditionally, sleep } from './transactions.ts';

/** A room item as deletion sees it: with `deletingAt` once its deletion has begun. */
export type RoomRecord = Room & { readonly deletingAt?: string };

/** BatchWriteItem takes at most this many requests. */
const BATCH_WRITE_ITEMS = 25;
/** Items read per Query page of the room's partition: each page is deleted before the next is read. */
const PURGE_PAGE_ITEMS = 100;

/**
 * Deleting a room: the room item is marked first (every path that adds to the room refuses from then), then the
 * partition is emptied page by page, and the room item goes last, so that a deletion stopped midway is found and
 * finished by the next one. Never a Scan: one partition, by Query.
 */
export class RoomDeletionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The room item, marked or not: one strongly consistent GetItem (1 read unit). */
  async get(name: string): Promise<RoomRecord | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: roomKey(name), ConsistentRead: true }),
    );
    if (output.Item === undefined) return undefined;
    const deletingAt = output.Item.deletingAt;
    return { ...toRoom(output.Item), ...(typeof deletingAt === 'string' ? { deletingAt } : {}) };
  }

  /**
   * Marks the room as being deleted and takes it out of the public rooms index: one UpdateItem on condition that
   * it exists. A mark already there is kept (a retried deletion keeps its first time).
   */
  async mark(name: string, at: string): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: roomKey(name),
          UpdateExpression: 'SET deletingAt = if_not_exists(deletingAt, :at) REMOVE GSI1PK, GSI1SK',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  /**
   * Takes the room out of a connection's list of joined rooms (one UpdateItem, 1 write unit), so that its
   * `$disconnect` does not leave it; a closed connection is left alone.
   */
  async forgetRoomOfConnection(connectionId: string, name: string): Promise<void> {
    await conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: 'DELETE rooms :room',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':room': new Set([name]) },
        }),
      ),
    );
  }

  /**
   * Deletes every item of the room's partition but the room item (messages and their guards, members, bans,
   * mutes, connections, presence, invitees) and, for each member and invitee, their user-side membership or
   * invitation: one strongly consistent Query per 100 items (keys and usernames only), then BatchWriteItems of
   * 25 deletes. One page at a time in memory, whatever the room's size.
   */
  async purge(name: string): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': roomPartitionKey(name) },
          ProjectionExpression: 'PK, SK, username',
          ConsistentRead: true,
          Limit: PURGE_PAGE_ITEMS,
          ExclusiveStartKey: startKey,
        }),
      );
      const items = output.Items ?? [];
      // A member's or invitee's user-side item goes before the room-side one that leads to it, so that a
      // deletion stopped between two batches never loses the way to an item it has yet to delete.
      await this.deleteAll(items.flatMap((item) => userSideKeys(name, item)));
      await this.deleteAll(items.flatMap((item) => (item.SK === ROOM_SORT_KEY ? [] : [keyOf(item)])));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Deletes the room item last, once its partition is empty: one DeleteItem, on condition that it is marked. */
  async drop(name: string): Promise<void> {
    await conditionally(
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: roomKey(name),
          ConditionExpression: 'attribute_exists(deletingAt)',
        }),
      ),
    );
  }

  /** Deletes a message of the room and its clientMessageId guard: one BatchWriteItem. */
  async discardMessage(message: Message & { readonly room: string }): Promise<void> {
    const target = { room: message.room };
    await this.deleteAll([
      { PK: messagePartition(target), SK: messageSortKey(message.messageId) },
      ...(message.clientMessageId === undefined
        ? []
        : [clientMessageIdKey(target, message.from, message.clientMessageId)]),
    ]);
  }

  /** Deletes items by key: BatchWriteItems of 25, asking again for the unprocessed ones with a growing pause. */
  async deleteAll(keys: readonly Key[]): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_WRITE_ITEMS) {
      let requests: NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string] | undefined = keys
        .slice(start, start + BATCH_WRITE_ITEMS)
        .map((key) => ({ DeleteRequest: { Key: { PK: key.PK, SK: key.SK } } }));
      for (let attempt = 0; requests !== undefined && requests.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        const output: BatchWriteCommandOutput = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = output.UnprocessedItems?.[this.tableName];
      }
    }
  }
}

const keyOf = (item: Record<string, unknown>): Key => ({ PK: String(item.PK), SK: String(item.SK) });

/** The user-side item a member or invitee item of the room's partition stands for, if it is one. */
function userSideKeys(room: string, item: Record<string, unknown>): Key[] {
  const sortKey = String(item.SK);
  const username = typeof item.username === 'string' ? item.username : undefined;
  if (username === undefined) return [];
  if (sortKey.startsWith(roomMembershipsQuery(room).SKPrefix)) return [userRoomKey(username, room)];
  if (sortKey.startsWith(roomInviteesQuery(room).SKPrefix)) return [invitationKey(username, room)];
  return [];
}
