import { describe, expect, it } from 'vitest';
import { ChatClientError, SocketFrameError } from '../../lib/client/errors.ts';
import { PendingRequests } from '../../lib/client/pending-requests.ts';
import type { ClientFrame, ServerFrame } from '../../lib/client/types.ts';

const isAck = (id: string) => (frame: ServerFrame) => frame.type === 'ack' && frame.clientMessageId === id;
const isJoined = (room: string) => (frame: ServerFrame) => frame.type === 'joined' && frame.room === room;

function message(clientMessageId: string): ClientFrame {
  return { action: 'message', room: 'general', text: 'hi', clientMessageId };
}

/** Sends everything due, and returns the frames that went out. */
function sendAll(pending: PendingRequests, mayGo: (kind: string) => boolean = () => true): ClientFrame[] {
  const sent: ClientFrame[] = [];
  pending.sendDue(mayGo, (frame) => sent.push(frame));
  return sent;
}

/** Whether the promise has settled, without waiting for it to. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('PendingRequests', () => {
  it('resolves a request with the frame that answers it, and only once it has been sent', async () => {
    const pending = new PendingRequests(5_000);
    const ack: ServerFrame = {
      type: 'ack',
      messageId: 'm1',
      sentAt: '2025-01-01T00:00:00.000Z',
      clientMessageId: 'a',
    };
    const answered = pending.add('message', message('a'), isAck('a'));

    pending.settle(ack);
    expect(await settledYet(answered)).toBe(false);

    expect(sendAll(pending)).toEqual([message('a')]);
    pending.settle({ ...ack, clientMessageId: 'b' });
    expect(await settledYet(answered)).toBe(false);
    pending.settle(ack);

    await expect(answered).resolves.toEqual(ack);
    expect(pending.size).toBe(0);
  });

  it('rejects a message with the error frame that names its clientMessageId, and no other', async () => {
    const pending = new PendingRequests(5_000);
    const first = pending.add('message', message('first'), isAck('first'));
    const second = pending.add('message', message('second'), isAck('second'));
    sendAll(pending);

    pending.settle({
      type: 'error',
      code: 'NOT_IN_ROOM',
      message: 'Join first.',
      action: 'message',
      clientMessageId: 'second',
    });

    const error = await second.catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SocketFrameError);
    expect(error).toMatchObject({ code: 'NOT_IN_ROOM', clientMessageId: 'second' });
    expect(await settledYet(first)).toBe(false);
    expect(pending.size).toBe(1);
  });

  it('rejects the join under way with an error frame for the join action, not a waiting message', async () => {
    const pending = new PendingRequests(5_000);
    const join = pending.add('user', { action: 'join', room: 'nowhere' }, isJoined('nowhere'));
    const sent = pending.add('message', message('m'), isAck('m'));
    sendAll(pending);

    pending.settle({ type: 'error', code: 'ROOM_NOT_FOUND', message: 'No such room.', action: 'join' });

    await expect(join).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect(await settledYet(sent)).toBe(false);
  });

  it('fails a request that gets no answer in time with TIMEOUT, naming what it was', async () => {
    const pending = new PendingRequests(30);
    const join = pending.add('user', { action: 'join', room: 'quiet' }, isJoined('quiet'));
    sendAll(pending);

    await expect(join).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('joining quiet'),
    });
    expect(pending.size).toBe(0);
  });

  it('sends in the order requests were made, each kind only when it may go, and each once', async () => {
    const pending = new PendingRequests(5_000);
    const requests = [
      pending.add('message', message('m'), isAck('m')),
      pending.add('rejoin', { action: 'join', room: 'general' }, isJoined('general')),
      pending.add('user', { action: 'ping' }, (frame) => frame.type === 'pong'),
    ];

    expect(sendAll(pending, (kind) => kind === 'rejoin')).toEqual([{ action: 'join', room: 'general' }]);
    expect(sendAll(pending)).toEqual([message('m'), { action: 'ping' }]);
    expect(sendAll(pending)).toEqual([]);

    pending.failAll(new ChatClientError('CLOSED', 'done'));
    for (const request of requests) await expect(request).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('after a drop fails the re-joins and sends the rest again on the next connection', async () => {
    const pending = new PendingRequests(5_000);
    const rejoin = pending.add('rejoin', { action: 'join', room: 'general' }, isJoined('general'));
    const sent = pending.add('message', message('m'), isAck('m'));
    sendAll(pending);

    pending.connectionLost(new ChatClientError('DISCONNECTED', 'dropped'));

    await expect(rejoin).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(sendAll(pending)).toEqual([message('m')]);
    expect(await settledYet(sent)).toBe(false);
    pending.failAll(new ChatClientError('CLOSED', 'done'));
    await expect(sent).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('drains once every request made so far has settled, however it settled', async () => {
    const pending = new PendingRequests(40);
    const timesOut = pending
      .add('user', { action: 'ping' }, (frame) => frame.type === 'pong')
      .catch(() => {});
    const answered = pending.add('message', message('m'), isAck('m'));
    sendAll(pending);
    const drained = pending.drain();

    pending.settle({ type: 'ack', messageId: 'x', sentAt: '2025-01-01T00:00:00.000Z', clientMessageId: 'm' });
    await answered;
    expect(await settledYet(drained)).toBe(false);

    await timesOut;
    await expect(drained).resolves.toBeUndefined();
  });
});
