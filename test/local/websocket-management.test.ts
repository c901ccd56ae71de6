import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocketLogEntry } from '../../lib/local/websocket-gateway.ts';
import * as fixture from './websocket-fixture.ts';

afterEach(fixture.stopFixture);

describe('local WebSocket gateway: @connections fixture.management API (real SDK client)', () => {
  it('posts the data as one text frame to the connection', async () => {
    const log: WebSocketLogEntry[] = [];
    const { events } = await fixture.startFixture({ onEvent: (entry) => log.push(entry) });
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    await fixture
      .management()
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"hello","n":1}' }));

    expect(await client.nextFrame()).toBe('{"type":"hello","n":1}');
    expect(log).toEqual([
      expect.objectContaining({ kind: 'invocation', routeKey: '$connect', connectionId, status: 200 }),
      expect.objectContaining({ kind: 'management', method: 'POST', connectionId, status: 200 }),
    ]);
  });

  it('also serves the fixture.management API under the stage path', async () => {
    const { gateway, events } = await fixture.startFixture();
    const client = await fixture.connect();

    await fixture
      .management(`${gateway.callbackUrl}/local`)
      .send(
        new PostToConnectionCommand({ ConnectionId: fixture.lastConnectionId(events), Data: 'via stage' }),
      );

    expect(await client.nextFrame()).toBe('via stage');
  });

  it('describes a connection: connectedAt, lastActiveAt, identity', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect('', { headers: { 'User-Agent': 'gateway-test/1.0' } });
    const connectionId = fixture.lastConnectionId(events);

    const before = await fixture.management().send(new GetConnectionCommand({ ConnectionId: connectionId }));
    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(fixture.byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    const after = await fixture.management().send(new GetConnectionCommand({ ConnectionId: connectionId }));

    expect(before.ConnectedAt).toBeInstanceOf(Date);
    expect(before.ConnectedAt?.getTime()).toBe(
      fixture.byRoute(events, '$connect')[0]?.requestContext.connectedAt,
    );
    expect(before.LastActiveAt?.getTime()).toBe(before.ConnectedAt?.getTime());
    expect(before.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'gateway-test/1.0' });
    expect(after.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(before.ConnectedAt?.getTime() ?? 0);
    expect(after.LastActiveAt?.getTime()).toBe(
      fixture.byRoute(events, 'returns')[0]?.requestContext.requestTimeEpoch,
    );
  });

  it('closes a connection on DELETE with 1000 and runs $disconnect exactly once', async () => {
    const { gateway, events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    await fixture.management().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));

    expect((await client.closed).code).toBe(1000);
    expect((await fixture.disconnectOf(events, connectionId)).requestContext.disconnectStatusCode).toBe(1000);
    await fixture.expectGone(connectionId);
    await gateway.close();
    expect(fixture.byRoute(events, '$disconnect')).toHaveLength(1);
  });

  it('answers GoneException to all three verbs for an unknown connection id', async () => {
    await fixture.startFixture();
    const unknown = 'L0SM9cOFvHcCIhw=';

    const attempts = await Promise.allSettled([
      fixture.management().send(new PostToConnectionCommand({ ConnectionId: unknown, Data: 'x' })),
      fixture.management().send(new GetConnectionCommand({ ConnectionId: unknown })),
      fixture.management().send(new DeleteConnectionCommand({ ConnectionId: unknown })),
    ]);

    for (const attempt of attempts) {
      expect(attempt.status).toBe('rejected');
      expect(attempt.status === 'rejected' && attempt.reason).toMatchObject({
        name: 'GoneException',
        $metadata: { httpStatusCode: 410 },
      });
    }
  });

  it('answers GoneException when posting to a connection that has closed', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);
    client.socket.close();
    await fixture.disconnectOf(events, connectionId);

    await expect(
      fixture.management().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' })),
    ).rejects.toMatchObject({ name: 'GoneException' });
  });

  it('refuses a post over 128 KiB with PayloadTooLargeException', async () => {
    const { events } = await fixture.startFixture();
    await fixture.connect();

    await expect(
      fixture.management().send(
        new PostToConnectionCommand({
          ConnectionId: fixture.lastConnectionId(events),
          Data: 'x'.repeat(fixture.MAX_MESSAGE_BYTES + 1),
        }),
      ),
    ).rejects.toMatchObject({ name: 'PayloadTooLargeException', $metadata: { httpStatusCode: 413 } });
  });

  it('answers 404 to any other HTTP path on the WebSocket port', async () => {
    const { gateway } = await fixture.startFixture();

    const response = await fetch(`${gateway.callbackUrl}/somewhere`);

    expect(response.status).toBe(404);
  });
});
