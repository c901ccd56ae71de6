/**
 * Races decided by the database, through the local stack: concurrent registrations of one username or one
 * email, concurrent opening of one conversation, a user's devices joining, leaving and vanishing at once in
 * generated interleavings, and concurrent retries of one clientMessageId over both APIs.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { presenceKey } from '../../lambdas/data/keys.ts';
import { newAccount, type User } from '../support/accounts.ts';
import { expectContractError } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness } from '../support/realtime.ts';
import { tableReader } from '../support/table.ts';
import { eventually, sleep, type TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
const reader = tableReader(stack.dynamoEndpoint);
// Read-only: what the handlers recorded, for the assertions that have no other observable.
const connections = new ConnectionRepository(reader, stack.tableName);
const { api, connect, connectEach, join, newRoom } = realtimeHarness(stack);
afterAll(async () => {
  reader.destroy();
  await stack.stop();
});

/**
 * One clientMessageId fired at once: three frames from one device, two from another, and three POSTs to `path`.
 * Every answer must carry the same message id; returns the HTTP answers and that id.
 */
async function retryStorm(
  sender: User,
  [first, second]: [TestSocket, TestSocket],
  frame: { text: string; clientMessageId: string },
  path: string,
) {
  for (let i = 0; i < 3; i++) first.send(frame);
  for (let i = 0; i < 2; i++) second.send(frame);
  const body = { text: frame.text, clientMessageId: frame.clientMessageId };
  const posts = await Promise.all(
    Array.from({ length: 3 }, () => api.call('POST', path, { token: sender.token, body })),
  );
  await eventually(() => first.ofType('ack').length === 3 && second.ofType('ack').length === 2);
  const ids = new Set([
    ...posts.map((post) => post.body.message.messageId),
    ...[...first.ofType('ack'), ...second.ofType('ack')].map((ack) => ack.messageId),
  ]);
  expect(ids.size).toBe(1);
  return { posts, messageId: [...ids][0] };
}

describe('concurrent registration', () => {
  it('of one username in different cases: exactly one wins, and the losers claimed nothing', async () => {
    const { username } = newAccount('race');
    const attempts = Array.from({ length: 12 }, (_, i) => ({
      ...newAccount(),
      username: i % 2 === 0 ? username : username.toUpperCase(),
    }));

    const responses = await Promise.all(attempts.map((body) => api.call('POST', '/auth/register', { body })));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(response.status).toBe(409);
      expectContractError(response);
      expect(response.body.code).toBe('ACCOUNT_EXISTS');
    }
    // A loser's email was claimed in the same transaction as its username: it must be free again.
    const winner = responses.findIndex((response) => response.status === 201);
    const loserEmail = attempts[(winner + 1) % attempts.length]?.email;
    const reuse = await api.call('POST', '/auth/register', {
      body: { ...newAccount(), email: loserEmail },
    });
    expect(reuse.status).toBe(201);
  });

  it('of one email in different cases: exactly one wins, and the losers claimed nothing', async () => {
    const { email } = newAccount();
    const attempts = Array.from({ length: 12 }, (_, i) => ({
      ...newAccount('mail'),
      email: i % 2 === 0 ? email : email.toUpperCase(),
    }));

    const responses = await Promise.all(attempts.map((body) => api.call('POST', '/auth/register', { body })));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(attempts.length - 1);
    const winner = responses.findIndex((response) => response.status === 201);
    const loser = attempts[(winner + 1) % attempts.length]?.username;
    const reuse = await api.call('POST', '/auth/register', {
      body: { ...newAccount(), username: loser },
    });
    expect(reuse.status).toBe(201);
  });
});

describe('concurrent POST /conversations for one pair', () => {
  it('from both sides, in any case, yields one conversation: one 201, the rest 200 with the same one', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? api.requestConversation(alice, bob.username.toUpperCase())
          : api.requestConversation(bob, alice.username),
      ),
    );

    expect(responses.map((response) => response.status).sort((a, b) => b - a)).toEqual([
      201,
      ...Array(9).fill(200),
    ]);
    const created = responses.find((response) => response.status === 201)?.body.conversation;
    for (const response of responses) expect(response.body.conversation).toEqual(created);
    for (const user of [alice, bob]) {
      const list = await api.listConversations(user);
      expect(list.conversations.map((conversation: Json) => conversation.conversationId)).toEqual([
        created.conversationId,
      ]);
    }
  });
});

describe("a user's devices joining, leaving and dropping concurrently", () => {
  type Op = { kind: 'join' | 'leave' | 'join twice' | 'drop' | 'close'; delayMs: number };
  const op: fc.Arbitrary<Op> = fc.record({
    kind: fc.oneof(
      { weight: 4, arbitrary: fc.constant('join' as const) },
      { weight: 3, arbitrary: fc.constant('leave' as const) },
      { weight: 1, arbitrary: fc.constant('join twice' as const) },
      { weight: 1, arbitrary: fc.constant('drop' as const) },
      { weight: 1, arbitrary: fc.constant('close' as const) },
    ),
    delayMs: fc.integer({ min: 0, max: 15 }),
  });

  it('leave presence and member lists exactly right, and every user’s notices balanced', async () => {
    const [many, other, third, observerUser, newcomer] = await Promise.all(
      ['devices', 'other', 'third', 'observer', 'newcomer'].map((prefix) => api.signUp(prefix)),
    );
    const users = [many, many, many, many, other, other, third] as User[];

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 5 }), { minLength: 7, maxLength: 7 }),
        async (scripts) => {
          const room = await newRoom(observerUser as User, 'presence');
          const observer = await connect(observerUser as User);
          await join(observer, room);
          const devices = await Promise.all(
            users.map(async (user) => ({ user, socket: await connect(user), alive: true, joined: false })),
          );

          await Promise.all(
            devices.map(async (device, index) => {
              for (const step of scripts[index] ?? []) {
                if (!device.alive) break;
                await sleep(step.delayMs);
                const { socket } = device;
                if (step.kind === 'join') {
                  await join(socket, room);
                  device.joined = true;
                } else if (step.kind === 'join twice') {
                  const seen = socket.frames.length;
                  socket.send({ action: 'join', room });
                  socket.send({ action: 'join', room });
                  await eventually(
                    () => socket.frames.slice(seen).filter((frame) => frame.type === 'joined').length === 2,
                  );
                  device.joined = true;
                } else if (step.kind === 'leave') {
                  expect(await socket.request({ action: 'leave', room }, 'left')).toMatchObject({
                    type: 'left',
                  });
                  device.joined = false;
                } else {
                  device.alive = false;
                  await (step.kind === 'drop' ? socket.drop() : socket.close());
                }
              }
            }),
          );

          const present = (user: User) =>
            devices.filter((device) => device.user === user && device.alive && device.joined);
          const distinct = [many, other, third] as User[];
          // Settled: every vanished connection's $disconnect has run and the room holds exactly the live members.
          await eventually(async () => {
            for (const user of distinct) {
              const alive = devices.filter((device) => device.user === user && device.alive).length;
              if ((await connections.connectionIdsOf(user.username)).length !== alive) return false;
            }
            const expectedMembers = distinct.reduce((sum, user) => sum + present(user).length, 1);
            return (await connections.members(room)).length === expectedMembers;
          }, 10_000);

          const notices = (user: User, type: string) =>
            observer.frames.filter(
              (frame) => frame.type === type && frame.room === room && frame.username === user.username,
            ).length;
          const balance = (user: User) => notices(user, 'user_joined') - notices(user, 'user_left');
          // Notices from different invocations travel independently; wait for the last ones to land.
          await eventually(
            () => distinct.every((user) => balance(user) === (present(user).length > 0 ? 1 : 0)),
            5_000,
          ).catch(() => undefined);
          for (const user of distinct) {
            const everJoined = devices.some(
              (device, index) =>
                device.user === user && (scripts[index] ?? []).some((step) => step.kind.startsWith('join')),
            );
            const context = `${user.username}: ${JSON.stringify(scripts)} ${JSON.stringify(
              observer.frames.filter((frame) => frame.username === user.username),
            )}`;
            // Each first join is answered by exactly one last leave: never two user_joined without a user_left.
            expect(balance(user), context).toBe(present(user).length > 0 ? 1 : 0);
            if (!everJoined) expect(notices(user, 'user_joined'), context).toBe(0);
            const presence = await reader.send(
              new GetCommand({
                TableName: stack.tableName,
                Key: presenceKey(room, user.username.toLowerCase()),
                ConsistentRead: true,
              }),
            );
            expect((presence.Item?.connections as Set<string> | undefined)?.size ?? 0, context).toBe(
              present(user).length,
            );
          }

          const fresh = await connect(newcomer as User);
          const joined = await join(fresh, room);
          const expected = [
            observerUser,
            newcomer,
            ...distinct.filter((user) => present(user).length > 0),
          ] as User[];
          expect(joined.members).toEqual(
            expected
              .map((user) => user.username)
              .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
          );

          await Promise.all(
            [observer, fresh, ...devices.map((device) => device.socket)].map((socket) => socket.close()),
          );
        },
      ),
      // A failing run is reported as generated: shrinking would replay many slow concurrent runs.
      { numRuns: 5, endOnFailure: true },
    );
  }, 60_000);
});

describe('concurrent retries of one clientMessageId', () => {
  it('in a room, over two sockets and HTTP at once, store and deliver the message once', async () => {
    const [sender, watcher] = await api.signUpEach('sender', 'watcher');
    const room = await newRoom(sender, 'retry');
    const [first, second, observer] = await connectEach(sender, sender, watcher);
    for (const socket of [first, second, observer]) await join(socket, room);
    const clientMessageId = `retry-${randomUUID()}`;
    const frame = { action: 'message', room, text: 'exactly once', clientMessageId };

    const { posts, messageId } = await retryStorm(sender, [first, second], frame, `/rooms/${room}/messages`);
    const createdOverHttp = posts.filter((post) => post.status === 201).length;
    expect(createdOverHttp).toBeLessThanOrEqual(1);
    expect(posts.filter((post) => post.status === 200)).toHaveLength(3 - createdOverHttp);

    // Barrier: a later message seen by the observer, then a moment for any stray fan-out.
    const barrier = await api.call('POST', `/rooms/${room}/messages`, {
      token: sender.token,
      body: { text: 'barrier' },
    });
    await observer.next((received) => received.messageId === barrier.body.message.messageId);
    await sleep(200);

    const deliveries = (socket: TestSocket) =>
      socket.ofType('message').filter((received) => received.messageId === messageId);
    expect(deliveries(observer)).toHaveLength(1);
    // The winning connection gets the ack, not the message; after an HTTP win both devices get it once.
    const toDevices = deliveries(first).length + deliveries(second).length;
    expect(toDevices).toBe(createdOverHttp === 1 ? 2 : 1);
    expect(Math.max(deliveries(first).length, deliveries(second).length)).toBe(1);
    const history = await api.call('GET', `/rooms/${room}/messages`, { token: watcher.token });
    expect(
      history.body.messages.filter((message: Json) => message.clientMessageId === clientMessageId),
    ).toHaveLength(1);
  });

  it('in a conversation, over two sockets and HTTP at once, store and deliver the message once', async () => {
    const [sender, peer] = await api.signUpEach('dmsender', 'dmpeer');
    const opened = await api.requestConversation(sender, peer.username);
    const conversationId = opened.body.conversation.conversationId;
    const [first, second, receiver] = await connectEach(sender, sender, peer);
    const clientMessageId = `dm-${randomUUID()}`;
    const frame = { action: 'message', conversationId, text: 'exactly once', clientMessageId };

    const { messageId } = await retryStorm(
      sender,
      [first, second],
      frame,
      `/conversations/${conversationId}/messages`,
    );
    const barrier = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: sender.token,
      body: { text: 'barrier' },
    });
    await receiver.next((received) => received.messageId === barrier.body.message.messageId);
    await sleep(200);

    expect(receiver.ofType('message').filter((received) => received.messageId === messageId)).toHaveLength(1);
    for (const device of [first, second]) {
      expect(
        device.ofType('message').filter((received) => received.messageId === messageId).length,
      ).toBeLessThanOrEqual(1);
    }
    const history = await api.call('GET', `/conversations/${conversationId}/messages`, { token: peer.token });
    expect(
      history.body.messages.filter((message: Json) => message.clientMessageId === clientMessageId),
    ).toHaveLength(1);
  });
});
