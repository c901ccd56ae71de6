/**
 * A small version of the load run (test/load/load.ts; the full one is `npm run test:load`): 40 WebSocket
 * clients in 4 rooms, 5 messages each, all at once. Every message is acknowledged without an error frame,
 * reaches every other member of its room exactly once and is in the history exactly once. Then one user floods
 * a room (test/load/flood.ts) at the deployed default message rate: only they are refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rateLimitDefaults } from '../../lib/contract/index.ts';
import { runFlood } from '../load/flood.ts';
import { exactlyOnce, runLoad } from '../load/load.ts';
import { startTestStack } from '../support/local-stack.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

describe('a small load run', () => {
  it('acknowledges every message at the first send, stores each once and delivers each once to every other member', async () => {
    const clients = 40;
    const rooms = 4;
    const messagesPerClient = 5;
    const messages = clients * messagesPerClient;
    const otherMembersPerRoom = clients / rooms - 1;

    const result = await runLoad({ clients, rooms, messagesPerClient, stack });

    // Timings are the benchmark's business (`npm run test:load`); here only what must hold exactly.
    expect(result, JSON.stringify(result)).toMatchObject({
      ...exactlyOnce(messages, otherMembersPerRoom),
    });
  }, 60_000);

  it('refuses a user flooding a room over their rate, while another member gets every message through', async () => {
    const steadyMessages = 10;
    const rate = rateLimitDefaults.message;

    const result = await runFlood({ stack, floodSize: 60, steadyMessages, steadyIntervalMs: 250 }, rate);

    const report = JSON.stringify(result);
    // The flooder: the burst at least, never more than the bucket allows, the rest refused with RATE_LIMITED.
    expect(result.floodAccepted + result.floodLimited, report).toBe(120);
    expect(result.floodOther, report).toBe(0);
    expect(result.floodAccepted, report).toBeGreaterThanOrEqual(rate.burst);
    expect(result.floodAccepted, report).toBeLessThanOrEqual(result.floodAllowance);
    // The steady member: every message acknowledged at the first send and delivered; the listener got nothing
    // that was refused, and the history holds exactly what was acknowledged.
    expect(result, report).toMatchObject({
      steadyAcked: steadyMessages + 1,
      steadyErrors: 0,
      steadyDelivered: steadyMessages + 1,
      floodDeliveredUnaccepted: 0,
      historyMatches: true,
    });
  }, 60_000);
});
