import { afterAll, describe, expect, it } from 'vitest';
import { aMessage, errorFrame, ISO_TIME } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, messageWithId, realtimeHarness } from '../support/realtime.ts';
import { eventually, type Frame } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const {
  api,
  connect,
  connectEach,
  ask,
  join,
  pingPong,
  newRoom,
  roomHistory,
  messageBarrier,
  expectStillServing,
} = realtimeHarness(stack);

/** A room with alice on two devices, bob on one, and carol connected but in another room. */
async function busyRoom() {
  const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
  const room = await newRoom(alice, 'talk');
  const elsewhere = await newRoom(carol);
  const [alicePhone, aliceLaptop, bobSocket, carolSocket] = await connectEach(alice, alice, bob, carol);
  for (const socket of [alicePhone, aliceLaptop, bobSocket]) await join(socket, room);
  await join(carolSocket, elsewhere);
  return { alice, bob, carol, room, alicePhone, aliceLaptop, bobSocket, carolSocket };
}

describe('message to a room over the socket', () => {
  it("acknowledges the sender and delivers to every other connection in the room, the sender's other device included", async () => {
    const { alice, room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();

    const ack = await ask(
      alicePhone,
      { action: 'message', room, text: 'hello room', clientMessageId: 'm-1' },
      'ack',
    );
    const [onLaptop, onBob] = await Promise.all([
      aliceLaptop.next(messageWithId(ack.messageId)),
      bobSocket.next(messageWithId(ack.messageId)),
    ]);

    expect(ack).toEqual({
      type: 'ack',
      messageId: expect.any(String),
      sentAt: expect.stringMatching(ISO_TIME),
      clientMessageId: 'm-1',
    });
    const expected = {
      type: 'message',
      messageId: ack.messageId,
      room,
      from: alice.username,
      text: 'hello room',
      sentAt: ack.sentAt,
      clientMessageId: 'm-1',
    };
    expect(onLaptop).toEqual(expected);
    expect(onBob).toEqual(expected);
  });

  it('acknowledges without a clientMessageId when none was given', async () => {
    const { alice, room, alicePhone, bobSocket } = await busyRoom();

    const ack = await ask(alicePhone, { action: 'message', room, text: 'no id' }, 'ack');
    const delivered = await bobSocket.next(messageWithId(ack.messageId));

    expect(ack).toStrictEqual({
      type: 'ack',
      messageId: expect.any(String),
      sentAt: expect.stringMatching(ISO_TIME),
    });
    expect(delivered).toStrictEqual({
      type: 'message',
      messageId: ack.messageId,
      room,
      from: alice.username,
      text: 'no id',
      sentAt: ack.sentAt,
    });
  });

  it('does not send the message frame back to the sending connection', async () => {
    const { room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();

    const ack = await ask(alicePhone, { action: 'message', room, text: 'not to myself' }, 'ack');
    await messageBarrier(bobSocket, { room }, [alicePhone, aliceLaptop]);

    expect(count(alicePhone, messageWithId(ack.messageId))).toBe(0);
    expect(count(aliceLaptop, messageWithId(ack.messageId))).toBe(1);
  });

  it('delivers nothing to connections that are not in the room', async () => {
    const { room, alicePhone, aliceLaptop, bobSocket, carolSocket } = await busyRoom();

    const ack = await ask(alicePhone, { action: 'message', room, text: 'members only' }, 'ack');
    await messageBarrier(alicePhone, { room }, [aliceLaptop, bobSocket]);
    await pingPong(carolSocket);

    expect(count(bobSocket, messageWithId(ack.messageId))).toBe(1);
    expect(carolSocket.ofType('message')).toEqual([]);
  });

  it('keeps every acknowledged message in the history, in send order', async () => {
    const { alice, bob, room, alicePhone, bobSocket } = await busyRoom();

    const acks: Frame[] = [];
    for (const [socket, text] of [
      [alicePhone, 'one'],
      [bobSocket, 'two'],
      [alicePhone, 'three'],
    ] as const) {
      acks.push(await ask(socket, { action: 'message', room, text }, 'ack'));
    }
    const history = await roomHistory(room, bob);

    expect(history).toEqual([
      { messageId: acks[0]?.messageId, room, from: alice.username, text: 'one', sentAt: acks[0]?.sentAt },
      { messageId: acks[1]?.messageId, room, from: bob.username, text: 'two', sentAt: acks[1]?.sentAt },
      { messageId: acks[2]?.messageId, room, from: alice.username, text: 'three', sentAt: acks[2]?.sentAt },
    ]);
    const ids = acks.map((ack) => ack.messageId as string);
    expect([...ids].sort()).toEqual(ids);
  });

  it('accepts the room name in any case and delivers under the lower-cased name', async () => {
    const { alice, room, alicePhone, bobSocket } = await busyRoom();

    const ack = await ask(alicePhone, { action: 'message', room: room.toUpperCase(), text: 'LOUD' }, 'ack');
    const delivered = await bobSocket.next(messageWithId(ack.messageId));

    expect(ack.type).toBe('ack');
    expect(delivered).toMatchObject({ room, from: alice.username, text: 'LOUD' });
  });

  it('accepts a text of exactly 4000 characters', async () => {
    const { room, alicePhone, bobSocket } = await busyRoom();
    const text = 'y'.repeat(4000);

    const ack = await ask(alicePhone, { action: 'message', room, text }, 'ack');
    const delivered = await bobSocket.next(messageWithId(ack.messageId));

    expect(ack.type).toBe('ack');
    expect(delivered.text).toBe(text);
  });
});

describe('message to a room this connection has not joined', () => {
  it('answers NOT_IN_ROOM, stores and delivers nothing, and keeps the connection open', async () => {
    const { room, bob, alicePhone, aliceLaptop, bobSocket, carolSocket } = await busyRoom();

    const refused = await ask(
      carolSocket,
      { action: 'message', room, text: 'let me in', clientMessageId: 'knock-1' },
      'ack',
    );
    await pingPong(carolSocket);
    await messageBarrier(alicePhone, { room }, [aliceLaptop, bobSocket]);
    const history = await roomHistory(room, bob);

    expect(refused).toEqual(errorFrame('NOT_IN_ROOM', 'message', { clientMessageId: 'knock-1' }));
    expect(carolSocket.closeCode).toBeUndefined();
    expect(history.map((message) => message.text)).toEqual(['barrier']);
    expect(bobSocket.ofType('message').map((frame) => frame.text)).toEqual(['barrier']);
  });

  it('answers NOT_IN_ROOM when only another connection of the same user has joined', async () => {
    const alice = await api.signUp('alice');
    const room = await newRoom(alice, 'talk');
    const [phone, laptop] = await connectEach(alice, alice);
    await join(phone, room);

    const refused = await ask(laptop, { action: 'message', room, text: 'from the laptop' }, 'ack');

    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM', action: 'message' });
  });
});

describe('frames the server cannot serve', () => {
  it('answers ping with pong', async () => {
    const alice = await api.signUp('alice');
    const socket = await connect(alice);

    const reply = await ask(socket, { action: 'ping' }, 'pong');

    expect(reply).toStrictEqual({ type: 'pong' });
  });

  // A room is joined first, so that a refused message frame is refused for its shape, not for NOT_IN_ROOM.
  const invalid: [string, (room: string) => unknown][] = [
    ['a frame that is not JSON', () => 'hello there'],
    ['a JSON array', () => '[{"action":"ping"}]'],
    ['a JSON string', () => '"ping"'],
    ['JSON without an action', (room) => ({ room, text: 'hi' })],
    ['an action that is not a string', () => ({ action: 42 })],
    ['a message without text', (room) => ({ action: 'message', room })],
    ['a message with empty text', (room) => ({ action: 'message', room, text: '' })],
    ['a message of white space only', (room) => ({ action: 'message', room, text: ' \n\t  ' })],
    ['a message of 4001 characters', (room) => ({ action: 'message', room, text: 'z'.repeat(4001) })],
    ['a message with text that is not a string', (room) => ({ action: 'message', room, text: 7 })],
    [
      'a message with both room and conversationId',
      (room) => ({ action: 'message', room, conversationId: 'c_AAAAAAAAAAAAAAAAAAAAAA', text: 'hi' }),
    ],
    ['a message with neither room nor conversationId', () => ({ action: 'message', text: 'hi' })],
    [
      'a message with an invalid clientMessageId',
      (room) => ({ action: 'message', room, text: 'hi', clientMessageId: 'has spaces' }),
    ],
    ['a leave without a room', () => ({ action: 'leave' })],
  ];

  it.each(invalid)('answers INVALID_MESSAGE to %s and keeps the connection open', async (_, frame) => {
    const alice = await api.signUp('alice');
    const room = await newRoom(alice, 'talk');
    const socket = await connect(alice);
    await join(socket, room);

    const reply = await ask(socket, frame(room), 'ack');

    expect(reply).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE', message: expect.any(String) });
    await expectStillServing(socket);
  });

  it('answers UNKNOWN_ACTION with the action echoed and keeps the connection open', async () => {
    const alice = await api.signUp('alice');
    const socket = await connect(alice);

    const reply = await ask(socket, { action: 'dance', room: 'general' }, 'ack');

    expect(reply).toEqual(errorFrame('UNKNOWN_ACTION', 'dance'));
    await expectStillServing(socket);
  });

  it.each([
    ['INVALID_MESSAGE', 'message', (joined: string) => ({ action: 'message', room: joined, text: '   ' })],
    ['UNKNOWN_ACTION', 'shout', (joined: string) => ({ action: 'shout', room: joined, text: 'hi' })],
    ['ROOM_NOT_FOUND', 'join', () => ({ action: 'join', room: 'nowhere-to-be-found' })],
    [
      'NOT_IN_ROOM',
      'message',
      (_: string, other: string) => ({ action: 'message', room: other, text: 'hi' }),
    ],
  ])('echoes the clientMessageId in a %s error frame', async (code, action, frame) => {
    const alice = await api.signUp('alice');
    const joined = await newRoom(alice);
    const other = await newRoom(alice);
    const socket = await connect(alice);
    await join(socket, joined);

    const reply = await ask(socket, { ...frame(joined, other), clientMessageId: 'echo-me_1' }, 'ack');

    expect(reply).toEqual(errorFrame(code, action, { clientMessageId: 'echo-me_1' }));
    await expectStillServing(socket);
  });
});

describe('clientMessageId retries in a room', () => {
  it('acknowledges a repeat over the socket with the first message, delivered and stored once', async () => {
    const { bob, room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();
    const frame = { action: 'message', room, text: 'only once', clientMessageId: 'retry-1' };

    const first = await ask(alicePhone, frame, 'ack');
    await bobSocket.next(messageWithId(first.messageId));
    const second = await ask(alicePhone, frame, 'ack');
    await messageBarrier(alicePhone, { room }, [aliceLaptop, bobSocket]);
    const history = await roomHistory(room, bob);

    expect(second).toEqual(first);
    expect(count(bobSocket, messageWithId(first.messageId))).toBe(1);
    expect(count(aliceLaptop, messageWithId(first.messageId))).toBe(1);
    expect(history.filter((message) => message.clientMessageId === 'retry-1')).toEqual([
      expect.objectContaining({ messageId: first.messageId, text: 'only once' }),
    ]);
  });

  it('stores and delivers one message when the same clientMessageId is sent 5 times at once', async () => {
    const { bob, room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();
    const frame = { action: 'message', room, text: 'impatient', clientMessageId: 'burst-1' };

    for (let i = 0; i < 5; i++) alicePhone.send(frame);
    await eventually(
      () => alicePhone.frames.filter((reply) => reply.type === 'ack' || reply.type === 'error').length === 5,
    );
    const answers = alicePhone.frames.filter((reply) => reply.type === 'ack' || reply.type === 'error');
    await messageBarrier(alicePhone, { room }, [aliceLaptop, bobSocket]);
    const history = await roomHistory(room, bob);

    expect(answers.map((answer) => answer.type)).toEqual(['ack', 'ack', 'ack', 'ack', 'ack']);
    expect(new Set(answers.map((answer) => answer.messageId)).size).toBe(1);
    expect(count(bobSocket, (f) => f.type === 'message' && f.clientMessageId === 'burst-1')).toBe(1);
    expect(count(aliceLaptop, (f) => f.type === 'message' && f.clientMessageId === 'burst-1')).toBe(1);
    expect(history.filter((message) => message.clientMessageId === 'burst-1')).toHaveLength(1);
  });

  it('answers a repeat over HTTP with 200 and the first message, stored and pushed once', async () => {
    const { alice, bob, room, alicePhone, bobSocket } = await busyRoom();
    const body = { text: 'posted twice', clientMessageId: 'http-retry-1' };

    const first = await api.call('POST', `/rooms/${room}/messages`, { token: alice.token, body });
    await bobSocket.next(messageWithId(first.body.message.messageId));
    const second = await api.call('POST', `/rooms/${room}/messages`, { token: alice.token, body });
    await messageBarrier(alicePhone, { room }, [bobSocket]);
    const history = await roomHistory(room, bob);

    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      message: aMessage({
        room,
        from: alice.username,
        text: 'posted twice',
        clientMessageId: 'http-retry-1',
      }),
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(count(bobSocket, messageWithId(first.body.message.messageId))).toBe(1);
    expect(history.filter((message) => message.clientMessageId === 'http-retry-1')).toHaveLength(1);
  });

  it('answers 5 concurrent HTTP posts of one clientMessageId with one 201 and four 200 of one message', async () => {
    const { alice, bob, room, alicePhone, bobSocket } = await busyRoom();
    const body = { text: 'posted at once', clientMessageId: 'http-burst-1' };

    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.call('POST', `/rooms/${room}/messages`, { token: alice.token, body }),
      ),
    );
    await messageBarrier(alicePhone, { room }, [bobSocket]);
    const history = await roomHistory(room, bob);

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(count(bobSocket, (f) => f.type === 'message' && f.clientMessageId === 'http-burst-1')).toBe(1);
    expect(history.filter((message) => message.clientMessageId === 'http-burst-1')).toHaveLength(1);
  });

  it('answers an HTTP repeat of a clientMessageId first sent over the socket with the same message', async () => {
    const { alice, room, alicePhone } = await busyRoom();

    const ack = await ask(
      alicePhone,
      { action: 'message', room, text: 'both ways', clientMessageId: 'x-1' },
      'ack',
    );
    const repeat = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'both ways', clientMessageId: 'x-1' },
    });

    expect(repeat.status).toBe(200);
    expect(repeat.body.message).toMatchObject({ messageId: ack.messageId, sentAt: ack.sentAt });
  });

  it('keeps the same clientMessageId of different users apart', async () => {
    const { alice, bob, room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();
    const frame = { action: 'message', room, text: 'same id', clientMessageId: 'shared-1' };

    const fromAlice = await ask(alicePhone, frame, 'ack');
    const fromBob = await ask(bobSocket, frame, 'ack');
    await Promise.all([
      bobSocket.next(messageWithId(fromAlice.messageId)),
      aliceLaptop.next(messageWithId(fromBob.messageId)),
      alicePhone.next(messageWithId(fromBob.messageId)),
    ]);
    const history = await roomHistory(room, alice);

    expect(fromBob.messageId).not.toBe(fromAlice.messageId);
    expect(history.filter((message) => message.clientMessageId === 'shared-1').map((m) => m.from)).toEqual([
      alice.username,
      bob.username,
    ]);
  });

  it('keeps the same clientMessageId of one user in two rooms apart', async () => {
    const alice = await api.signUp('alice');
    const first = await newRoom(alice);
    const second = await newRoom(alice);
    const socket = await connect(alice);
    await join(socket, first);
    await join(socket, second);

    const inFirst = await ask(
      socket,
      { action: 'message', room: first, text: 'a', clientMessageId: 'r-1' },
      'ack',
    );
    const inSecond = await ask(
      socket,
      { action: 'message', room: second, text: 'b', clientMessageId: 'r-1' },
      'ack',
    );

    expect(inSecond.messageId).not.toBe(inFirst.messageId);
    expect((await roomHistory(second, alice)).map((message) => message.text)).toEqual(['b']);
  });
});

describe('a message posted over HTTP', () => {
  it("is pushed live to every connection in the room, the poster's own included, and to no other", async () => {
    const { alice, room, alicePhone, aliceLaptop, bobSocket, carolSocket } = await busyRoom();

    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'from the web' },
    });
    const pushed = await Promise.all(
      [alicePhone, aliceLaptop, bobSocket].map((socket) =>
        socket.next(messageWithId(posted.body.message.messageId)),
      ),
    );
    await pingPong(carolSocket);

    expect(posted.status).toBe(201);
    for (const frame of pushed) expect(frame).toEqual({ type: 'message', ...posted.body.message });
    expect(carolSocket.ofType('message')).toEqual([]);
  });

  it('answers 404 ROOM_NOT_FOUND for a room that does not exist', async () => {
    const alice = await api.signUp('alice');

    const response = await api.call('POST', '/rooms/no-such-room-at-all/messages', {
      token: alice.token,
      body: { text: 'hello?' },
    });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'ROOM_NOT_FOUND', message: expect.any(String) });
  });
});

describe('room messages', () => {
  it("never carry a user's email, live or in the history", async () => {
    const { alice, bob, room, alicePhone, aliceLaptop, bobSocket } = await busyRoom();
    await ask(alicePhone, { action: 'message', room, text: 'hi' }, 'ack');
    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: bob.token,
      body: { text: 'yo' },
    });
    await aliceLaptop.next(messageWithId(posted.body.message.messageId));

    const seen = JSON.stringify([
      alicePhone.frames,
      aliceLaptop.frames,
      bobSocket.frames,
      posted.body,
      await roomHistory(room, alice),
    ]);

    expect(seen).not.toContain('@example.com');
    expect(seen).not.toContain('"email"');
  });
});
