/**
 * Persistent room membership, private rooms and invitations, end to end over real HTTP and WebSocket against
 * the local stack: who becomes a member and how, what members, `GET /me/rooms` and `GET /rooms` show, the
 * `invited` frame, leaving (with the connections that leave the room with it), and exact counts under races.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueRoomName } from '../support/accounts.ts';
import { expectContractError, ISO_TIME } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness, type User, userLeft } from '../support/realtime.ts';
import { scanAll, tableReader } from '../support/table.ts';
import { eventually } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connect, join, ask } = realtimeHarness(stack);

const get = (user: User, path: string) => api.call('GET', path, { token: user.token });
const post = (user: User, path: string, body?: unknown) =>
  api.call('POST', path, { token: user.token, body });

async function createRoom(owner: User, fields: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueRoomName('mem');
  const response = await post(owner, '/rooms', { name, ...fields });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return name;
}

async function members(user: User, room: string): Promise<string[]> {
  const response = await get(user, `/rooms/${room}/members?limit=100`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.members.map((member: { username: string }) => member.username);
}

async function memberCount(user: User, room: string): Promise<number> {
  const mine = await get(user, '/me/rooms?limit=100');
  const found = mine.body.rooms.find((entry: { name: string }) => entry.name === room);
  expect(found, `${room} in ${JSON.stringify(mine.body)}`).toBeDefined();
  return found.memberCount;
}

/** Every room `user` sees in `GET /rooms`, page by page with small pages (the pages merge several shards). */
async function allVisibleRooms(user: User): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(user, `/rooms?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect(page.status).toBe(200);
    expect(page.body.rooms.length).toBeLessThanOrEqual(3);
    names.push(...page.body.rooms.map((room: { name: string }) => room.name));
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return names;
}

describe('rooms and their members', () => {
  it('makes the creator the owner, with the room’s visibility, topic and member count', async () => {
    const alice = await api.signUp('alice');
    const name = uniqueRoomName('mem');

    const created = await post(alice, '/rooms', {
      name,
      visibility: 'private',
      topic: 'Plans for the launch',
    });

    expect(created.status).toBe(201);
    expect(created.body.room).toEqual({
      name,
      createdBy: alice.username,
      createdAt: expect.stringMatching(ISO_TIME),
      visibility: 'private',
      topic: 'Plans for the launch',
      memberCount: 1,
    });
    const list = await get(alice, `/rooms/${name}/members`);
    expect(list.body).toEqual({
      members: [{ username: alice.username, role: 'owner', joinedAt: created.body.room.createdAt }],
      nextCursor: null,
    });
    const mine = await get(alice, '/me/rooms');
    expect(mine.body.rooms).toContainEqual({
      ...created.body.room,
      role: 'owner',
      unreadCount: 0,
      lastReadMessageId: null,
    });
    const open = await post(alice, '/rooms', { name: uniqueRoomName('mem') });
    expect(open.body.room).toMatchObject({ visibility: 'public', memberCount: 1 });
    expect(open.body.room.topic).toBeUndefined();
  });

  it('joins a public room over HTTP once, and lists members in pages by username', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await createRoom(alice);

    const first = await post(bob, `/rooms/${room}/members`);
    const again = await post(bob, `/rooms/${room}/members`);
    await post(carol, `/rooms/${room}/members`);

    expect(first.status).toBe(201);
    expect(first.body.member).toEqual({
      username: bob.username,
      role: 'member',
      joinedAt: expect.stringMatching(ISO_TIME),
    });
    expect(again.status).toBe(200);
    expect(again.body.member).toEqual(first.body.member);
    expect(await memberCount(bob, room)).toBe(3);
    const page1 = await get(alice, `/rooms/${room}/members?limit=2`);
    const page2 = await get(alice, `/rooms/${room}/members?limit=2&cursor=${page1.body.nextCursor}`);
    const names = [...page1.body.members, ...page2.body.members].map((member) => member.username);
    expect(names).toEqual([alice.username, bob.username, carol.username].sort());
    expect(page2.body.nextCursor).toBeNull();
  });

  it('makes a user a member of a public room by the socket’s join, and by posting over HTTP', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await createRoom(alice);

    await join(await connect(bob), room);
    const posted = await post(carol, `/rooms/${room}/messages`, { text: 'hello' });

    expect(posted.status).toBe(201);
    expect(await members(alice, room)).toEqual([alice.username, bob.username, carol.username].sort());
    const carolsRooms = await get(carol, '/me/rooms');
    expect(carolsRooms.body.rooms).toEqual([
      expect.objectContaining({ name: room, role: 'member', unreadCount: 0, memberCount: 3 }),
    ]);
  });

  it('invites to a private room: the invitee’s sockets get invited, and accepting makes them a member', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await createRoom(alice, { visibility: 'private' });
    const bobSocket = await connect(bob);

    const invited = await post(alice, `/rooms/${room}/invitations`, { username: bob.username.toUpperCase() });

    expect(invited.status).toBe(201);
    expect(invited.body.invitation).toEqual({
      room,
      username: bob.username,
      invitedBy: alice.username,
      invitedAt: expect.stringMatching(ISO_TIME),
    });
    expect(await bobSocket.next((frame) => frame.type === 'invited')).toEqual({
      type: 'invited',
      room,
      by: alice.username,
    });
    expect((await get(bob, '/me/invitations')).body).toEqual({
      invitations: [invited.body.invitation],
      nextCursor: null,
    });
    // Invited is not yet a member: the room stays hidden until the invitation is accepted.
    expect((await get(bob, `/rooms/${room}/messages`)).status).toBe(404);
    expect(await allVisibleRooms(bob)).not.toContain(room);

    const accepted = await post(bob, `/rooms/${room}/members`);

    expect(accepted.status).toBe(201);
    expect(accepted.body.member.role).toBe('member');
    expect((await get(bob, '/me/invitations')).body.invitations).toEqual([]);
    expect(await allVisibleRooms(bob)).toContain(room);
    expect(await members(bob, room)).toEqual([alice.username, bob.username].sort());
    expect(await memberCount(alice, room)).toBe(2);
    const aliceSocket = await connect(alice);
    await join(aliceSocket, room);
    await join(bobSocket, room);
    const ack = await ask(aliceSocket, { action: 'message', room, text: 'welcome' }, 'ack');
    expect(ack.type).toBe('ack');
    await bobSocket.next((frame) => frame.type === 'message' && frame.messageId === ack.messageId);
  });

  it('leaves: the membership ends and the user’s connections in the room leave it', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await createRoom(alice, { visibility: 'private' });
    await post(alice, `/rooms/${room}/invitations`, { username: bob.username });
    await post(bob, `/rooms/${room}/members`);
    const [aliceSocket, bobSocket] = [await connect(alice), await connect(bob)];
    await join(aliceSocket, room);
    await join(bobSocket, room);

    const left = await api.call('DELETE', `/rooms/${room}/members/me`, { token: bob.token });

    expect(left.status).toBe(204);
    expect(left.body).toBeUndefined();
    await bobSocket.next((frame) => frame.type === 'left' && frame.room === room);
    await aliceSocket.next(userLeft(room, bob.username));
    expect(await members(alice, room)).toEqual([alice.username]);
    expect(await memberCount(alice, room)).toBe(1);
    const refused = await ask(bobSocket, { action: 'message', room, text: 'still here?' }, 'ack');
    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
    expect((await post(bob, `/rooms/${room}/messages`, { text: 'x' })).status).toBe(404);
    const again = await api.call('DELETE', `/rooms/${room}/members/me`, { token: bob.token });
    expectContractError(again);
    expect(again.body.code).toBe('ROOM_NOT_FOUND');
  });

  it('refuses the owner’s leaving, a non-member’s leaving, and invitations by anyone but the owner', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await createRoom(alice);
    await post(bob, `/rooms/${room}/members`);

    const cases = [
      [await api.call('DELETE', `/rooms/${room}/members/me`, { token: alice.token }), 'FORBIDDEN'],
      [await api.call('DELETE', `/rooms/${room}/members/me`, { token: carol.token }), 'NOT_A_MEMBER'],
      [await post(bob, `/rooms/${room}/invitations`, { username: carol.username }), 'FORBIDDEN'],
      [await post(carol, `/rooms/${room}/invitations`, { username: bob.username }), 'NOT_A_MEMBER'],
      [await post(alice, `/rooms/${room}/invitations`, { username: bob.username }), 'ALREADY_MEMBER'],
      [await post(alice, `/rooms/${room}/invitations`, { username: 'nobody_at_all' }), 'USER_NOT_FOUND'],
    ] as const;

    for (const [response, code] of cases) {
      expectContractError(response);
      expect(response.body.code).toBe(code);
    }
    expect(await members(carol, room)).toEqual([alice.username, bob.username].sort());
    expect((await get(carol, '/me/invitations')).body.invitations).toEqual([]);
  });

  it('lists every public room and only the caller’s private ones, sorted, across pages', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const publicRooms = await Promise.all(Array.from({ length: 7 }, () => createRoom(alice)));
    const alicePrivate = await createRoom(alice, { visibility: 'private' });
    const bobPrivate = await createRoom(bob, { visibility: 'private' });

    const seenByBob = await allVisibleRooms(bob);
    const seenByAlice = await allVisibleRooms(alice);

    for (const seen of [seenByBob, seenByAlice]) {
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(publicRooms));
    }
    expect(seenByBob).toContain(bobPrivate);
    expect(seenByBob).not.toContain(alicePrivate);
    expect(seenByAlice).toContain(alicePrivate);
    expect(seenByAlice).not.toContain(bobPrivate);
  });
});

describe('concurrent joins and leaves', () => {
  it('leave membership and memberCount exact', async () => {
    const owner = await api.signUp('owner');
    const room = await createRoom(owner);
    const users = await api.signUpEach(...Array.from({ length: 12 }, (_, index) => `racer${index}`));
    const leavers = users.slice(0, 6);
    await Promise.all(leavers.map((user) => post(user, `/rooms/${room}/members`)));

    // The leavers leave while the others join, each user twice at once over HTTP and once by the socket.
    const joiners = users.slice(6);
    await Promise.all([
      ...leavers.flatMap((user) => [
        api.call('DELETE', `/rooms/${room}/members/me`, { token: user.token }),
        api.call('DELETE', `/rooms/${room}/members/me`, { token: user.token }),
      ]),
      ...joiners.flatMap((user) => [
        post(user, `/rooms/${room}/members`),
        post(user, `/rooms/${room}/members`),
        connect(user).then((socket) => join(socket, room)),
      ]),
    ]);

    const expected = [owner, ...joiners].map((user) => user.username).sort();
    expect(await members(owner, room)).toEqual(expected);
    await eventually(async () => (await memberCount(owner, room)) === expected.length);
  });
});

describe('an account deleted', () => {
  it('leaves every room it was a member of, and its invitations go', async () => {
    const [owner, leaving] = await api.signUpEach('memowner', 'memleaving');
    const open = await createRoom(owner);
    const secret = await createRoom(owner, { visibility: 'private' });
    const invitedTo = await createRoom(owner, { visibility: 'private' });
    expect((await post(leaving, `/rooms/${open}/members`)).status).toBe(201);
    expect((await post(owner, `/rooms/${secret}/invitations`, { username: leaving.username })).status).toBe(
      201,
    );
    expect((await post(leaving, `/rooms/${secret}/members`)).status).toBe(201);
    expect(
      (await post(owner, `/rooms/${invitedTo}/invitations`, { username: leaving.username })).status,
    ).toBe(201);
    expect(await memberCount(owner, open)).toBe(2);

    const deleted = await api.call('DELETE', '/auth/me', {
      token: leaving.token,
      body: { password: leaving.password },
    });
    expect(deleted.status).toBe(204);

    for (const room of [open, secret]) {
      expect(await members(owner, room)).toEqual([owner.username]);
      expect(await memberCount(owner, room)).toBe(1);
    }
    expect(await members(owner, invitedTo)).toEqual([owner.username]);
    // Nothing of the memberships or the invitation is left in the user's partition.
    const reader = tableReader(stack.dynamoEndpoint);
    const items = await scanAll(reader, stack.tableName).finally(() => reader.destroy());
    const left = items.filter(
      (item) => item.PK === `USER#${leaving.username.toLowerCase()}` && /^(ROOM|INVITE)#/.test(item.SK),
    );
    expect(left).toEqual([]);
  });
});
