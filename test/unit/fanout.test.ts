import { describe, expect, it } from 'vitest';
import { type ConnectionPoster, fanOut } from '../../lambdas/domain/fanout.ts';

/**
 * A fake management API client: DynamoDB Local and the local gateway cannot produce API Gateway's throttling,
 * and these tests need exact control over which connection fails how. This is the one place a fake is right.
 */
class FakePoster implements ConnectionPoster {
  readonly posted: { connectionId: string; frame: string }[] = [];
  readonly attempts = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly behaviour: (connectionId: string, attempt: number) => string | undefined) {}

  async post(connectionId: string, frame: string): Promise<void> {
    const attempt = (this.attempts.get(connectionId) ?? 0) + 1;
    this.attempts.set(connectionId, attempt);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    const errorName = this.behaviour(connectionId, attempt);
    if (errorName !== undefined) throw Object.assign(new Error(errorName), { name: errorName });
    this.posted.push({ connectionId, frame });
  }
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `c${i}`);

function options(poster: ConnectionPoster, overrides: Partial<Parameters<typeof fanOut>[0]> = {}) {
  const pruned: string[][] = [];
  const failures: string[] = [];
  return {
    pruned,
    failures,
    options: {
      poster,
      concurrency: 4,
      baseDelayMs: 1,
      onGone: async (gone: string[]) => {
        pruned.push(gone);
      },
      onFailure: (connectionId: string) => {
        failures.push(connectionId);
      },
      ...overrides,
    },
  };
}

describe('fanOut', () => {
  it('delivers the frame once to every connection', async () => {
    const poster = new FakePoster(() => undefined);
    const { options: opts } = options(poster);

    const result = await fanOut(opts, ids(10), { type: 'left', room: 'hi' });

    expect(result).toEqual({ delivered: 10, gone: 0, failed: 0 });
    expect(poster.posted.map((post) => post.connectionId).sort()).toEqual(ids(10).sort());
    expect(JSON.parse(poster.posted[0]?.frame ?? '')).toEqual({ type: 'left', room: 'hi' });
  });

  it('keeps at most `concurrency` posts in flight', async () => {
    const poster = new FakePoster(() => undefined);
    const { options: opts } = options(poster, { concurrency: 3 });

    await fanOut(opts, ids(20), { type: 'pong' });

    expect(poster.maxInFlight).toBe(3);
  });

  it('prunes connections that are gone, once, after delivering to the others', async () => {
    const poster = new FakePoster((id) => (id === 'c2' || id === 'c7' ? 'GoneException' : undefined));
    const { options: opts, pruned, failures } = options(poster);

    const result = await fanOut(opts, ids(10), { type: 'pong' });

    expect(result).toEqual({ delivered: 8, gone: 2, failed: 0 });
    expect(pruned).toHaveLength(1);
    expect(pruned[0]?.sort()).toEqual(['c2', 'c7']);
    expect(failures).toEqual([]);
    expect(poster.attempts.get('c2')).toBe(1);
  });

  it('retries a throttled post until it goes through', async () => {
    const poster = new FakePoster((id, attempt) =>
      id === 'c1' && attempt <= 2 ? 'LimitExceededException' : undefined,
    );
    const { options: opts } = options(poster);

    const result = await fanOut(opts, ids(3), { type: 'pong' });

    expect(result).toEqual({ delivered: 3, gone: 0, failed: 0 });
    expect(poster.attempts.get('c1')).toBe(3);
  });

  it('gives up on a post that stays throttled without failing the others', async () => {
    const poster = new FakePoster((id) => (id === 'c0' ? 'LimitExceededException' : undefined));
    const { options: opts, failures } = options(poster, { maxRetries: 2 });

    const result = await fanOut(opts, ids(5), { type: 'pong' });

    expect(result).toEqual({ delivered: 4, gone: 0, failed: 1 });
    expect(poster.attempts.get('c0')).toBe(3);
    expect(failures).toEqual(['c0']);
  });

  it('reports other errors without retrying them or failing the send', async () => {
    const poster = new FakePoster((id) => (id === 'c3' ? 'ForbiddenException' : undefined));
    const { options: opts, failures, pruned } = options(poster);

    const result = await fanOut(opts, ids(6), { type: 'pong' });

    expect(result).toEqual({ delivered: 5, gone: 0, failed: 1 });
    expect(poster.attempts.get('c3')).toBe(1);
    expect(failures).toEqual(['c3']);
    expect(pruned).toEqual([]);
  });

  it('does nothing for an empty audience', async () => {
    const poster = new FakePoster(() => undefined);
    const { options: opts, pruned } = options(poster);

    expect(await fanOut(opts, [], { type: 'pong' })).toEqual({ delivered: 0, gone: 0, failed: 0 });
    expect(pruned).toEqual([]);
  });
});
