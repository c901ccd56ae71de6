import { GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  byRoute,
  connect,
  disconnectOf,
  expectGone,
  lastConnectionId,
  management,
  refusedHandshake,
  startFixture,
  stopFixture,
} from './websocket-fixture.ts';

afterEach(stopFixture);

describe('local WebSocket gateway: $connect', () => {
  it('gives $connect the headers as sent, the query string and the connection context', async () => {
    const { gateway, events } = await startFixture();

    await connect('/?token=abc&tag=a&tag=b', {
      headers: { Authorization: 'Bearer xyz', 'User-Agent': 'gateway-test/1.0' },
    });

    const [event] = byRoute(events, '$connect');
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
    const { events } = await startFixture();

    await connect();

    const [event] = byRoute(events, '$connect');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('multiValueQueryStringParameters');
  });

  it('leaves identity.userAgent out of every event and of GetConnection when the client sent none', async () => {
    const { events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    const described = await management().send(new GetConnectionCommand({ ConnectionId: connectionId }));
    client.socket.close();
    await disconnectOf(events, connectionId);

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
      const { gateway, events } = await startFixture();

      const refused = await refusedHandshake(`/?deny=${status}`);

      expect(refused).toEqual({ status, body: '{"message":"denied"}' });
      const refusedId = lastConnectionId(events);
      await expectGone(refusedId);
      expect(gateway.connectionCount()).toBe(0);
      // Open and close a good connection: once its $disconnect has run, any $disconnect of the refused one would have too.
      const good = await connect();
      const goodId = lastConnectionId(events);
      good.socket.close();
      await disconnectOf(events, goodId);
      await gateway.close();
      expect(byRoute(events, '$disconnect').map((event) => event.requestContext.connectionId)).toEqual([
        goodId,
      ]);
    },
  );

  it('refuses the handshake with 500 when $connect throws', async () => {
    const { events } = await startFixture();
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});

    const refused = await refusedHandshake('/?explode');

    expect(refused.status).toBe(500);
    expect(errorLog).toHaveBeenCalledTimes(1);
    await expectGone(lastConnectionId(events));
  });

  it('accepts connections at the stage path too, and refuses other paths with 403', async () => {
    await startFixture({ stage: 'dev' });

    await connect('/dev');
    const elsewhere = await refusedHandshake('/prod');

    expect(elsewhere.status).toBe(403);
  });

  it('agrees on the subprotocol that $connect returns in Sec-WebSocket-Protocol', async () => {
    await startFixture();

    const client = await connect('/?protocol=chat.v1', {}, ['chat.v1', 'chat.v2']);

    expect(client.socket.protocol).toBe('chat.v1');
  });
});
