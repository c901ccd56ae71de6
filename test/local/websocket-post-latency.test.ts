import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketLogEntry } from '../../lib/local/websocket-gateway.ts';
import { checkPostLatency, postDelayMs } from '../../lib/local/websocket-management.ts';
import * as fixture from './websocket-fixture.ts';

afterEach(fixture.stopFixture);

const POSTS = 20;
/** Long beside the time 20 requests take to arrive, so that their waits overlap even on a loaded machine. */
const DELAY_MS = 300;

/** The management API's own record of each post: when it arrived and when it was answered. */
function postIntervals(log: WebSocketLogEntry[]) {
  return log
    .filter((entry) => entry.kind === 'management' && entry.method === 'POST')
    .map((entry) => ({
      status: entry.status,
      durationMs: entry.durationMs,
      start: entry.startedAt as number,
      end: (entry.startedAt as number) + entry.durationMs,
    }));
}

describe('local WebSocket gateway: modelled post latency', () => {
  it('makes each post wait its own delay, concurrently with the others', async () => {
    const log: WebSocketLogEntry[] = [];
    const { events } = await fixture.startFixture({
      postLatency: { delayMs: DELAY_MS, jitterMs: 0 },
      onEvent: (entry) => log.push(entry),
    });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);
    const management = fixture.management();

    await Promise.all(
      Array.from({ length: POSTS }, (_, index) =>
        management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: `post ${index}` })),
      ),
    );

    const frames = await Promise.all(Array.from({ length: POSTS }, () => client.nextFrame()));
    expect(frames.sort()).toEqual(Array.from({ length: POSTS }, (_, index) => `post ${index}`).sort());
    const posts = postIntervals(log);
    expect(posts).toHaveLength(POSTS);
    for (const post of posts) {
      expect(post.status).toBe(200);
      // Each post waited the delay (Date.now() is whole milliseconds; a timer may end within the last one).
      expect(post.durationMs).toBeGreaterThanOrEqual(DELAY_MS - 1);
    }
    // Every post was still waiting when the last one arrived: they all waited at once, not one after another
    // (one after another, the last would arrive after the first had ended).
    const lastArrival = Math.max(...posts.map((post) => post.start));
    const firstAnswer = Math.min(...posts.map((post) => post.end));
    expect(lastArrival).toBeLessThan(firstAnswer);
    // And none waited behind another: one after another (a queue anywhere) the last would end 20 delays after the
    // first arrived; at once, all end about one delay after it. Half of the serial total leaves a wide margin.
    const lastAnswer = Math.max(...posts.map((post) => post.end));
    const firstArrival = Math.min(...posts.map((post) => post.start));
    expect(lastAnswer - firstArrival).toBeLessThan((POSTS * DELAY_MS) / 2);
  });

  it('answers at once when no latency is modelled', async () => {
    const log: WebSocketLogEntry[] = [];
    const { gateway, events } = await fixture.startFixture({
      postLatency: { delayMs: DELAY_MS, jitterMs: 0 },
      onEvent: (entry) => log.push(entry),
    });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);
    gateway.setPostLatency({ delayMs: 0, jitterMs: 0 });

    await fixture.management().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'now' }));

    expect(await client.nextFrame()).toBe('now');
    // Well under the delay that was replaced: the new model applies to the next post.
    expect(postIntervals(log)[0]?.durationMs).toBeLessThan(DELAY_MS);
  });

  it('sends the frame only after the delay: a connection closed meanwhile gets GoneException', async () => {
    const log: WebSocketLogEntry[] = [];
    const { events } = await fixture.startFixture({
      postLatency: { delayMs: DELAY_MS, jitterMs: 0 },
      onEvent: (entry) => log.push(entry),
    });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    const post = fixture
      .management()
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'too late' }));
    // Closed once the post is waiting: the management API has the request (its log entry comes at the end).
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS / 3));
    client.socket.close();
    await fixture.disconnectOf(events, connectionId);

    await expect(post).rejects.toMatchObject({ name: 'GoneException' });
  });
});

describe('post latency model', () => {
  it('spreads each delay uniformly over the delay plus or minus the jitter', () => {
    const model = { delayMs: 15, jitterMs: 5 };
    expect(postDelayMs(model, () => 0)).toBe(10);
    expect(postDelayMs(model, () => 0.5)).toBe(15);
    expect(postDelayMs(model, () => 0.999)).toBeCloseTo(19.99, 5);
    expect(postDelayMs({ delayMs: 0, jitterMs: 0 }, () => 0.7)).toBe(0);
  });

  it('refuses a negative delay, a jitter beyond the delay, and non-numbers', () => {
    expect(() => checkPostLatency({ delayMs: -1, jitterMs: 0 })).toThrow(/latency/);
    expect(() => checkPostLatency({ delayMs: 10, jitterMs: 11 })).toThrow(/jitter/);
    expect(() => checkPostLatency({ delayMs: Number.NaN, jitterMs: 0 })).toThrow(/latency/);
    expect(checkPostLatency({ delayMs: 15, jitterMs: 5 })).toEqual({ delayMs: 15, jitterMs: 5 });
  });
});
