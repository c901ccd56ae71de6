/**
 * Room deletion end to end over real HTTP and WebSocket against the local stack: the owner deletes, every present
 * connection gets `room_deleted` once and nothing of the room after, the name, history, members, bans and
 * invitations are gone (read back from the table too), the name makes a new empty room, others are refused, a
 * deletion stopped midway is finished by the next, and posts racing a deletion never leave anything behind.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSAGE_PREFIX, roomPartitionKey } from '../../lambdas/data/keys.ts';
import { RoomDeletionRepository } from '../../lambdas/data/room-deletion.ts';
import { expectContractError } from '../support/contract.ts';
import { startTestStack, VOLUME_LIMITS } from '../support/local-stack.ts';
import { count, realtimeHarness, type User } from '../support/realtime.ts';
import { tableReader } from '../support/table.ts';

const stack = await startTestStack({ limits: VOLUME_LIMITS });
afterAll(() => stack.stop());
const { api, connect, join, ask, pingPong } = realtimeHarness(stack);
const reader = tableReader(stack.dynamoEndpoint);

const call = (user: User, method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: user.token, body });
const deleteRoom = (user: User, room: string) => call(user, 'DELETE', `/rooms/${room}`);

/** Every item left in the room's partition, read consistently. */
async function partition(room: string): Promise<Record<string, unknown>[]> {
  const output = await reader.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': roomPartitionKey(room) },
      ConsistentRead: true,
    }),
  );
  return output.Items ?? [];
}

async function listed(user: User, path: string, key: string): Promise<string[]> {
  const response = await call(user, 'GET', `${path}?limit=100`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body[key].map((entry: { name?: string; room?: string }) => entry.name ?? entry.room);
}

/** The room answers every reader as a missing room, is listed nowhere, and its partition is empty. */
async function expectGone(room: string, users: User[]) {
  for (const user of users) {
    for (const path of [`/rooms/${room}/messages`, `/rooms/${room}/members`]) {
      const response = await call(user, 'GET', path);
      expectContractError(response);
      expect(response.body.code).toBe('ROOM_NOT_FOUND');
    }
    expect(await listed(user, '/rooms', 'rooms')).not.toContain(room);
    expect(await listed(user, '/me/rooms', 'rooms')).not.toContain(room);
    expect(await listed(user, '/me/invitations', 'invitations')).not.toContain(room);
  }
  expect(await partition(room)).toEqual([]);
}

describe('DELETE /rooms/{name}', () => {
  it('by the owner: present sockets get room_deleted once and nothing more; everything of the room goes', async () => {
    const [alice, bob, carol, dave] = await api.signUpEach('alice', 'bob', 'carol', 'dave');
    const room = await api.newRoom(alice, 'doomed');
    const sockets = [await connect(alice), await connect(bob), await connect(bob), await connect(carol)];
    for (const socket of sockets) await join(socket, room);
    await call(alice, 'POST', `/rooms/${room}/messages`, { text: 'history', clientMessageId: 'h-1' });
    expect(
      (await call(alice, 'POST', `/rooms/${room}/invitations`, { username: dave.username })).status,
    ).toBe(201);
    expect((await call(alice, 'POST', `/rooms/${room}/mutes`, { username: carol.username })).status).toBe(
      201,
    );
    const [erin] = await api.signUpEach('erin');
    expect((await call(alice, 'POST', `/rooms/${room}/bans`, { username: erin.username })).status).toBe(201);

    const deleted = await deleteRoom(alice, room);

    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    for (const socket of sockets) {
      expect(await socket.next((frame) => frame.type === 'room_deleted')).toEqual({
        type: 'room_deleted',
        room,
      });
      await pingPong(socket);
      expect(count(socket, (frame) => frame.type === 'room_deleted')).toBe(1);
      expect(count(socket, (frame) => frame.type === 'user_left')).toBe(0);
    }
    await expectGone(room, [alice, bob, carol, dave]);
    // Nothing of the room reaches the sockets any more: they are not in it, and it does not exist.
    const refused = await ask(sockets[1], { action: 'message', room, text: 'anyone?' }, 'ack');
    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
    expect(await ask(sockets[1], { action: 'join', room }, 'joined')).toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    const accepted = await call(dave, 'POST', `/rooms/${room}/members`);
    expect(accepted.body.code).toBe('ROOM_NOT_FOUND');
    // Closing the sockets leaves no trace of the room either ($disconnect no longer knows it).
    for (const socket of sockets) await socket.close();
    expect(await partition(room)).toEqual([]);
  });

  it('frees the name: created again, it is a new room without the old history, members, bans or mutes', async () => {
    const [alice, bob, erin] = await api.signUpEach('alice', 'bob', 'erin');
    const room = await api.newRoom(alice, 'reborn');
    await call(bob, 'POST', `/rooms/${room}/messages`, { text: 'old times' });
    await call(alice, 'POST', `/rooms/${room}/bans`, { username: erin.username });
    expect((await deleteRoom(alice, room)).status).toBe(204);

    const created = await call(bob, 'POST', '/rooms', { name: room });

    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.room).toMatchObject({ name: room, createdBy: bob.username, memberCount: 1 });
    expect(await api.roomHistory(room, bob)).toEqual([]);
    const members = await call(bob, 'GET', `/rooms/${room}/members`);
    expect(members.body.members.map((member: { username: string }) => member.username)).toEqual([
      bob.username,
    ]);
    expect(await listed(alice, '/me/rooms', 'rooms')).not.toContain(room);
    expect((await call(erin, 'POST', `/rooms/${room}/members`)).status).toBe(201);
    // The old owner is nobody here.
    expect((await deleteRoom(alice, room)).body.code).toBe('FORBIDDEN');
  });

  it('is refused to a moderator, a member and a non-member (403), and to a stranger of a private room as a missing one', async () => {
    const [alice, mod, bob, stranger] = await api.signUpEach('alice', 'mod', 'bob', 'stranger');
    const room = await api.newRoom(alice, 'kept');
    for (const user of [mod, bob]) await call(user, 'POST', `/rooms/${room}/members`);
    await call(alice, 'PATCH', `/rooms/${room}/members/${mod.username}`, { role: 'moderator' });
    for (const user of [mod, bob, stranger]) {
      const refused = await deleteRoom(user, room);
      expectContractError(refused);
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    const hidden = `${room}-p`;
    await call(alice, 'POST', '/rooms', { name: hidden, visibility: 'private' });
    const fromHidden = await deleteRoom(stranger, hidden);
    const fromMissing = await deleteRoom(stranger, `${room}-m`);
    expect([fromHidden.status, fromHidden.body.code]).toEqual([404, 'ROOM_NOT_FOUND']);
    expect(JSON.stringify(fromHidden.body).replaceAll(hidden, `${room}-m`)).toBe(
      JSON.stringify(fromMissing.body),
    );
    expect(await api.roomHistory(room, bob)).toEqual([]);
    expect((await call(bob, 'GET', `/rooms/${room}/members`)).body.members).toHaveLength(3);
    expect((await call(alice, 'GET', `/rooms/${hidden}/members`)).status).toBe(200);
  });

  it('stopped midway (the room marked, part of its partition deleted) is finished by the owner’s next DELETE', async () => {
    const [alice, bob, dave] = await api.signUpEach('alice', 'bob', 'dave');
    const room = await api.newRoom(alice, 'halfway');
    await call(bob, 'POST', `/rooms/${room}/members`);
    for (let index = 0; index < 30; index++) {
      await call(bob, 'POST', `/rooms/${room}/messages`, { text: `message ${index}` });
    }
    await call(alice, 'POST', `/rooms/${room}/invitations`, { username: dave.username });
    // What a function that died during the purge leaves (no connection was present to be told): the room marked,
    // some of its messages deleted, the rest of the partition (members, invitees) still there.
    const deletion = new RoomDeletionRepository(reader, stack.tableName);
    expect(await deletion.mark(room, new Date().toISOString())).toBe(true);
    const messages = (await partition(room)).filter((item) => String(item.SK).startsWith(MESSAGE_PREFIX));
    expect(messages).toHaveLength(30);
    await deletion.deleteAll(
      messages.slice(0, 10).map((item) => ({ PK: String(item.PK), SK: String(item.SK) })),
    );
    // Half deleted, the room is already gone for everyone, and only its owner may finish the job.
    expect((await call(bob, 'GET', `/rooms/${room}/messages`)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await deleteRoom(bob, room)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await call(dave, 'POST', `/rooms/${room}/members`)).body.code).toBe('ROOM_NOT_FOUND');

    const finished = await deleteRoom(alice, room);

    expect(finished.status, JSON.stringify(finished.body)).toBe(204);
    await expectGone(room, [alice, bob, dave]);
    expect((await deleteRoom(alice, room)).body.code).toBe('ROOM_NOT_FOUND');
  });

  it('racing posts and joins are refused or deleted with the room: nothing of it is left behind', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await api.newRoom(alice, 'race');
    await call(bob, 'POST', `/rooms/${room}/members`);
    const bobSocket = await connect(bob);
    await join(bobSocket, room);
    const carolSocket = await connect(carol);

    const posts = Array.from({ length: 12 }, (_, index) =>
      call(bob, 'POST', `/rooms/${room}/messages`, {
        text: `race ${index}`,
        clientMessageId: `race-${index}`,
      }),
    );
    const frames = Array.from({ length: 6 }, (_, index) =>
      ask(bobSocket, { action: 'message', room, text: `socket ${index}` }, 'ack'),
    );
    const httpJoin = call(carol, 'POST', `/rooms/${room}/members`);
    const socketJoin = ask(carolSocket, { action: 'join', room }, 'joined');
    const deleted = await deleteRoom(alice, room);
    const answers = await Promise.all(posts);
    const replies = await Promise.all([...frames, socketJoin]);
    const joined = await httpJoin;

    expect(deleted.status).toBe(204);
    for (const answer of answers) expect([201, 404]).toContain(answer.status);
    expect([200, 201, 404]).toContain(joined.status);
    for (const reply of replies) expect(['ack', 'joined', 'error']).toContain(reply.type);
    await expectGone(room, [alice, bob, carol]);
    // A name created again starts empty, whatever the race left in flight.
    expect((await call(carol, 'POST', '/rooms', { name: room })).status).toBe(201);
    expect(await api.roomHistory(room, carol)).toEqual([]);
  });
});
