/**
 * A small version of the load run (test/load/load.ts; the full one is `npm run test:load`): 40 WebSocket
 * clients in 4 rooms, 5 messages each, all at once. Every acknowledged message reaches every other member
 * of its room exactly once and is in the history exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../load/load.ts';
import { startTestStack } from '../support/local-stack.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

describe('a small load run', () => {
  it('delivers and stores every acknowledged message exactly once', async () => {
    const clients = 40;
    const rooms = 4;
    const messagesPerClient = 5;

    const result = await runLoad({ clients, rooms, messagesPerClient, stack });

    const perRoom = clients / rooms;
    expect(result, JSON.stringify(result)).toMatchObject({
      acked: clients * messagesPerClient,
      unacknowledged: 0,
      // Each message reaches the other members of its room.
      expectedDeliveries: clients * messagesPerClient * (perRoom - 1),
      delivered: clients * messagesPerClient * (perRoom - 1),
      missing: 0,
      duplicates: 0,
      unexpected: 0,
      historyMissing: 0,
      historyDuplicates: 0,
      disconnected: 0,
    });
    expect(result.p99).toBeGreaterThan(0);
  }, 60_000);
});
