/**
 * The `@connections` management API of the emulated WebSocket API, served to the real
 * `ApiGatewayManagementApiClient`: POST sends a frame, GET describes a connection, DELETE closes it, and an
 * id that is not open answers 410 `GoneException`. A post may be made to take as long as one on AWS (a latency
 * model, off by default) so that fan-out figures measured locally model AWS's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import { newRequestId, sendServiceJson } from './lambda-context.ts';
import type { ConnectionRegistry } from './websocket-connections.ts';
import type { WebSocketLogEntry } from './websocket-routes.ts';

/**
 * How long API Gateway takes to answer a post: each post waits `delayMs` plus a uniform jitter in
 * [-`jitterMs`, +`jitterMs`] (so its mean is `delayMs`) before its frame is sent and it is answered. Posts wait
 * independently: concurrent posts overlap, as they do on AWS.
 */
export interface PostLatency {
  readonly delayMs: number;
  readonly jitterMs: number;
}

/** No modelled latency: a post is answered as soon as its frame is sent. */
export const NO_POST_LATENCY: PostLatency = { delayMs: 0, jitterMs: 0 };

/** Throws unless `latency` is a model a post can wait for: finite, at least 0, jitter at most the delay. */
export function checkPostLatency(latency: PostLatency): PostLatency {
  const { delayMs, jitterMs } = latency;
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 60_000) {
    throw new Error(`post latency must be 0 to 60000 ms, got ${delayMs}`);
  }
  // A jitter larger than the delay would make some posts wait less than nothing and shift the mean.
  if (!Number.isFinite(jitterMs) || jitterMs < 0 || jitterMs > delayMs) {
    throw new Error(`post jitter must be 0 to the delay (${delayMs} ms), got ${jitterMs}`);
  }
  return latency;
}

/** The delay of one post under `latency`; `random` returns a number in [0, 1), like `Math.random`. */
export function postDelayMs(latency: PostLatency, random: () => number = Math.random): number {
  return latency.delayMs + (2 * random() - 1) * latency.jitterMs;
}

export interface ManagementApiOptions {
  registry: ConnectionRegistry;
  /** The largest post; a larger one answers 413 `PayloadTooLargeException`. */
  maxMessageBytes: number;
  /** The latency model of posts now in force (read for each post). */
  postLatency(): PostLatency;
  /**
   * Whether the next post to this connection is to fail as API Gateway's own failure (500
   * `InternalServerErrorException`), consuming the fault: set by tests, for faults no client can cause.
   */
  takePostFault?(connectionId: string): boolean;
  log(entry: WebSocketLogEntry): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** The connection id of a management API path; undefined for any other path. */
export function managedConnectionId(url: string): string | undefined {
  const path = url.split('?')[0] as string;
  // The SDK appends `/@connections/{id}` to the endpoint's path, so a stage prefix may come first.
  const match = /^(?:\/[^/@][^/]*)?\/@connections\/(.+)$/.exec(path);
  if (match === null) return undefined;
  try {
    // The SDK percent-encodes the id (`=`, `+` and `/` are common in it).
    return decodeURIComponent(match[1] as string);
  } catch {
    return match[1] as string;
  }
}

/** Serves one HTTP request on the gateway's port as the management API would, and logs it. */
export async function serveManagementApi(
  options: ManagementApiOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const startedAt = Date.now();
  const requestId = newRequestId();
  const connectionId = managedConnectionId(request.url ?? '/');
  if (connectionId === undefined) {
    request.resume();
    sendServiceJson(response, 404, requestId, { message: 'Not Found' });
    return;
  }
  const method = request.method ?? 'GET';
  const status = await manageConnection(options, { method, connectionId, request, response, requestId });
  options.log({
    kind: 'management',
    requestId,
    connectionId,
    method,
    status,
    startedAt,
    durationMs: Date.now() - startedAt,
  });
}

interface ManagementCall {
  method: string;
  connectionId: string;
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
}

/** Answers one call on one connection id; resolves with the status it answered. */
async function manageConnection(options: ManagementApiOptions, call: ManagementCall): Promise<number> {
  const { method, request, response, requestId } = call;
  const connection = options.registry.get(call.connectionId);
  const isOpen = connection !== undefined && connection.socket.readyState === WebSocket.OPEN;
  const gone = () => {
    sendServiceJson(response, 410, requestId, { message: 'Gone' }, 'GoneException');
    return 410;
  };
  if (method === 'POST') {
    const data = await readLimitedBody(request, options.maxMessageBytes);
    if (data === undefined) {
      response.setHeader('connection', 'close');
      sendServiceJson(
        response,
        413,
        requestId,
        { message: 'Request entity too large' },
        'PayloadTooLargeException',
      );
      return 413;
    }
    if (options.takePostFault?.(call.connectionId) === true) {
      sendServiceJson(
        response,
        500,
        requestId,
        { message: 'Internal server error' },
        'InternalServerErrorException',
      );
      return 500;
    }
    // Before the frame is sent: on AWS the frame reaches the client within the post's time, not before it starts.
    const delayMs = postDelayMs(options.postLatency());
    if (delayMs > 0) await sleep(delayMs);
    // The connection may have closed while the post waited.
    if (!isOpen || connection.socket.readyState !== WebSocket.OPEN) return gone();
    const sent = await new Promise<boolean>((resolve) => {
      connection.socket.send(data, { binary: false }, (error) =>
        resolve(error === undefined || error === null),
      );
    });
    if (!sent) return gone();
    sendServiceJson(response, 200, requestId);
    return 200;
  }
  request.resume();
  if (method === 'GET') {
    if (!isOpen) return gone();
    sendServiceJson(response, 200, requestId, {
      connectedAt: new Date(connection.connectedAt).toISOString(),
      identity: connection.identity,
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
    return 200;
  }
  if (method === 'DELETE') {
    if (!isOpen) return gone();
    // Answer at once: a $disconnect function may itself call the management API.
    void options.registry.end(connection, 1000);
    sendServiceJson(response, 204, requestId);
    return 204;
  }
  sendServiceJson(response, 404, requestId, { message: 'Not Found' });
  return 404;
}
