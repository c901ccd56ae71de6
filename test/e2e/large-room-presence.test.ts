import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { PresenceRepository } from '../../lambdas/data/presence.ts';
import { ChatApi } from '../../lib/client/http.ts';
import { count, startRealtimeTestStack, userJoined, userLeft } from '../support/realtime.ts';
import { eventually, type TestSocket } from '../support/ws-client.ts';

/** The threshold, lowered by configuration so that a "large" room takes a handful of sockets. */
const LIST_MAX = 3;

const { stack, harness, api } = await startRealtimeTestStack({
  environment: { PRESENCE_LIST_MAX: String(LIST_MAX) },
});
const { connectEach, join, leave, newRoom } = harness;
const presence = new PresenceRepository(createDocumentClient(), stack.tableName);

const presenceFrames = (socket: TestSocket, room: string) =>
  socket.frames.filter(
    (frame) => (frame.type === 'user_joined' || frame.type === 'user_left') && frame.room === room,
  );

/** Users named so that their sort order is their order here; one socket each, none joined yet. */
async function usersInOrder(...prefixes: string[]) {
  const users = await api.signUpEach(...prefixes);
  const sorted = [...users].sort((x, y) => x.username.toLowerCase().localeCompare(y.username.toLowerCase()));
  const room = await newRoom(sorted[0] as (typeof users)[number]);
  const sockets = await connectEach(...sorted);
  return { users: sorted, sockets, room, names: sorted.map((user) => user.username) };
}

describe(`presence above ${LIST_MAX} present users`, () => {
  it('truncates joined with memberCount, sends no user_joined/user_left above, and resumes at or below', async () => {
    const { users, sockets, room, names } = await usersInOrder('a', 'b', 'c', 'd', 'e', 'f');
    const [a, b, c, d, e, f] = sockets as [
      TestSocket,
      TestSocket,
      TestSocket,
      TestSocket,
      TestSocket,
      TestSocket,
    ];

    // Up to the threshold: the whole list, no count, and notices to those present.
    await join(a, room);
    await join(b, room);
    expect(await join(c, room)).toEqual({
      type: 'joined',
      room,
      username: names[2],
      members: names.slice(0, 3),
    });
    await a.next(userJoined(room, names[2] as string));

    // Above it: the first LIST_MAX, the count, the flag; and nobody is told.
    expect(await join(d, room)).toEqual({
      type: 'joined',
      room,
      username: names[3],
      members: names.slice(0, LIST_MAX),
      memberCount: 4,
      membersTruncated: true,
    });
    await join(e, room);
    expect(await join(f, room)).toMatchObject({ memberCount: 6, membersTruncated: true });

    // Departures from a room above the threshold counting the one who goes: closed (f), left (e), kicked (d).
    await f.close();
    await eventually(async () => (await presence.page(room, 10, undefined)).items.length === 5);
    await leave(e, room);
    const kicked = await api.call('DELETE', `/rooms/${room}/members/${names[3]}`, {
      token: (users[0] as (typeof users)[number]).token,
    });
    expect(kicked.status).toBe(204);
    await d.next((frame) => frame.type === 'removed');
    expect(await presence.count(room)).toBe(3);

    // Back at the threshold: notices resume, for a leave and for a join.
    await leave(c, room);
    await a.next(userLeft(room, names[2] as string));
    await join(c, room);
    // `next` would find the first user_joined of c again: wait for the second.
    await eventually(() =>
      [a, b].every((socket) => count(socket, userJoined(room, names[2] as string)) === 2),
    );

    // Those notices came from invocations that started after everything above: nothing else was sent.
    expect(presenceFrames(a, room).map((frame) => `${frame.type} ${frame.username}`)).toEqual([
      `user_joined ${names[1]}`,
      `user_joined ${names[2]}`,
      `user_left ${names[2]}`,
      `user_joined ${names[2]}`,
    ]);
    expect(count(b, (frame) => frame.type === 'user_left')).toBe(1);
    expect(count(c, (frame) => frame.type === 'user_joined' || frame.type === 'user_left')).toBe(0);
    expect(await presence.count(room)).toBe(3);
  });

  it('pages GET /rooms/{name}/presence through the typed client: everyone present once, in order', async () => {
    const { users, sockets, room, names } = await usersInOrder('a', 'b', 'c', 'd', 'e');
    for (const socket of sockets) await join(socket, room);
    // Two connections of one user are one present user; a member who left is not present.
    const [again] = await connectEach(users[1] as (typeof users)[number]);
    await join(again as TestSocket, room);
    await leave(sockets[4] as TestSocket, room);

    const client = new ChatApi({ baseUrl: stack.httpUrl, token: (users[0] as (typeof users)[number]).token });
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.roomPresence(room, { limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((user) => user.username));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages).toEqual([names.slice(0, 2), names.slice(2, 4)]);

    // The joined frame a truncated list came with counts the same users.
    expect(await join(again as TestSocket, room)).toMatchObject({ memberCount: 4, membersTruncated: true });
  });

  it('forgets a user whose last connection left: a mention pushes to them again', async () => {
    // A last leave deletes the presence item; the notifier pushes a mentioned member only without one.
    const { users, sockets, room } = await usersInOrder('author', 'mentioned');
    const [author, mentioned] = users as [(typeof users)[number], (typeof users)[number]];
    const device = await api.call('PUT', '/me/devices/ios-phone', {
      token: mentioned.token,
      body: { platform: 'apns', token: `apns-${mentioned.username}` },
    });
    expect(device.status).toBe(204);
    const mentionedSocket = sockets[users.indexOf(mentioned)] as TestSocket;
    await join(mentionedSocket, room);
    await leave(mentionedSocket, room);

    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: author.token,
      body: { text: `back soon, @${mentioned.username}?` },
    });
    expect(posted.status).toBe(201);
    const pushedTo = async () => {
      const pushes = (await (await fetch(`${stack.httpUrl}/_local/pushes`)).json()) as {
        username: string;
        payload: { messageId: string };
      }[];
      return pushes.filter((push) => push.payload.messageId === posted.body.message.messageId);
    };
    await eventually(async () => (await pushedTo()).length === 1);
    expect((await pushedTo())[0]?.username).toBe(mentioned.username);
  });
});
