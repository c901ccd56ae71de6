import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { indexAfter, queryPage } from './index-query.ts';
import {
  publicRoomsIndexKeys,
  roomKey,
  roomMembershipKey,
  roomsIndexEntry,
  roomsIndexSortKey,
  userPrivateRoomsIndexEntry,
  userPrivateRoomsIndexKey,
  userRoomKey,
} from './keys.ts';
import { transactWrite } from './transactions.ts';

/** A room, as the contract shows it (lib/contract). */
export type Room = contract.Room;

export interface Page<T> {
  readonly items: T[];
  /** The sort key value after which the next page starts, or undefined at the end. */
  readonly after: string | undefined;
}

/** BatchGetItem takes at most this many keys. */
const BATCH_GET_KEYS = 100;

export class RoomRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a room with its creator as its `owner` member, in one transaction: the room (memberCount 1), the
   * room-side membership and the creator's membership record. False when the name is taken (a condition, not a
   * read before the write). A public room is listed in one shard of the public rooms index; a private one only in
   * its members' private rooms.
   */
  async create(room: Room): Promise<boolean> {
    const member = { username: room.createdBy, role: 'owner', joinedAt: room.createdAt } as const;
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...roomKey(room.name),
            ...(room.visibility === 'public' ? roomsIndexEntry(room.name) : {}),
            type: 'Room',
            ...room,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...roomMembershipKey(room.name, member.username), type: 'Member', ...member },
        },
      },
      { Put: { TableName: this.tableName, Item: userMembershipItem(room, member) } },
    ]);
    return outcome.ok;
  }

  /**
   * One GetItem; `consistent` reads it strongly consistent (1 read unit instead of 0.5). A room being deleted is
   * no room any more.
   */
  async get(name: string, consistent = false): Promise<Room | undefined> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: roomKey(name),
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return output.Item === undefined || isBeingDeleted(output.Item) ? undefined : toRoom(output.Item);
  }

  /** The rooms of these names that exist, in the order given: BatchGetItems of up to 100 keys. */
  async getMany(names: readonly string[]): Promise<Room[]> {
    const found = new Map<string, Room>();
    for (let start = 0; start < names.length; start += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] | undefined = names
        .slice(start, start + BATCH_GET_KEYS)
        .map((name) => ({ ...roomKey(name) }));
      // DynamoDB may leave keys unprocessed under load: ask again for those only.
      while (keys !== undefined && keys.length > 0) {
        const output: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of output.Responses?.[this.tableName] ?? []) {
          if (isBeingDeleted(item)) continue;
          const room = toRoom(item);
          found.set(room.name, room);
        }
        keys = output.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return names.flatMap((name) => found.get(name) ?? []);
  }

  /**
   * A page of the rooms a user may see, by name, after `after`: the public rooms and the user's private ones. One
   * Query per public rooms shard and one of the user's private rooms, in parallel, each for `limit + 1` entries;
   * the merge keeps the first `limit` names, and the private ones are read with one BatchGetItem.
   */
  async listVisible(username: string, limit: number, after: string | undefined): Promise<Page<Room>> {
    const start = after === undefined ? undefined : roomsIndexSortKey(after);
    const partitions = [...publicRoomsIndexKeys(), userPrivateRoomsIndexKey(username)];
    const pages = await Promise.all(
      partitions.map((partition) =>
        queryPage(this.doc, { TableName: this.tableName, ...indexAfter(partition, start) }, limit),
      ),
    );
    const entries = pages
      .flatMap((page) => page.items)
      // In DynamoDB's order (code units), as each shard is sorted: localeCompare would put "_" elsewhere.
      .sort((a, b) => (String(a.GSI1SK) < String(b.GSI1SK) ? -1 : 1));
    const chosen = entries.slice(0, limit);
    const hasMore = entries.length > limit || pages.some((page) => page.hasMore);
    const privateNames = chosen.filter((item) => item.type !== 'Room').map((item) => String(item.GSI1SK));
    const privateRooms = new Map((await this.getMany(privateNames)).map((room) => [room.name, room]));
    const items = chosen.flatMap((item) =>
      item.type === 'Room' ? [toRoom(item)] : (privateRooms.get(String(item.GSI1SK)) ?? []),
    );
    const last = chosen.at(-1);
    return { items, after: hasMore && last !== undefined ? String(last.GSI1SK) : undefined };
  }
}

/** A member of a room, as the room-side and user-side items record it. */
export interface Membership {
  readonly username: string;
  readonly role: contract.RoomRole;
  readonly joinedAt: string;
  /** While muted: when the mute ends (ISO 8601). */
  readonly mutedUntil?: string;
}

/** The user-side record of a membership (listed by `GET /me/rooms`, `GET /rooms` for private rooms, the export). */
export function userMembershipItem(room: Pick<Room, 'name' | 'visibility'>, member: Membership) {
  return {
    ...userRoomKey(member.username, room.name),
    ...(room.visibility === 'private' ? userPrivateRoomsIndexEntry(member.username, room.name) : {}),
    type: 'Membership',
    room: room.name,
    visibility: room.visibility,
    role: member.role,
    joinedAt: member.joinedAt,
  };
}

/** A room whose deletion has begun (lambdas/data/room-deletion.ts): every path that reads it finds none. */
const isBeingDeleted = (item: Record<string, unknown>): boolean => item.deletingAt !== undefined;

/** A room item as the contract shows it; rooms stored before visibility and member counts existed are public. */
export function toRoom(item: Record<string, unknown>): Room {
  return {
    name: item.name as string,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    visibility: item.visibility === 'private' ? 'private' : 'public',
    ...(typeof item.topic === 'string' ? { topic: item.topic } : {}),
    memberCount: typeof item.memberCount === 'number' ? item.memberCount : 0,
  };
}
