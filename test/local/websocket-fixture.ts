/**
 * One emulated WebSocket gateway per test with recording fixture routes, real `ws` clients and the real
 * management API client, shared by the WebSocket gateway tests. Call `stopFixture` after each test.
 */

import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { expect, vi } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { limits } from '../../lib/contract/index.ts';
import {
  startWebSocketGateway,
  type WebSocketEvent,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
  type WebSocketGatewayRoute,
} from '../../lib/local/websocket-gateway.ts';

/** The gateway's default size limit, for frames and posts: the contract's. */
export const MAX_MESSAGE_BYTES = limits.maxFrameBytes;

let gateway: WebSocketGateway | undefined;
const clients: WebSocket[] = [];
const managementClients: ApiGatewayManagementApiClient[] = [];

/** Stops the gateway and drops every client the fixture made; for `afterEach`. */
export async function stopFixture(): Promise<void> {
  // The gateway first: it waits for functions still running, which may be using a management client.
  await gateway?.close();
  gateway = undefined;
  for (const client of clients.splice(0)) client.terminate();
  for (const client of managementClients.splice(0)) client.destroy();
  vi.restoreAllMocks();
}

type Handler = WebSocketGatewayRoute['handler'];

/**
 * Starts a gateway with recording fixture routes: `$connect` refuses `?deny=<status>` and throws on
 * `?explode`, `echo` replies through the real management API client, `fails` throws, `returns` returns a
 * body (which must not reach the client).
 */
export async function startFixture(
  options: Partial<WebSocketGatewayOptions> & { withoutDefault?: boolean } = {},
) {
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
export function management(endpoint = gateway?.callbackUrl): ApiGatewayManagementApiClient {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  managementClients.push(client);
  return client;
}

/** A connected client, whose frames are queued from the start. */
export interface TestClient {
  socket: WebSocket;
  nextFrame(): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}

export function connect(path = '', options: ClientOptions = {}, protocols?: string[]): Promise<TestClient> {
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
export function refusedHandshake(path: string): Promise<{ status: number; body: string }> {
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

/** The events of one route, in the order the functions got them. */
export function byRoute(events: WebSocketEvent[], routeKey: string): WebSocketEvent[] {
  return events.filter((event) => event.requestContext.routeKey === routeKey);
}

/** The connection id the gateway gave the most recent `$connect`. */
export function lastConnectionId(events: WebSocketEvent[]): string {
  return byRoute(events, '$connect').at(-1)?.requestContext.connectionId as string;
}

/** The `$disconnect` event of a connection, once it has come. */
export async function disconnectOf(events: WebSocketEvent[], connectionId: string): Promise<WebSocketEvent> {
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

/** Asserts that the management API answers `GoneException` for the id. */
export async function expectGone(connectionId: string): Promise<void> {
  await expect(
    management().send(new GetConnectionCommand({ ConnectionId: connectionId })),
  ).rejects.toMatchObject({
    name: 'GoneException',
  });
}
