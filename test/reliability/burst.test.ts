/**
 * A burst (issue 16): 40 WebSocket clients in 5 rooms each write 5 messages back to back without waiting for an
 * ack, 200 frames at once. On AWS each frame gets an execution environment of its own and DynamoDB absorbs the
 * writes; the local stack must absorb them too (lib/local/concurrency.ts). Every message is acknowledged at the
 * first send (no error frame), stored once and delivered once to every other member of its room. Without the
 * emulated environments, 40 x 10 got 145 error frames; `npm run test:load` runs that size (docs/reliability.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exactlyOnce, runLoad } from '../load/load.ts';
import { startTestStack } from '../support/local-stack.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

describe('a pipelined burst', () => {
  it('acknowledges all 200 pipelined messages at the first send, stores each once and delivers each once', async () => {
    const clients = 40;
    const rooms = 5;
    const messagesPerClient = 5;
    const messages = clients * messagesPerClient;
    const otherMembersPerRoom = clients / rooms - 1;

    const result = await runLoad({ clients, rooms, messagesPerClient, pipelined: true, stack });

    expect(result, JSON.stringify(result)).toMatchObject({
      pipelined: true,
      ...exactlyOnce(messages, otherMembersPerRoom),
    });
  }, 90_000);
});
