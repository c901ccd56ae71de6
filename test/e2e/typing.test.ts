/**
 * Typing notices over real WebSocket connections, through the local stack: relayed to the others (never to the
 * sender's own connections), never stored, at most one per user and target every 2 seconds.
 */
import { describe, expect, it } from 'vitest';
import { limits } from '../../lib/contract/index.ts';
import { errorFrame } from '../support/contract.ts';
import { startRealtimeTestStack } from '../support/realtime.ts';
import { type Frame, sleep } from '../support/ws-client.ts';

const { harness, api } = await startRealtimeTestStack();

const typingIn = (key: 'room' | 'conversationId', value: string) => (frame: Frame) =>
  frame.type === 'typing' && frame[key] === value;

describe('typing in a room', () => {
  it('reaches the others present, not the sender’s own connections, is not stored, and is dropped within 2 s', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const room = await harness.newRoom(alice);
    const [aliceSocket, aliceOther, bobSocket] = await harness.connectEach(alice, alice, bob);
    for (const socket of [aliceSocket, aliceOther, bobSocket]) await harness.join(socket, room);

    aliceSocket.send({ action: 'typing', room });
    expect(await bobSocket.next(typingIn('room', room))).toEqual({
      type: 'typing',
      room,
      username: alice.username,
    });
    const firstAt = Date.now();
    // Repeated at once: dropped silently, no answer.
    aliceSocket.send({ action: 'typing', room });
    aliceSocket.send({ action: 'typing', room });
    // After the interval, one is relayed again. The dropped ones were handled long before it (2 s), so a
    // relayed repeat would have landed by now.
    await sleep(Math.max(0, limits.typingIntervalMs + 150 - (Date.now() - firstAt)));
    aliceSocket.send({ action: 'typing', room });
    await bobSocket.next((frame) => frame.type === 'typing' && bobSocket.ofType('typing').length === 2);
    await harness.messageBarrier(aliceSocket, { room }, [bobSocket, aliceOther]);
    expect(bobSocket.ofType('typing')).toHaveLength(2);
    expect(aliceOther.ofType('typing')).toEqual([]);
    expect(aliceSocket.ofType('typing')).toEqual([]);
    expect(aliceSocket.ofType('error')).toEqual([]);
    expect((await harness.roomHistory(room, bob)).map((message) => message.text)).toEqual(['barrier']);
  });

  it('answers NOT_IN_ROOM for a room this connection has not joined, and INVALID_MESSAGE for a bad frame', async () => {
    const alice = await api.signUp('alice');
    const room = await harness.newRoom(alice);
    const socket = await harness.connect(alice);
    const cases: [unknown, string][] = [
      [{ action: 'typing', room }, 'NOT_IN_ROOM'],
      [{ action: 'typing', room: 'no-such-room-z' }, 'NOT_IN_ROOM'],
      [{ action: 'typing' }, 'INVALID_MESSAGE'],
      [{ action: 'typing', room, conversationId: 'c_x' }, 'INVALID_MESSAGE'],
      [{ action: 'typing', room: 'Not A Room!' }, 'INVALID_MESSAGE'],
    ];
    for (const [frame, code] of cases) {
      expect(await harness.ask(socket, frame, 'never'), JSON.stringify(frame)).toMatchObject(
        errorFrame(code, 'typing'),
      );
    }
    await harness.expectStillServing(socket);
  });
});

describe('typing in a conversation', () => {
  it('reaches the other participant only, per conversation, and strangers get CONVERSATION_NOT_FOUND', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const withBob = (await api.openConversation(alice, bob.username)).conversationId;
    const withCarol = (await api.openConversation(alice, carol.username)).conversationId;
    const [aliceSocket, aliceOther, bobSocket, carolSocket] = await harness.connectEach(
      alice,
      alice,
      bob,
      carol,
    );

    aliceSocket.send({ action: 'typing', conversationId: withBob });
    expect(await bobSocket.next(typingIn('conversationId', withBob))).toEqual({
      type: 'typing',
      conversationId: withBob,
      username: alice.username,
    });
    // Another target has its own throttle.
    aliceSocket.send({ action: 'typing', conversationId: withCarol });
    await carolSocket.next(typingIn('conversationId', withCarol));
    await harness.messageBarrier(aliceSocket, { conversationId: withBob }, [bobSocket, aliceOther]);
    expect(carolSocket.ofType('typing')).toHaveLength(1);
    expect(bobSocket.ofType('typing')).toHaveLength(1);
    expect(aliceOther.ofType('typing')).toEqual([]);
    expect((await api.conversationHistory(withBob, bob)).map((message) => message.text)).toEqual(['barrier']);

    const reply = await harness.ask(carolSocket, { action: 'typing', conversationId: withBob }, 'never');
    expect(reply).toMatchObject(errorFrame('CONVERSATION_NOT_FOUND', 'typing'));
  });
});
