/**
 * A local emulation of an API Gateway WebSocket API with Lambda proxy integrations, faithful enough that a
 * handler cannot tell it from the real thing: `$connect` decides the handshake, frames are routed on
 * `$request.body.action`, `$disconnect` runs once on every close, the gateway's size and time limits hold,
 * and the `@connections` management API is served on the same port for the real SDK client.
 *
 * This module composes the parts and owns shutdown: the handshake (websocket-handshake.ts), the open
 * connections and their clocks (websocket-connections.ts), frame routing (websocket-frames.ts), the
 * management API (websocket-management.ts), the route table (websocket-routes.ts) and the events
 * (websocket-events.ts).
 */

import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { limits } from '../contract/index.ts';
import { hostForUrl, listen, newRequestId } from './lambda-context.ts';
import { ConnectionRegistry } from './websocket-connections.ts';
import { type ConnectionInfo, closeReason, disconnectEvent } from './websocket-events.ts';
import { type FrameRouterOptions, routeFrame } from './websocket-frames.ts';
import { Handshake } from './websocket-handshake.ts';
import {
  checkPostLatency,
  NO_POST_LATENCY,
  type PostLatency,
  serveManagementApi,
} from './websocket-management.ts';
import { type WebSocketGatewayRoute, type WebSocketLogEntry, WebSocketRoutes } from './websocket-routes.ts';

export type { ConnectionIdentity, WebSocketEvent, WebSocketRequestContext } from './websocket-events.ts';
export type { PostLatency } from './websocket-management.ts';
export type { WebSocketGatewayRoute, WebSocketLogEntry } from './websocket-routes.ts';

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
  /** How long a management API post takes (websocket-management.ts `PostLatency`). Default none. */
  postLatency?: PostLatency;
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
  /** Replaces the posts' latency model, for the posts that arrive from now on. */
  setPostLatency(latency: PostLatency): void;
  /** Makes the next `count` posts to a connection fail as API Gateway's own error (500): tests' faults. */
  failNextPosts(connectionId: string, count: number): void;
  /** Closes every connection (awaiting each `$disconnect`) and stops the server. */
  close(): Promise<void>;
}

// API Gateway's own limits, which the contract publishes.
const DEFAULT_IDLE_TIMEOUT_MS = limits.webSocketIdleSeconds * 1000;
const DEFAULT_MAX_CONNECTION_MS = limits.webSocketMaxConnectionSeconds * 1000;
const DEFAULT_MAX_MESSAGE_BYTES = limits.maxFrameBytes;
/** How long `close()` waits for a client to answer a close frame before dropping its socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * Work under way (invocations, handshakes). `close()` waits for it with the management API still up, so
 * that a function that is running can still post (and learn that its connection is gone) and no
 * `$disconnect` is lost.
 */
class InFlight {
  private readonly pending = new Set<Promise<void>>();

  /** Keeps `work` until it settles; a failure is logged, never thrown. Returns the settled promise. */
  track(work: Promise<void>): Promise<void> {
    const settled: Promise<void> = work
      .catch((error: unknown) => console.error('local WebSocket gateway: unexpected failure', error))
      .finally(() => this.pending.delete(settled));
    this.pending.add(settled);
    return settled;
  }

  /** Resolves once nothing is under way, including work started while waiting. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/**
 * Starts an emulated WebSocket API on `host:port`: clients connect at `url`, and the functions reach them
 * through the `@connections` management API at `callbackUrl`. Resolves once the server listens.
 */
export async function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
  const stage = options.stage ?? 'local';
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const log = (entry: WebSocketLogEntry) => options.onEvent?.(entry);
  const routes = new WebSocketRoutes(
    options.routes,
    options.routeSelectionExpression ?? '$request.body.action',
    log,
  );
  const inFlight = new InFlight();
  let port = options.port;
  let closing = false;

  async function runDisconnect(info: ConnectionInfo, code: number, reason: string): Promise<void> {
    const route = routes.get('$disconnect');
    if (route === undefined) return;
    await routes.invoke(
      route,
      disconnectEvent(info, { code, reason }, { requestId: newRequestId(), now: Date.now() }),
    );
  }

  const frames: FrameRouterOptions = {
    routes,
    log,
    end: (connection, code) => registry.end(connection, code),
  };
  const registry = new ConnectionRegistry({
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxConnectionMs: options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS,
    onFrame: (connection, frame) => void inFlight.track(routeFrame(frames, connection, frame)),
    onEnd: (connection, code, reason) => inFlight.track(runDisconnect(connection, code, reason)),
  });
  const handshake = new Handshake({
    stage,
    maxMessageBytes,
    routes,
    port: () => port,
    isClosing: () => closing,
    accept: (socket, info) => void registry.add(socket, info),
    abandon: (info) => runDisconnect(info, 1006, closeReason(1006)),
  });

  let postLatency = checkPostLatency(options.postLatency ?? NO_POST_LATENCY);
  const postFaults = new Map<string, number>();
  const management = {
    registry,
    maxMessageBytes,
    log,
    postLatency: () => postLatency,
    takePostFault: (connectionId: string) => {
      const left = postFaults.get(connectionId) ?? 0;
      if (left > 0) postFaults.set(connectionId, left - 1);
      return left > 0;
    },
  };
  const server = createServer((request, response) => {
    serveManagementApi(management, request, response).catch((error: unknown) => {
      console.error('local WebSocket gateway: management call failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal server error' }));
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void inFlight.track(
      handshake.upgrade(request, socket, head).catch((error: unknown) => {
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
    const open = registry.all();
    for (const connection of open) void registry.end(connection, 1001);
    // Functions may start others (a $disconnect may post, a frame may still arrive): wait until all are done.
    await inFlight.drain();
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
    connectionCount: () => registry.size,
    setPostLatency(latency) {
      postLatency = checkPostLatency(latency);
    },
    failNextPosts(connectionId, count) {
      postFaults.set(connectionId, count);
    },
    close() {
      stopped ??= stop();
      return stopped;
    },
  };
}
