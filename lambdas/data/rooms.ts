import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { ROOMS_INDEX_PK, roomKey, roomsIndexEntry, roomsIndexSortKey, userRoomKey } from './keys.ts';
import { GSI1 } from './schema.ts';
import { transactWrite } from './transactions.ts';

/** A room, as the contract shows it (lib/contract). */
export type Room = contract.Room;

export interface Page<T> {
  readonly items: T[];
  /** The sort key value after which the next page starts, or undefined at the end. */
  readonly after: string | undefined;
}

export class RoomRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a room, and the record of it in its creator's partition (the account export lists the rooms a user
   * created), in one transaction: false when the name is taken (a condition, not a read before the write).
   */
  async create(room: Room): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...roomKey(room.name), ...roomsIndexEntry(room.name), type: 'Room', ...room },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...userRoomKey(room.createdBy, room.name), type: 'CreatedRoom', ...room },
        },
      },
    ]);
    return outcome.ok;
  }

  /** One GetItem. */
  async get(name: string): Promise<Room | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: roomKey(name) }));
    return output.Item === undefined ? undefined : toRoom(output.Item);
  }

  /** One Query of the rooms index, sorted by name, starting after `after`. */
  async list(limit: number, after: string | undefined): Promise<Page<Room>> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1,
        KeyConditionExpression: after === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK > :after',
        ExpressionAttributeValues:
          after === undefined
            ? { ':pk': ROOMS_INDEX_PK }
            : { ':pk': ROOMS_INDEX_PK, ':after': roomsIndexSortKey(after) },
        // One more than asked tells whether another page exists, so the last page says so.
        Limit: limit + 1,
      }),
    );
    const items = (output.Items ?? []).slice(0, limit).map(toRoom);
    const hasMore = (output.Items ?? []).length > limit;
    return { items, after: hasMore ? items.at(-1)?.name : undefined };
  }
}

export function toRoom(item: Record<string, unknown>): Room {
  return {
    name: item.name as string,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
  };
}
