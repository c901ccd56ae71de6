/**
 * Moderation end to end over real HTTP and WebSocket against the local stack: kick, ban and mute take effect at
 * once on live sockets and on HTTP, bans and mutes expire, roles limit who may act on whom, and concurrent joins and kicks leave
 * membership, `memberCount` and presence exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectContractError } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness, type User, userLeft } from '../support/realtime.ts';
import { eventually } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connect, join, ask } = realtimeHarness(stack);

const call = (user: User, method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: user.token, body });
const kick = (actor: User, room: string, username: string) =>
  call(actor, 'DELETE', `/rooms/${room}/members/${username}`);

async function members(user: User, room: string): Promise<string[]> {
  const response = await call(user, 'GET', `/rooms/${room}/members?limit=100`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.members.map((member: { username: string }) => member.username).sort();
}

async function memberCount(user: User, room: string): Promise<number> {
  const mine = await call(user, 'GET', '/me/rooms?limit=100');
  return mine.body.rooms.find((entry: { name: string }) => entry.name === room).memberCount;
}

describe('kick', () => {
  it('ends the membership; the kicked user’s sockets get `removed` and nothing more of the room', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await api.newRoom(alice, 'kick');
    const [aliceSocket, bobSocket, bobOther, carolSocket] = [
      await connect(alice),
      await connect(bob),
      await connect(bob),
      await connect(carol),
    ];
    for (const socket of [aliceSocket, bobSocket, bobOther, carolSocket]) await join(socket, room);

    const kicked = await kick(alice, room, bob.username.toUpperCase());

    expect(kicked.status).toBe(204);
    for (const socket of [bobSocket, bobOther]) {
      expect(await socket.next((frame) => frame.type === 'removed')).toEqual({
        type: 'removed',
        room,
        by: alice.username,
      });
    }
    await carolSocket.next(userLeft(room, bob.username));
    expect(await members(alice, room)).toEqual([alice.username, carol.username].sort());
    expect(await memberCount(alice, room)).toBe(2);
    const ack = await ask(aliceSocket, { action: 'message', room, text: 'after the kick' }, 'ack');
    await carolSocket.next((frame) => frame.type === 'message' && frame.messageId === ack.messageId);
    for (const socket of [bobSocket, bobOther]) {
      expect(socket.frames.some((frame) => frame.messageId === ack.messageId)).toBe(false);
    }
    const refused = await ask(bobSocket, { action: 'message', room, text: 'still here?' }, 'ack');
    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
    // Not banned: a public room may be joined again.
    expect((await call(bob, 'POST', `/rooms/${room}/members`)).status).toBe(201);
  });

  it('is refused to members, on the owner, on non-members and to non-members', async () => {
    const [alice, bob, carol, dave] = await api.signUpEach('alice', 'bob', 'carol', 'dave');
    const room = await api.newRoom(alice, 'kick');
    await call(bob, 'POST', `/rooms/${room}/members`);
    await call(carol, 'POST', `/rooms/${room}/members`);
    const refusals: [Awaited<ReturnType<typeof kick>>, string][] = [
      [await kick(bob, room, carol.username), 'FORBIDDEN'],
      [await kick(bob, room, alice.username), 'FORBIDDEN'],
      [await kick(alice, room, alice.username), 'FORBIDDEN'],
      [await kick(alice, room, dave.username), 'USER_NOT_FOUND'],
      [await kick(dave, room, bob.username), 'NOT_A_MEMBER'],
      [await kick(alice, 'no-such-room-here', bob.username), 'ROOM_NOT_FOUND'],
    ];
    for (const [response, code] of refusals) {
      expectContractError(response);
      expect(response.body.code).toBe(code);
    }
    expect(await members(alice, room)).toEqual([alice.username, bob.username, carol.username].sort());
  });
});

describe('ban', () => {
  it('kicks at once, refuses joining and posting on both APIs with BANNED, until lifted', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await api.newRoom(alice, 'ban');
    const [bobSocket, carolSocket] = [await connect(bob), await connect(carol)];
    await join(bobSocket, room);
    await join(carolSocket, room);

    const banned = await call(alice, 'POST', `/rooms/${room}/bans`, {
      username: bob.username,
      reason: 'spam',
    });

    expect(banned.status).toBe(201);
    expect(banned.body.ban).toMatchObject({
      room,
      username: bob.username,
      bannedBy: alice.username,
      reason: 'spam',
    });
    expect(banned.body.ban.expiresAt).toBeUndefined();
    await bobSocket.next((frame) => frame.type === 'removed' && frame.by === alice.username);
    await carolSocket.next(userLeft(room, bob.username));
    expect(await members(alice, room)).toEqual([alice.username, carol.username].sort());
    for (const refused of [
      await call(bob, 'POST', `/rooms/${room}/members`),
      await call(bob, 'POST', `/rooms/${room}/messages`, { text: 'let me back' }),
    ]) {
      expectContractError(refused);
      expect(refused.body.code).toBe('BANNED');
    }
    expect(await ask(bobSocket, { action: 'join', room }, 'joined')).toMatchObject({ code: 'BANNED' });
    expect(await ask(bobSocket, { action: 'message', room, text: 'x' }, 'ack')).toMatchObject({
      code: 'NOT_IN_ROOM',
    });
    expect(await members(alice, room)).toEqual([alice.username, carol.username].sort());

    expect((await call(alice, 'DELETE', `/rooms/${room}/bans/${bob.username}`)).status).toBe(204);
    expect((await call(bob, 'POST', `/rooms/${room}/members`)).status).toBe(201);
  });

  it('expires after durationSeconds', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await api.newRoom(alice, 'ban');
    const banned = await call(alice, 'POST', `/rooms/${room}/bans`, {
      username: bob.username,
      durationSeconds: 1,
    });
    expect(banned.status).toBe(201);
    expect(Date.parse(banned.body.ban.expiresAt) - Date.parse(banned.body.ban.bannedAt)).toBe(1000);
    expect((await call(bob, 'POST', `/rooms/${room}/members`)).body.code).toBe('BANNED');
    await eventually(async () => (await call(bob, 'POST', `/rooms/${room}/members`)).status === 201, 5_000);
  });

  it('is refused on the owner and by members', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await api.newRoom(alice, 'ban');
    await call(bob, 'POST', `/rooms/${room}/members`);
    for (const [response, code] of [
      [await call(bob, 'POST', `/rooms/${room}/bans`, { username: alice.username }), 'FORBIDDEN'],
      [await call(bob, 'POST', `/rooms/${room}/bans`, { username: carol.username }), 'FORBIDDEN'],
      [await call(alice, 'POST', `/rooms/${room}/bans`, { username: 'nobody_at_all' }), 'USER_NOT_FOUND'],
      [await call(bob, 'DELETE', `/rooms/${room}/bans/${carol.username}`), 'FORBIDDEN'],
    ] as const) {
      expectContractError(response);
      expect(response.body.code).toBe(code);
    }
    // A user who is not a member yet may be banned before they come.
    expect((await call(alice, 'POST', `/rooms/${room}/bans`, { username: carol.username })).status).toBe(201);
    expect((await call(carol, 'POST', `/rooms/${room}/members`)).body.code).toBe('BANNED');
  });
});

describe('mute', () => {
  it('lets the member read while every post answers MUTED, until unmuted', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await api.newRoom(alice, 'mute');
    const [aliceSocket, bobSocket] = [await connect(alice), await connect(bob)];
    await join(aliceSocket, room);
    await join(bobSocket, room);

    const muted = await call(alice, 'POST', `/rooms/${room}/mutes`, { username: bob.username });

    expect(muted.status).toBe(201);
    expect(muted.body.mute).toMatchObject({ room, username: bob.username, mutedBy: alice.username });
    const refusedHttp = await call(bob, 'POST', `/rooms/${room}/messages`, { text: 'hello?' });
    expectContractError(refusedHttp);
    expect(refusedHttp.body.code).toBe('MUTED');
    expect(await ask(bobSocket, { action: 'message', room, text: 'hello?' }, 'ack')).toMatchObject({
      type: 'error',
      code: 'MUTED',
    });
    const ack = await ask(aliceSocket, { action: 'message', room, text: 'you can still read' }, 'ack');
    await bobSocket.next((frame) => frame.type === 'message' && frame.messageId === ack.messageId);
    expect((await call(bob, 'GET', `/rooms/${room}/messages`)).body.messages).toHaveLength(1);

    expect((await call(alice, 'DELETE', `/rooms/${room}/mutes/${bob.username}`)).status).toBe(204);
    expect((await ask(bobSocket, { action: 'message', room, text: 'back' }, 'ack')).type).toBe('ack');
  });

  it('expires after durationSeconds, and is refused on the owner, by members and on non-members', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await api.newRoom(alice, 'mute');
    await call(bob, 'POST', `/rooms/${room}/members`);
    for (const [response, code] of [
      [await call(bob, 'POST', `/rooms/${room}/mutes`, { username: alice.username }), 'FORBIDDEN'],
      [await call(alice, 'POST', `/rooms/${room}/mutes`, { username: carol.username }), 'USER_NOT_FOUND'],
      [await call(alice, 'DELETE', `/rooms/${room}/mutes/${carol.username}`), 'USER_NOT_FOUND'],
      [await call(carol, 'POST', `/rooms/${room}/mutes`, { username: bob.username }), 'NOT_A_MEMBER'],
    ] as const) {
      expectContractError(response);
      expect(response.body.code).toBe(code);
    }
    const muted = await call(alice, 'POST', `/rooms/${room}/mutes`, {
      username: bob.username,
      durationSeconds: 1,
    });
    expect(muted.status).toBe(201);
    expect((await call(bob, 'POST', `/rooms/${room}/messages`, { text: 'x' })).body.code).toBe('MUTED');
    await eventually(
      async () => (await call(bob, 'POST', `/rooms/${room}/messages`, { text: 'y' })).status === 201,
      5_000,
    );
  });
});

describe('roles', () => {
  it('the owner makes a moderator, who then moderates members but not the owner nor moderators', async () => {
    const [alice, bob, carol, dave] = await api.signUpEach('alice', 'bob', 'carol', 'dave');
    const room = await api.newRoom(alice, 'roles');
    for (const user of [bob, carol, dave]) await call(user, 'POST', `/rooms/${room}/members`);
    const setRole = (actor: User, target: User, role: string) =>
      call(actor, 'PATCH', `/rooms/${room}/members/${target.username}`, { role });

    const promoted = await setRole(alice, bob, 'moderator');

    expect(promoted.status).toBe(200);
    expect(promoted.body.member).toMatchObject({ username: bob.username, role: 'moderator' });
    const mine = await call(bob, 'GET', '/me/rooms');
    expect(mine.body.rooms.find((entry: { name: string }) => entry.name === room).role).toBe('moderator');
    expect((await setRole(alice, carol, 'moderator')).status).toBe(200);
    expect((await kick(bob, room, dave.username)).status).toBe(204);
    expect((await call(dave, 'POST', `/rooms/${room}/members`)).status).toBe(201);
    for (const [response, code] of [
      [await kick(bob, room, carol.username), 'FORBIDDEN'],
      [await kick(bob, room, alice.username), 'FORBIDDEN'],
      [await setRole(bob, dave, 'moderator'), 'FORBIDDEN'],
      [await setRole(alice, alice, 'member'), 'FORBIDDEN'],
      [await setRole(alice, { ...dave, username: 'nobody_at_all' }, 'moderator'), 'USER_NOT_FOUND'],
      [await setRole(dave, bob, 'member'), 'FORBIDDEN'],
    ] as const) {
      expectContractError(response);
      expect(response.body.code).toBe(code);
    }
    const invalid = await setRole(alice, bob, 'owner');
    expect(invalid.body.code).toBe('VALIDATION_FAILED');

    expect((await setRole(alice, carol, 'member')).body.member.role).toBe('member');
    expect((await kick(bob, room, carol.username)).status).toBe(204);
    expect(await members(alice, room)).toEqual([alice.username, bob.username, dave.username].sort());
  });
});

describe('concurrent joins and kicks', () => {
  it('leave membership, memberCount and presence exact', async () => {
    const owner = await api.signUp('owner');
    const room = await api.newRoom(owner, 'race');
    const ownerSocket = await connect(owner);
    await join(ownerSocket, room);
    const users = await api.signUpEach(...Array.from({ length: 8 }, (_, index) => `racer${index}`));
    await Promise.all(users.map((user) => call(user, 'POST', `/rooms/${room}/members`)));
    const sockets = await Promise.all(users.map((user) => connect(user)));

    // Each user joins by socket while the owner kicks them, all at once.
    await Promise.all(
      users.flatMap((user, index) => [
        ask(sockets[index], { action: 'join', room }, 'joined'),
        kick(owner, room, user.username),
      ]),
    );

    // Whichever came first, a kicked user is neither a member nor present, and receives nothing of the room.
    const remaining = await members(owner, room);
    await eventually(async () => (await memberCount(owner, room)) === remaining.length);
    const ack = await ask(ownerSocket, { action: 'message', room, text: 'who is here?' }, 'ack');
    for (const [index, user] of users.entries()) {
      const isMember = remaining.includes(user.username);
      const reply = await ask(sockets[index], { action: 'message', room, text: 'me?' }, 'ack');
      expect(reply.type, `${user.username} ${JSON.stringify(reply)}`).toBe(isMember ? 'ack' : 'error');
      if (!isMember) {
        expect(sockets[index].frames.some((frame) => frame.messageId === ack.messageId)).toBe(false);
      }
    }
    const presence = await ask(ownerSocket, { action: 'join', room }, 'joined');
    expect(presence.members.sort()).toEqual(remaining);
  });
});
