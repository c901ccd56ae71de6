import { afterEach, describe, expect, it } from 'vitest';
import { ChatClientError, TimeoutError } from '../../lib/client/errors.ts';
import { KeepAlive } from '../../lib/client/keep-alive.ts';

const INTERVAL_MS = 10;
const running: KeepAlive[] = [];
afterEach(() => {
  for (const keepAlive of running.splice(0)) keepAlive.stop();
});

function started(intervalMs: number, ping: () => Promise<unknown>, onUnanswered: () => void): KeepAlive {
  const keepAlive = new KeepAlive(intervalMs);
  running.push(keepAlive);
  keepAlive.start(ping, onUnanswered);
  return keepAlive;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls, because timers run late on a loaded machine; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await sleep(2);
  }
}

describe('KeepAlive', () => {
  it('pings every interval until stopped', async () => {
    let pings = 0;
    const keepAlive = started(
      INTERVAL_MS,
      async () => (pings += 1),
      () => {},
    );

    await until(() => pings >= 3);
    keepAlive.stop();
    const atStop = pings;
    await sleep(INTERVAL_MS * 5);

    expect(pings).toBe(atStop);
    expect(keepAlive.running).toBe(false);
  });

  it('reports each ping that timed out as unanswered', async () => {
    let unanswered = 0;
    started(
      INTERVAL_MS,
      () => Promise.reject(new TimeoutError('a ping', 5)),
      () => (unanswered += 1),
    );

    await until(() => unanswered >= 2);
  });

  it('leaves other ping failures (a closed or dropped session) alone', async () => {
    let unanswered = 0;
    let pings = 0;
    started(
      INTERVAL_MS,
      () => {
        pings += 1;
        return Promise.reject(new ChatClientError('CLOSED', 'The session is closed.'));
      },
      () => (unanswered += 1),
    );

    await until(() => pings >= 3);

    expect(unanswered).toBe(0);
  });

  it('does not ping at all with an interval of 0', async () => {
    let pings = 0;
    const keepAlive = started(
      0,
      async () => (pings += 1),
      () => {},
    );

    await sleep(INTERVAL_MS * 3);

    expect(keepAlive.running).toBe(false);
    expect(pings).toBe(0);
  });
});
