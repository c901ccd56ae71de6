/**
 * The authorisation matrix: a signed-in user who is not a participant gets the same 404 for a conversation
 * that exists as for one that does not, on every conversation route and on the socket, and nothing of it
 * reaches anyone; a connection posts only to rooms that connection joined; and no response or frame carries
 * another user's email. Emails are unrelated to usernames here, so that finding one is a real leak.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signUpWith, type User, uniqueRoomName } from '../support/accounts.ts';
import { expectContractError, expectErrorFrame } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness } from '../support/realtime.ts';
import type { Frame, TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const harness = realtimeHarness(stack, { socketsLast: 'file' });
const { api } = harness;

/** Every response body and frame each user saw, for the email check at the end. */
const seen = new Map<string, string[]>();
const record = (user: User, text: string) =>
  seen.set(user.username, [...(seen.get(user.username) ?? []), text]);

async function call(user: User | undefined, method: string, path: string, body?: unknown) {
  const response = await api.call(method, path, { token: user?.token, body });
  if (user !== undefined) record(user, JSON.stringify(response.body));
  return response;
}

/** Signs up, recording the register and login answers as the new user's own. */
async function signUp(prefix: string): Promise<User> {
  const answers: string[] = [];
  const user = await signUpWith(async (routeKey, body) => {
    const response = await api.callRoute(routeKey, { body });
    answers.push(JSON.stringify(response.body));
    return response;
  }, prefix);
  for (const answer of answers) record(user, answer);
  return user;
}

/** A socket whose every frame is recorded as seen by `user`. */
async function connect(user: User): Promise<TestSocket> {
  const socket = await harness.connect(user);
  socket.ws.on('message', (data) => record(user, data.toString()));
  return socket;
}

const alice = await signUp('alice');
const bob = await signUp('bob');
const mallory = await signUp('mallory');

const opened = await call(alice, 'POST', '/conversations', { peer: bob.username });
const conversationId: string = opened.body.conversation.conversationId;
const first = await call(alice, 'POST', `/conversations/${conversationId}/messages`, {
  text: 'for bob only',
  clientMessageId: 'shared-id',
});
const firstId: string = first.body.message.messageId;
/** An id of the right shape that names no conversation. */
const unknownId = `c_${'A'.repeat(22)}`;

const aliceSocket = await connect(alice);
const bobSocket = await connect(bob);
const mallorySocket = await connect(mallory);

const messages = (socket: TestSocket) => socket.ofType('message');

async function historyIds(user: User, path: string): Promise<string[]> {
  const response = await call(user, 'GET', path);
  expect(response.status).toBe(200);
  return response.body.messages.map((message: Json) => message.messageId);
}

describe('a non-participant of a conversation', () => {
  it.each([
    ['GET', '/messages', undefined],
    ['GET', '/messages?limit=1', undefined],
    ['GET', '/messages?before=', 'cursor'],
    ['POST', '/messages', { text: 'let me in' }],
    ['POST', '/messages', { text: 'replaying a participant id', clientMessageId: 'shared-id' }],
  ])('gets the 404 of a conversation that does not exist: %s %s', async (method, suffix, body) => {
    const tail = body === 'cursor' ? `${suffix}${Buffer.from(firstId).toString('base64url')}` : suffix;
    const payload = body === 'cursor' ? undefined : body;

    const existing = await call(mallory, method, `/conversations/${conversationId}${tail}`, payload);
    const missing = await call(mallory, method, `/conversations/${unknownId}${tail}`, payload);

    expect(existing.status).toBe(404);
    expectContractError(existing);
    expect(existing.body.code).toBe('CONVERSATION_NOT_FOUND');
    expect(existing.body).toEqual(missing.body);
    expect(JSON.stringify(existing.body)).not.toContain(conversationId);
  });

  it('does not see it in GET /conversations', async () => {
    const list = await call(mallory, 'GET', '/conversations');

    expect(list.status).toBe(200);
    expect(list.body.conversations.map((conversation: Json) => conversation.conversationId)).not.toContain(
      conversationId,
    );
  });

  it('gets the CONVERSATION_NOT_FOUND frame of a conversation that does not exist on the socket', async () => {
    const existing = await mallorySocket.request(
      { action: 'message', conversationId, text: 'let me in', clientMessageId: 'shared-id' },
      'ack',
    );
    const missing = await mallorySocket.request(
      { action: 'message', conversationId: unknownId, text: 'let me in', clientMessageId: 'shared-id' },
      'ack',
    );

    expectErrorFrame(existing);
    expect(existing.code).toBe('CONVERSATION_NOT_FOUND');
    expect(existing).toEqual(missing);
  });

  it('stored and delivered nothing: the participants see only their own messages', async () => {
    // Barrier: a participant's message over HTTP returns after its fan-out, so anything earlier has arrived.
    const barrier = await call(bob, 'POST', `/conversations/${conversationId}/messages`, { text: 'barrier' });
    await aliceSocket.next(
      (frame) => frame.type === 'message' && frame.messageId === barrier.body.message.messageId,
    );

    expect(await historyIds(alice, `/conversations/${conversationId}/messages`)).toEqual([
      firstId,
      barrier.body.message.messageId,
    ]);
    for (const socket of [aliceSocket, bobSocket]) {
      expect(messages(socket).filter((frame) => frame.from === mallory.username)).toEqual([]);
    }
  });

  it('opening a conversation with a participant gives a conversation of its own', async () => {
    const own = await call(mallory, 'POST', '/conversations', { peer: alice.username });

    expect(own.status).toBe(201);
    expect(own.body.conversation.conversationId).not.toBe(conversationId);
    expect(own.body.conversation.lastMessage).toBeNull();
  });
});

describe('every conversation route without a token', () => {
  it.each([
    ['POST', '/conversations'],
    ['GET', '/conversations'],
    ['GET', `/conversations/{id}/messages`],
    ['POST', `/conversations/{id}/messages`],
  ])('%s %s answers 401', async (method, path) => {
    const body = method === 'POST' ? { text: 'x', peer: alice.username } : undefined;
    const response = await call(undefined, method, path.replace('{id}', conversationId), body);

    expect(response.status).toBe(401);
    expectContractError(response);
  });
});

describe('posting to rooms over the socket', () => {
  const room = uniqueRoomName('authz');

  it('is refused with NOT_IN_ROOM to a connection that has not joined, and reaches nobody', async () => {
    expect((await call(alice, 'POST', '/rooms', { name: room })).status).toBe(201);
    expect((await aliceSocket.request({ action: 'join', room }, 'joined')).type).toBe('joined');

    const refused = await mallorySocket.request(
      { action: 'message', room, text: 'not a member', clientMessageId: 'm1' },
      'ack',
    );

    expectErrorFrame(refused);
    expect(refused).toMatchObject({ code: 'NOT_IN_ROOM', clientMessageId: 'm1' });
  });

  it('is refused to a second connection of a user whose first connection joined', async () => {
    expect((await mallorySocket.request({ action: 'join', room }, 'joined')).type).toBe('joined');
    const second = await connect(mallory);

    const refused = await second.request({ action: 'message', room, text: 'other device' }, 'ack');

    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
  });

  it('is refused after the connection left the room', async () => {
    expect((await mallorySocket.request({ action: 'leave', room }, 'left')).type).toBe('left');

    const refused = await mallorySocket.request({ action: 'message', room, text: 'after leaving' }, 'ack');

    expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
  });

  it('is refused for a room that does not exist', async () => {
    const refused = await mallorySocket.request(
      { action: 'message', room: `no-${room}`, text: 'hello?' },
      'ack',
    );

    expectErrorFrame(refused);
    expect(['NOT_IN_ROOM', 'ROOM_NOT_FOUND']).toContain(refused.code);
  });

  it('stored none of the refused messages and delivered none; a joined connection posts normally', async () => {
    expect((await mallorySocket.request({ action: 'join', room }, 'joined')).type).toBe('joined');
    const ack = await mallorySocket.request({ action: 'message', room, text: 'now a member' }, 'ack');
    expect(ack.type).toBe('ack');
    await aliceSocket.next((frame: Frame) => frame.type === 'message' && frame.messageId === ack.messageId);

    expect(await historyIds(alice, `/rooms/${room}/messages`)).toEqual([ack.messageId]);
    expect(messages(aliceSocket).filter((frame) => frame.room === room)).toHaveLength(1);
  });
});

describe('emails', () => {
  it('appear in no response or frame but their owner’s', async () => {
    // Exercise the routes that return users, usernames or messages once more, for everyone.
    for (const user of [alice, bob, mallory]) {
      expect((await call(user, 'GET', '/auth/me')).body.user.email).toBe(user.email);
      await call(user, 'GET', '/rooms');
      await call(user, 'GET', '/conversations');
    }
    await call(bob, 'GET', `/conversations/${conversationId}/messages`);
    await call(mallory, 'POST', '/conversations', { peer: bob.username });
    const users = [alice, bob, mallory];

    for (const viewer of users) {
      const texts = seen.get(viewer.username) ?? [];
      expect(texts.length).toBeGreaterThan(3);
      for (const other of users.filter((user) => user !== viewer)) {
        expect(texts.filter((text) => text.toLowerCase().includes(other.email.toLowerCase()))).toEqual([]);
      }
      expect(texts.filter((text) => /passwordHash|\$2[aby]\$/.test(text))).toEqual([]);
    }
  });
});
