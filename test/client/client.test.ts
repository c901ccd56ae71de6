import { createServer } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  ChatApi,
  ChatSession,
  HandshakeError,
  isChatClientError,
  type MessageFrame,
  SocketFrameError,
  type StateChange,
  UnreachableError,
} from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, PASSWORD, sessionPool, signUp, uniqueName } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

const { connect } = sessions;

/** A port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ChatApi', () => {
  const anonymous = new ChatApi({ baseUrl: stack.httpUrl });

  it('registers, logs in and reads the account back with typed results', async () => {
    const username = uniqueName('Alice');
    const user = await anonymous.register({ username, email: `${username}@example.com`, password: PASSWORD });
    expect(user).toMatchObject({ username, email: `${username}@example.com` });

    const login = await anonymous.login(username.toLowerCase(), PASSWORD);
    expect(login).toMatchObject({ tokenType: 'Bearer', user: { userId: user.userId, username } });
    expect(login.expiresIn).toBeGreaterThan(0);

    const me = await anonymous.withToken(login.token).me();
    expect(me).toEqual(user);
  });

  it('throws ApiError with the status and code of the contract', async () => {
    const { username } = await signUp(stack.httpUrl);

    const wrongPassword = await anonymous.login(username, 'not the password').catch((error) => error);
    expect(wrongPassword).toBeInstanceOf(ApiError);
    expect(wrongPassword).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(isChatClientError(wrongPassword)).toBe(true);

    await expect(
      anonymous.register({ username, email: `other-${username}@example.com`, password: PASSWORD }),
    ).rejects.toMatchObject({ status: 409, code: 'ACCOUNT_EXISTS' });
    await expect(anonymous.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('carries the validation details of a 400', async () => {
    const error = await anonymous
      .register({ username: 'x', email: 'not-an-email', password: PASSWORD })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const fields = (error as ApiError).details.map((detail) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'email']));
  });

  it('creates rooms, lists them, posts and reads history', async () => {
    const { api, username } = await signUp(stack.httpUrl);
    const room = await newRoom(api, 'api');

    const rooms = await api.listAllRooms();
    expect(rooms.map((each) => each.name)).toContain(room);
    await expect(api.createRoom(room)).rejects.toMatchObject({ status: 409, code: 'ROOM_EXISTS' });

    const first = await api.postRoomMessage(room, 'one', { clientMessageId: 'first-1' });
    expect(first).toMatchObject({ created: true, value: { room, from: username, text: 'one' } });
    const repeat = await api.postRoomMessage(room, 'one', { clientMessageId: 'first-1' });
    expect(repeat).toMatchObject({ created: false, value: { messageId: first.value.messageId } });
    await api.postRoomMessage(room, 'two');
    await api.postRoomMessage(room, 'three');

    const recent = await api.recentMessages({ room }, 2);
    expect(recent.map((message) => message.text)).toEqual(['two', 'three']);
    const page = await api.roomMessages(room, { limit: 2 });
    expect(page.nextCursor).not.toBeNull();
    const older = await api.roomMessages(room, { limit: 2, before: page.nextCursor ?? undefined });
    expect(older.items.map((message) => message.text)).toEqual(['one']);

    await expect(api.roomMessages('no-such-room')).rejects.toMatchObject({
      status: 404,
      code: 'ROOM_NOT_FOUND',
    });
  });

  it('opens one conversation per pair and lists it with its peer', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');

    const opened = await alice.api.openConversation(bob.username);
    expect(opened.created).toBe(true);
    const again = await bob.api.openConversation(alice.username);
    expect(again).toMatchObject({ created: false, value: { conversationId: opened.value.conversationId } });

    await alice.api.postConversationMessage(opened.value.conversationId, 'hi bob');
    const [summary] = await bob.api.listAllConversations();
    expect(summary).toMatchObject({ peer: alice.username, lastMessage: { text: 'hi bob' } });
    await expect(alice.api.openConversation(uniqueName('nobody'))).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('turns a server that cannot be reached into UnreachableError naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await new ChatApi({ baseUrl: url }).login('someone', PASSWORD).catch((caught) => caught);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ code: 'UNREACHABLE', url });
    expect(error.message).toContain(url);
    expect(error.message).toContain('connection refused');
  });
});

describe('ChatSession', () => {
  it('refuses a bad token with HandshakeError UNAUTHORIZED', async () => {
    const error = await ChatSession.connect({
      url: stack.wsUrl,
      auth: new ChatApi({ baseUrl: stack.httpUrl, token: 'not-a-jwt' }),
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('reports an unreachable WebSocket API as UNREACHABLE', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    await expect(
      ChatSession.connect({ url, auth: (await signUp(stack.httpUrl, 'nowhere')).api }),
    ).rejects.toMatchObject({
      code: 'UNREACHABLE',
      url,
    });
  });

  it('joins, tracks presence and delivers room messages with acks', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const room = await newRoom(alice.api, 'live');
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    expect(a.state).toBe('open');

    const joined = await a.join(room.toUpperCase());
    expect(joined).toEqual({ type: 'joined', room, username: alice.username, members: [alice.username] });

    const bobArrives = a.waitFor('user_joined', (event) => event.username === bob.username);
    await b.join(room);
    await bobArrives;
    expect(a.members(room)).toEqual([alice.username, bob.username].sort());
    expect(b.members(room)).toEqual([alice.username, bob.username].sort());
    expect([...a.rooms]).toEqual([room]);

    const received = b.waitFor('message', (message) => message.room === room);
    const ack = await a.sendToRoom(room, 'hello bob');
    expect(ack).toMatchObject({ type: 'ack', messageId: expect.any(String), sentAt: expect.any(String) });
    const message: MessageFrame = await received;
    expect(message).toMatchObject({
      room,
      from: alice.username,
      text: 'hello bob',
      messageId: ack.messageId,
    });

    const bobLeaves = a.waitFor('user_left', (event) => event.username === bob.username);
    await expect(b.leave(room)).resolves.toEqual({ type: 'left', room });
    await bobLeaves;
    expect(a.members(room)).toEqual([alice.username]);
    expect(b.rooms.size).toBe(0);
  });

  it('rejects a request the server answers with an error frame', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'errors');
    const a = await connect(alice.token);

    const notIn = await a.sendToRoom(room, 'not joined yet').catch((caught) => caught);
    expect(notIn).toBeInstanceOf(SocketFrameError);
    expect(notIn).toMatchObject({ code: 'NOT_IN_ROOM', action: 'message' });

    await expect(a.join('no-such-room')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND', action: 'join' });
    await a.join(room);
    await expect(a.sendToRoom(room, '   ')).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    // The connection stays open after errors.
    await expect(a.ping()).resolves.toEqual({ type: 'pong' });
  });

  it('delivers direct messages to every other connection of both participants', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const { value: conversation } = await alice.api.openConversation(bob.username);
    const a = await connect(alice.token);
    const aElsewhere = await connect(alice.token);
    const b = await connect(bob.token);

    const toBob = b.waitFor('message', (message) => message.conversationId === conversation.conversationId);
    const toOtherTab = aElsewhere.waitFor('message', (message) => message.text === 'psst');
    const ack = await a.sendToConversation(conversation.conversationId, 'psst');
    expect(await toBob).toMatchObject({ from: alice.username, text: 'psst', messageId: ack.messageId });
    await toOtherTab;

    const history = await bob.api.recentMessages({ conversationId: conversation.conversationId }, 10);
    expect(history.map((message) => message.text)).toEqual(['psst']);
  });

  it('keeps the first message when the same clientMessageId is sent twice', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'idem');
    const a = await connect(alice.token);
    await a.join(room);
    const first = await a.sendToRoom(room, 'once', { clientMessageId: 'same-id' });
    const second = await a.sendToRoom(room, 'once', { clientMessageId: 'same-id' });
    expect(second.messageId).toBe(first.messageId);
    expect((await alice.api.recentMessages({ room }, 10)).length).toBe(1);
  });

  it('refuses a malformed clientMessageId and a frame over 128 KB before sending, and stays open', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'guard');
    const a = await connect(alice.token);
    await a.join(room);
    await expect(a.sendToRoom(room, 'hi', { clientMessageId: 'has spaces' })).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
    });
    await expect(a.sendToRoom(room, 'x'.repeat(130 * 1024))).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
    });
    expect(a.state).toBe('open');
    await expect(a.sendToRoom(room, 'still fine')).resolves.toMatchObject({ type: 'ack' });
  });

  it('sends keep-alive pings on its own', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const a = await connect(alice.token, { pingIntervalMs: 50 });
    await a.waitFor('pong');
  });

  it('tells the room the user left when it closes, and refuses requests afterwards', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const room = await newRoom(alice.api, 'bye');
    const a = await connect(alice.token);
    const b = await ChatSession.connect({ url: stack.wsUrl, auth: bob.api });
    await a.join(room);
    await b.join(room);

    const states: StateChange[] = [];
    b.on('state', (change) => states.push(change));
    const bobLeaves = a.waitFor('user_left', (event) => event.username === bob.username);
    await b.close();
    await bobLeaves;
    expect(b.state).toBe('closed');
    expect(states).toEqual([{ state: 'closed' }]);
    await expect(b.ping()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
