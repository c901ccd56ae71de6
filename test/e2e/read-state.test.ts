/**
 * Read markers, read receipts and unread counts over real HTTP and WebSocket connections, through the local
 * stack: markers move forward only (decided by the database, also under concurrent moves), a conversation's
 * other participant gets `read`, and the lists count others' messages after the marker, capped at 100.
 */
import { describe, expect, it } from 'vitest';
import { errorFrame, expectError, expectValidationError } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { VOLUME_LIMITS } from '../support/local-stack.ts';
import { startRealtimeTestStack, type User } from '../support/realtime.ts';

const { harness, api } = await startRealtimeTestStack({ limits: VOLUME_LIMITS });

async function post(path: string, user: User, text: string): Promise<Json> {
  const response = await api.call('POST', path, { token: user.token, body: { text } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.message;
}

async function conversationItem(user: User, conversationId: string): Promise<Json> {
  const { conversations } = await api.listConversations(user);
  return conversations.find((item: Json) => item.conversationId === conversationId);
}

async function myRoom(user: User, room: string): Promise<Json> {
  const response = await api.call('GET', '/me/rooms?limit=100', { token: user.token });
  expect(response.status).toBe(200);
  return response.body.rooms.find((item: Json) => item.name === room);
}

const markRead = (user: User, path: string, messageId: unknown) =>
  api.call('POST', path, { token: user.token, body: { messageId } });

async function aConversation() {
  const [alice, bob] = await api.signUpEach('alice', 'bob');
  const conversationId: string = (await api.openConversation(alice, bob.username)).conversationId;
  const messages = `/conversations/${conversationId}/messages`;
  return { alice, bob, conversationId, messages, read: `/conversations/${conversationId}/read` };
}

describe('conversation read markers', () => {
  it('count others’ messages after the marker, move forward only, and send a receipt to the other participant', async () => {
    const { alice, bob, conversationId, messages, read } = await aConversation();
    const sent: Json[] = [];
    for (const text of ['one', 'two', 'three']) sent.push(await post(messages, bob, text));
    expect(await conversationItem(alice, conversationId)).toMatchObject({
      unreadCount: 3,
      lastReadMessageId: null,
    });
    expect((await conversationItem(bob, conversationId)).unreadCount).toBe(0);
    const [bobSocket] = await harness.connectEach(bob);

    const moved = await markRead(alice, read, sent[1].messageId);
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ lastReadMessageId: sent[1].messageId });
    expect(await bobSocket.next((frame) => frame.type === 'read')).toEqual({
      type: 'read',
      conversationId,
      username: alice.username,
      messageId: sent[1].messageId,
    });
    expect(await conversationItem(alice, conversationId)).toMatchObject({
      unreadCount: 1,
      lastReadMessageId: sent[1].messageId,
    });

    // Never back: an older message leaves the marker where it is, and tells nobody.
    const back = await markRead(alice, read, sent[0].messageId);
    expect(back.body).toEqual({ lastReadMessageId: sent[1].messageId });
    await markRead(alice, read, sent[2].messageId);
    await bobSocket.next((frame) => frame.type === 'read' && frame.messageId === sent[2].messageId);
    expect(bobSocket.ofType('read').map((frame) => frame.messageId)).toEqual([
      sent[1].messageId,
      sent[2].messageId,
    ]);
    expect((await conversationItem(alice, conversationId)).unreadCount).toBe(0);
  });

  it('counts nothing before the reader’s own latest message, and caps the count at 100', async () => {
    const { alice, bob, conversationId, messages } = await aConversation();
    await post(messages, bob, 'hello');
    await post(messages, alice, 'hi back');
    expect((await conversationItem(alice, conversationId)).unreadCount).toBe(0);
    await post(messages, bob, 'how are you');
    expect((await conversationItem(alice, conversationId)).unreadCount).toBe(1);
    for (let index = 0; index < 101; index++) await post(messages, bob, `flood ${index}`);
    expect((await conversationItem(alice, conversationId)).unreadCount).toBe(100);
  });

  it('the highest of concurrent markers wins, whatever order they land in', async () => {
    const { alice, bob, conversationId, messages, read } = await aConversation();
    const sent: Json[] = [];
    for (let index = 0; index < 12; index++) sent.push(await post(messages, bob, `m${index}`));
    const shuffled = [...sent].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(shuffled.map((message) => markRead(alice, read, message.messageId)));
    for (const answer of answers) expect(answer.status).toBe(200);
    const newest = sent.at(-1).messageId;
    expect(await conversationItem(alice, conversationId)).toMatchObject({
      lastReadMessageId: newest,
      unreadCount: 0,
    });
    // Each answer is the marker after its own move: the message itself, or a newer one.
    for (const [index, answer] of answers.entries()) {
      expect(answer.body.lastReadMessageId >= shuffled[index].messageId).toBe(true);
    }
  });

  it('answers 404 for a stranger, a message of elsewhere or an unknown one, 400 for a malformed id', async () => {
    const { alice, messages, read, bob } = await aConversation();
    const other = await aConversation();
    const mine = await post(messages, alice, 'mine');
    const elsewhere = await post(other.messages, other.alice, 'elsewhere');
    const stranger = await api.signUp('stranger');
    expectError(await markRead(stranger, read, mine.messageId), 404, 'CONVERSATION_NOT_FOUND');
    expectError(
      await markRead(bob, '/conversations/c_nope/read', mine.messageId),
      404,
      'CONVERSATION_NOT_FOUND',
    );
    expectError(await markRead(bob, read, elsewhere.messageId), 404, 'MESSAGE_NOT_FOUND');
    expectError(await markRead(bob, read, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404, 'MESSAGE_NOT_FOUND');
    for (const bad of ['nope', mine.messageId.toLowerCase(), 42, null]) {
      expectValidationError(await markRead(bob, read, bad), ['messageId']);
    }
    expectValidationError(await api.call('POST', read, { token: bob.token, body: {} }), ['messageId']);
  });
});

describe('room read markers', () => {
  it('count from the join, move forward, and need membership', async () => {
    const [owner, member, outsider] = await api.signUpEach('owner', 'member', 'outsider');
    const room = await api.newRoom(owner);
    const path = `/rooms/${room}/messages`;
    const old = await post(path, owner, 'before the member joined');
    await api.call('POST', `/rooms/${room}/members`, { token: member.token });
    expect(await myRoom(member, room)).toMatchObject({ unreadCount: 0, lastReadMessageId: null });
    const sent: Json[] = [];
    for (const text of ['a', 'b', 'c']) sent.push(await post(path, owner, text));
    expect((await myRoom(member, room)).unreadCount).toBe(3);
    expect((await myRoom(owner, room)).unreadCount).toBe(0);

    const read = `/rooms/${room}/read`;
    expect((await markRead(member, read, sent[0].messageId)).body).toEqual({
      lastReadMessageId: sent[0].messageId,
    });
    expect(await myRoom(member, room)).toMatchObject({
      unreadCount: 2,
      lastReadMessageId: sent[0].messageId,
    });
    expect((await markRead(member, read, old.messageId)).body.lastReadMessageId).toBe(sent[0].messageId);
    await markRead(member, read, sent[2].messageId);
    expect((await myRoom(member, room)).unreadCount).toBe(0);

    expectError(await markRead(outsider, read, sent[0].messageId), 403, 'NOT_A_MEMBER');
    expectError(
      await markRead(member, '/rooms/no-such-room-x/read', sent[0].messageId),
      404,
      'ROOM_NOT_FOUND',
    );
    const otherRoom = await api.newRoom(owner);
    const elsewhere = await post(`/rooms/${otherRoom}/messages`, owner, 'elsewhere');
    expectError(await markRead(member, read, elsewhere.messageId), 404, 'MESSAGE_NOT_FOUND');
    expectValidationError(await markRead(member, read, 'x'), ['messageId']);
  });

  it('answers a private room’s non-member as for no room', async () => {
    const [owner, outsider] = await api.signUpEach('owner', 'outsider');
    const room = `hidden-${Date.now().toString(36)}`;
    await api.call('POST', '/rooms', { token: owner.token, body: { name: room, visibility: 'private' } });
    const message = await post(`/rooms/${room}/messages`, owner, 'secret');
    expectError(await markRead(outsider, `/rooms/${room}/read`, message.messageId), 404, 'ROOM_NOT_FOUND');
  });
});

describe('the read action on the socket', () => {
  it('moves the marker and sends the receipt; errors come back as error frames', async () => {
    const { alice, bob, conversationId, messages } = await aConversation();
    const message = await post(messages, bob, 'hello');
    const [aliceSocket, bobSocket] = await harness.connectEach(alice, bob);
    aliceSocket.send({ action: 'read', conversationId, messageId: message.messageId });
    expect(await bobSocket.next((frame) => frame.type === 'read')).toEqual({
      type: 'read',
      conversationId,
      username: alice.username,
      messageId: message.messageId,
    });
    expect((await conversationItem(alice, conversationId)).unreadCount).toBe(0);

    const room = await api.newRoom(bob);
    const roomMessage = await post(`/rooms/${room}/messages`, bob, 'room');
    const cases: [Json, string][] = [
      [{ action: 'read', conversationId: 'c_nope', messageId: message.messageId }, 'CONVERSATION_NOT_FOUND'],
      [{ action: 'read', conversationId, messageId: roomMessage.messageId }, 'MESSAGE_NOT_FOUND'],
      [{ action: 'read', room, messageId: roomMessage.messageId }, 'NOT_A_MEMBER'],
      [{ action: 'read', room: 'no-such-room-y', messageId: roomMessage.messageId }, 'ROOM_NOT_FOUND'],
      [{ action: 'read', room, conversationId, messageId: message.messageId }, 'INVALID_MESSAGE'],
      [{ action: 'read', conversationId, messageId: 'bad' }, 'INVALID_MESSAGE'],
    ];
    for (const [frame, code] of cases) {
      const reply = await harness.ask(aliceSocket, frame, 'never');
      expect(reply, JSON.stringify(frame)).toMatchObject(errorFrame(code, 'read'));
    }
    // A member marks a room read over the socket too.
    await api.call('POST', `/rooms/${room}/members`, { token: alice.token });
    const next = await post(`/rooms/${room}/messages`, bob, 'next');
    expect((await myRoom(alice, room)).unreadCount).toBe(1);
    aliceSocket.send({ action: 'read', room, messageId: next.messageId });
    await expect
      .poll(async () => (await myRoom(alice, room)).lastReadMessageId, { timeout: 5_000 })
      .toBe(next.messageId);
    expect((await myRoom(alice, room)).unreadCount).toBe(0);
    await harness.expectStillServing(aliceSocket);
  });
});
