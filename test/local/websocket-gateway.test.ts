import { afterEach, describe, expect, it } from 'vitest';
import * as fixture from './websocket-fixture.ts';

afterEach(fixture.stopFixture);

describe('local WebSocket gateway: $disconnect', () => {
  it('runs $disconnect once when the client closes, after which the id is gone', async () => {
    const { gateway, events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.close(1000, 'bye');

    const event = await fixture.disconnectOf(events, connectionId);
    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId,
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
      stage: 'local',
    });
    expect(event.headers).toBeDefined();
    expect(event.requestContext.connectedAt).toBe(
      fixture.byRoute(events, '$connect')[0]?.requestContext.connectedAt,
    );
    await fixture.expectGone(connectionId);
    expect(gateway.connectionCount()).toBe(0);
    await gateway.close();
    expect(fixture.byRoute(events, '$disconnect')).toHaveLength(1);
  });

  it('runs $disconnect when the client’s socket drops without a close frame', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.terminate();

    const event = await fixture.disconnectOf(events, connectionId);
    expect(event.requestContext.disconnectStatusCode).toBe(1006);
    await fixture.expectGone(connectionId);
  });

  it('closes an idle connection with 1001 and runs $disconnect', async () => {
    const { events } = await fixture.startFixture({ idleTimeoutMs: 300 });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    expect((await client.closed).code).toBe(1001);
    const event = await fixture.disconnectOf(events, connectionId);
    expect(event.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('closes a connection at the maximum connection time, active or not, and runs $disconnect', async () => {
    const { events } = await fixture.startFixture({ maxConnectionMs: 300 });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);
    const keepBusy = setInterval(() => client.socket.send('{"action":"returns"}'), 50);

    try {
      expect((await client.closed).code).toBe(1001);
    } finally {
      clearInterval(keepBusy);
    }
    expect((await fixture.disconnectOf(events, connectionId)).requestContext.disconnectStatusCode).toBe(1001);
  });

  it('closes every connection with $disconnect when the gateway stops', async () => {
    const { gateway, events } = await fixture.startFixture();
    const first = await fixture.connect();
    const second = await fixture.connect();

    await gateway.close();

    expect(fixture.byRoute(events, '$disconnect')).toHaveLength(2);
    expect((await first.closed).code).toBe(1001);
    expect((await second.closed).code).toBe(1001);
  });
});
