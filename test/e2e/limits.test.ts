/**
 * Per-user rates and quotas over real HTTP and WebSocket (docs/PROTOCOL.md, "Limits and quotas"), on a stack
 * with small limits so that they are reached in a few requests: each user has budgets of their own, a request
 * over one is refused with 429 / an error frame that says when to come back, and nothing it asked for happens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, expectErrorFrame } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, realtimeHarness, userJoined } from '../support/realtime.ts';
import { eventually, type Frame, TestSocket } from '../support/ws-client.ts';

const MESSAGE_BURST = 3;
const JOIN_BURST = 6;
// Every rate refills at one a minute: within a test the burst is all there is, however slow the machine. The
// refill itself, and the wait a refusal names, are proven at chosen instants in test/integration/rate-buckets.
const stack = await startTestStack({
  limits: {
    rates: {
      message: { perMinute: 1, burst: MESSAGE_BURST },
      join: { perMinute: 1, burst: JOIN_BURST },
      roomCreation: { perMinute: 1, burst: 2 },
      conversationOpen: { perMinute: 1, burst: 2 },
    },
    connectionsPerUser: 2,
    roomsPerConnection: 2,
  },
});
afterAll(() => stack.stop());
const { api, connect, connectEach, ask, join, leave, newRoom, pingPong } = realtimeHarness(stack);

const post = (token: string, path: string, text: string) => api.call('POST', path, { token, body: { text } });

/** A 429 RATE_LIMITED in the contract's shape, whose `Retry-After` is its `retryAfterMs` in whole seconds. */
function expectRateLimited(response: Awaited<ReturnType<typeof api.call>>, maxWaitMs: number): number {
  expectError(response, 429, 'RATE_LIMITED');
  const wait = response.body.retryAfterMs as number;
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(maxWaitMs);
  expect(response.headers.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
  return wait;
}

function expectRateLimitedFrame(frame: Frame, action: string, maxWaitMs: number): void {
  expectErrorFrame(frame, action);
  expect(frame).toMatchObject({ type: 'error', code: 'RATE_LIMITED', action });
  expect(frame.retryAfterMs).toBeGreaterThan(0);
  expect(frame.retryAfterMs).toBeLessThanOrEqual(maxWaitMs);
}

describe('messages: one bucket per user, across both APIs, rooms and conversations', () => {
  it('refuses the sender over their rate, stores and delivers nothing of it, and slows nobody else', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await newRoom(alice);
    const conversation = await api.openConversation(alice, bob.username);
    const [aliceSocket, bobSocket] = await connectEach(alice, bob);
    await join(aliceSocket, room);
    await join(bobSocket, room);

    // Three in all, over HTTP to the room, to the conversation and over the socket: the burst is spent.
    expect((await post(alice.token, `/rooms/${room}/messages`, 'one')).status).toBe(201);
    expect(
      (await post(alice.token, `/conversations/${conversation.conversationId}/messages`, 'two')).status,
    ).toBe(201);
    expect(await ask(aliceSocket, { action: 'message', room, text: 'three' }, 'ack')).toMatchObject({
      type: 'ack',
    });

    expectRateLimited(await post(alice.token, `/rooms/${room}/messages`, 'over http'), 60_000);
    expectRateLimited(
      await post(alice.token, `/conversations/${conversation.conversationId}/messages`, 'dm'),
      60_000,
    );
    const refused = await ask(
      aliceSocket,
      { action: 'message', room, text: 'over the socket', clientMessageId: 'refused-1' },
      'ack',
    );
    expectRateLimitedFrame(refused, 'message', 60_000);
    expect(refused.clientMessageId).toBe('refused-1');

    // Bob's budget is his own: he is not slowed at all. His acks come after anything the refused requests
    // could have posted to him (they were answered before he sent).
    for (let index = 0; index < MESSAGE_BURST; index++) {
      const ack = await ask(bobSocket, { action: 'message', room, text: `bob ${index}` }, 'ack');
      expect(ack.type, JSON.stringify(ack)).toBe('ack');
    }
    const history = await api.roomHistory(room, bob);
    expect(history.map((message: Frame) => message.text)).toEqual([
      'one',
      'three',
      'bob 0',
      'bob 1',
      'bob 2',
    ]);
    const fromAlice = bobSocket.frames.filter(
      (frame) => frame.type === 'message' && frame.from === alice.username,
    );
    expect(fromAlice.map((frame) => frame.text).sort()).toEqual(['one', 'three', 'two']);
    const direct = await api.conversationHistory(conversation.conversationId, bob);
    expect(direct.map((message: Frame) => message.text)).toEqual(['two']);
  });
});

describe('room creations and conversation opens', () => {
  it('are limited per user: the refused room does not exist and the refused conversation is not opened', async () => {
    const [carol, dave, erin, frank] = await api.signUpEach('carol', 'dave', 'erin', 'frank');
    await newRoom(carol);
    await newRoom(carol);
    const name = `refused-${Date.now()}`;
    expectRateLimited(await api.call('POST', '/rooms', { token: carol.token, body: { name } }), 60_000);
    expectError(
      await api.call('GET', `/rooms/${name}/messages`, { token: carol.token }),
      404,
      'ROOM_NOT_FOUND',
    );
    // Another user creates rooms as before.
    await newRoom(dave);

    await api.openConversation(carol, dave.username);
    await api.openConversation(carol, erin.username);
    expectRateLimited(await api.requestConversation(carol, frank.username), 60_000);
    expect((await api.listConversations(carol)).conversations).toHaveLength(2);
    expect((await api.listConversations(frank)).conversations).toHaveLength(0);
    // Frank may still open the one Carol could not.
    await api.openConversation(frank, carol.username);
  });
});

describe('joins', () => {
  it('are limited per user across their connections; a refused join joins nothing and tells no one', async () => {
    const [gina, owner, other, watcher] = await api.signUpEach('gina', 'owner', 'other', 'watcher');
    const [first, second] = [await newRoom(owner), await newRoom(owner)];
    const third = await newRoom(other);
    const watcherSocket = await connect(watcher);
    await join(watcherSocket, third);
    const [one, two] = await connectEach(gina, gina);
    // Six joins, re-joins included, each connection within its quota of two rooms.
    for (const [socket, room] of [
      [one, first],
      [two, second],
      [one, second],
      [two, first],
      [one, first],
      [two, second],
    ] as const) {
      await join(socket, room);
    }

    const refused = await ask(two, { action: 'join', room: third }, 'joined');
    expectRateLimitedFrame(refused, 'join', 60_000);
    // Gina did not become a member: she cannot post there, and the watcher heard of no one (an announcement
    // is posted before the error frame, and the pong after anything posted before it).
    const reply = await ask(two, { action: 'message', room: third, text: 'hello?' }, 'ack');
    expect(reply).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
    await pingPong(watcherSocket);
    expect(count(watcherSocket, userJoined(third, gina.username))).toBe(0);
  });
});

describe('rooms per connection', () => {
  it('refuses a join over the quota with QUOTA_EXCEEDED, takes a room already joined, and frees a place on leave', async () => {
    const [hal, owner] = await api.signUpEach('hal', 'owner');
    const rooms = [await newRoom(owner), await newRoom(owner), await newRoom(hal)];
    const socket = await connect(hal);
    await join(socket, rooms[0] as string);
    await join(socket, rooms[1] as string);

    const refused = await ask(socket, { action: 'join', room: rooms[2] }, 'joined');
    expectErrorFrame(refused);
    expect(refused).toMatchObject({ type: 'error', code: 'QUOTA_EXCEEDED', action: 'join' });
    // Joining a room it is already in is no new room.
    await join(socket, rooms[1] as string);
    await leave(socket, rooms[0] as string);
    await join(socket, rooms[2] as string);
    // The quota is per connection: another connection of the same user has its own.
    const otherDevice = await connect(hal);
    await join(otherDevice, rooms[0] as string);
  });
});

describe('connections per user', () => {
  it('refuses the handshake over the quota with HTTP 429, for that user only, until one closes', async () => {
    const [ivy, jack] = await api.signUpEach('ivy', 'jack');
    const [first] = await connectEach(ivy, ivy);
    const refusal = await TestSocket.open(stack.wsUrl, { token: ivy.token }).then(
      (socket) => socket.close().then(() => ({ status: 101 })),
      (error: { status?: number }) => error,
    );
    expect(refusal.status).toBe(429);
    await connect(jack);

    await (first as TestSocket).close();
    // `$disconnect` and the index that counts connections both follow the close a moment later.
    await eventually(() =>
      TestSocket.open(stack.wsUrl, { token: ivy.token }).then(
        (socket) => socket.close().then(() => true),
        () => false,
      ),
    );
  });
});
