import { GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fixture from './websocket-fixture.ts';

afterEach(fixture.stopFixture);

describe('local WebSocket gateway: $connect', () => {
  it('gives $connect the headers as sent, the query string and the connection context', async () => {
    const { gateway, events } = await fixture.startFixture();

    await fixture.connect('/?token=abc&tag=a&tag=b', {
      headers: { Authorization: 'Bearer xyz', 'User-Agent': 'gateway-test/1.0' },
    });

    const [event] = fixture.byRoute(events, '$connect');
    expect(event?.headers?.Authorization).toBe('Bearer xyz');
    expect(event?.headers?.Host).toBe(`127.0.0.1:${gateway.port}`);
    expect(event?.headers?.['Sec-WebSocket-Key']).toBeDefined();
    expect(event?.headers?.['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event?.multiValueHeaders?.Authorization).toEqual(['Bearer xyz']);
    expect(event?.queryStringParameters).toEqual({ token: 'abc', tag: 'b' });
    expect(event?.multiValueQueryStringParameters).toEqual({ token: ['abc'], tag: ['a', 'b'] });
    expect(event?.isBase64Encoded).toBe(false);
    expect(event?.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      domainName: `127.0.0.1:${gateway.port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test/1.0' },
    });
    expect(event?.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(typeof event?.requestContext.connectedAt).toBe('number');
    expect(event?.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(
      event?.requestContext.connectedAt ?? 0,
    );
  });

  it('leaves the query string out of $connect when there is none', async () => {
    const { events } = await fixture.startFixture();

    await fixture.connect();

    const [event] = fixture.byRoute(events, '$connect');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('multiValueQueryStringParameters');
  });

  it('leaves identity.userAgent out of every event and of GetConnection when the client sent none', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(fixture.byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    const described = await fixture
      .management()
      .send(new GetConnectionCommand({ ConnectionId: connectionId }));
    client.socket.close();
    await fixture.disconnectOf(events, connectionId);

    for (const event of events) expect(event.requestContext.identity).toEqual({ sourceIp: '127.0.0.1' });
    expect(events.map((event) => event.requestContext.routeKey)).toEqual([
      '$connect',
      'returns',
      '$disconnect',
    ]);
    expect(described.Identity).toEqual({ SourceIp: '127.0.0.1' });
  });

  it.each([401, 403])(
    'refuses the handshake with the %i that $connect returns, and records nothing',
    async (status) => {
      const { gateway, events } = await fixture.startFixture();

      const refused = await fixture.refusedHandshake(`/?deny=${status}`);

      expect(refused).toEqual({ status, body: '{"message":"denied"}' });
      const refusedId = fixture.lastConnectionId(events);
      await fixture.expectGone(refusedId);
      expect(gateway.connectionCount()).toBe(0);
      // Open and close a good connection: once its $disconnect has run, any $disconnect of the refused one would have too.
      const good = await fixture.connect();
      const goodId = fixture.lastConnectionId(events);
      good.socket.close();
      await fixture.disconnectOf(events, goodId);
      await gateway.close();
      expect(
        fixture.byRoute(events, '$disconnect').map((event) => event.requestContext.connectionId),
      ).toEqual([goodId]);
    },
  );

  it('refuses the handshake with 500 when $connect throws', async () => {
    const { events } = await fixture.startFixture();
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});

    const refused = await fixture.refusedHandshake('/?explode');

    expect(refused.status).toBe(500);
    expect(errorLog).toHaveBeenCalledTimes(1);
    await fixture.expectGone(fixture.lastConnectionId(events));
  });

  it('accepts connections at the stage path too, and refuses other paths with 403', async () => {
    await fixture.startFixture({ stage: 'dev' });

    await fixture.connect('/dev');
    const elsewhere = await fixture.refusedHandshake('/prod');

    expect(elsewhere.status).toBe(403);
  });

  it('agrees on the subprotocol that $connect returns in Sec-WebSocket-Protocol', async () => {
    await fixture.startFixture();

    const client = await fixture.connect('/?protocol=chat.v1', {}, ['chat.v1', 'chat.v2']);

    expect(client.socket.protocol).toBe('chat.v1');
  });
});
