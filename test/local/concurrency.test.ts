import { describe, expect, it } from 'vitest';
import { AccountConcurrency, ExecutionEnvironments } from '../../lib/local/concurrency.ts';
import { invokeFunction } from '../../lib/local/lambda-context.ts';

/** A promise with its resolver, to hold an invocation open until the test lets it end. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('emulated execution environments', () => {
  it('runs at most `size` invocations at once and starts the waiting ones in arrival order', async () => {
    const environments = new ExecutionEnvironments(2, new AccountConcurrency());
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const runs = gates.map((g, index) =>
      environments.run('fn', async () => {
        started.push(index);
        await g.opened;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(environments.queued).toBe(3);

    gates[1]?.open();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.open();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(environments.queued).toBe(0);
  });

  it('frees the environment of an invocation that throws', async () => {
    const environments = new ExecutionEnvironments(1, new AccountConcurrency());
    await expect(
      environments.run('fn', async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await environments.run('fn', async () => 'next')).toBe('next');
  });

  it('refuses an invocation beyond the account concurrency, counting every function, with TooManyRequestsException', async () => {
    const account = new AccountConcurrency(3);
    const first = new ExecutionEnvironments(1, account);
    const second = new ExecutionEnvironments(1, account);
    const hold = gate();
    // Two running (one per function) and one waiting: three in flight.
    const runs = [first, second, first].map((environments) => environments.run('fn', () => hold.opened));
    await settle();

    const refused = second.run('chat-second', async () => 'never');
    await expect(refused).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    await expect(refused).rejects.toThrow(/chat-second/);

    hold.open();
    await Promise.all(runs);
    // Once they end, the account has concurrency again.
    expect(await second.run('fn', async () => 'runs')).toBe('runs');
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new ExecutionEnvironments(0, new AccountConcurrency())).toThrow(/positive integer/);
  });

  it('starts the function timeout when the invocation starts, not while it waits for an environment', async () => {
    const environments = new ExecutionEnvironments(1, new AccountConcurrency());
    const hold = gate();
    const target = {
      functionName: 'fn',
      timeoutMs: 1_000,
      environments,
      handler: async (_event: unknown, context: { getRemainingTimeInMillis(): number }) =>
        context.getRemainingTimeInMillis(),
    };
    const blocker = environments.run('fn', () => hold.opened);
    const waiting = invokeFunction(target, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    hold.open();
    await blocker;
    expect(await waiting).toBeGreaterThan(900);
  });
});
