import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { quotaDefaults } from '../../lib/contract/index.ts';
import { queryIndexPartition } from './index-query.ts';
import {
  connectionKey,
  roomMemberKey,
  roomMembersQuery,
  userConnectionsIndexEntry,
  userConnectionsIndexKey,
} from './keys.ts';
import {
  leaveVariants,
  presenceJoinWrites,
  presenceLeaveWrite,
  presentCountUpdate,
} from './presence-writes.ts';
import { transactWrite } from './transactions.ts';

export interface Connection {
  readonly connectionId: string;
  readonly userId: string;
  readonly username: string;
  /**
   * The session of the token it was opened with: when the session ends, the connection is closed. Absent on
   * connections opened before sessions existed (at most 2 hours old): only logout-all closes those.
   */
  readonly sessionId?: string;
  readonly connectedAt: string;
  /** TTL, epoch seconds. */
  readonly expiresAt: number;
}

export interface RoomMember {
  readonly connectionId: string;
  readonly username: string;
}

/** What a join or leave did to the room's presence. */
export type MembershipChange =
  /** The connection joined; `firstOfUser` when it is the user's first connection in the room. */
  | { readonly kind: 'joined'; readonly firstOfUser: boolean }
  /** The connection left; `lastOfUser` when it was the user's last connection in the room. */
  | { readonly kind: 'left'; readonly lastOfUser: boolean }
  /** The connection has joined as many rooms as it may (join only). */
  | { readonly kind: 'full' }
  /** Nothing changed: already a member (join) or not a member (leave). */
  | { readonly kind: 'unchanged' }
  /** The connection no longer exists (it closed while joining). */
  | { readonly kind: 'gone' };

const MAX_PRESENCE_ATTEMPTS = 6;

/**
 * Connections, room membership and presence.
 *
 * Membership is one item per connection under the room's partition, so a room's members are one Query that
 * reads nothing of other rooms. Presence is one item per user and room holding the set of that user's
 * connections in it; every join and leave changes the member item and the presence set in one transaction,
 * so the two can never disagree, and the transaction's condition on the set's size tells whether this was the
 * user's first join or last leave even when several devices race.
 */
export class ConnectionRepository {
  /**
   * @param queryPageSize items per Query page; unset in production (DynamoDB's 1 MB pages), set by tests to
   * prove that every page is read.
   */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly queryPageSize?: number,
  ) {}

  /** One PutItem. */
  async put(connection: Connection): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...connectionKey(connection.connectionId),
          ...userConnectionsIndexEntry(connection.username, connection.connectionId),
          type: 'Connection',
          ...connection,
        },
      }),
    );
  }

  /** One GetItem. */
  async get(connectionId: string): Promise<Connection | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: connectionKey(connectionId) }),
    );
    return output.Item === undefined ? undefined : toConnection(output.Item);
  }

  /**
   * Deletes the connection and returns it with the rooms it had joined (one DeleteItem returning the old
   * item), or undefined when it was already gone.
   */
  async delete(connectionId: string): Promise<(Connection & { rooms: string[] }) | undefined> {
    const output = await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: connectionKey(connectionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (output.Attributes === undefined) return undefined;
    const rooms = output.Attributes.rooms as Set<string> | undefined;
    return { ...toConnection(output.Attributes), rooms: [...(rooms ?? [])].sort() };
  }

  /** The connection ids of a user: one Query of the user's connections index, every page. */
  async connectionIdsOf(username: string): Promise<string[]> {
    return (await this.sessionsOfConnections(username)).map((connection) => connection.connectionId);
  }

  /** A user's connections with the session each was opened in: one Query of the user's connections index. */
  async sessionsOfConnections(
    username: string,
  ): Promise<{ readonly connectionId: string; readonly sessionId: string | undefined }[]> {
    const items = await queryIndexPartition(
      this.doc,
      this.tableName,
      userConnectionsIndexKey(username),
      ['connectionId', 'sessionId'],
      this.queryPageSize,
    );
    return items.map((item) => ({
      connectionId: item.connectionId as string,
      sessionId: item.sessionId as string | undefined,
    }));
  }

  /** The ids of a user's connections that joined `room`: one Query of the user's connections index. */
  async connectionsInRoom(username: string, room: string): Promise<string[]> {
    const items = await queryIndexPartition(
      this.doc,
      this.tableName,
      userConnectionsIndexKey(username),
      ['connectionId', 'rooms'],
      this.queryPageSize,
    );
    return items
      .filter((item) => (item.rooms as Set<string> | undefined)?.has(room) === true)
      .map((item) => item.connectionId as string);
  }

  /**
   * The members of a room: one strongly consistent Query of the room partition's member items, every page.
   * Consistent, so that a connection that has just joined is seen by the next message.
   */
  async members(room: string): Promise<RoomMember[]> {
    const members: RoomMember[] = [];
    const query = roomMembersQuery(room);
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': query.PK, ':prefix': query.SKPrefix },
          ProjectionExpression: 'connectionId, username',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          Limit: this.queryPageSize,
        }),
      );
      for (const item of output.Items ?? []) {
        members.push({ connectionId: item.connectionId as string, username: item.username as string });
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return members;
  }

  /**
   * Adds a connection to a room: the member item, the room in the connection's list (on condition that the
   * connection still exists and has joined fewer than `maxRooms` rooms) and the connection in the user's presence
   * set, in one transaction: the quota holds however many joins of one connection run at once.
   */
  async join(
    room: string,
    connection: Connection,
    maxRooms: number = quotaDefaults.roomsPerConnection,
  ): Promise<MembershipChange> {
    // Guess "first of the user" and let the condition on the presence set correct the guess.
    let first = true;
    for (let attempt = 1; attempt <= MAX_PRESENCE_ATTEMPTS; attempt++) {
      const outcome = await transactWrite(this.doc, [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...roomMemberKey(room, connection.connectionId),
              type: 'RoomMember',
              connectionId: connection.connectionId,
              username: connection.username,
              // Member items die with their connection if $disconnect never comes.
              expiresAt: connection.expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: connectionKey(connection.connectionId),
            UpdateExpression: 'ADD rooms :room',
            ConditionExpression:
              'attribute_exists(PK) AND (attribute_not_exists(rooms) OR size(rooms) < :max OR contains(rooms, :name))',
            ExpressionAttributeValues: { ':room': new Set([room]), ':max': maxRooms, ':name': room },
          },
        },
        ...presenceJoinWrites(this.tableName, room, connection, first),
      ]);
      if (outcome.ok) return { kind: 'joined', firstOfUser: first };
      if (outcome.failedConditions.includes(0)) return { kind: 'unchanged' };
      if (outcome.failedConditions.includes(1)) {
        // Closed, or at its quota: only a refused join pays the read that tells which.
        return (await this.get(connection.connectionId)) === undefined ? { kind: 'gone' } : { kind: 'full' };
      }
      first = !first;
    }
    throw new Error(`Presence of ${room} kept changing during a join`);
  }

  /**
   * Removes a connection from a room: the member item and the connection in the user's presence set in one
   * transaction, plus the room in the connection's list when the connection is still open.
   */
  async leave(room: string, member: RoomMember, connectionOpen: boolean): Promise<MembershipChange> {
    for (let attempt = 0; attempt < MAX_PRESENCE_ATTEMPTS; attempt++) {
      const variant = leaveVariants[attempt % leaveVariants.length] as (typeof leaveVariants)[number];
      const outcome = await transactWrite(this.doc, [
        {
          Delete: {
            TableName: this.tableName,
            Key: roomMemberKey(room, member.connectionId),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
        presenceLeaveWrite(this.tableName, room, member, variant),
        ...(connectionOpen
          ? [
              {
                Update: {
                  TableName: this.tableName,
                  Key: connectionKey(member.connectionId),
                  UpdateExpression: 'DELETE rooms :room',
                  ExpressionAttributeValues: { ':room': new Set([room]) },
                  ConditionExpression: 'attribute_exists(PK)',
                },
              },
            ]
          : []),
        ...(variant.lastOfUser ? [presentCountUpdate(this.tableName, room, -1)] : []),
      ]);
      if (outcome.ok) return { kind: 'left', lastOfUser: variant.lastOfUser };
      if (outcome.failedConditions.includes(0)) return { kind: 'unchanged' };
      // The connection closed meanwhile: leave without touching its (deleted) item.
      if (outcome.failedConditions.includes(2)) return this.leave(room, member, false);
    }
    throw new Error(`Presence of ${room} kept changing during a leave`);
  }
}

function toConnection(item: Record<string, unknown>): Connection {
  return {
    connectionId: item.connectionId as string,
    userId: item.userId as string,
    username: item.username as string,
    ...(item.sessionId === undefined ? {} : { sessionId: item.sessionId as string }),
    connectedAt: item.connectedAt as string,
    expiresAt: item.expiresAt as number,
  };
}
