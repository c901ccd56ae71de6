/**
 * Push notifications over the local stack: messages stored in the table reach the notifier through the
 * emulated stream mapping, and its pushes land in the local sink (`GET /_local/pushes`). Who gets one: a
 * conversation's participant with no open connection who has not muted it, a room's absent user mentioned as
 * @username; one push per device, once per message, never to a deleted device.
 *
 * A push that must not happen has no event to wait for; each such check is followed by a message that must
 * push to the same user, and the stream is read in order, so once that one arrives the other was decided.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Json } from '../support/http-client.ts';
import { startRealtimeTestStack, type User } from '../support/realtime.ts';
import { eventually } from '../support/ws-client.ts';

const { stack, harness, api } = await startRealtimeTestStack();

async function pushes(): Promise<Json[]> {
  const response = await fetch(`${stack.httpUrl}/_local/pushes`);
  expect(response.status).toBe(200);
  return (await response.json()) as Json[];
}
const pushesOf = async (messageId: string) =>
  (await pushes()).filter((push) => push.payload.messageId === messageId);

/** Waits until the message's pushes reached `devices` devices (within 5 seconds), and answers them. */
async function expectPushes(messageId: string, devices: number): Promise<Json[]> {
  await eventually(async () => (await pushesOf(messageId)).length >= devices, 5_000);
  return pushesOf(messageId);
}

async function registerDevices(user: User, ...deviceIds: string[]) {
  for (const deviceId of deviceIds) {
    const platform = deviceId.startsWith('ios') ? 'apns' : 'fcm';
    const response = await api.call('PUT', `/me/devices/${deviceId}`, {
      token: user.token,
      body: { platform, token: `${platform}-${randomUUID()}` },
    });
    expect(response.status).toBe(204);
  }
}

async function send(sender: User, conversationId: string, text: string, clientMessageId?: string) {
  const response = await api.call('POST', `/conversations/${conversationId}/messages`, {
    token: sender.token,
    body: { text, ...(clientMessageId ? { clientMessageId } : {}) },
  });
  expect([200, 201]).toContain(response.status);
  return response.body.message as Json;
}

async function pair(...prefixes: [string, string]) {
  const [sender, recipient] = await api.signUpEach(...prefixes);
  const conversation = await api.openConversation(sender, recipient.username);
  return { sender, recipient, conversationId: conversation.conversationId as string };
}

/**
 * Waits until the notifier has handled the message's record. It decides when it reads the record, not when the
 * message was sent, so a test changes a recipient's state only once the message before has been decided.
 */
async function decided(message: Json): Promise<void> {
  await eventually(() => stack.notifier.handledMessageIds.has(message.messageId), 5_000);
}

describe('push notifications', () => {
  it('a direct message to a user with no open connection pushes once to each of their devices', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'offline');
    await registerDevices(recipient, 'ios-phone', 'android-tablet');
    await registerDevices(sender, 'ios-sender');

    const message = await send(sender, conversationId, 'x'.repeat(150));
    const received = await expectPushes(message.messageId, 2);

    expect(received.map((push) => push.deviceId).sort()).toEqual(['android-tablet', 'ios-phone']);
    for (const push of received) {
      expect(push).toMatchObject({ username: recipient.username, sentAt: expect.any(String) });
      expect(push.payload).toEqual({
        title: sender.username,
        body: `${'x'.repeat(99)}…`,
        conversationId,
        messageId: message.messageId,
        // Their one unread message: this one.
        badge: 1,
      });
    }
    expect(received.find((push) => push.deviceId === 'ios-phone').platform).toBe('apns');
  });

  it('a connected user gets none; once disconnected, the next message pushes', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'online');
    await registerDevices(recipient, 'ios-phone');
    const [socket] = await harness.connectEach(recipient);

    const whileOnline = await send(sender, conversationId, 'you are here');
    await decided(whileOnline);
    await socket.close();
    const afterwards = await send(sender, conversationId, 'you left');

    await expectPushes(afterwards.messageId, 1);
    expect(await pushesOf(whileOnline.messageId)).toEqual([]);
  });

  it('a muted conversation gets none until it is unmuted', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'muter');
    await registerDevices(recipient, 'ios-phone');
    const mute = (muted: boolean) =>
      api.call('PATCH', `/conversations/${conversationId}/settings`, {
        token: recipient.token,
        body: { muted },
      });

    expect((await mute(true)).body).toEqual({ conversationId, muted: true });
    const whileMuted = await send(sender, conversationId, 'shh');
    await decided(whileMuted);
    expect((await mute(false)).body).toEqual({ conversationId, muted: false });
    const unmuted = await send(sender, conversationId, 'hello again');

    await expectPushes(unmuted.messageId, 1);
    expect(await pushesOf(whileMuted.messageId)).toEqual([]);
  });

  it('a room message pushes to an absent member mentioned as @username, and to no one else', async () => {
    const [author, absent, present, unmentioned, stranger] = await api.signUpEach(
      'author',
      'absent',
      'present',
      'quiet',
      'stranger',
    );
    for (const user of [absent, present, unmentioned, stranger]) await registerDevices(user, 'ios-phone');
    const room = await api.newRoom(author);
    for (const member of [absent, unmentioned]) {
      const joined = await api.call('POST', `/rooms/${room}/members`, { token: member.token });
      expect(joined.status).toBe(201);
    }
    const [presentSocket] = await harness.connectEach(present);
    await harness.join(presentSocket, room);

    const response = await api.call('POST', `/rooms/${room}/messages`, {
      token: author.token,
      body: {
        text: `hi @${absent.username.toUpperCase()}, @${present.username}, @${stranger.username} and @${author.username}!`,
      },
    });
    expect(response.status).toBe(201);
    const { messageId } = response.body.message;
    // The present user's push would come from the same record: once the absent one's is there, it was decided.
    const [push] = await expectPushes(messageId, 1);

    expect(push).toMatchObject({ username: absent.username, deviceId: 'ios-phone' });
    expect(push.payload).toMatchObject({
      title: `${author.username} in #${room}`,
      room,
      messageId,
      badge: 0,
    });
    expect(push.payload.conversationId).toBeUndefined();
    expect(await pushesOf(messageId)).toHaveLength(1);
  });

  it('a group message pushes to each offline participant, not to a connected one nor to one who left', async () => {
    const [sender, offline, online, leaver] = await api.signUpEach('sender', 'offline', 'online', 'leaver');
    const names = [offline.username, online.username, leaver.username];
    const created = await api.call('POST', '/conversations', {
      token: sender.token,
      body: { participants: names, title: 'Trip planning' },
    });
    expect(created.status).toBe(201);
    const conversationId = created.body.conversation.conversationId as string;
    await registerDevices(offline, 'android-offline');
    await registerDevices(online, 'ios-online');
    await registerDevices(leaver, 'ios-leaver');
    await harness.connectEach(online);

    const first = await send(sender, conversationId, 'to the group');
    const firstPushes = await expectPushes(first.messageId, 2);
    expect(firstPushes.map((push) => push.deviceId).sort()).toEqual(['android-offline', 'ios-leaver']);
    // A group is named by its title.
    expect(firstPushes[0].payload.title).toBe(`${sender.username} in Trip planning`);
    await decided(first);
    const left = await api.call('DELETE', `/conversations/${conversationId}/participants/me`, {
      token: leaver.token,
    });
    expect(left.status).toBe(204);

    const second = await send(sender, conversationId, 'without the leaver');
    await expectPushes(second.messageId, 1);
    await decided(second);
    expect((await pushesOf(second.messageId)).map((push) => push.deviceId)).toEqual(['android-offline']);
  });

  it('a message retried with its clientMessageId pushes once', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'retried');
    await registerDevices(recipient, 'ios-phone');
    const clientMessageId = randomUUID();

    const first = await send(sender, conversationId, 'once', clientMessageId);
    const retried = await send(sender, conversationId, 'once', clientMessageId);
    expect(retried.messageId).toBe(first.messageId);
    const barrier = await send(sender, conversationId, 'after');

    await expectPushes(barrier.messageId, 1);
    expect(await pushesOf(first.messageId)).toHaveLength(1);
  });

  it('a deleted device gets no more pushes; the others still do', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'deleter');
    await registerDevices(recipient, 'ios-old', 'ios-new');
    expect((await api.call('DELETE', '/me/devices/ios-old', { token: recipient.token })).status).toBe(204);

    const message = await send(sender, conversationId, 'new phone?');

    const [push] = await expectPushes(message.messageId, 1);
    expect(push.deviceId).toBe('ios-new');
    // Pushes to one message come from one record: both devices were decided together.
    expect(await pushesOf(message.messageId)).toHaveLength(1);
  });

  it('carries the recipient’s unread messages across their conversations as the badge, less what they read', async () => {
    const [alice, bob, reader] = await api.signUpEach('pusher', 'pusher', 'badged');
    await registerDevices(reader, 'ios-phone');
    const fromAlice = (await api.openConversation(alice, reader.username)).conversationId as string;
    const fromBob = (await api.openConversation(bob, reader.username)).conversationId as string;
    const badgeOf = async (message: Json) => (await expectPushes(message.messageId, 1))[0].payload.badge;

    expect(await badgeOf(await send(alice, fromAlice, 'one'))).toBe(1);
    const second = await send(alice, fromAlice, 'two');
    expect(await badgeOf(second)).toBe(2);
    expect(await badgeOf(await send(bob, fromBob, 'three'))).toBe(3);

    const read = await api.call('POST', `/conversations/${fromAlice}/read`, {
      token: reader.token,
      body: { messageId: second.messageId },
    });
    expect(read.status).toBe(200);
    // Alice's two are read: what is left is Bob's two.
    expect(await badgeOf(await send(bob, fromBob, 'four'))).toBe(2);
  });

  it('the emulated mapping counts its stream reads and the invocations a message takes (read by the benchmark)', async () => {
    const { sender, recipient, conversationId } = await pair('pusher', 'counted');
    await registerDevices(recipient, 'ios-phone');
    const before = { ...stack.notifier.stream };

    const message = await send(sender, conversationId, 'count me');
    await expectPushes(message.messageId, 1);
    // The push reaches the sink during the invocation; its time is counted when it returns.
    await decided(message);
    // The message item, its conversation's updates and the push markers all reach the stream, in later polls
    // too (the markers are written by the notifier itself); one passes the filter.
    const live = stack.notifier.stream;
    await eventually(
      () => live.recordsRead - before.recordsRead > live.recordsMatched - before.recordsMatched,
      5_000,
    );

    const after = stack.notifier.stream;
    expect(after.getRecordsCalls).toBeGreaterThan(before.getRecordsCalls);
    expect(after.recordsMatched - before.recordsMatched).toBeGreaterThanOrEqual(1);
    expect(after.invocations).toBeGreaterThan(before.invocations);
    expect(after.invocationMs).toBeGreaterThan(before.invocationMs);
    expect(stack.notifier.pollIntervalMs).toBe(250);
  });

  it('refuses to record anything but a push in the sink', async () => {
    const response = await fetch(`${stack.httpUrl}/_local/pushes`, { method: 'POST', body: '{"x":1}' });
    expect(response.status).toBe(400);
    const put = await fetch(`${stack.httpUrl}/_local/pushes`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });
});
