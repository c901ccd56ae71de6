import type { Connection, RoomMember } from './connections.ts';
import { presenceKey, presentCountKey } from './keys.ts';

/**
 * The presence items' part of ConnectionRepository's join and leave transactions: the user's presence set in the
 * room and the room's count of present users, which changes only with a user's first join and last leave.
 */

/** The user's presence set gains the connection; on the user's first join (`first`), the room counts one more. */
export function presenceJoinWrites(tableName: string, room: string, connection: Connection, first: boolean) {
  return [
    {
      Update: {
        TableName: tableName,
        Key: presenceKey(room, connection.username),
        UpdateExpression: 'ADD connections :connection SET username = :username, expiresAt = :expiresAt',
        ConditionExpression: first ? 'attribute_not_exists(connections)' : 'attribute_exists(connections)',
        ExpressionAttributeValues: {
          ':connection': new Set([connection.connectionId]),
          ':username': connection.username,
          ':expiresAt': connection.expiresAt,
        },
      },
    },
    ...(first ? [presentCountUpdate(tableName, room, 1)] : []),
  ];
}

/**
 * The three exhaustive states of a user's presence set when one of their connections leaves; the transaction
 * tries them in turn until its condition holds. "absent" only happens if a TTL removed part of the state.
 */
export const leaveVariants = [
  { condition: 'contains(connections, :id) AND size(connections) = :one', lastOfUser: true },
  { condition: 'contains(connections, :id) AND size(connections) > :one', lastOfUser: false },
  { condition: 'attribute_not_exists(connections) OR NOT contains(connections, :id)', lastOfUser: false },
] as const;

/**
 * The user's last leave deletes their presence item, so that no empty item is left to be listed as present (the
 * caller adds {@link presentCountUpdate} by -1); other leaves take the connection out of the set, and a set
 * without the connection is only checked.
 */
export function presenceLeaveWrite(
  tableName: string,
  room: string,
  member: RoomMember,
  variant: (typeof leaveVariants)[number],
) {
  const key = presenceKey(room, member.username);
  if (variant.lastOfUser) {
    return {
      Delete: {
        TableName: tableName,
        Key: key,
        ConditionExpression: variant.condition,
        ExpressionAttributeValues: { ':id': member.connectionId, ':one': 1 },
      },
    };
  }
  if (!variant.condition.includes(':one')) {
    // The set does not hold the connection: nothing to write (an update would create a bare item).
    return {
      ConditionCheck: {
        TableName: tableName,
        Key: key,
        ConditionExpression: variant.condition,
        ExpressionAttributeValues: { ':id': member.connectionId },
      },
    };
  }
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'DELETE connections :connection',
      ConditionExpression: variant.condition,
      ExpressionAttributeValues: {
        ':connection': new Set([member.connectionId]),
        ':id': member.connectionId,
        ':one': 1,
      },
    },
  };
}

/** The room's count of present users, one more or one less: no condition, it rides on the presence set's. */
export function presentCountUpdate(tableName: string, room: string, change: 1 | -1) {
  return {
    Update: {
      TableName: tableName,
      Key: presentCountKey(room),
      UpdateExpression: 'ADD present :change',
      ExpressionAttributeValues: { ':change': change },
    },
  };
}
