/**
 * A local emulation of an API Gateway HTTP API with Lambda proxy integrations (payload format 2.0), faithful
 * enough that a handler cannot tell it from the real thing: same event, same response mapping, same errors
 * that API Gateway itself answers (404, 413, 500, 503).
 *
 * This module is the server: it reads the request, asks http-routes.ts for the route, builds the event with
 * http-events.ts, maps the result with http-responses.ts, and writes the access log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isPreflight, preflightResponse, withCors } from './cors.ts';
import { buildHttpEvent } from './http-events.ts';
import { gatewayError, type MappedResponse, mapResult } from './http-responses.ts';
import {
  compileRoute,
  findRoute,
  type HttpGatewayRoute,
  type RouteMatch,
  stripStage,
} from './http-routes.ts';
import { hostForUrl, invokeFunction, listen, newRequestId, sourceIpOf } from './lambda-context.ts';

export type { HttpGatewayRoute } from './http-routes.ts';

/** What happened to one request, for one readable access-log line. */
export interface AccessLogEntry {
  requestId: string;
  /** ISO 8601 time the request arrived. */
  time: string;
  sourceIp: string;
  method: string;
  /** The path as requested, query string excluded. */
  path: string;
  /** The matched route key, or undefined when no route matched. */
  routeKey?: string;
  functionName?: string;
  status: number;
  durationMs: number;
}

export interface HttpGatewayOptions {
  /** Address to listen on, e.g. `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks any free port. */
  port: number;
  routes: HttpGatewayRoute[];
  /** Called once per request, after the response is sent. */
  onRequest?: (entry: AccessLogEntry) => void;
  /** The stage name. `$default` (the default) serves at the root; any other name is a path prefix. */
  stage?: string;
  /** How long API Gateway waits for the integration before answering 503. Default 30 s. */
  integrationTimeoutMs?: number;
  /**
   * The local stack's own endpoints, which no API has (`/_local/pushes`): asked first, it answers a request and
   * resolves true, or resolves false and leaves it to the routes. Never part of the deployed API.
   */
  localEndpoints?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /**
   * The API's CORS configuration (`allowOrigins`): with it, the gateway answers preflights itself and marks the
   * responses for these origins (cors.ts); without it, no CORS at all, as an API without a CORS configuration.
   */
  allowedOrigins?: readonly string[];
}

export interface HttpGateway {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting requests, closes idle keep-alive sockets and resolves once the server is closed. */
  close(): Promise<void>;
}

/** The HTTP API payload limit (the application enforces a much smaller one itself). */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

class RequestTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) {
      reject(new RequestTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        // Keep draining (the answer is sent with `connection: close`) but stop buffering.
        chunks.length = 0;
        reject(new RequestTooLargeError());
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

class IntegrationTimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeoutError()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts an emulated HTTP API on `host:port` serving `routes` with payload format 2.0 Lambda proxy
 * integrations. Resolves once the server listens.
 */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const stage = options.stage ?? '$default';
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const routes = options.routes.map(compileRoute);
  // A named stage is the first path segment of every URL; `$default` has none.
  const stagePrefix = stage === '$default' ? '' : `/${stage}`;
  let port = options.port;
  let closing = false;
  let stopped: Promise<void> | undefined;

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (options.localEndpoints !== undefined && (await options.localEndpoints(request, response))) return;
    const receivedAt = Date.now();
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] as string;
    let match: RouteMatch | undefined;
    let mapped: MappedResponse;

    const cors = options.allowedOrigins;
    if (cors !== undefined && isPreflight(method, request.headers)) {
      // Answered before any route is looked up, as API Gateway does.
      request.resume();
      mapped = preflightResponse(request.headers, cors);
    } else {
      const routedPath = stripStage(path, stagePrefix);
      if (routedPath !== undefined) match = findRoute(routes, method, routedPath);
      if (match === undefined) {
        request.resume();
        mapped = gatewayError(404, 'Not Found');
      } else {
        mapped = await integrate(request, match, requestId, receivedAt);
      }
      if (cors !== undefined) mapped = withCors(mapped, request.headers, cors);
    }

    response.statusCode = mapped.status;
    for (const [name, value] of Object.entries(mapped.headers)) response.setHeader(name, value);
    response.setHeader('apigw-requestid', requestId);
    if (closing) response.setHeader('connection', 'close');
    response.end(mapped.body);

    options.onRequest?.({
      requestId,
      time: new Date(receivedAt).toISOString(),
      sourceIp: sourceIpOf(request.socket.remoteAddress),
      method,
      path,
      routeKey: match?.route.routeKey,
      functionName: match?.route.functionName,
      status: mapped.status,
      durationMs: Date.now() - receivedAt,
    });
  }

  async function integrate(
    request: IncomingMessage,
    match: RouteMatch,
    requestId: string,
    receivedAt: number,
  ): Promise<MappedResponse> {
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        const tooLarge = gatewayError(413, 'Request Entity Too Large');
        // Do not wait for the rest of an oversized upload: answer, then drop the connection.
        tooLarge.headers.connection = 'close';
        return tooLarge;
      }
      throw error;
    }
    const event = buildHttpEvent(
      {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        httpVersion: request.httpVersion,
        headers: request.headersDistinct,
        sourceIp: sourceIpOf(request.socket.remoteAddress),
        body,
      },
      match,
      { requestId, receivedAt, stage, port },
    );
    try {
      const result = await withTimeout(invokeFunction(match.route, event), integrationTimeoutMs);
      return mapResult(result);
    } catch (error) {
      if (error instanceof IntegrationTimeoutError) return gatewayError(503, 'Service Unavailable');
      console.error(
        `[${match.route.functionName}] ${match.route.routeKey} failed (request ${requestId}):`,
        error,
      );
      return gatewayError(500, 'Internal Server Error');
    }
  }

  const server: Server = createServer((request, response) => {
    respond(request, response).catch((error: unknown) => {
      console.error('local HTTP gateway: request failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });

  port = await listen(server, options.port, options.host);

  return {
    url: `http://${hostForUrl(options.host)}:${port}`,
    port,
    close() {
      stopped ??= new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}
