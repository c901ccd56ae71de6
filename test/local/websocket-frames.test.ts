import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import * as fixture from './websocket-fixture.ts';

afterEach(fixture.stopFixture);

describe('local WebSocket gateway: messages', () => {
  it('routes a frame on its action and gives the function a MESSAGE event', async () => {
    const { gateway, events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);
    const connectedAt = fixture.byRoute(events, '$connect')[0]?.requestContext.connectedAt;

    client.socket.send('{"action":"echo","text":"hello"}');

    expect(JSON.parse(await client.nextFrame())).toEqual({
      type: 'echo',
      body: '{"action":"echo","text":"hello"}',
    });
    const [event] = fixture.byRoute(events, 'echo');
    expect(event?.body).toBe('{"action":"echo","text":"hello"}');
    expect(event?.isBase64Encoded).toBe(false);
    expect(event).not.toHaveProperty('headers');
    expect(event?.requestContext).toMatchObject({
      routeKey: 'echo',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      connectionId,
      connectedAt,
      stage: 'local',
      domainName: `127.0.0.1:${gateway.port}`,
      identity: { sourceIp: '127.0.0.1' },
    });
    expect(event?.requestContext.requestId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(event?.requestContext.messageId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(event?.requestContext.requestTime).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
  });

  it('routes an unknown action, a frame without action and a frame that is not JSON to $default', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();

    for (const frame of [
      '{"action":"nope"}',
      '{"text":"no action"}',
      '[1,2]',
      'not json',
      '{"action":"$disconnect"}',
    ]) {
      client.socket.send(frame);
    }

    await vi.waitFor(() => expect(fixture.byRoute(events, '$default')).toHaveLength(5), {
      timeout: 5000,
      interval: 10,
    });
    expect(
      fixture
        .byRoute(events, '$default')
        .map((event) => event.body)
        .sort(),
    ).toEqual(
      ['not json', '[1,2]', '{"action":"$disconnect"}', '{"action":"nope"}', '{"text":"no action"}'].sort(),
    );
    expect(fixture.byRoute(events, '$disconnect')).toHaveLength(0);
  });

  it('answers Forbidden like API Gateway when no route matches and there is no $default', async () => {
    const { events } = await fixture.startFixture({ withoutDefault: true });
    const client = await fixture.connect();

    client.socket.send('{"action":"nope"}');

    const frame = JSON.parse(await client.nextFrame());
    expect(frame).toMatchObject({ message: 'Forbidden', connectionId: fixture.lastConnectionId(events) });
    expect(typeof frame.requestId).toBe('string');
  });

  it('sends "Internal server error" to the client when the function throws, and logs the error once', async () => {
    const { events } = await fixture.startFixture();
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
    const client = await fixture.connect();

    client.socket.send('{"action":"fails"}');

    const frame = JSON.parse(await client.nextFrame());
    expect(frame).toMatchObject({
      message: 'Internal server error',
      connectionId: fixture.lastConnectionId(events),
    });
    expect(typeof frame.requestId).toBe('string');
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('does not send what the function returns (no route response is configured)', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();

    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(fixture.byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    client.socket.send('{"action":"echo"}');

    expect(JSON.parse(await client.nextFrame())).toMatchObject({ type: 'echo' });
  });

  it('runs the functions of different frames concurrently', async () => {
    let releaseFirst: () => void = () => {};
    const firstWaits = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { events } = await fixture.startFixture({
      routes: [
        { routeKey: 'first', functionName: 'first', handler: async () => await firstWaits },
        { routeKey: 'second', functionName: 'second', handler: async () => releaseFirst() },
      ],
    });
    await fixture.connect();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.send('{"action":"first"}');
    client.socket.send('{"action":"second"}');

    // `first` only returns once `second` has run: were frames serialised, this would never settle.
    await firstWaits;
    expect(connectionId).toBeDefined();
  });

  it('closes the connection with 1003 on a binary frame, runs $disconnect and routes nothing', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.send(Buffer.from([1, 2, 3, 250]), { binary: true });

    expect((await client.closed).code).toBe(1003);
    const disconnect = await fixture.disconnectOf(events, connectionId);
    expect(disconnect.requestContext).toMatchObject({
      disconnectStatusCode: 1003,
      disconnectReason: 'Unsupported data',
    });
    expect(fixture.byRoute(events, '$default')).toHaveLength(0);
    await fixture.expectGone(connectionId);
  });

  it('accepts a frame of exactly 128 KiB and closes with 1009 on a larger one, running $disconnect', async () => {
    const { events } = await fixture.startFixture();
    const client = await fixture.connect();
    const connectionId = fixture.lastConnectionId(events);

    client.socket.send('x'.repeat(fixture.MAX_MESSAGE_BYTES));
    await vi.waitFor(() => expect(fixture.byRoute(events, '$default')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    client.socket.send('x'.repeat(fixture.MAX_MESSAGE_BYTES + 1));

    expect((await client.closed).code).toBe(1009);
    const disconnect = await fixture.disconnectOf(events, connectionId);
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1009);
    expect(fixture.byRoute(events, '$default')).toHaveLength(1);
  });
});
