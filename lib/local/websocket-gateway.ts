/**
 * A local emulation of an API Gateway WebSocket API with Lambda proxy integrations, faithful enough that a
 * handler cannot tell it from the real thing: `$connect` decides the handshake, frames are routed on
 * `$request.body.action`, `$disconnect` runs once on every close, the gateway's size and time limits hold,
 * and the `@connections` management API is served on the same port for the real SDK client.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  type FunctionTarget,
  formatRequestTime,
  hostForUrl,
  invokeFunction,
  listen,
  newRequestId,
  newTraceId,
  sourceIpOf,
} from './lambda-context.ts';

/** The request context of a WebSocket event, with the fields `@types/aws-lambda` leaves out. */
export interface WebSocketRequestContext extends APIGatewayEventWebsocketRequestContextV2 {
  identity: { sourceIp: string; userAgent: string };
  /** `$disconnect` only: the close code. */
  disconnectStatusCode?: number;
  /** `$disconnect` only: why the connection closed. */
  disconnectReason?: string;
}

/**
 * The event a WebSocket route's function receives. `$connect` and `$disconnect` events carry headers;
 * message events carry the frame in `body`. Outside message events `requestContext.messageId` is absent, as
 * on AWS (the `aws-lambda` type declares it anyway).
 */
export interface WebSocketEvent extends APIGatewayProxyWebsocketEventV2 {
  requestContext: WebSocketRequestContext;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

/** A route of the WebSocket API and the function that serves it. */
export interface WebSocketGatewayRoute extends FunctionTarget<WebSocketEvent> {
  /** `$connect`, `$disconnect`, `$default`, or an `action` value. */
  routeKey: string;
}

/** One readable log line: a function invocation, or a call to the management API. */
export interface WebSocketLogEntry {
  kind: 'invocation' | 'unrouted' | 'management';
  requestId: string;
  connectionId: string;
  /** Invocations: the route key. */
  routeKey?: string;
  functionName?: string;
  /** Management calls: the HTTP method. */
  method?: string;
  /**
   * Invocations: the `statusCode` the function returned (500 when it threw, undefined when it returned
   * none); unrouted frames: 403; management calls: the HTTP status.
   */
  status?: number;
  durationMs: number;
}

export interface WebSocketGatewayOptions {
  /** Address to listen on, e.g. `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks any free port. */
  port: number;
  /** The stage name, reported in events; clients may connect at `/` or `/{stage}`. Default `local`. */
  stage?: string;
  routes: WebSocketGatewayRoute[];
  /** Only `$request.body.action` (the default) is supported; the field name may differ. */
  routeSelectionExpression?: string;
  /** A connection with no data frame from the client for this long is closed (1001). Default 10 min. */
  idleTimeoutMs?: number;
  /** A connection is closed (1001) this long after it opened, whatever its activity. Default 2 h. */
  maxConnectionMs?: number;
  /** The largest client message and management API post; a larger frame closes with 1009. Default 128 KiB. */
  maxMessageBytes?: number;
  /** Called once per invocation and per management API call. */
  onEvent?: (entry: WebSocketLogEntry) => void;
}

export interface WebSocketGateway {
  /** `ws://host:port`: where clients connect. */
  url: string;
  /** `http://host:port`: the endpoint to give the `ApiGatewayManagementApiClient`. */
  callbackUrl: string;
  port: number;
  /** How many connections are open. */
  connectionCount(): number;
  /** Closes every connection (awaiting each `$disconnect`) and stops the server. */
  close(): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
const API_ID = 'localws';
/** How long `close()` waits for a client to answer a close frame before dropping its socket. */
const CLOSE_GRACE_MS = 1000;

/** The reasons API Gateway reports in `disconnectReason` when the closing side gave none. */
const CLOSE_REASONS: Record<number, string> = {
  1000: 'Connection Closed Normally',
  1001: 'Going away',
  1005: 'Client-side close frame status not set',
  1006: 'Connection closed abnormally',
  1009: 'Message too big',
};

function closeReason(code: number): string {
  return CLOSE_REASONS[code] ?? '';
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  identity: { sourceIp: string; userAgent: string };
  domainName: string;
  idleTimer: NodeJS.Timeout;
  maxTimer: NodeJS.Timeout;
  /** Resolves when the socket has closed. */
  socketClosed: Promise<void>;
  /** Set on the first close, from either side; resolves when `$disconnect` has returned. */
  disconnected?: Promise<void>;
}

/** What the handshake knows before the connection exists: enough for `$disconnect` if it never opens. */
interface ConnectionInfo {
  id: string;
  connectedAt: number;
  identity: { sourceIp: string; userAgent: string };
  domainName: string;
}

/** AWS sends no `messageId` outside MESSAGE events, though `@types/aws-lambda` declares it. */
function withoutMessageId(context: Omit<WebSocketRequestContext, 'messageId'>): WebSocketRequestContext {
  return context as WebSocketRequestContext;
}

/** An opaque id in AWS's style (`L0SM9cOFvHcCIhw=`); it may hold `+`, `/` and `=`, as AWS ids do. */
function newConnectionId(): string {
  return randomBytes(11).toString('base64');
}

function routeSelectionField(expression: string): string {
  const match = /^\$request\.body\.([A-Za-z0-9_]+)$/.exec(expression);
  if (match === null) throw new Error(`unsupported route selection expression: ${expression}`);
  return match[1] as string;
}

/**
 * The headers of the upgrade request as API Gateway passes them to `$connect`: names in the case the client
 * sent, the hop-by-hop handshake headers dropped, and the forwarding headers the gateway adds.
 */
function handshakeHeaders(request: IncomingMessage, sourceIp: string, port: number, receivedAt: number) {
  const multiValueHeaders: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string;
    const value = request.rawHeaders[index + 1] as string;
    const lowerName = name.toLowerCase();
    if (lowerName === 'connection' || lowerName === 'upgrade') continue;
    const key = spelling.get(lowerName) ?? name;
    spelling.set(lowerName, key);
    multiValueHeaders[key] = [...(multiValueHeaders[key] ?? []), value];
  }
  const forwardedFor = spelling.get('x-forwarded-for');
  if (forwardedFor === undefined) multiValueHeaders['X-Forwarded-For'] = [sourceIp];
  else multiValueHeaders[forwardedFor] = [`${multiValueHeaders[forwardedFor]?.join(', ')}, ${sourceIp}`];
  multiValueHeaders['X-Forwarded-Port'] = [String(port)];
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  if (!spelling.has('x-amzn-trace-id')) multiValueHeaders['X-Amzn-Trace-Id'] = [newTraceId(receivedAt)];

  // Like REST-style events, `headers` holds the last value of a repeated header.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) headers[name] = values.at(-1) as string;
  return { headers, multiValueHeaders };
}

function queryParameters(search: URLSearchParams) {
  const multiValue: Record<string, string[]> = {};
  for (const [key, value] of search) multiValue[key] = [...(multiValue[key] ?? []), value];
  if (Object.keys(multiValue).length === 0) return {};
  const single: Record<string, string> = {};
  for (const [key, values] of Object.entries(multiValue)) single[key] = values.at(-1) as string;
  return { queryStringParameters: single, multiValueQueryStringParameters: multiValue };
}

/** The fields of a structured result that the gateway reads; none when the function returned something else. */
function resultFields(result: unknown): { statusCode?: unknown; headers?: unknown; body?: unknown } {
  return typeof result === 'object' && result !== null ? result : {};
}

function statusCodeOf(result: unknown): number | undefined {
  const { statusCode } = resultFields(result);
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** The `Sec-WebSocket-Protocol` header of a `$connect` result, whatever its case. */
function subprotocolOf(result: unknown): string | undefined {
  const { headers } = resultFields(result);
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'sec-websocket-protocol') return String(value);
  }
  return undefined;
}

/** Answers an upgrade request with a plain HTTP response and drops the socket. */
function rejectHandshake(socket: Duplex, status: number, requestId: string, body?: string): void {
  if (socket.destroyed) return;
  const payload = body ?? '';
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    `x-amzn-RequestId: ${requestId}`,
  ];
  if (payload !== '') lines.push('Content-Type: application/json');
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${payload}`);
}

function sendJson(
  response: ServerResponse,
  status: number,
  requestId: string,
  body?: unknown,
  errorType?: string,
): void {
  response.statusCode = status;
  response.setHeader('x-amzn-RequestId', requestId);
  // The SDK's REST-JSON protocol reads the error type from this header to throw e.g. a `GoneException`.
  if (errorType !== undefined) response.setHeader('x-amzn-ErrorType', errorType);
  if (body === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}

/** Reads a request body of at most `limit` bytes; undefined when it is larger. */
function readLimitedBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function frameBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Starts an emulated WebSocket API on `host:port`: clients connect at `url`, and the functions reach them
 * through the `@connections` management API at `callbackUrl`. Resolves once the server listens.
 */
export async function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
  const stage = options.stage ?? 'local';
  const selectionField = routeSelectionField(options.routeSelectionExpression ?? '$request.body.action');
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnectionMs = options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const routes = new Map(options.routes.map((route) => [route.routeKey, route]));
  const connections = new Map<string, Connection>();
  /**
   * Invocations under way. `close()` waits for them with the management API still up, so that a function
   * that is running can still post (and learn that its connection is gone) and no `$disconnect` is lost.
   */
  const inFlight = new Set<Promise<void>>();
  /** The subprotocol each accepted handshake's `$connect` chose, for the `handleProtocols` hook. */
  const chosenProtocols = new WeakMap<IncomingMessage, string>();
  let port = options.port;
  let closing = false;

  const log = (entry: WebSocketLogEntry) => options.onEvent?.(entry);

  function track(promise: Promise<void>): void {
    const settled: Promise<void> = promise
      .catch((error: unknown) => console.error('local WebSocket gateway: unexpected failure', error))
      .finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  }

  function baseContext(info: ConnectionInfo, requestId: string, now: number) {
    return {
      messageDirection: 'IN' as const,
      extendedRequestId: requestId,
      requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now,
      stage,
      connectedAt: info.connectedAt,
      connectionId: info.id,
      domainName: info.domainName,
      apiId: API_ID,
      identity: info.identity,
    };
  }

  /** Invokes a route's function and logs the invocation; a throw is logged once, with its stack, as `failed`. */
  async function invoke(
    route: WebSocketGatewayRoute,
    event: WebSocketEvent,
  ): Promise<{ failed: false; result: unknown } | { failed: true }> {
    const startedAt = Date.now();
    const { requestId, connectionId, routeKey } = event.requestContext;
    const entry = {
      kind: 'invocation' as const,
      requestId,
      connectionId,
      routeKey,
      functionName: route.functionName,
    };
    try {
      const result = await invokeFunction(route, event);
      log({ ...entry, status: statusCodeOf(result), durationMs: Date.now() - startedAt });
      return { failed: false, result };
    } catch (error) {
      console.error(`[${route.functionName}] ${routeKey} failed (connection ${connectionId}):`, error);
      log({ ...entry, status: 500, durationMs: Date.now() - startedAt });
      return { failed: true };
    }
  }

  async function runDisconnect(info: ConnectionInfo, code: number, reason: string): Promise<void> {
    const route = routes.get('$disconnect');
    if (route === undefined) return;
    const now = Date.now();
    const requestId = newRequestId();
    // AWS sends `$disconnect` a few headers of its own, not the client's.
    const headers = { Host: info.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
    const multiValueHeaders = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    );
    const event: WebSocketEvent = {
      headers,
      multiValueHeaders,
      requestContext: withoutMessageId({
        ...baseContext(info, requestId, now),
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: code,
        disconnectReason: reason,
      }),
      isBase64Encoded: false,
    };
    await invoke(route, event);
  }

  /**
   * Ends a connection, whoever closed it: the id is forgotten at once (the management API answers 410),
   * a close frame goes out if the socket is still open, and `$disconnect` runs exactly once.
   */
  function disconnect(connection: Connection, code: number, reason: string): Promise<void> {
    if (connection.disconnected !== undefined) return connection.disconnected;
    connections.delete(connection.id);
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxTimer);
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.close(code, reason);
    connection.disconnected = runDisconnect(connection, code, reason);
    track(connection.disconnected);
    return connection.disconnected;
  }

  function sendFrame(connection: Connection, frame: unknown): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(frame));
  }

  function selectRouteKey(text: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return '$default';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '$default';
    const selected = (parsed as Record<string, unknown>)[selectionField];
    // The lifecycle routes are never selected by a frame.
    if (typeof selected !== 'string' || selected === '$connect' || selected === '$disconnect')
      return '$default';
    return routes.has(selected) ? selected : '$default';
  }

  async function dispatchFrame(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const now = Date.now();
    const requestId = newRequestId();
    const payload = frameBytes(data);
    const body = isBinary ? payload.toString('base64') : payload.toString('utf8');
    const routeKey = isBinary ? '$default' : selectRouteKey(body);
    const route = routes.get(routeKey);
    if (route === undefined) {
      // What API Gateway answers when no route matches and there is no $default route.
      sendFrame(connection, { message: 'Forbidden', connectionId: connection.id, requestId });
      log({ kind: 'unrouted', requestId, connectionId: connection.id, status: 403, durationMs: 0 });
      return;
    }
    const event: WebSocketEvent = {
      requestContext: {
        ...baseContext(connection, requestId, now),
        routeKey,
        eventType: 'MESSAGE',
        messageId: newRequestId(),
      },
      body,
      isBase64Encoded: isBinary,
    };
    const outcome = await invoke(route, event);
    // Without a route response, API Gateway does not forward what the function returns; it reports a failure.
    if (outcome.failed) {
      sendFrame(connection, { message: 'Internal server error', connectionId: connection.id, requestId });
    }
  }

  function accept(socket: WebSocket, info: ConnectionInfo): void {
    const connection: Connection = {
      ...info,
      socket,
      lastActiveAt: info.connectedAt,
      idleTimer: setTimeout(() => void disconnect(connection, 1001, closeReason(1001)), idleTimeoutMs),
      maxTimer: setTimeout(() => void disconnect(connection, 1001, closeReason(1001)), maxConnectionMs),
      socketClosed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    connections.set(connection.id, connection);

    socket.on('message', (data, isBinary) => {
      connection.lastActiveAt = Date.now();
      // AWS counts only data frames as activity, not pings.
      connection.idleTimer.refresh();
      track(dispatchFrame(connection, data, isBinary));
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has already sent the 1009 close frame; record the cause before the socket's close reports 1006.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        void disconnect(connection, 1009, closeReason(1009));
      }
    });
    socket.on('close', (code, reason) => {
      const text = reason.toString('utf8');
      void disconnect(connection, code, text !== '' ? text : closeReason(code));
    });
  }

  async function handshake(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that resets during $connect must not crash the process; ws installs its own handler later.
    const ignoreError = () => {};
    socket.on('error', ignoreError);
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const requestId = newRequestId();
    if (closing) {
      rejectHandshake(socket, 503, requestId);
      return;
    }
    if (!['/', `/${stage}`, `/${stage}/`].includes(url.pathname)) {
      // API Gateway answers a URL outside the API's stages with 403.
      rejectHandshake(socket, 403, requestId, JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    const sourceIp = sourceIpOf(request.socket.remoteAddress);
    const info: ConnectionInfo = {
      id: newConnectionId(),
      connectedAt: receivedAt,
      identity: { sourceIp, userAgent: request.headers['user-agent'] ?? '' },
      domainName: request.headers.host ?? `localhost:${port}`,
    };

    const route = routes.get('$connect');
    if (route !== undefined) {
      const event: WebSocketEvent = {
        ...handshakeHeaders(request, sourceIp, port, receivedAt),
        ...queryParameters(url.searchParams),
        requestContext: withoutMessageId({
          ...baseContext(info, requestId, receivedAt),
          routeKey: '$connect',
          eventType: 'CONNECT',
        }),
        isBase64Encoded: false,
      };
      const outcome = await invoke(route, event);
      const status = outcome.failed ? 500 : (statusCodeOf(outcome.result) ?? 200);
      if (status >= 400) {
        // A refused handshake leaves no trace: the id never becomes valid and no $disconnect follows.
        const { body } = outcome.failed
          ? { body: JSON.stringify({ message: 'Internal server error' }) }
          : resultFields(outcome.result);
        rejectHandshake(socket, status, requestId, typeof body === 'string' ? body : undefined);
        return;
      }
      const protocol = outcome.failed ? undefined : subprotocolOf(outcome.result);
      if (protocol !== undefined) chosenProtocols.set(request, protocol);
    }

    if (closing || socket.destroyed || !socket.writable) {
      // The client left (or the gateway is stopping) while $connect ran, which recorded the connection.
      socket.destroy();
      await runDisconnect(info, 1006, closeReason(1006));
      return;
    }
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
      socket.off('error', ignoreError);
      accept(webSocket, info);
    });
  }

  async function manage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const requestId = newRequestId();
    const path = (request.url ?? '/').split('?')[0] as string;
    // The SDK appends `/@connections/{id}` to the endpoint's path, so a stage prefix may come first.
    const match = /^(?:\/[^/@][^/]*)?\/@connections\/(.+)$/.exec(path);
    if (match === null) {
      request.resume();
      sendJson(response, 404, requestId, { message: 'Not Found' });
      return;
    }
    let connectionId: string;
    try {
      // The SDK percent-encodes the id (`=`, `+` and `/` are common in it).
      connectionId = decodeURIComponent(match[1] as string);
    } catch {
      connectionId = match[1] as string;
    }
    const method = request.method ?? 'GET';
    const status = await manageConnection(method, connectionId, request, response, requestId);
    log({ kind: 'management', requestId, connectionId, method, status, durationMs: Date.now() - startedAt });
  }

  async function manageConnection(
    method: string,
    connectionId: string,
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<number> {
    const connection = connections.get(connectionId);
    const isOpen = connection !== undefined && connection.socket.readyState === WebSocket.OPEN;
    const gone = () => {
      sendJson(response, 410, requestId, { message: 'Gone' }, 'GoneException');
      return 410;
    };
    if (method === 'POST') {
      const data = await readLimitedBody(request, maxMessageBytes);
      if (data === undefined) {
        response.setHeader('connection', 'close');
        sendJson(
          response,
          413,
          requestId,
          { message: 'Request entity too large' },
          'PayloadTooLargeException',
        );
        return 413;
      }
      if (!isOpen) return gone();
      const sent = await new Promise<boolean>((resolve) => {
        connection.socket.send(data, { binary: false }, (error) =>
          resolve(error === undefined || error === null),
        );
      });
      if (!sent) return gone();
      sendJson(response, 200, requestId);
      return 200;
    }
    request.resume();
    if (method === 'GET') {
      if (!isOpen) return gone();
      sendJson(response, 200, requestId, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: connection.identity,
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
      return 200;
    }
    if (method === 'DELETE') {
      if (!isOpen) return gone();
      // Answer at once: a $disconnect function may itself call the management API.
      void disconnect(connection, 1000, closeReason(1000));
      sendJson(response, 204, requestId);
      return 204;
    }
    sendJson(response, 404, requestId, { message: 'Not Found' });
    return 404;
  }

  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    clientTracking: false,
    // The subprotocol is the one $connect returned in `Sec-WebSocket-Protocol`, as on AWS; none otherwise.
    handleProtocols: (_offered, request) => chosenProtocols.get(request) ?? false,
  });

  const server = createServer((request, response) => {
    manage(request, response).catch((error: unknown) => {
      console.error('local WebSocket gateway: management call failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal server error' }));
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(
      handshake(request, socket, head).catch((error: unknown) => {
        console.error('local WebSocket gateway: handshake failed', error);
        socket.destroy();
      }),
    );
  });

  port = await listen(server, options.port, options.host);
  const host = hostForUrl(options.host);

  let stopped: Promise<void> | undefined;
  async function stop(): Promise<void> {
    closing = true;
    const open = [...connections.values()];
    for (const connection of open) void disconnect(connection, 1001, closeReason(1001));
    // Functions may start others (a $disconnect may post, a frame may still arrive): wait until all are done.
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    // A client that does not answer the close frame is dropped, so that the server can stop.
    await Promise.all(
      open.map(async (connection) => {
        const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
        await Promise.race([connection.socketClosed, grace]);
        connection.socket.terminate();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  return {
    url: `ws://${host}:${port}`,
    callbackUrl: `http://${host}:${port}`,
    port,
    connectionCount: () => connections.size,
    close() {
      stopped ??= stop();
      return stopped;
    },
  };
}
