/**
 * What tests of the WebSocket API share: sockets that are closed for them, the protocol's round trips, frame
 * predicates, and barriers for asserting that something did not (or did only once) arrive.
 */
import { afterAll, afterEach, expect } from 'vitest';
import type { User } from './accounts.ts';
import { apiClient } from './http-client.ts';
import { startTestStack } from './local-stack.ts';
import { type Frame, TestSocket } from './ws-client.ts';

export type { User } from './accounts.ts';

/**
 * A local stack for one test file, with its realtime harness: after the file, the harness's sockets are closed
 * and then the stack is stopped.
 */
export async function startRealtimeTestStack(options: Parameters<typeof startTestStack>[0] = {}) {
  const stack = await startTestStack(options);
  const harness = realtimeHarness(stack);
  afterAll(async () => {
    await harness.closeSockets();
    await stack.stop();
  });
  return { stack, harness, api: harness.api };
}

export const messageWithId = (messageId: string) => (frame: Frame) =>
  frame.type === 'message' && frame.messageId === messageId;
export const userJoined = (room: string, username: string) => (frame: Frame) =>
  frame.type === 'user_joined' && frame.room === room && frame.username === username;
export const userLeft = (room: string, username: string) => (frame: Frame) =>
  frame.type === 'user_left' && frame.room === room && frame.username === username;
export const count = (socket: TestSocket, predicate: (frame: Frame) => boolean) =>
  socket.frames.filter(predicate).length;

/** Where a message goes: a room or a conversation. */
export type MessageTarget = { readonly room: string } | { readonly conversationId: string };

/**
 * The HTTP client, sockets and round trips of the protocol for one stack. Call once per test file, at top
 * level. Sockets opened inside a test are closed after it; with `socketsLast: 'file'`, for files that open
 * their sockets once at top level, they are closed after the file.
 */
export function realtimeHarness(
  stack: { readonly httpUrl: string; readonly wsUrl: string },
  options: { socketsLast?: 'test' | 'file' } = {},
) {
  const api = apiClient(stack.httpUrl);
  const sockets: TestSocket[] = [];
  const closeAll = async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  };
  if (options.socketsLast === 'file') afterAll(closeAll);
  else afterEach(closeAll);

  /** Opens a socket (with a user's token, or raw options) that is closed for the test. */
  async function open(socketOptions: {
    token?: string;
    headers?: Record<string, string>;
  }): Promise<TestSocket> {
    const socket = await TestSocket.open(stack.wsUrl, socketOptions);
    sockets.push(socket);
    return socket;
  }
  const connect = (user: Pick<User, 'token'>) => open({ token: user.token });
  /** One socket per user given (a user given twice gets two), opened at once, in order. */
  const connectEach = (...users: Pick<User, 'token'>[]) => Promise.all(users.map((user) => connect(user)));

  const roundTrip = (socket: TestSocket, frame: unknown, matches: (reply: Frame) => boolean) =>
    socket.sendAndAwait(frame, matches);
  /** Sends a frame and waits for its answer: the given type or an error frame. */
  const ask = (socket: TestSocket, frame: unknown, type: string) => socket.request(frame, type);

  async function join(socket: TestSocket, room: string): Promise<Frame> {
    const reply = await roundTrip(
      socket,
      { action: 'join', room },
      (frame) => (frame.type === 'joined' && frame.room === room) || frame.type === 'error',
    );
    expect(reply.type, JSON.stringify(reply)).toBe('joined');
    return reply;
  }

  const leave = (socket: TestSocket, room: string) =>
    roundTrip(
      socket,
      { action: 'leave', room },
      (frame) => (frame.type === 'left' && frame.room === room) || frame.type === 'error',
    );

  /** A ping answered: every frame posted to this connection before the ping was handled has had time to land. */
  async function pingPong(socket: TestSocket): Promise<void> {
    expect(await ask(socket, { action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  }

  /** The socket is still open and served: it answers a ping. */
  async function expectStillServing(socket: TestSocket): Promise<void> {
    await pingPong(socket);
    expect(socket.closeCode).toBeUndefined();
  }

  /**
   * Frames from different invocations may arrive in any order, so "delivered once" and "not delivered" are
   * asserted after a barrier: another message from `sender`, sent after everything before it was
   * acknowledged, has reached every observer.
   */
  async function messageBarrier(sender: TestSocket, target: MessageTarget, observers: TestSocket[]) {
    const ack = await ask(sender, { action: 'message', ...target, text: 'barrier' }, 'ack');
    expect(ack.type, JSON.stringify(ack)).toBe('ack');
    await Promise.all(observers.map((observer) => observer.next(messageWithId(ack.messageId))));
  }

  return {
    api,
    open,
    connect,
    connectEach,
    roundTrip,
    ask,
    join,
    leave,
    pingPong,
    expectStillServing,
    messageBarrier,
    /** Closes every socket opened so far (before stopping the stack under them). */
    closeSockets: closeAll,
    newRoom: api.newRoom,
    roomHistory: api.roomHistory,
  };
}
