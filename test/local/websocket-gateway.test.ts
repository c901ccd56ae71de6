import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import {
  startWebSocketGateway,
  type WebSocketEvent,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
  type WebSocketGatewayRoute,
  type WebSocketLogEntry,
} from '../../lib/local/websocket-gateway.ts';

const MAX_MESSAGE_BYTES = 128 * 1024;

let gateway: WebSocketGateway | undefined;
const clients: WebSocket[] = [];
const managementClients: ApiGatewayManagementApiClient[] = [];

afterEach(async () => {
  // The gateway first: it waits for functions still running, which may be using a management client.
  await gateway?.close();
  gateway = undefined;
  for (const client of clients.splice(0)) client.terminate();
  for (const client of managementClients.splice(0)) client.destroy();
  vi.restoreAllMocks();
});

type Handler = WebSocketGatewayRoute['handler'];

/**
 * Starts a gateway with recording fixture routes: `$connect` refuses `?deny=<status>` and throws on
 * `?explode`, `echo` replies through the real management API client, `fails` throws, `returns` returns a
 * body (which must not reach the client).
 */
async function startFixture(options: Partial<WebSocketGatewayOptions> & { withoutDefault?: boolean } = {}) {
  const events: WebSocketEvent[] = [];
  const record =
    (answer?: (event: WebSocketEvent) => unknown): Handler =>
    async (event) => {
      events.push(event);
      return answer?.(event);
    };
  const routes: WebSocketGatewayRoute[] = [
    {
      routeKey: '$connect',
      functionName: 'connect',
      handler: record((event) => {
        const query = event.queryStringParameters ?? {};
        if (query.explode !== undefined) throw new Error('connect exploded');
        if (query.deny !== undefined) return { statusCode: Number(query.deny), body: '{"message":"denied"}' };
        if (query.protocol !== undefined)
          return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': query.protocol } };
        return { statusCode: 200 };
      }),
    },
    { routeKey: '$disconnect', functionName: 'disconnect', handler: record() },
    {
      routeKey: 'echo',
      functionName: 'echo',
      handler: record(async (event) => {
        await management().send(
          new PostToConnectionCommand({
            ConnectionId: event.requestContext.connectionId,
            Data: JSON.stringify({ type: 'echo', body: event.body }),
          }),
        );
        return { statusCode: 200 };
      }),
    },
    {
      routeKey: 'fails',
      functionName: 'fails',
      handler: record(() => {
        throw new Error('handler exploded');
      }),
    },
    {
      routeKey: 'returns',
      functionName: 'returns',
      handler: record(() => ({ statusCode: 200, body: 'not for you' })),
    },
    ...(options.routes ?? []),
  ];
  if (options.withoutDefault !== true)
    routes.push({ routeKey: '$default', functionName: 'default', handler: record() });
  gateway = await startWebSocketGateway({ host: '127.0.0.1', port: 0, ...options, routes });
  return { gateway, events };
}

/** The real SDK client, pointed at the gateway like the handlers' client is. */
function management(endpoint = gateway?.callbackUrl): ApiGatewayManagementApiClient {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  managementClients.push(client);
  return client;
}

/** A connected client, whose frames are queued from the start. */
interface TestClient {
  socket: WebSocket;
  nextFrame(): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(path = '', options: ClientOptions = {}, protocols?: string[]): Promise<TestClient> {
  const socket = new WebSocket(`${gateway?.url}${path}`, protocols, options);
  clients.push(socket);
  const frames: string[] = [];
  const waiting: Array<(frame: string) => void> = [];
  socket.on('message', (data) => {
    const frame = data.toString();
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const nextFrame = () => {
    const frame = frames.shift();
    return frame !== undefined
      ? Promise.resolve(frame)
      : new Promise<string>((resolve) => waiting.push(resolve));
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, nextFrame, closed }));
    socket.once('error', reject);
  });
}

/** Attempts a handshake that the gateway should refuse; resolves with the HTTP status and body. */
function refusedHandshake(path: string): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(`${gateway?.url}${path}`);
  clients.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => reject(new Error('the handshake was accepted')));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', () => {});
  });
}

function byRoute(events: WebSocketEvent[], routeKey: string): WebSocketEvent[] {
  return events.filter((event) => event.requestContext.routeKey === routeKey);
}

/** The connection id the gateway gave the most recent `$connect`. */
function lastConnectionId(events: WebSocketEvent[]): string {
  return byRoute(events, '$connect').at(-1)?.requestContext.connectionId as string;
}

async function disconnectOf(events: WebSocketEvent[], connectionId: string): Promise<WebSocketEvent> {
  return await vi.waitFor(
    () => {
      const found = byRoute(events, '$disconnect').find(
        (event) => event.requestContext.connectionId === connectionId,
      );
      if (found === undefined) throw new Error(`no $disconnect yet for ${connectionId}`);
      return found;
    },
    { timeout: 5000, interval: 10 },
  );
}

async function expectGone(connectionId: string): Promise<void> {
  await expect(
    management().send(new GetConnectionCommand({ ConnectionId: connectionId })),
  ).rejects.toMatchObject({
    name: 'GoneException',
  });
}

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
      const { events } = await startFixture();

      const refused = await refusedHandshake(`/?deny=${status}`);

      expect(refused).toEqual({ status, body: '{"message":"denied"}' });
      const refusedId = lastConnectionId(events);
      await expectGone(refusedId);
      expect(gateway?.connectionCount()).toBe(0);
      // Open and close a good connection: once its $disconnect has run, any $disconnect of the refused one would have too.
      const good = await connect();
      const goodId = lastConnectionId(events);
      good.socket.close();
      await disconnectOf(events, goodId);
      await gateway?.close();
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

describe('local WebSocket gateway: messages', () => {
  it('routes a frame on its action and gives the function a MESSAGE event', async () => {
    const { gateway, events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);
    const connectedAt = byRoute(events, '$connect')[0]?.requestContext.connectedAt;

    client.socket.send('{"action":"echo","text":"hello"}');

    expect(JSON.parse(await client.nextFrame())).toEqual({
      type: 'echo',
      body: '{"action":"echo","text":"hello"}',
    });
    const [event] = byRoute(events, 'echo');
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
    const { events } = await startFixture();
    const client = await connect();

    for (const frame of [
      '{"action":"nope"}',
      '{"text":"no action"}',
      '[1,2]',
      'not json',
      '{"action":"$disconnect"}',
    ]) {
      client.socket.send(frame);
    }

    await vi.waitFor(() => expect(byRoute(events, '$default')).toHaveLength(5), {
      timeout: 5000,
      interval: 10,
    });
    expect(
      byRoute(events, '$default')
        .map((event) => event.body)
        .sort(),
    ).toEqual(
      ['not json', '[1,2]', '{"action":"$disconnect"}', '{"action":"nope"}', '{"text":"no action"}'].sort(),
    );
    expect(byRoute(events, '$disconnect')).toHaveLength(0);
  });

  it('answers Forbidden like API Gateway when no route matches and there is no $default', async () => {
    const { events } = await startFixture({ withoutDefault: true });
    const client = await connect();

    client.socket.send('{"action":"nope"}');

    const frame = JSON.parse(await client.nextFrame());
    expect(frame).toMatchObject({ message: 'Forbidden', connectionId: lastConnectionId(events) });
    expect(typeof frame.requestId).toBe('string');
  });

  it('sends "Internal server error" to the client when the function throws, and logs the error once', async () => {
    const { events } = await startFixture();
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
    const client = await connect();

    client.socket.send('{"action":"fails"}');

    const frame = JSON.parse(await client.nextFrame());
    expect(frame).toMatchObject({ message: 'Internal server error', connectionId: lastConnectionId(events) });
    expect(typeof frame.requestId).toBe('string');
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('does not send what the function returns (no route response is configured)', async () => {
    const { events } = await startFixture();
    const client = await connect();

    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    client.socket.send('{"action":"echo"}');

    expect(JSON.parse(await client.nextFrame())).toMatchObject({ type: 'echo' });
  });

  it('runs the functions of different frames concurrently', async () => {
    let releaseFirst: () => void = () => {};
    const firstWaits = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { events } = await startFixture({
      routes: [
        { routeKey: 'first', functionName: 'first', handler: async () => await firstWaits },
        { routeKey: 'second', functionName: 'second', handler: async () => releaseFirst() },
      ],
    });
    await connect();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.send('{"action":"first"}');
    client.socket.send('{"action":"second"}');

    // `first` only returns once `second` has run: were frames serialised, this would never settle.
    await firstWaits;
    expect(connectionId).toBeDefined();
  });

  it('closes the connection with 1003 on a binary frame, runs $disconnect and routes nothing', async () => {
    const { events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.send(Buffer.from([1, 2, 3, 250]), { binary: true });

    expect((await client.closed).code).toBe(1003);
    const disconnect = await disconnectOf(events, connectionId);
    expect(disconnect.requestContext).toMatchObject({
      disconnectStatusCode: 1003,
      disconnectReason: 'Unsupported data',
    });
    expect(byRoute(events, '$default')).toHaveLength(0);
    await expectGone(connectionId);
  });

  it('accepts a frame of exactly 128 KiB and closes with 1009 on a larger one, running $disconnect', async () => {
    const { events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.send('x'.repeat(MAX_MESSAGE_BYTES));
    await vi.waitFor(() => expect(byRoute(events, '$default')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    client.socket.send('x'.repeat(MAX_MESSAGE_BYTES + 1));

    expect((await client.closed).code).toBe(1009);
    const disconnect = await disconnectOf(events, connectionId);
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1009);
    expect(byRoute(events, '$default')).toHaveLength(1);
  });
});

describe('local WebSocket gateway: $disconnect', () => {
  it('runs $disconnect once when the client closes, after which the id is gone', async () => {
    const { gateway, events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.close(1000, 'bye');

    const event = await disconnectOf(events, connectionId);
    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId,
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
      stage: 'local',
    });
    expect(event.headers).toBeDefined();
    expect(event.requestContext.connectedAt).toBe(byRoute(events, '$connect')[0]?.requestContext.connectedAt);
    await expectGone(connectionId);
    expect(gateway.connectionCount()).toBe(0);
    await gateway.close();
    expect(byRoute(events, '$disconnect')).toHaveLength(1);
  });

  it('runs $disconnect when the client’s socket drops without a close frame', async () => {
    const { events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    client.socket.terminate();

    const event = await disconnectOf(events, connectionId);
    expect(event.requestContext.disconnectStatusCode).toBe(1006);
    await expectGone(connectionId);
  });

  it('closes an idle connection with 1001 and runs $disconnect', async () => {
    const { events } = await startFixture({ idleTimeoutMs: 300 });
    const client = await connect();
    const connectionId = lastConnectionId(events);

    expect((await client.closed).code).toBe(1001);
    const event = await disconnectOf(events, connectionId);
    expect(event.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('closes a connection at the maximum connection time, active or not, and runs $disconnect', async () => {
    const { events } = await startFixture({ maxConnectionMs: 300 });
    const client = await connect();
    const connectionId = lastConnectionId(events);
    const keepBusy = setInterval(() => client.socket.send('{"action":"returns"}'), 50);

    try {
      expect((await client.closed).code).toBe(1001);
    } finally {
      clearInterval(keepBusy);
    }
    expect((await disconnectOf(events, connectionId)).requestContext.disconnectStatusCode).toBe(1001);
  });

  it('closes every connection with $disconnect when the gateway stops', async () => {
    const { gateway, events } = await startFixture();
    const first = await connect();
    const second = await connect();

    await gateway.close();

    expect(byRoute(events, '$disconnect')).toHaveLength(2);
    expect((await first.closed).code).toBe(1001);
    expect((await second.closed).code).toBe(1001);
  });
});

describe('local WebSocket gateway: @connections management API (real SDK client)', () => {
  it('posts the data as one text frame to the connection', async () => {
    const log: WebSocketLogEntry[] = [];
    const { events } = await startFixture({ onEvent: (entry) => log.push(entry) });
    const client = await connect();
    const connectionId = lastConnectionId(events);

    await management().send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"hello","n":1}' }),
    );

    expect(await client.nextFrame()).toBe('{"type":"hello","n":1}');
    expect(log).toEqual([
      expect.objectContaining({ kind: 'invocation', routeKey: '$connect', connectionId, status: 200 }),
      expect.objectContaining({ kind: 'management', method: 'POST', connectionId, status: 200 }),
    ]);
  });

  it('also serves the management API under the stage path', async () => {
    const { gateway, events } = await startFixture();
    const client = await connect();

    await management(`${gateway.callbackUrl}/local`).send(
      new PostToConnectionCommand({ ConnectionId: lastConnectionId(events), Data: 'via stage' }),
    );

    expect(await client.nextFrame()).toBe('via stage');
  });

  it('describes a connection: connectedAt, lastActiveAt, identity', async () => {
    const { events } = await startFixture();
    const client = await connect('', { headers: { 'User-Agent': 'gateway-test/1.0' } });
    const connectionId = lastConnectionId(events);

    const before = await management().send(new GetConnectionCommand({ ConnectionId: connectionId }));
    client.socket.send('{"action":"returns"}');
    await vi.waitFor(() => expect(byRoute(events, 'returns')).toHaveLength(1), {
      timeout: 5000,
      interval: 10,
    });
    const after = await management().send(new GetConnectionCommand({ ConnectionId: connectionId }));

    expect(before.ConnectedAt).toBeInstanceOf(Date);
    expect(before.ConnectedAt?.getTime()).toBe(byRoute(events, '$connect')[0]?.requestContext.connectedAt);
    expect(before.LastActiveAt?.getTime()).toBe(before.ConnectedAt?.getTime());
    expect(before.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'gateway-test/1.0' });
    expect(after.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(before.ConnectedAt?.getTime() ?? 0);
    expect(after.LastActiveAt?.getTime()).toBe(
      byRoute(events, 'returns')[0]?.requestContext.requestTimeEpoch,
    );
  });

  it('closes a connection on DELETE with 1000 and runs $disconnect exactly once', async () => {
    const { gateway, events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);

    await management().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));

    expect((await client.closed).code).toBe(1000);
    expect((await disconnectOf(events, connectionId)).requestContext.disconnectStatusCode).toBe(1000);
    await expectGone(connectionId);
    await gateway.close();
    expect(byRoute(events, '$disconnect')).toHaveLength(1);
  });

  it('answers GoneException to all three verbs for an unknown connection id', async () => {
    await startFixture();
    const unknown = 'L0SM9cOFvHcCIhw=';

    const attempts = await Promise.allSettled([
      management().send(new PostToConnectionCommand({ ConnectionId: unknown, Data: 'x' })),
      management().send(new GetConnectionCommand({ ConnectionId: unknown })),
      management().send(new DeleteConnectionCommand({ ConnectionId: unknown })),
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
    const { events } = await startFixture();
    const client = await connect();
    const connectionId = lastConnectionId(events);
    client.socket.close();
    await disconnectOf(events, connectionId);

    await expect(
      management().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' })),
    ).rejects.toMatchObject({ name: 'GoneException' });
  });

  it('refuses a post over 128 KiB with PayloadTooLargeException', async () => {
    const { events } = await startFixture();
    await connect();

    await expect(
      management().send(
        new PostToConnectionCommand({
          ConnectionId: lastConnectionId(events),
          Data: 'x'.repeat(MAX_MESSAGE_BYTES + 1),
        }),
      ),
    ).rejects.toMatchObject({ name: 'PayloadTooLargeException', $metadata: { httpStatusCode: 413 } });
  });

  it('answers 404 to any other HTTP path on the WebSocket port', async () => {
    const { gateway } = await startFixture();

    const response = await fetch(`${gateway.callbackUrl}/somewhere`);

    expect(response.status).toBe(404);
  });
});
