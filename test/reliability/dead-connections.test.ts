/**
 * Connections that vanished without a close frame, whose `$disconnect` never ran. They are simulated by
 * writing their records through the repository with ids the gateway does not know, so the management API
 * answers 410 Gone for them, as API Gateway does. Each fan-out that meets them prunes them, and nothing the
 * sender sees fails. Whatever fan-out never meets, TTL removes: the records carry `expiresAt` in epoch seconds.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type Connection, ConnectionRepository } from '../../lambdas/data/connections.ts';
import { connectionKey, type Key, presenceKey, roomMemberKey } from '../../lambdas/data/keys.ts';
import { CONNECTION_TTL_SECONDS } from '../../lambdas/shared/config.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import type { User } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, realtimeHarness, userLeft } from '../support/realtime.ts';
import { tableReader } from '../support/table.ts';
import { eventually, type TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
const doc = tableReader(stack.dynamoEndpoint);
const records = new ConnectionRepository(doc, stack.tableName);
const { api, connect, connectEach, join, pingPong, newRoom } = realtimeHarness(stack);
afterAll(async () => {
  doc.destroy();
  await stack.stop();
});

/** A connection record as `$connect` writes it, for an id the gateway has never seen (410 Gone). */
async function ghostConnection(user: User): Promise<Connection> {
  const now = new Date();
  const connection: Connection = {
    connectionId: `ghost${randomUUID().replaceAll('-', '').slice(0, 10)}=`,
    userId: user.userId,
    username: user.username,
    connectedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS,
  };
  await records.put(connection);
  return connection;
}

/** A ghost that had joined `room`: its member item and presence written by the same transaction as a join. */
async function ghostInRoom(user: User, room: string): Promise<Connection> {
  const connection = await ghostConnection(user);
  expect((await records.join(room, connection)).kind).toBe('joined');
  return connection;
}

const errors = (socket: TestSocket) => socket.ofType('error');

/**
 * Waits until the connection item and, in `room`, its member item are both gone. Pruning removes them one after
 * the other (the connection item first, so that no join can add a membership behind it), so seeing the first
 * gone says nothing yet about the second: the test must wait for both.
 */
async function expectPruned(room: string | undefined, connection: Connection): Promise<void> {
  await eventually(async () => {
    if ((await records.get(connection.connectionId)) !== undefined) return false;
    if (room === undefined) return true;
    const members = await records.members(room);
    return !members.some((member) => member.connectionId === connection.connectionId);
  });
}

describe('a connection gone without a close frame', () => {
  it('is pruned by the next room message over the socket; the sender gets its ack and nothing fails', async () => {
    const [alice, bob, ghost] = await api.signUpEach('alice', 'bob', 'ghost');
    const room = await newRoom(alice, 'dead');
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    for (const socket of [aliceSocket, bobSocket]) await join(socket, room);
    const dead = await ghostInRoom(ghost, room);

    const ack = await aliceSocket.request({ action: 'message', room, text: 'anyone there?' }, 'ack');

    expect(ack.type).toBe('ack');
    await bobSocket.next((frame) => frame.messageId === ack.messageId);
    await expectPruned(room, dead);
    await bobSocket.next(userLeft(room, ghost.username));
    expect(errors(aliceSocket)).toEqual([]);
  });

  // An HTTP post answers only when its fan-out, pruning and announcements included, is done; a ping answered
  // afterwards on a socket then proves every frame sent to it before has arrived. So "never" can be asserted.

  it('is pruned without a user_left when its user is still present on another connection', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await newRoom(alice, 'dead');
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    for (const socket of [aliceSocket, bobSocket]) await join(socket, room);
    const bobsDead = await ghostInRoom(bob, room);

    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'still there?' },
    });
    await Promise.all([pingPong(aliceSocket), pingPong(bobSocket)]);

    expect(posted.status).toBe(201);
    await expectPruned(room, bobsDead);
    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(0);
    expect(count(bobSocket, userLeft(room, bob.username))).toBe(0);
    const presence = await doc.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: presenceKey(room, bob.username.toLowerCase()),
        ConsistentRead: true,
      }),
    );
    expect([...(presence.Item?.connections ?? [])]).toEqual(await records.connectionIdsOf(bob.username));
  });

  it('many at once are all pruned by one HTTP post, which still answers 201 and reaches the living', async () => {
    const [alice, bob, ghost] = await api.signUpEach('alice', 'bob', 'ghosts');
    const room = await newRoom(alice, 'dead');
    const bobSocket = await connect(bob);
    await join(bobSocket, room);
    const dead = [];
    for (let i = 0; i < 40; i++) dead.push(await ghostInRoom(ghost, room));

    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'hello' },
    });
    await pingPong(bobSocket);

    expect(posted.status).toBe(201);
    expect(count(bobSocket, (frame) => frame.messageId === posted.body.message.messageId)).toBe(1);
    for (const connection of dead) await expectPruned(room, connection);
    expect((await records.members(room)).map((member) => member.username)).toEqual([bob.username]);
    // The ghosts' user left once, when the last of its connections was pruned.
    // Every frame bob got, in order, in the message: a failure once under load (2 user_left) left no trace.
    expect(count(bobSocket, userLeft(room, ghost.username)), JSON.stringify(bobSocket.frames)).toBe(1);
  });

  it('is pruned by a direct message to its user, which is acknowledged and delivered to the live device', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const opened = await api.requestConversation(alice, bob.username);
    const conversationId = opened.body.conversation.conversationId;
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    const dead = await ghostConnection(bob);

    const ack = await aliceSocket.request({ action: 'message', conversationId, text: 'psst' }, 'ack');

    expect(ack.type).toBe('ack');
    await bobSocket.next((frame) => frame.messageId === ack.messageId);
    await expectPruned(undefined, dead);
    expect(await records.connectionIdsOf(bob.username)).toHaveLength(1);
    expect(errors(aliceSocket)).toEqual([]);
  });
});

describe('what fan-out never meets', () => {
  it('expires by TTL: connection, member and presence items carry expiresAt in epoch seconds, a little over 2 h ahead', async () => {
    const user = await api.signUp('ttl');
    const room = await newRoom(user, 'dead');
    const socket = await connect(user);
    await socket.request({ action: 'join', room }, 'joined');
    const [connectionId] = await records.connectionIdsOf(user.username);
    const get = async (Key: Key) =>
      (await doc.send(new GetCommand({ TableName: stack.tableName, Key, ConsistentRead: true }))).Item;
    const nowSeconds = Date.now() / 1000;

    const items = [
      await get(connectionKey(connectionId as string)),
      await get(roomMemberKey(room, connectionId as string)),
      await get(presenceKey(room, user.username.toLowerCase())),
    ];

    for (const item of items) {
      expect(Number.isInteger(item?.expiresAt)).toBe(true);
      // Seconds, not milliseconds: more than 2 h (API Gateway's maximum connection time) and under 2.5 h ahead.
      expect(item?.expiresAt).toBeGreaterThan(nowSeconds + 2 * 60 * 60);
      expect(item?.expiresAt).toBeLessThan(nowSeconds + 2.5 * 60 * 60);
    }
    const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, ...localAwsSettings });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: stack.tableName }));
    client.destroy();
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  });
});
