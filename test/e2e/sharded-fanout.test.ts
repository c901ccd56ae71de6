import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { count, messageWithId, startRealtimeTestStack, type User, userJoined } from '../support/realtime.ts';
import type { TestSocket } from '../support/ws-client.ts';

/** The threshold and shard size, lowered by configuration so that a "large" room takes a handful of sockets. */
const THRESHOLD = 3;
const SHARD_SIZE = 2;

const { stack, harness, api } = await startRealtimeTestStack({
  environment: { FANOUT_SHARD_THRESHOLD: String(THRESHOLD), FANOUT_SHARD_SIZE: String(SHARD_SIZE) },
});
const { connectEach, join, ask, newRoom } = harness;
const connections = new ConnectionRepository(createDocumentClient(), stack.tableName);

/** A room with `others + 1` users joined, one socket each; the first is the sender. */
async function roomOf(others: number) {
  const users = await api.signUpEach(...Array.from({ length: others + 1 }, (_, index) => `s${index}`));
  const room = await newRoom(users[0] as User);
  const sockets = await connectEach(...users);
  for (const socket of sockets) await join(socket, room);
  const [sender, ...receivers] = sockets as [TestSocket, ...TestSocket[]];
  return { users, room, sender, receivers };
}

/** The order in which frames reach any of the given sockets, across sockets. */
function arrivalOrder(sockets: readonly TestSocket[]) {
  const order: { socket: TestSocket; type: string; messageId?: string }[] = [];
  for (const socket of sockets) {
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; messageId?: string };
      order.push({ socket, type: frame.type, messageId: frame.messageId });
    });
  }
  return order;
}

/** Every receiver got the message exactly once, once the emulated Lambda has nothing left to run. */
async function deliveredOnceToEach(receivers: readonly TestSocket[], messageId: string) {
  await Promise.all(receivers.map((socket) => socket.next(messageWithId(messageId), 10_000)));
  await stack.fanOutWorker.idle();
  for (const socket of receivers) expect(count(socket, messageWithId(messageId))).toBe(1);
}

describe(`a room message to more than ${THRESHOLD} connections`, () => {
  it('is acknowledged first, then delivered once to every connection by fan-out workers in shards', async () => {
    const { room, sender, receivers } = await roomOf(7);
    const order = arrivalOrder([sender, ...receivers]);
    const before = stack.fanOutWorker.stats.accepted;

    const ack = await ask(sender, { action: 'message', room, text: 'to the crowd' }, 'ack');
    await deliveredOnceToEach(receivers, ack.messageId);

    // 7 recipients in shards of at most 2: 4 asynchronous invocations of the worker.
    expect(stack.fanOutWorker.stats.accepted - before).toBe(4);
    const ofMessage = order.filter((arrival) => arrival.messageId === ack.messageId);
    expect(ofMessage[0]?.type).toBe('ack');
    expect(ofMessage.filter((arrival) => arrival.type === 'message')).toHaveLength(7);
    expect(count(sender, messageWithId(ack.messageId))).toBe(0);
  });

  it('retries a worker whose post failed once, and delivers to no one twice', async () => {
    const { users, room, sender, receivers } = await roomOf(5);
    // The room's connection items, read strongly consistent (the user's index may lag behind the join).
    const victim = (await connections.members(room)).find(
      (member) => member.username === (users[3] as User).username,
    )?.connectionId;
    expect(victim).toBeDefined();
    // The notices of the joins after the victim's must have reached it, or one of them could take the fault.
    for (const later of users.slice(4))
      await (receivers[2] as TestSocket).next(userJoined(room, later.username));
    const retriesBefore = stack.fanOutWorker.stats.retries;
    stack.failNextPosts(victim as string, 1);

    const ack = await ask(sender, { action: 'message', room, text: 'despite a failure' }, 'ack');
    await deliveredOnceToEach(receivers, ack.messageId);

    expect(stack.fanOutWorker.stats.retries - retriesBefore).toBe(1);
    expect(stack.fanOutWorker.failedEvents).toEqual([]);
  });

  it('shards a message posted over HTTP too', async () => {
    const { users, room, receivers, sender } = await roomOf(4);
    const before = stack.fanOutWorker.stats.accepted;
    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: (users[0] as User).token,
      body: { text: 'over HTTP' },
    });
    expect(posted.status).toBe(201);
    const { messageId } = (posted.body as { message: { messageId: string } }).message;
    // Over HTTP the sender's own socket is a recipient as well: 5 connections, 3 shards.
    await deliveredOnceToEach([sender, ...receivers], messageId);
    expect(stack.fanOutWorker.stats.accepted - before).toBe(3);
  });
});

describe(`a room message to at most ${THRESHOLD} connections`, () => {
  it('is posted by the sending function, with no worker invoked', async () => {
    const { room, sender, receivers } = await roomOf(THRESHOLD);
    const before = stack.fanOutWorker.stats.accepted;
    const ack = await ask(sender, { action: 'message', room, text: 'small room' }, 'ack');
    await deliveredOnceToEach(receivers, ack.messageId);
    expect(stack.fanOutWorker.stats.accepted).toBe(before);
  });
});

it('the emulated Lambda gave up on no event', async () => {
  await stack.fanOutWorker.idle();
  expect(stack.fanOutWorker.failedEvents).toEqual([]);
});
