import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { RoomRepository } from '../../lambdas/data/rooms.ts';
import type { ConnectionPoster } from '../../lambdas/domain/fanout.ts';
import { sendRoomMessageFromConnection } from '../../lambdas/domain/messaging.ts';
import { joinRoom, openConnection } from '../../lambdas/domain/presence.ts';
import { messagingDeps } from '../../lambdas/handlers/deps.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { useFreshTable } from '../support/table.ts';

const { tableName, endpoint } = await useFreshTable();

/** Every DynamoDB call of the domain, by command, with the capacity it consumed (asked of DynamoDB Local). */
const calls: { command: string; capacity: number }[] = [];
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings }), {
  marshallOptions: { removeUndefinedValues: true },
});
doc.middlewareStack.add(
  (next, context) => async (args) => {
    (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
    const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
      CapacityUnits?: number;
    }[];
    calls.push({
      command: context.commandName ?? '?',
      capacity: list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
    });
    return result;
  },
  { step: 'initialize', name: 'countCalls' },
);

/**
 * Posting to connections is not what is measured here, and API Gateway's Gone cannot be produced by DynamoDB
 * Local: a recording fake stands in for the management API, answering Gone for connections named "ghost-*".
 */
const posted: { connectionId: string; frame: Record<string, unknown> }[] = [];
const poster: ConnectionPoster = {
  async post(connectionId, frame) {
    if (connectionId.startsWith('ghost-')) throw Object.assign(new Error('gone'), { name: 'GoneException' });
    posted.push({ connectionId, frame: JSON.parse(frame) });
  },
};

const rooms = new RoomRepository(doc, tableName);
// One instant for the whole file: the sender's rate bucket then takes the same path for every measured message
// (its seeds have put it in a burst), so that two measures compare.
const instant = new Date();
const deps = messagingDeps(doc, tableName, poster, {
  now: () => instant,
  fanOutConcurrency: 8,
  warn: () => {},
  recordMetric: () => {},
});

/** A room with `members` connections (of distinct users) that have joined it, and some history. */
async function busyRoom(name: string, members: number, messages: number): Promise<string[]> {
  await rooms.create({
    name,
    createdBy: 'seed',
    createdAt: new Date().toISOString(),
    visibility: 'public',
    memberCount: 1,
  });
  const ids = Array.from({ length: members }, (_, i) => `${name}-conn-${i}`);
  // One join after the other: concurrent joins of one room contend for its member count (a transaction each),
  // and their retries made this set-up slow enough on a loaded machine to time the test out. Rooms still fill
  // in parallel.
  for (const [i, connectionId] of ids.entries()) {
    await openConnection(deps, connectionId, {
      userId: `u-${name}-${i}`,
      username: `${name}-user${i}`,
      sessionId: 's-1',
    });
    await joinRoom(deps, connectionId, name);
  }
  for (let i = 0; i < messages; i++) {
    await sendRoomMessageFromConnection(deps, ids[0] as string, name, { text: `seed ${i}` });
  }
  return ids;
}

async function measureOneMessage(room: string, sender: string) {
  calls.length = 0;
  posted.length = 0;
  await sendRoomMessageFromConnection(deps, sender, room, {
    text: 'measured',
    clientMessageId: `m-${Date.now()}`,
  });
  return {
    commands: calls.map((call) => call.command).sort(),
    capacity: calls.reduce((sum, call) => sum + call.capacity, 0),
    deliveries: posted.filter((post) => post.frame.type === 'message').length,
  };
}

describe('the DynamoDB work of a room message', () => {
  beforeEach(() => {
    posted.length = 0;
  });

  it('does not grow with the number of other busy rooms and connections', async () => {
    const target = await busyRoom('target', 10, 3);
    await busyRoom('other-0', 6, 3);
    const withOneOtherRoom = await measureOneMessage('target', target[0] as string);

    await Promise.all(Array.from({ length: 49 }, (_, i) => busyRoom(`other-${i + 1}`, 6, 3)));
    const withFiftyOtherRooms = await measureOneMessage('target', target[0] as string);

    // One transaction (message + idempotency guard), one Query of the room's members, one GetItem of the sender's
    // membership (a kick may be taking the connection out), one GetItem of the room after the write (a deletion
    // may have begun), and the UpdateItem that takes the sender's rate token
    // (in this burst a refused reset comes first: a refusal answers no capacity, and this count, of answered
    // calls, leaves it out; the benchmark counts it as billed); nothing else.
    expect(withOneOtherRoom.commands).toEqual([
      'GetItemCommand',
      'GetItemCommand',
      'QueryCommand',
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]);
    expect(withFiftyOtherRooms.commands).toEqual(withOneOtherRoom.commands);
    expect(withFiftyOtherRooms.capacity).toBeGreaterThan(0);
    expect(withFiftyOtherRooms.capacity).toBe(withOneOtherRoom.capacity);
    expect(withFiftyOtherRooms.deliveries).toBe(9);
  }, 120_000);

  it('reads every page of the member Query and delivers to every member', async () => {
    const ids = await busyRoom('crowded', 110, 0);
    // The same domain with 25-item Query pages (4 full, 1 partial): DynamoDB pages at 1 MB, which a room
    // would need about 10,000 members to fill.
    const paged = { ...deps, connections: new ConnectionRepository(doc, tableName, 25) };
    calls.length = 0;
    posted.length = 0;

    await sendRoomMessageFromConnection(paged, ids[0] as string, 'crowded', { text: 'to everyone' });

    expect(calls.filter((call) => call.command === 'QueryCommand')).toHaveLength(5);
    const delivered = posted.filter((post) => post.frame.type === 'message').map((post) => post.connectionId);
    expect(delivered.sort()).toEqual(ids.slice(1).sort());
  }, 60_000);
});

describe('a connection found gone during fan-out', () => {
  it('is pruned: its membership and presence are removed and the room is told its user left', async () => {
    const ids = await busyRoom('haunted', 3, 0);
    // A member whose socket vanished without $disconnect: the gateway answers Gone for it.
    // (Joined through the repository: joinRoom's own reply would already find it gone.)
    await openConnection(deps, 'ghost-1', { userId: 'u-ghost', username: 'ghost', sessionId: 's-1' });
    const ghost = await deps.connections.get('ghost-1');
    await deps.connections.join('haunted', ghost as NonNullable<typeof ghost>);
    posted.length = 0;

    await sendRoomMessageFromConnection(deps, ids[0] as string, 'haunted', { text: 'anyone there?' });

    const members = await deps.connections.members('haunted');
    expect(members.map((member) => member.connectionId).sort()).toEqual([...ids].sort());
    expect(await deps.connections.get('ghost-1')).toBeUndefined();
    const notices = posted.filter((post) => post.frame.type === 'user_left');
    expect(notices.map((post) => post.frame.username)).toEqual(['ghost', 'ghost', 'ghost']);
  });
});
