import { afterEach, expect } from 'vitest';
import type { LocalStack } from '../../lib/local/stack.ts';
import { apiClient } from './http-client.ts';
import { type Frame, TestSocket } from './ws-client.ts';

export type User = { token: string; username: string; userId: string };

export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export const messageWithId = (messageId: string) => (frame: Frame) =>
  frame.type === 'message' && frame.messageId === messageId;
export const userJoined = (room: string, username: string) => (frame: Frame) =>
  frame.type === 'user_joined' && frame.room === room && frame.username === username;
export const userLeft = (room: string, username: string) => (frame: Frame) =>
  frame.type === 'user_left' && frame.room === room && frame.username === username;
export const count = (socket: TestSocket, predicate: (frame: Frame) => boolean) =>
  socket.frames.filter(predicate).length;

/**
 * What the end-to-end tests of the WebSocket API share: an HTTP client, sockets that are closed after each test,
 * and the round trips of the protocol. Call once per test file, at top level.
 */
export function realtimeHarness(stack: LocalStack) {
  const api = apiClient(stack.httpUrl);
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  /** Opens a socket (with a user's token, or raw options) that is closed after the test. */
  async function open(options: { token?: string; headers?: Record<string, string> }): Promise<TestSocket> {
    const socket = await TestSocket.open(stack.wsUrl, options);
    sockets.push(socket);
    return socket;
  }
  const connect = (user: User) => open({ token: user.token });

  /** Sends a frame and waits for the first later frame that matches. */
  async function roundTrip(socket: TestSocket, frame: unknown, matches: (reply: Frame) => boolean) {
    const seen = socket.frames.length;
    socket.send(frame);
    return socket.next((reply) => socket.frames.indexOf(reply) >= seen && matches(reply));
  }

  /** Sends a frame and waits for its answer: the given type or an error frame. */
  const ask = (socket: TestSocket, frame: unknown, type: string) =>
    roundTrip(socket, frame, (reply) => reply.type === type || reply.type === 'error');

  async function join(socket: TestSocket, room: string): Promise<Frame> {
    const reply = await roundTrip(
      socket,
      { action: 'join', room },
      (frame) => (frame.type === 'joined' && frame.room === room) || frame.type === 'error',
    );
    expect(reply.type).toBe('joined');
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

  let rooms = 0;
  /** Creates a room with a unique name. */
  async function newRoom(owner: User, prefix = 'room'): Promise<string> {
    rooms += 1;
    const name = `${prefix}-${rooms}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await api.call('POST', '/rooms', { token: owner.token, body: { name } });
    expect(created.status).toBe(201);
    return name;
  }

  async function roomHistory(room: string, reader: User): Promise<Frame[]> {
    const history = await api.call('GET', `/rooms/${room}/messages`, { token: reader.token });
    expect(history.status).toBe(200);
    return history.body.messages;
  }

  return { api, open, connect, roundTrip, ask, join, leave, pingPong, newRoom, roomHistory };
}
