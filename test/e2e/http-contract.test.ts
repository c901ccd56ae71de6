/**
 * Real answers of the local stack, checked against the contract module: every route is called for its success
 * answers and for errors, and each body must parse with the schema the contract gives that route and status;
 * each error must carry a code the contract lists for that route, with that code's status.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  errorBody,
  errorsOf,
  type HttpRouteKey,
  type HttpRouteSpec,
  httpErrors,
  httpRouteKeys,
  httpRoutes,
  limits,
} from '../../lib/contract/index.ts';
import type { User } from '../support/accounts.ts';
import { apiClient, type Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { TestSocket } from '../support/ws-client.ts';

// A low username threshold, so that the lockout's 429 is met too (the address threshold stays out of reach);
// per-user rates that refill at one a minute, so that each route's RATE_LIMITED is met within a few calls (3 room
// creations: the main test creates a public and a private room and tries a duplicate).
const stack = await startTestStack({
  loginLockout: { usernameFailures: 2 },
  limits: {
    rates: {
      message: { perMinute: 1, burst: 10 },
      roomCreation: { perMinute: 1, burst: 3 },
      conversationOpen: { perMinute: 1, burst: 3 },
      reaction: { perMinute: 1, burst: 6 },
    },
    // One connection a user, so that a ticket is refused at the quota after one socket.
    connectionsPerUser: 1,
  },
});
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);

/** Which routes were seen answering, and with what statuses: every route must be exercised. */
const seen = new Map<HttpRouteKey, Set<number>>();

/** Calls route `key` on `path` and checks the answer against the contract. */
async function call(key: HttpRouteKey, path: string, options: { token?: string; body?: unknown } = {}) {
  const spec: HttpRouteSpec = httpRoutes[key];
  const response = await api.call(spec.method, path, options);
  seen.set(key, (seen.get(key) ?? new Set()).add(response.status));
  const success = spec.responses[response.status];
  if (success !== undefined) {
    if (success.schema === undefined) {
      expect(response.body, `${key} ${response.status} has no body`).toBeUndefined();
    } else {
      const parsed = z.safeParse(success.schema, response.body);
      expect(parsed.error?.issues ?? [], `${key} ${response.status}`).toEqual([]);
    }
  } else {
    const parsed = z.safeParse(errorBody, response.body);
    expect(parsed.error?.issues ?? [], `${key} ${response.status}`).toEqual([]);
    expect(errorsOf(spec), `${key} answered ${response.body.code}`).toContain(response.body.code);
    expect(response.status).toBe(httpErrors[response.body.code as keyof typeof httpErrors].status);
    // Every 429 of ours says when to come back, in the body and in the header alike.
    const retryAfter = response.headers.get('retry-after');
    if (response.status === 429) {
      expect(retryAfter).toBe(String(Math.ceil(response.body.retryAfterMs / 1000)));
    } else {
      expect(retryAfter).toBeNull();
    }
  }
  return response as { status: number; body: Json };
}

/** The group routes' rows: carol creates a group with alice and bob; dave is added and leaves. */
async function groupRows(alice: User, bob: User, directId: string) {
  const [carol, dave] = await api.signUpEach('carol', 'dave');
  const create = (body: unknown) =>
    call('POST /conversations', '/conversations', { token: carol.token, body });
  const group = await create({ participants: [alice.username, bob.username], title: 'Group' });
  expect(group.status).toBe(201);
  await create({ participants: [] });
  const unknown = { participants: [alice.username, 'nobody_here_x'] };
  // Each create and add takes a token of the open rate (burst 3 here): dave takes this one.
  await call('POST /conversations', '/conversations', { token: dave.token, body: unknown });
  const groupId = group.body.conversation.conversationId;
  const add = (user: User, id: string, username: unknown) =>
    call('POST /conversations/{id}/participants', `/conversations/${id}/participants`, {
      token: user.token,
      body: { username },
    });
  expect((await add(dave, groupId, alice.username)).status).toBe(404);
  expect((await add(carol, groupId, dave.username)).status).toBe(201);
  expect((await add(carol, groupId, dave.username)).status).toBe(409);
  expect((await add(bob, directId, dave.username)).status).toBe(409);
  expect((await add(bob, groupId, { name: 'x' })).status).toBe(400);
  const rename = (user: User, id: string, title: unknown) =>
    call('PATCH /conversations/{id}', `/conversations/${id}`, { token: user.token, body: { title } });
  expect((await rename(dave, groupId, 'Renamed')).status).toBe(200);
  expect((await rename(dave, groupId, '')).status).toBe(400);
  expect((await rename(bob, directId, 'Us')).status).toBe(409);
  expect((await rename(bob, 'c_nope', 'Us')).status).toBe(404);
  const leave = (user: User, id: string) =>
    call('DELETE /conversations/{id}/participants/me', `/conversations/${id}/participants/me`, {
      token: user.token,
    });
  expect((await leave(dave, groupId)).status).toBe(204);
  expect((await leave(dave, groupId)).status).toBe(404);
  expect((await leave(bob, directId)).status).toBe(409);
}

describe('every route answers what the contract declares', () => {
  it('for successes and errors alike', async () => {
    const alice = await api.signUp('alice');
    const bob = await api.signUp('bob');
    const password = 'correct horse battery';
    const username = `carol_${randomUUID().slice(0, 8)}`;
    const room = `contract-${randomUUID().slice(0, 8)}`;
    const token = alice.token;

    await call('POST /auth/register', '/auth/register', {
      body: { username, email: `${username}@x.io`, password },
    });
    await call('POST /auth/register', '/auth/register', {
      body: { username, email: 'other@x.io', password },
    });
    await call('POST /auth/register', '/auth/register', { body: { username: 'x' } });
    await call('POST /auth/login', '/auth/login', { body: { username, password } });
    await call('POST /auth/login', '/auth/login', { body: { username, password: 'wrong password' } });
    await call('POST /auth/login', '/auth/login', { body: { username, password: 'wrong again' } });
    const locked = await call('POST /auth/login', '/auth/login', { body: { username, password } });
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    await call('GET /auth/me', '/auth/me', { token });
    await call('GET /auth/me', '/auth/me');
    await call('GET /auth/me/export', '/auth/me/export?limit=1', { token });
    await call('GET /auth/me/export', '/auth/me/export?cursor=bad%2A', { token });
    await call('GET /auth/me/export', '/auth/me/export');
    await call('POST /rooms', '/rooms', { token, body: { name: room } });
    await call('POST /rooms', '/rooms', { token, body: { name: room } });
    await call('GET /rooms', '/rooms?limit=1', { token });
    await call('GET /rooms', '/rooms?limit=0', { token });
    const first = await call('POST /rooms/{name}/messages', `/rooms/${room}/messages`, {
      token,
      body: { text: 'hello', clientMessageId: 'c1' },
    });
    expect(first.status).toBe(201);
    await call('POST /rooms/{name}/messages', `/rooms/${room}/messages`, {
      token,
      body: { text: 'hello', clientMessageId: 'c1' },
    });
    await call('POST /rooms/{name}/messages', '/rooms/nowhere-at-all/messages', {
      token,
      body: { text: 'x' },
    });
    await call('GET /rooms/{name}/messages', `/rooms/${room}/messages`, { token });
    await call('GET /rooms/{name}/messages', '/rooms/nowhere-at-all/messages', { token });
    await call(
      'GET /rooms/{name}/messages',
      `/rooms/${room}/messages?after=${first.body.message.messageId}`,
      {
        token,
      },
    );
    await call('GET /rooms/{name}/messages', `/rooms/${room}/messages?after=abc&before=abc`, { token });
    const opened = await call('POST /conversations', '/conversations', {
      token,
      body: { peer: bob.username },
    });
    await call('POST /conversations', '/conversations', { token, body: { peer: bob.username } });
    await call('POST /conversations', '/conversations', { token, body: { peer: 'nobody_here_x' } });
    const id = opened.body.conversation.conversationId;
    await call('POST /conversations/{id}/messages', `/conversations/${id}/messages`, {
      token,
      body: { text: 'hi' },
    });
    await call('POST /conversations/{id}/messages', '/conversations/c_nope/messages', {
      token,
      body: { text: 'x' },
    });
    await call('GET /conversations', '/conversations', { token });
    await groupRows(alice, bob, id);
    await call('PUT /me/blocks/{username}', `/me/blocks/${bob.username}`, { token });
    await call('POST /conversations/{id}/messages', `/conversations/${id}/messages`, {
      token: bob.token,
      body: { text: 'blocked' },
    });
    await call('POST /conversations', '/conversations', { token: bob.token, body: { peer: alice.username } });
    await call('PUT /me/blocks/{username}', '/me/blocks/nobody_here_x', { token });
    await call('GET /me/blocks', '/me/blocks?limit=1', { token });
    await call('GET /users', `/users?prefix=${bob.username.slice(0, 4)}`, { token });
    await call('GET /users', '/users?prefix=b', { token });
    await call('GET /me/blocks', '/me/blocks?cursor=%2A', { token });
    await call('DELETE /me/blocks/{username}', `/me/blocks/${bob.username}`, { token });
    await call('DELETE /me/blocks/{username}', '/me/blocks/a', { token });
    await call('PATCH /conversations/{id}/settings', `/conversations/${id}/settings`, {
      token,
      body: { muted: true },
    });
    await call('PATCH /conversations/{id}/settings', '/conversations/c_nope/settings', {
      token,
      body: { muted: true },
    });
    await call('PATCH /conversations/{id}/settings', `/conversations/${id}/settings`, {
      token,
      body: { muted: 'yes' },
    });
    const device = { platform: 'fcm', token: 'fcm-token-1' };
    await call('PUT /me/devices/{deviceId}', '/me/devices/phone-1', { token, body: device });
    await call('PUT /me/devices/{deviceId}', '/me/devices/phone-1', { token, body: { platform: 'x' } });
    for (let n = 2; n <= limits.maxDevicesPerUser; n++) {
      await call('PUT /me/devices/{deviceId}', `/me/devices/phone-${n}`, { token, body: device });
    }
    const over = await call('PUT /me/devices/{deviceId}', '/me/devices/one-too-many', {
      token,
      body: device,
    });
    expect(over.body.code).toBe('QUOTA_EXCEEDED');
    await call('GET /me/devices', '/me/devices', { token });
    await call('GET /me/devices', '/me/devices');
    await call('DELETE /me/devices/{deviceId}', '/me/devices/phone-1', { token });
    await call('DELETE /me/devices/{deviceId}', '/me/devices/bad%23id', { token });
    await call('GET /conversations', '/conversations?cursor=bad%2A', { token });
    await call('GET /conversations/{id}/messages', `/conversations/${id}/messages`, { token: bob.token });
    await call('GET /conversations/{id}/messages', `/conversations/${id}/messages?before=%21`, { token });
    await call('GET /conversations/{id}/messages', `/conversations/${id}/messages?after=0`, { token });
    const direct = (await api.conversationHistory(id, bob)).at(-1);
    await call('POST /conversations/{id}/read', `/conversations/${id}/read`, {
      token,
      body: { messageId: direct.messageId },
    });
    await call('POST /conversations/{id}/read', `/conversations/${id}/read`, {
      token,
      body: { messageId: first.body.message.messageId },
    });
    await call('POST /rooms/{name}/read', `/rooms/${room}/read`, {
      token,
      body: { messageId: first.body.message.messageId },
    });
    await call('POST /rooms/{name}/read', `/rooms/${room}/read`, {
      token: bob.token,
      body: { messageId: 'x' },
    });

    // Membership: alice's private room, bob invited, accepting, listing and leaving.
    const secret = `secret-${randomUUID().slice(0, 8)}`;
    const created = await call('POST /rooms', '/rooms', {
      token,
      body: { name: secret, visibility: 'private', topic: 'plans' },
    });
    expect(created.body.room).toMatchObject({ visibility: 'private', topic: 'plans', memberCount: 1 });
    const invite = (caller: string, roomName: string, invitee: string) =>
      call('POST /rooms/{name}/invitations', `/rooms/${roomName}/invitations`, {
        token: caller,
        body: { username: invitee },
      });
    expect((await invite(bob.token, secret, bob.username)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await invite(bob.token, room, alice.username)).body.code).toBe('NOT_A_MEMBER');
    expect((await invite(token, secret, 'nobody_here_x')).body.code).toBe('USER_NOT_FOUND');
    expect((await invite(token, secret, alice.username)).body.code).toBe('ALREADY_MEMBER');
    expect((await invite(token, secret, bob.username)).status).toBe(201);
    await call('GET /me/invitations', '/me/invitations', { token: bob.token });
    await call('GET /me/invitations', '/me/invitations?cursor=%21', { token: bob.token });
    const joined = await call('POST /rooms/{name}/members', `/rooms/${secret}/members`, { token: bob.token });
    expect(joined.status).toBe(201);
    await call('POST /rooms/{name}/members', `/rooms/${secret}/members`, { token: bob.token });
    await call('POST /rooms/{name}/members', '/rooms/nowhere-at-all/members', { token });
    expect((await invite(bob.token, secret, username)).body.code).toBe('FORBIDDEN');
    await call('GET /rooms/{name}/members', `/rooms/${secret}/members?limit=1`, { token: bob.token });
    await call('GET /rooms/{name}/members', '/rooms/nowhere-at-all/members', { token });
    await call('GET /rooms/{name}/presence', `/rooms/${secret}/presence?limit=1`, { token: bob.token });
    await call('GET /rooms/{name}/presence', '/rooms/nowhere-at-all/presence?cursor=%21', { token });
    await call('GET /me/rooms', '/me/rooms', { token: bob.token });
    await call('GET /me/rooms', '/me/rooms?limit=0', { token: bob.token });
    const leave = (caller: string, roomName: string) =>
      call('DELETE /rooms/{name}/members/me', `/rooms/${roomName}/members/me`, { token: caller });
    expect((await leave(token, secret)).body.code).toBe('FORBIDDEN');
    expect((await leave(bob.token, room)).body.code).toBe('NOT_A_MEMBER');
    expect((await leave(bob.token, secret)).status).toBe(204);
    const kick = (caller: string, roomName: string, target: string) =>
      call('DELETE /rooms/{name}/members/{username}', `/rooms/${roomName}/members/${target}`, {
        token: caller,
      });
    await call('POST /rooms/{name}/members', `/rooms/${room}/members`, { token: bob.token });
    expect((await kick(bob.token, room, username)).body.code).toBe('FORBIDDEN');
    expect((await kick(bob.token, secret, username)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await kick(token, room, 'nobody_here_x')).body.code).toBe('USER_NOT_FOUND');
    expect((await kick(token, room, 'a')).body.code).toBe('VALIDATION_FAILED');
    expect((await kick(token, room, bob.username)).status).toBe(204);
    expect((await kick(bob.token, room, username)).body.code).toBe('NOT_A_MEMBER');
    const moderate = (key: HttpRouteKey, caller: string, path: string, body?: unknown) =>
      call(key, `/rooms/${room}${path}`, { token: caller, body });
    const ban = (caller: string, body: unknown) => moderate('POST /rooms/{name}/bans', caller, '/bans', body);
    const mute = (caller: string, body: unknown) =>
      moderate('POST /rooms/{name}/mutes', caller, '/mutes', body);
    const unban = (caller: string, target: string) =>
      moderate('DELETE /rooms/{name}/bans/{username}', caller, `/bans/${target}`);
    const unmute = (caller: string, target: string) =>
      moderate('DELETE /rooms/{name}/mutes/{username}', caller, `/mutes/${target}`);
    expect((await ban(bob.token, { username })).body.code).toBe('NOT_A_MEMBER');
    expect((await ban(token, { username: 'nobody_here_x' })).body.code).toBe('USER_NOT_FOUND');
    expect((await ban(token, { username: bob.username, durationSeconds: 0 })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await ban(token, { username: bob.username, durationSeconds: 1, reason: 'r' })).status).toBe(201);
    expect((await unban(bob.token, bob.username)).body.code).toBe('NOT_A_MEMBER');
    expect((await unban(token, bob.username)).status).toBe(204);
    await call('POST /rooms/{name}/members', `/rooms/${room}/members`, { token: bob.token });
    expect((await ban(bob.token, { username })).body.code).toBe('FORBIDDEN');
    expect((await unban(bob.token, username)).body.code).toBe('FORBIDDEN');
    expect((await unban(token, 'a')).body.code).toBe('VALIDATION_FAILED');
    expect((await ban(token, { username: bob.username, reason: 'x'.repeat(257) })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await mute(bob.token, { username })).body.code).toBe('FORBIDDEN');
    expect((await mute(token, { username: 'nobody_here_x' })).body.code).toBe('USER_NOT_FOUND');
    expect((await mute(token, { username: bob.username, durationSeconds: 1.5 })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await mute(token, { username: bob.username, durationSeconds: 60 })).status).toBe(201);
    expect((await unmute(bob.token, username)).body.code).toBe('FORBIDDEN');
    expect((await unmute(token, 'nobody_here_x')).body.code).toBe('USER_NOT_FOUND');
    expect((await unmute(token, bob.username)).status).toBe(204);
    expect((await mute(token, { username: bob.username })).status).toBe(201);
    expect((await moderate('POST /rooms/{name}/mutes', token, '/mutes', {})).body.code).toBe(
      'VALIDATION_FAILED',
    );
    const role = (caller: string, target: string, body: unknown) =>
      call('PATCH /rooms/{name}/members/{username}', `/rooms/${room}/members/${target}`, {
        token: caller,
        body,
      });
    expect((await role(token, bob.username, { role: 'moderator' })).status).toBe(200);
    expect((await role(bob.token, bob.username, { role: 'member' })).body.code).toBe('FORBIDDEN');
    expect((await role(token, 'nobody_here_x', { role: 'member' })).body.code).toBe('USER_NOT_FOUND');
    expect((await role(token, bob.username, { role: 'owner' })).body.code).toBe('VALIDATION_FAILED');
    expect((await role(token, bob.username, { role: 'member' })).status).toBe(200);
    expect(
      (
        await call('PATCH /rooms/{name}/members/{username}', `/rooms/${secret}/members/${username}`, {
          token: bob.token,
          body: { role: 'member' },
        })
      ).body.code,
    ).toBe('ROOM_NOT_FOUND');
    const outsider = await api.signUp('outsider');
    expect((await role(outsider.token, bob.username, { role: 'member' })).body.code).toBe('NOT_A_MEMBER');
    expect((await mute(outsider.token, { username })).body.code).toBe('NOT_A_MEMBER');
    expect((await unmute(outsider.token, username)).body.code).toBe('NOT_A_MEMBER');
    expect((await moderate('POST /rooms/{name}/bans', token, '/bans', {})).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      (
        await call('POST /rooms/{name}/bans', `/rooms/${secret}/bans`, {
          token: bob.token,
          body: { username },
        })
      ).body.code,
    ).toBe('ROOM_NOT_FOUND');
    expect(
      (
        await call('POST /rooms/{name}/mutes', `/rooms/${secret}/mutes`, {
          token: bob.token,
          body: { username },
        })
      ).body.code,
    ).toBe('ROOM_NOT_FOUND');
    expect(
      (
        await call('DELETE /rooms/{name}/bans/{username}', `/rooms/${secret}/bans/${username}`, {
          token: bob.token,
        })
      ).body.code,
    ).toBe('ROOM_NOT_FOUND');
    expect(
      (
        await call('DELETE /rooms/{name}/mutes/{username}', `/rooms/${secret}/mutes/${username}`, {
          token: bob.token,
        })
      ).body.code,
    ).toBe('ROOM_NOT_FOUND');
    const deleteRoom = (caller: string, roomName: string) =>
      call('DELETE /rooms/{name}', `/rooms/${roomName}`, { token: caller });
    expect((await deleteRoom(bob.token, secret)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await deleteRoom(bob.token, room)).body.code).toBe('FORBIDDEN');
    expect((await deleteRoom(token, '-not-a-room')).body.code).toBe('VALIDATION_FAILED');
    expect((await deleteRoom(token, room)).status).toBe(204);
    expect((await deleteRoom(token, room)).body.code).toBe('ROOM_NOT_FOUND');

    // The routes on one message, by users of their own (an edit takes a message token).
    const [writer, reader] = await api.signUpEach('writer', 'reader');
    const place = await api.newRoom(writer, 'changes');
    const talk = (await api.openConversation(writer, reader.username)).conversationId;
    for (const base of [`/rooms/${place}/messages`, `/conversations/${talk}/messages`]) {
      const routes = base.startsWith('/rooms')
        ? ({ on: '/rooms/{name}/messages', post: 'POST /rooms/{name}/messages' } as const)
        : ({ on: '/conversations/{id}/messages', post: 'POST /conversations/{id}/messages' } as const);
      const posted = await call(routes.post, base, {
        token: writer.token,
        body: { text: 'hi', replyTo: 'x' },
      });
      expect(posted.body.code).toBe('VALIDATION_FAILED');
      const unknown = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      const missingReply = await call(routes.post, base, {
        token: writer.token,
        body: { text: 'hi', replyTo: unknown },
      });
      expect(missingReply.body.code).toBe('MESSAGE_NOT_FOUND');
      const sent = (await call(routes.post, base, { token: writer.token, body: { text: 'hi' } })).body
        .message;
      const one = `${base}/${sent.messageId}`;
      const edit = `PATCH ${routes.on}/{messageId}` as const;
      const remove = `DELETE ${routes.on}/{messageId}` as const;
      const react = `PUT ${routes.on}/{messageId}/reactions/{emoji}` as const;
      const unreact = `DELETE ${routes.on}/{messageId}/reactions/{emoji}` as const;
      const thumbs = `${one}/reactions/${encodeURIComponent('👍')}`;
      expect((await call(edit, one, { token: writer.token, body: { text: 'hello' } })).status).toBe(200);
      expect((await call(edit, one, { token: reader.token, body: { text: 'x' } })).status).toBe(403);
      expect(
        (await call(edit, `${base}/${unknown}`, { token: writer.token, body: { text: 'x' } })).status,
      ).toBe(404);
      expect((await call(react, thumbs, { token: writer.token })).status).toBe(204);
      expect((await call(react, `${one}/reactions/a`, { token: writer.token })).status).toBe(400);
      expect((await call(unreact, thumbs, { token: writer.token })).status).toBe(204);
      expect(
        (await call(unreact, `${base}/${unknown}/reactions/%F0%9F%91%8D`, { token: writer.token })).status,
      ).toBe(404);
      expect((await call(remove, one, { token: reader.token })).status).toBe(403);
      expect((await call(remove, one, { token: writer.token })).status).toBe(204);
      expect((await call(remove, `${base}/bad`, { token: writer.token })).status).toBe(400);
    }

    // The session routes, with a session of their own so that ending it leaves the calls above alone.
    const session = await api.signUp('sessions');
    await call('POST /auth/login', '/auth/login', {
      body: { username, password: 'x'.repeat(73) },
    });
    const refreshed = await call('POST /auth/refresh', '/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    await call('POST /auth/refresh', '/auth/refresh', { body: { refreshToken: 'not-a-refresh-token' } });
    await call('POST /auth/refresh', '/auth/refresh', { body: {} });
    const fresh = refreshed.body.token;
    const ticket = await call('POST /auth/ws-ticket', '/auth/ws-ticket', { token: fresh });
    const socket = await TestSocket.open(`${stack.wsUrl}?ticket=${encodeURIComponent(ticket.body.ticket)}`);
    const atQuota = await call('POST /auth/ws-ticket', '/auth/ws-ticket', { token: fresh });
    await socket.close();
    expect(atQuota.body.code).toBe('QUOTA_EXCEEDED');
    await call('POST /auth/ws-ticket', '/auth/ws-ticket', {});
    await call('POST /auth/password', '/auth/password', {
      token: fresh,
      body: { currentPassword: 'wrong password', newPassword: 'a new password' },
    });
    await call('POST /auth/password', '/auth/password', {
      token: fresh,
      body: { currentPassword: session.password, newPassword: 'short' },
    });
    const changed = await call('POST /auth/password', '/auth/password', {
      token: fresh,
      body: { currentPassword: session.password, newPassword: 'a new password' },
    });
    expect(changed.status).toBe(200);
    await call('POST /auth/logout', '/auth/logout', { token: changed.body.token });
    await call('POST /auth/logout', '/auth/logout', { token: changed.body.token });
    const again = await api.callRoute('POST /auth/login', {
      body: { username: session.username, password: 'a new password' },
    });
    await call('POST /auth/logout-all', '/auth/logout-all', { token: again.body.token });
    await call('POST /auth/logout-all', '/auth/logout-all', { token: again.body.token });
    const leaving = await api.signUp('leaving');
    await call('DELETE /auth/me', '/auth/me', { token: leaving.token, body: { password: 'wrong password' } });
    await call('DELETE /auth/me', '/auth/me', { token: leaving.token, body: { password: leaving.password } });

    for (const key of httpRouteKeys) {
      const statuses = [...(seen.get(key) ?? [])];
      expect(
        statuses.some((status) => status < 300),
        `${key} never succeeded`,
      ).toBe(true);
      expect(
        statuses.some((status) => status >= 400),
        `${key} never failed`,
      ).toBe(true);
    }
  });

  it('answers 429 RATE_LIMITED, with Retry-After, on every route with a per-user rate', async () => {
    const [eve, ...peers] = await api.signUpEach('eve', 'peer', 'peer', 'peer');
    const token = eve.token;
    const rooms = [1, 2, 3].map(() => `rate-${randomUUID().slice(0, 8)}`);
    for (const name of rooms) await call('POST /rooms', '/rooms', { token, body: { name } });
    const refusedRoom = await call('POST /rooms', '/rooms', { token, body: { name: 'one-too-many' } });
    expect(refusedRoom.body.code).toBe('RATE_LIMITED');

    const conversations = [];
    for (const peer of peers) {
      const opened = await call('POST /conversations', '/conversations', {
        token,
        body: { peer: peer.username },
      });
      conversations.push(opened.body.conversation.conversationId);
    }
    const refusedOpen = await call('POST /conversations', '/conversations', {
      token,
      body: { peer: 'anyone' },
    });
    expect(refusedOpen.body.code).toBe('RATE_LIMITED');
    // Adding to a group takes an open token too, before anything else is looked at.
    const refusedAdd = await call(
      'POST /conversations/{id}/participants',
      '/conversations/c_nope/participants',
      {
        token,
        body: { username: peers[0]?.username },
      },
    );
    expect(refusedAdd.body.code).toBe('RATE_LIMITED');

    const roomPath = `/rooms/${rooms[0]}/messages`;
    const conversationPath = `/conversations/${conversations[0]}/messages`;
    for (let index = 0; index < 5; index++) {
      await call('POST /rooms/{name}/messages', roomPath, { token, body: { text: `r${index}` } });
      await call('POST /conversations/{id}/messages', conversationPath, {
        token,
        body: { text: `c${index}` },
      });
    }
    const refusedPost = await call('POST /rooms/{name}/messages', roomPath, { token, body: { text: 'x' } });
    expect(refusedPost.body.code).toBe('RATE_LIMITED');
    const refusedDirect = await call('POST /conversations/{id}/messages', conversationPath, {
      token,
      body: { text: 'x' },
    });
    expect(refusedDirect.body.code).toBe('RATE_LIMITED');
    // An edit takes a message token too; reactions have a rate of their own.
    const history = await api.call('GET', roomPath, { token });
    const one = `${roomPath}/${history.body.messages[0].messageId}`;
    const refusedEdit = await call('PATCH /rooms/{name}/messages/{messageId}', one, {
      token,
      body: { text: 'e' },
    });
    expect(refusedEdit.body.code).toBe('RATE_LIMITED');
    const reactions = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅'].map(
      (emoji) => `${one}/reactions/${encodeURIComponent(emoji)}`,
    );
    const key = 'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}';
    for (const path of reactions.slice(0, 6)) expect((await call(key, path, { token })).status).toBe(204);
    expect((await call(key, reactions[6] as string, { token })).body.code).toBe('RATE_LIMITED');
  });

  it('names the path parameter that breaks its rule', async () => {
    const { token } = await api.signUp('dave');

    const response = await call('GET /rooms/{name}/messages', '/rooms/Bad%20Name!/messages', { token });

    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([{ field: 'name', problem: expect.any(String) }]);
  });
});
