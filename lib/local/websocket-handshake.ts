/**
 * The opening handshake of the emulated WebSocket API: `$connect` decides whether the upgrade succeeds, with
 * its status, its body and the subprotocol it chose, as on API Gateway.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { newRequestId, sourceIpOf } from './lambda-context.ts';
import {
  type ConnectionInfo,
  connectEvent,
  connectionIdentity,
  type HandshakeRequest,
  newConnectionId,
} from './websocket-events.ts';
import { resultFields, statusCodeOf, type WebSocketRoutes } from './websocket-routes.ts';

export interface HandshakeOptions {
  stage: string;
  /** The largest data frame; the WebSocket server closes a connection that sends a larger one with 1009. */
  maxMessageBytes: number;
  routes: WebSocketRoutes;
  /** The port the gateway listens on, known once it does. */
  port(): number;
  /** Whether the gateway is stopping: no new connection is accepted then. */
  isClosing(): boolean;
  /** Takes over a socket whose handshake succeeded. */
  accept(socket: WebSocket, info: ConnectionInfo): void;
  /** Ends a connection that `$connect` accepted but whose socket never opened (`$disconnect` runs). */
  abandon(info: ConnectionInfo): Promise<void>;
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

export class Handshake {
  /** The subprotocol each accepted handshake's `$connect` chose, for the `handleProtocols` hook. */
  private readonly chosenProtocols = new WeakMap<IncomingMessage, string>();
  private readonly server: WebSocketServer;

  constructor(private readonly options: HandshakeOptions) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      clientTracking: false,
      // The subprotocol is the one $connect returned in `Sec-WebSocket-Protocol`, as on AWS; none otherwise.
      handleProtocols: (_offered, request) => this.chosenProtocols.get(request) ?? false,
    });
  }

  /** Handles one upgrade request from start to finish: refused, or open and handed to `accept`. */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { stage, routes } = this.options;
    // A client that resets during $connect must not crash the process; ws installs its own handler later.
    const ignoreError = () => {};
    socket.on('error', ignoreError);
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const requestId = newRequestId();
    if (this.options.isClosing()) {
      rejectHandshake(socket, 503, requestId);
      return;
    }
    if (!['/', `/${stage}`, `/${stage}/`].includes(url.pathname)) {
      // API Gateway answers a URL outside the API's stages with 403.
      rejectHandshake(socket, 403, requestId, JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    const port = this.options.port();
    const handshake: HandshakeRequest = {
      rawHeaders: request.rawHeaders,
      search: url.searchParams,
      sourceIp: sourceIpOf(request.socket.remoteAddress),
      port,
    };
    const info: ConnectionInfo = {
      id: newConnectionId(),
      stage,
      connectedAt: receivedAt,
      identity: connectionIdentity(handshake.sourceIp, request.headers['user-agent']),
      domainName: request.headers.host ?? `localhost:${port}`,
    };

    const route = routes.get('$connect');
    if (route !== undefined) {
      const outcome = await routes.invoke(
        route,
        connectEvent(info, handshake, { requestId, now: receivedAt }),
      );
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
      if (protocol !== undefined) this.chosenProtocols.set(request, protocol);
    }

    if (this.options.isClosing() || socket.destroyed || !socket.writable) {
      // The client left (or the gateway is stopping) while $connect ran, which recorded the connection.
      socket.destroy();
      await this.options.abandon(info);
      return;
    }
    this.server.handleUpgrade(request, socket, head, (webSocket) => {
      socket.off('error', ignoreError);
      this.options.accept(webSocket, info);
    });
  }
}
