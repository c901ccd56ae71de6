/**
 * A private room answers a non-member exactly as a room that does not exist, on every route and socket action
 * about a room: the same status and the same body (the room's name aside, which each answer repeats), and
 * nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueRoomName } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness, type User } from '../support/realtime.ts';
import type { Frame } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connect, join, ask } = realtimeHarness(stack);

/** One route or action about a room, as a user asks it; what comes back, as comparable text. */
type Probe = (user: User, room: string) => Promise<{ status?: number; answer: unknown }>;

const http =
  (method: string, suffix: string, body?: (user: User) => unknown): Probe =>
  async (user, room) => {
    const response = await api.call(method, `/rooms/${room}${suffix}`, {
      token: user.token,
      body: body?.(user),
    });
    return { status: response.status, answer: response.body };
  };

const socket =
  (frame: (room: string) => Record<string, unknown>, reply: string): Probe =>
  async (user, room) => {
    const connection = await connect(user);
    const answer: Frame = await ask(connection, frame(room), reply);
    return { answer };
  };

const probes: Record<string, Probe> = {
  'GET /rooms/{name}/messages': http('GET', '/messages'),
  'POST /rooms/{name}/messages': http('POST', '/messages', () => ({ text: 'let me in' })),
  'POST /rooms/{name}/members': http('POST', '/members'),
  'DELETE /rooms/{name}/members/me': http('DELETE', '/members/me'),
  'GET /rooms/{name}/members': http('GET', '/members'),
  'GET /rooms/{name}/presence': http('GET', '/presence'),
  'DELETE /rooms/{name}/members/{username}': http('DELETE', '/members/someone_else'),
  'POST /rooms/{name}/bans': http('POST', '/bans', (user) => ({ username: user.username })),
  'DELETE /rooms/{name}/bans/{username}': http('DELETE', '/bans/someone_else'),
  'POST /rooms/{name}/mutes': http('POST', '/mutes', (user) => ({ username: user.username })),
  'DELETE /rooms/{name}/mutes/{username}': http('DELETE', '/mutes/someone_else'),
  'PATCH /rooms/{name}/members/{username}': http('PATCH', '/members/someone_else', () => ({
    role: 'member',
  })),
  'POST /rooms/{name}/invitations': http('POST', '/invitations', (user) => ({ username: user.username })),
  'DELETE /rooms/{name}': http('DELETE', ''),
  'socket join': socket((room) => ({ action: 'join', room }), 'joined'),
  'socket message': socket((room) => ({ action: 'message', room, text: 'let me in' }), 'ack'),
  'socket leave': socket((room) => ({ action: 'leave', room }), 'left'),
};

describe('a private room, to a non-member', () => {
  it.each(Object.entries(probes))('%s answers exactly as a missing room', async (_, probe) => {
    const [owner, stranger] = await api.signUpEach('owner', 'stranger');
    const hidden = uniqueRoomName('hidden');
    const created = await api.call('POST', '/rooms', {
      token: owner.token,
      body: { name: hidden, visibility: 'private' },
    });
    expect(created.status).toBe(201);
    const missing = uniqueRoomName('hidden');

    const fromHidden = await probe(stranger, hidden);
    const fromMissing = await probe(stranger, missing);

    // Each answer names the room it was asked about: with that name swapped, the two must be identical.
    expect(JSON.stringify(fromHidden).replaceAll(hidden, missing)).toBe(JSON.stringify(fromMissing));
    if (fromMissing.status !== undefined) expect(fromMissing.status).toBe(404);
    const members = await api.call('GET', `/rooms/${hidden}/members`, { token: owner.token });
    expect(members.body.members.map((member: { username: string }) => member.username)).toEqual([
      owner.username,
    ]);
    expect(members.body.members).toHaveLength(1);
    const history = await api.call('GET', `/rooms/${hidden}/messages`, { token: owner.token });
    expect(history.body.messages).toEqual([]);
    const mine = await api.call('GET', '/me/rooms', { token: stranger.token });
    expect(mine.body.rooms).toEqual([]);
  });

  it('is not listed by GET /rooms, and a socket of a member still joins it', async () => {
    const [owner, stranger] = await api.signUpEach('owner', 'stranger');
    const hidden = uniqueRoomName('hidden');
    await api.call('POST', '/rooms', { token: owner.token, body: { name: hidden, visibility: 'private' } });

    const listed = await api.call(
      'GET',
      `/rooms?limit=100&cursor=${Buffer.from(hidden.slice(0, -1)).toString('base64url')}`,
      {
        token: stranger.token,
      },
    );

    expect(listed.body.rooms.map((room: { name: string }) => room.name)).not.toContain(hidden);
    await join(await connect(owner), hidden);
  });
});
