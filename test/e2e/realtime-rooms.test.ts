import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { errorFrame } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, realtimeHarness, userJoined, userLeft } from '../support/realtime.ts';
import { eventually, type TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connect, connectEach, roundTrip, join, leave, newRoom, expectStillServing } =
  realtimeHarness(stack);

/**
 * Frames from different invocations may arrive in any order, so "nothing else arrived" is asserted only after
 * a barrier: a fresh user joins the room and every observer has seen its `user_joined`, which comes from an
 * invocation that started after everything the test did before.
 */
async function barrier(room: string, observers: TestSocket[]): Promise<void> {
  const witness = await api.signUp('witness');
  const socket = await connect(witness);
  await join(socket, room);
  await Promise.all(observers.map((observer) => observer.next(userJoined(room, witness.username))));
}

/** Alice and Bob, one connection each, both joined to a fresh room. */
async function aliceAndBobInRoom() {
  const [alice, bob] = await api.signUpEach('alice', 'bob');
  const room = await newRoom(alice);
  const [aliceSocket, bobSocket] = await connectEach(alice, bob);
  await join(aliceSocket, room);
  await join(bobSocket, room);
  return { alice, bob, room, aliceSocket, bobSocket };
}

/** Alice joined to a fresh room, and Bob with two connected devices that have not joined it yet. */
async function aliceInRoomAndBobsTwoDevices() {
  const [alice, bob] = await api.signUpEach('alice', 'bob');
  const room = await newRoom(alice);
  const aliceSocket = await connect(alice);
  const [bobPhone, bobLaptop] = await connectEach(bob, bob);
  await join(aliceSocket, room);
  return { alice, bob, room, aliceSocket, bobPhone, bobLaptop };
}

describe('join', () => {
  it('answers joined with the sorted members and tells the members already there user_joined', async () => {
    // Prefixes make the sort visible: carol joins first, alice last.
    const [carol, bob, alice] = await api.signUpEach('carol', 'bob', 'alice');
    const room = await newRoom(carol);
    const [carolSocket, bobSocket, aliceSocket] = await connectEach(carol, bob, alice);

    const carolJoined = await join(carolSocket, room);
    const bobJoined = await join(bobSocket, room);
    const aliceJoined = await join(aliceSocket, room);

    expect(carolJoined).toEqual({
      type: 'joined',
      room,
      username: carol.username,
      members: [carol.username],
    });
    expect(bobJoined).toEqual({
      type: 'joined',
      room,
      username: bob.username,
      members: [bob.username, carol.username],
    });
    expect(aliceJoined).toEqual({
      type: 'joined',
      room,
      username: alice.username,
      members: [alice.username, bob.username, carol.username],
    });
    expect(await carolSocket.next(userJoined(room, bob.username))).toEqual({
      type: 'user_joined',
      room,
      username: bob.username,
    });
    expect(await carolSocket.next(userJoined(room, alice.username))).toEqual({
      type: 'user_joined',
      room,
      username: alice.username,
    });
    expect(await bobSocket.next(userJoined(room, alice.username))).toEqual({
      type: 'user_joined',
      room,
      username: alice.username,
    });
  });

  it('does not send the joining connection a user_joined about itself', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await newRoom(alice);
    const aliceSocket = await connect(alice);
    await join(aliceSocket, room);

    const bobSocket = await connect(bob);
    await join(bobSocket, room);
    await barrier(room, [aliceSocket, bobSocket]);

    expect(count(bobSocket, userJoined(room, bob.username))).toBe(0);
    expect(count(aliceSocket, userJoined(room, alice.username))).toBe(0);
  });

  it('lower-cases the room name it is given', async () => {
    const alice = await api.signUp('alice');
    const room = await newRoom(alice);
    const socket = await connect(alice);

    const joined = await roundTrip(socket, { action: 'join', room: room.toUpperCase() }, () => true);

    expect(joined).toEqual({ type: 'joined', room, username: alice.username, members: [alice.username] });
  });

  it('is harmless to do twice: joined again, no second user_joined, messages delivered once', async () => {
    const { alice, bob, room, aliceSocket, bobSocket } = await aliceAndBobInRoom();
    await aliceSocket.next(userJoined(room, bob.username));

    const again = await join(bobSocket, room);
    const ack = await roundTrip(
      aliceSocket,
      { action: 'message', room, text: 'once' },
      (frame) => frame.type === 'ack' || frame.type === 'error',
    );
    await bobSocket.next((frame) => frame.type === 'message' && frame.messageId === ack.messageId);
    await barrier(room, [aliceSocket, bobSocket]);

    expect(again).toEqual({
      type: 'joined',
      room,
      username: bob.username,
      members: [alice.username, bob.username].sort(),
    });
    expect(count(aliceSocket, userJoined(room, bob.username))).toBe(1);
    expect(count(bobSocket, (frame) => frame.type === 'message' && frame.messageId === ack.messageId)).toBe(
      1,
    );
  });

  it('answers ROOM_NOT_FOUND for a room that does not exist and keeps the connection open', async () => {
    const alice = await api.signUp('alice');
    const socket = await connect(alice);

    const reply = await roundTrip(socket, { action: 'join', room: 'no-such-room-here' }, () => true);

    expect(reply).toEqual(errorFrame('ROOM_NOT_FOUND', 'join'));
    await expectStillServing(socket);
  });

  it.each([
    ['an empty name', ''],
    ['a name starting with "-"', '-dash'],
    ['a name with a space', 'two words'],
    ['a name with "#"', 'room#1'],
    ['a name over 64 characters', 'a'.repeat(65)],
    ['a number', 42],
    ['no room at all', undefined],
  ])('answers INVALID_MESSAGE for %s and keeps the connection open', async (_, room) => {
    const alice = await api.signUp('alice');
    const socket = await connect(alice);

    const reply = await roundTrip(socket, { action: 'join', room }, () => true);

    expect(reply).toEqual(errorFrame('INVALID_MESSAGE', 'join'));
    await expectStillServing(socket);
  });
});

describe('leave', () => {
  it('answers left and tells the remaining members user_left', async () => {
    const { bob, room, aliceSocket, bobSocket } = await aliceAndBobInRoom();

    const left = await leave(bobSocket, room);
    const notice = await aliceSocket.next(userLeft(room, bob.username));

    expect(left).toEqual({ type: 'left', room });
    expect(notice).toEqual({ type: 'user_left', room, username: bob.username });
  });

  it('stops delivering the room to a connection that left, and refuses its messages with NOT_IN_ROOM', async () => {
    const { room, aliceSocket, bobSocket } = await aliceAndBobInRoom();
    await leave(bobSocket, room);

    await roundTrip(
      aliceSocket,
      { action: 'message', room, text: 'after bob left' },
      (f) => f.type === 'ack',
    );
    const refused = await roundTrip(bobSocket, { action: 'message', room, text: 'still here?' }, () => true);
    await roundTrip(bobSocket, { action: 'ping' }, (frame) => frame.type === 'pong');

    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM', action: 'message' });
    expect(bobSocket.ofType('message')).toEqual([]);
  });

  it("sends no user_left when a connection that never joined leaves while the user's other device stays", async () => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);

    const left = await leave(bobLaptop, room);
    await barrier(room, [aliceSocket, bobPhone]);
    const carol = await api.signUp('carol');
    const carolJoined = await join(await connect(carol), room);

    expect(left).toEqual({ type: 'left', room });
    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(0);
    expect(carolJoined.members).toContain(bob.username);
  });

  it('announces the user again after leaving and joining back', async () => {
    const { alice, bob, room, aliceSocket, bobSocket } = await aliceAndBobInRoom();
    await leave(bobSocket, room);
    await aliceSocket.next(userLeft(room, bob.username));

    const rejoined = await join(bobSocket, room);
    await eventually(() => count(aliceSocket, userJoined(room, bob.username)) === 2);

    expect(rejoined.members).toEqual([alice.username, bob.username].sort());
  });
});

describe('presence counts users, not connections', () => {
  it("lists a user once and sends no user_joined when the user's second device joins", async () => {
    const { alice, bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);
    await aliceSocket.next(userJoined(room, bob.username));

    const laptopJoined = await join(bobLaptop, room);
    await barrier(room, [aliceSocket, bobPhone]);

    expect(laptopJoined).toEqual({
      type: 'joined',
      room,
      username: bob.username,
      members: [alice.username, bob.username].sort(),
    });
    expect(count(aliceSocket, userJoined(room, bob.username))).toBe(1);
    expect(count(bobPhone, userJoined(room, bob.username))).toBe(0);
  });

  it('sends exactly one user_joined when two devices of a user join at the same time', async () => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();

    const [phoneJoined, laptopJoined] = await Promise.all([join(bobPhone, room), join(bobLaptop, room)]);
    await barrier(room, [aliceSocket]);

    expect(count(aliceSocket, userJoined(room, bob.username))).toBe(1);
    expect(phoneJoined.members.filter((name: string) => name === bob.username)).toHaveLength(1);
    expect(laptopJoined.members.filter((name: string) => name === bob.username)).toHaveLength(1);
  });

  it("sends user_left only when the user's last connection leaves", async () => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);
    await join(bobLaptop, room);

    const phoneLeft = await leave(bobPhone, room);
    await barrier(room, [aliceSocket, bobLaptop]);
    const userLeftAfterFirstLeave = count(aliceSocket, userLeft(room, bob.username));
    const laptopLeft = await leave(bobLaptop, room);
    const notice = await aliceSocket.next(userLeft(room, bob.username));
    await barrier(room, [aliceSocket]);

    expect(phoneLeft).toEqual({ type: 'left', room });
    expect(laptopLeft).toEqual({ type: 'left', room });
    expect(userLeftAfterFirstLeave).toBe(0);
    expect(notice).toEqual({ type: 'user_left', room, username: bob.username });
    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(1);
  });

  it.each([
    ['closes', (socket: TestSocket) => socket.close()],
    ['is dropped without a close frame', (socket: TestSocket) => socket.drop()],
  ])("sends user_left only when the user's last connection %s", async (_, goAway) => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);
    await join(bobLaptop, room);

    await goAway(bobPhone);
    await barrier(room, [aliceSocket, bobLaptop]);
    const userLeftAfterFirst = count(aliceSocket, userLeft(room, bob.username));
    await goAway(bobLaptop);
    await aliceSocket.next(userLeft(room, bob.username));
    await barrier(room, [aliceSocket]);

    expect(userLeftAfterFirst).toBe(0);
    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(1);
  });

  it('sends exactly one user_left when two devices of a user leave at the same time', async () => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);
    await join(bobLaptop, room);

    await Promise.all([leave(bobPhone, room), leave(bobLaptop, room)]);
    await aliceSocket.next(userLeft(room, bob.username));
    await barrier(room, [aliceSocket]);

    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(1);
  });

  it('sends exactly one user_left when two devices of a user are dropped at the same time', async () => {
    const { bob, room, aliceSocket, bobPhone, bobLaptop } = await aliceInRoomAndBobsTwoDevices();
    await join(bobPhone, room);
    await join(bobLaptop, room);

    await Promise.all([bobPhone.drop(), bobLaptop.drop()]);
    await aliceSocket.next(userLeft(room, bob.username));
    await barrier(room, [aliceSocket]);

    expect(count(aliceSocket, userLeft(room, bob.username))).toBe(1);
  });
});

describe('closing a connection', () => {
  it('removes it from every room it had joined, with user_left in each', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const first = await newRoom(alice);
    const second = await newRoom(alice);
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    for (const room of [first, second]) {
      await join(aliceSocket, room);
      await join(bobSocket, room);
    }

    await bobSocket.close();
    const notices = await Promise.all([
      aliceSocket.next(userLeft(first, bob.username)),
      aliceSocket.next(userLeft(second, bob.username)),
    ]);
    const carol = await api.signUp('carol');
    const carolSocket = await connect(carol);
    const carolJoined = await join(carolSocket, first);

    expect(notices).toEqual([
      { type: 'user_left', room: first, username: bob.username },
      { type: 'user_left', room: second, username: bob.username },
    ]);
    expect(carolJoined.members).toEqual([alice.username, carol.username].sort());
  });
});

describe('a connection dropped without a close frame', () => {
  it('is announced with user_left, and later messages are still acknowledged and delivered', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const room = await newRoom(alice);
    const [aliceSocket, bobSocket, carolSocket] = await connectEach(alice, bob, carol);
    for (const socket of [aliceSocket, bobSocket, carolSocket]) await join(socket, room);

    await bobSocket.drop();
    const notices = await Promise.all([
      aliceSocket.next(userLeft(room, bob.username)),
      carolSocket.next(userLeft(room, bob.username)),
    ]);
    const ack = await roundTrip(
      aliceSocket,
      { action: 'message', room, text: 'anyone still here?' },
      (frame) => frame.type === 'ack' || frame.type === 'error',
    );
    const delivered = await carolSocket.next((frame) => frame.type === 'message');

    expect(notices).toEqual([
      { type: 'user_left', room, username: bob.username },
      { type: 'user_left', room, username: bob.username },
    ]);
    expect(ack).toMatchObject({ type: 'ack', messageId: expect.any(String) });
    expect(delivered).toMatchObject({ messageId: ack.messageId, room, from: alice.username });
  });

  it('is pruned when a send finds it gone (410), with user_left, and the send still succeeds for the others', async () => {
    const [alice, bob, ghost] = await api.signUpEach('alice', 'bob', 'ghost');
    const room = await newRoom(alice);
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    await join(aliceSocket, room);
    await join(bobSocket, room);
    // A connection whose $disconnect never ran (a lost event): recorded as a member, unknown to the gateway.
    // The gateway cannot be made to lose a $disconnect, so the record is written with the app's own repository.
    const records = new ConnectionRepository(createDocumentClient(), stack.tableName);
    const ghostConnection = {
      connectionId: `ghost${Math.random().toString(36).slice(2, 10)}=`,
      userId: ghost.userId,
      username: ghost.username,
      connectedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
    await records.put(ghostConnection);
    await records.join(room, ghostConnection);

    const ack = await roundTrip(
      aliceSocket,
      { action: 'message', room, text: 'hello, is anybody there?' },
      (frame) => frame.type === 'ack' || frame.type === 'error',
    );
    const delivered = await bobSocket.next((frame) => frame.type === 'message');
    const notices = await Promise.all([
      aliceSocket.next(userLeft(room, ghost.username)),
      bobSocket.next(userLeft(room, ghost.username)),
    ]);
    const carol = await api.signUp('carol');
    const carolJoined = await join(await connect(carol), room);

    expect(ack).toMatchObject({ type: 'ack', messageId: expect.any(String) });
    expect(delivered).toMatchObject({ messageId: ack.messageId, from: alice.username });
    expect(notices).toEqual([
      { type: 'user_left', room, username: ghost.username },
      { type: 'user_left', room, username: ghost.username },
    ]);
    expect(carolJoined.members).toEqual([alice.username, bob.username, carol.username].sort());
  });
});

describe('a frame over 128 KB', () => {
  it('closes the connection with 1009 and its user leaves the room', async () => {
    const { bob, room, aliceSocket, bobSocket } = await aliceAndBobInRoom();

    bobSocket.send(JSON.stringify({ action: 'message', room, text: 'x'.repeat(128 * 1024) }));
    const code = await bobSocket.closed;
    const notice = await aliceSocket.next(userLeft(room, bob.username));

    expect(code).toBe(1009);
    expect(notice).toEqual({ type: 'user_left', room, username: bob.username });
  });

  it('does not close for a large frame under the limit: INVALID_MESSAGE, and the connection stays open', async () => {
    const alice = await api.signUp('alice');
    const room = await newRoom(alice);
    const socket = await connect(alice);
    await join(socket, room);

    const reply = await roundTrip(socket, { action: 'message', room, text: 'x'.repeat(120_000) }, () => true);

    expect(reply).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE', action: 'message' });
    await expectStillServing(socket);
  });
});

describe('presence frames', () => {
  it("never carry a user's email", async () => {
    const { bob, room, aliceSocket, bobSocket } = await aliceAndBobInRoom();
    await leave(bobSocket, room);
    await aliceSocket.next(userLeft(room, bob.username));
    const roomList = await api.call('GET', '/rooms', { token: bob.token });

    const seen = JSON.stringify([aliceSocket.frames, bobSocket.frames, roomList.body]);

    expect(seen).not.toContain('@example.com');
    expect(seen).not.toContain('"email"');
  });
});
