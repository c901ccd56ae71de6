import { afterEach, describe, expect, it } from 'vitest';
import { type ChatClientError, HandshakeError, UnreachableError } from '../../lib/client/errors.ts';
import { ReconnectPolicy } from '../../lib/client/reconnect-policy.ts';
import { Reconnector } from '../../lib/client/reconnector.ts';

/**
 * The state machine is driven through its hooks with stand-in connections (numbers): the failures it reacts to
 * (a refused handshake, an unreachable server) are what the hooks report, so no socket is needed.
 */
interface Run {
  readonly reconnector: Reconnector<number>;
  readonly log: string[];
  /** Resolves with the reason the reconnector gave up. */
  readonly gaveUp: Promise<ChatClientError>;
  /** Resolves with the first connection taken into use. */
  readonly resumed: Promise<number>;
  /** Resolves when connection `connection` is taken into use. */
  resumedOn(connection: number): Promise<void>;
}

const stopped: Reconnector<number>[] = [];
afterEach(() => {
  for (const reconnector of stopped.splice(0)) reconnector.stop();
});

/** A reconnector whose `open` answers with `outcomes` in turn: a connection number, or an error to throw. */
function run(outcomes: (number | Error)[], options: { maxAttempts?: number; resumes?: boolean } = {}): Run {
  const log: string[] = [];
  const policy = new ReconnectPolicy(
    { initialDelayMs: 1, maxDelayMs: 4, maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY },
    () => 0,
  );
  let giveUp!: (reason: ChatClientError) => void;
  let resume!: (connection: number) => void;
  const gaveUp = new Promise<ChatClientError>((resolve) => (giveUp = resolve));
  const resumed = new Promise<number>((resolve) => (resume = resolve));
  const resumeWaiters: ((connection: number) => void)[] = [];
  const resumedOn = (connection: number) =>
    new Promise<void>((resolve) =>
      resumeWaiters.push((resumedConnection) => resumedConnection === connection && resolve()),
    );
  const reconnector = new Reconnector<number>(policy, {
    open: async () => {
      const outcome = outcomes.shift();
      if (outcome === undefined) throw new Error('no more outcomes');
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    resume: async (connection) => {
      log.push(`resume ${connection}`);
      // As the session does once the rooms are re-joined; a connection that cannot be used does not.
      if (options.resumes ?? true) reconnector.connected();
      resume(connection);
      for (const waiter of resumeWaiters) waiter(connection);
    },
    attempting: ({ attempt, reason }) => log.push(`attempt ${attempt} after ${reason.code}`),
    gaveUp: (reason) => {
      log.push(`gave up: ${reason.code}`);
      giveUp(reason);
    },
    discard: (connection) => log.push(`discard ${connection}`),
  });
  stopped.push(reconnector);
  return { reconnector, log, gaveUp, resumed, resumedOn };
}

const unreachable = () => new UnreachableError('ws://127.0.0.1:1', 'connection refused');
const dropped = () => new UnreachableError('ws://127.0.0.1:1', 'the connection closed');

describe('Reconnector', () => {
  it('tries again after each failed attempt until a connection opens, then resumes on it', async () => {
    const { reconnector, log, resumed } = run([unreachable(), unreachable(), 7]);

    reconnector.dropped(dropped());

    await expect(resumed).resolves.toBe(7);
    expect(log).toEqual([
      'attempt 1 after UNREACHABLE',
      'attempt 2 after UNREACHABLE',
      'attempt 3 after UNREACHABLE',
      'resume 7',
    ]);
  });

  it.each([
    { resumes: true, next: 'attempt 1', when: 'from the first attempt again after a connection was resumed' },
    { resumes: false, next: 'attempt 2', when: 'on after a connection that could not be resumed on' },
  ])('counts $when', async ({ resumes, next }) => {
    const { reconnector, log, resumedOn } = run([1, 2], { resumes });
    reconnector.dropped(dropped());
    await resumedOn(1);

    reconnector.dropped(dropped());
    await resumedOn(2);

    expect(log).toEqual(['attempt 1 after UNREACHABLE', 'resume 1', `${next} after UNREACHABLE`, 'resume 2']);
  });

  it.each([
    [401, 'UNAUTHORIZED', 'the token'],
    [429, 'QUOTA_EXCEEDED', 'a connection over the quota'],
  ])(
    'gives up at once when the server refuses (%i %s: %s), without another attempt',
    async (status, code) => {
      const { reconnector, log, gaveUp, resumed } = run([new HandshakeError('ws://127.0.0.1:1', status), 1]);

      reconnector.dropped(dropped());

      const outcome = await Promise.race([gaveUp, resumed.then(() => 'resumed on the next connection')]);
      expect(outcome).toMatchObject({ code, status });
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(log).toEqual(['attempt 1 after UNREACHABLE', `gave up: ${code}`]);
    },
  );

  it('tries again after another refusal (503), which may pass', async () => {
    const { reconnector, log, resumed } = run([new HandshakeError('ws://127.0.0.1:1', 503), 4]);

    reconnector.dropped(dropped());

    await expect(resumed).resolves.toBe(4);
    expect(log).toEqual(['attempt 1 after UNREACHABLE', 'attempt 2 after HTTP_503', 'resume 4']);
  });

  it('gives up with the last reason once maxAttempts are used up', async () => {
    const { reconnector, log, gaveUp } = run([unreachable(), new HandshakeError('ws://127.0.0.1:1', 502)], {
      maxAttempts: 2,
    });

    reconnector.dropped(dropped());

    await expect(gaveUp).resolves.toMatchObject({ code: 'HTTP_502' });
    expect(log).toEqual(['attempt 1 after UNREACHABLE', 'attempt 2 after UNREACHABLE', 'gave up: HTTP_502']);
  });

  it('gives up on the first drop when the session does not reconnect', () => {
    const log: string[] = [];
    const reconnector = new Reconnector<number>(undefined, {
      open: () => Promise.reject(new Error('never called')),
      resume: () => Promise.reject(new Error('never called')),
      attempting: () => log.push('attempt'),
      gaveUp: (reason) => log.push(`gave up: ${reason.code}`),
      discard: () => log.push('discard'),
    });

    reconnector.dropped(dropped());

    expect(log).toEqual(['gave up: UNREACHABLE']);
  });

  it('throws away a connection that opens after stop, and tries nothing more', async () => {
    const log: string[] = [];
    let opening!: (finishOpening: (connection: number) => void) => void;
    const openCalled = new Promise<(connection: number) => void>((resolve) => (opening = resolve));
    const reconnector = new Reconnector<number>(
      new ReconnectPolicy({ initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 }, () => 0),
      {
        open: () => new Promise<number>((resolve) => opening(resolve)),
        resume: async (connection) => {
          log.push(`resume ${connection}`);
        },
        attempting: ({ attempt }) => log.push(`attempt ${attempt}`),
        gaveUp: () => log.push('gave up'),
        discard: (connection) => log.push(`discard ${connection}`),
      },
    );
    reconnector.dropped(dropped());
    const finishOpening = await openCalled;

    reconnector.stop();
    finishOpening(9);
    await new Promise((resolve) => setImmediate(resolve));
    reconnector.dropped(dropped());

    expect(log).toEqual(['attempt 1', 'discard 9']);
  });
});
