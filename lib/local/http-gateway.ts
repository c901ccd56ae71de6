/**
 * A local emulation of an API Gateway HTTP API with Lambda proxy integrations (payload format 2.0), faithful
 * enough that a handler cannot tell it from the real thing: same event, same response mapping, same errors
 * that API Gateway itself answers (404, 413, 500, 503).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type FunctionTarget,
  formatRequestTime,
  hostForUrl,
  invokeFunction,
  LOCAL_ACCOUNT_ID,
  listen,
  newRequestId,
  newTraceId,
  sourceIpOf,
} from './lambda-context.ts';

/** A route of the HTTP API and the function that serves it. */
export interface HttpGatewayRoute extends FunctionTarget<APIGatewayProxyEventV2> {
  /**
   * API Gateway's route key: `METHOD /path` with `{param}` segments and an optional trailing `{proxy+}`,
   * `ANY /path`, or `$default`.
   */
  routeKey: string;
}

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
const API_ID = 'localhttp';

interface CompiledRoute {
  route: HttpGatewayRoute;
  /** Upper-case method, or `ANY`; undefined for `$default`. */
  method?: string;
  /** Template segments: literals, `{name}` or a final `{name+}`. */
  segments: string[];
  greedy: boolean;
  literalCount: number;
}

interface RouteMatch {
  route: HttpGatewayRoute;
  pathParameters?: Record<string, string>;
}

class RequestTooLargeError extends Error {}

function compileRoute(route: HttpGatewayRoute): CompiledRoute {
  if (route.routeKey === '$default') {
    return { route, segments: [], greedy: true, literalCount: -1 };
  }
  const [method, path] = route.routeKey.split(' ');
  if (method === undefined || path === undefined || !path.startsWith('/')) {
    throw new Error(`invalid HTTP route key: ${route.routeKey}`);
  }
  const segments = path.split('/').slice(1);
  const greedy = segments.at(-1)?.endsWith('+}') ?? false;
  const literalCount = segments.filter((segment) => !segment.startsWith('{')).length;
  return { route, method: method.toUpperCase(), segments, greedy, literalCount };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches encoded path segments against a template; parameters are URL-decoded, as API Gateway does. */
function matchSegments(
  template: CompiledRoute,
  requestSegments: string[],
): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  const fixed = template.greedy ? template.segments.length - 1 : template.segments.length;
  if (template.greedy ? requestSegments.length <= fixed : requestSegments.length !== fixed) return undefined;
  for (let index = 0; index < fixed; index++) {
    const pattern = template.segments[index] as string;
    const actual = requestSegments[index] as string;
    if (pattern.startsWith('{')) {
      // A parameter never matches an empty segment: `/rooms//messages` is not `/rooms/{name}/messages`.
      if (actual === '') return undefined;
      parameters[pattern.slice(1, -1)] = decodeSegment(actual);
    } else if (pattern !== decodeSegment(actual)) {
      return undefined;
    }
  }
  if (template.greedy) {
    const name = (template.segments.at(-1) as string).slice(1, -2);
    parameters[name] = decodeSegment(requestSegments.slice(fixed).join('/'));
  }
  return parameters;
}

/**
 * Picks the route API Gateway would: the most specific one. Non-greedy routes beat greedy ones, more literal
 * segments beat fewer, an explicit method beats `ANY`, and `$default` catches what nothing else does.
 */
function findRoute(routes: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  // API Gateway ignores one trailing slash when matching (rawPath keeps it).
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const requestSegments = trimmed.split('/').slice(1);
  let best: { compiled: CompiledRoute; parameters: Record<string, string> } | undefined;
  const rank = (compiled: CompiledRoute) => [
    compiled.method === undefined ? 0 : 1,
    compiled.greedy ? 0 : 1,
    compiled.literalCount,
    compiled.method === 'ANY' ? 0 : 1,
  ];
  for (const compiled of routes) {
    if (compiled.method !== undefined && compiled.method !== 'ANY' && compiled.method !== method) continue;
    const parameters = compiled.method === undefined ? {} : matchSegments(compiled, requestSegments);
    if (parameters === undefined) continue;
    if (best === undefined || isBetter(rank(compiled), rank(best.compiled))) {
      best = { compiled, parameters };
    }
  }
  if (best === undefined) return undefined;
  const hasParameters = Object.keys(best.parameters).length > 0;
  return { route: best.compiled.route, pathParameters: hasParameters ? best.parameters : undefined };
}

function isBetter(candidate: number[], current: number[]): boolean {
  for (let index = 0; index < candidate.length; index++) {
    const difference = (candidate[index] as number) - (current[index] as number);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/** The content types API Gateway passes as text; every other body reaches the function base64-encoded. */
function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = (contentType.split(';')[0] as string).trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    mediaType === 'application/x-www-form-urlencoded' ||
    mediaType === 'application/xml'
  );
}

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

function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  // Payload format 2.0 joins repeated keys with commas: `?a=1&a=2` gives `{ a: '1,2' }`.
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters[key];
    parameters[key] = previous === undefined ? value : `${previous},${value}`;
  }
  return parameters;
}

interface EventInput {
  request: IncomingMessage;
  match: RouteMatch;
  requestId: string;
  receivedAt: number;
  stage: string;
  port: number;
  body: Buffer;
}

function buildEvent(input: EventInput): APIGatewayProxyEventV2 {
  const { request, match, requestId, receivedAt, stage, port, body } = input;
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const encodedPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  // HTTP APIs hand the function the decoded path (REST APIs and function URLs keep it encoded).
  const rawPath = decodeSegment(encodedPath);
  const sourceIp = sourceIpOf(request.socket.remoteAddress);

  // Payload format 2.0 lower-cases header names, joins repeated headers with commas, and moves cookies out.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name === 'cookie' || values === undefined) continue;
    headers[name] = values.join(',');
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`;
  headers['x-forwarded-port'] = String(port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= newTraceId(receivedAt);

  const cookieHeader = request.headersDistinct.cookie;
  const cookies = cookieHeader
    ?.flatMap((line) => line.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');

  const domainName = request.headers.host ?? `localhost:${port}`;
  const isBase64Encoded = body.length > 0 && !isTextContentType(request.headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split(/[.:]/)[0] as string,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage,
      time: formatRequestTime(receivedAt),
      timeEpoch: receivedAt,
    },
    isBase64Encoded,
  };
  if (cookies !== undefined && cookies.length > 0) event.cookies = cookies;
  const queryStringParameters = parseQueryString(rawQueryString);
  if (queryStringParameters !== undefined) event.queryStringParameters = queryStringParameters;
  if (match.pathParameters !== undefined) event.pathParameters = match.pathParameters;
  if (body.length > 0) event.body = body.toString(isBase64Encoded ? 'base64' : 'utf8');
  return event;
}

interface MappedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function gatewayError(status: number, message: string): MappedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

function isStructuredResponse(value: unknown): value is Record<string, unknown> & { statusCode: unknown } {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/**
 * Payload format 2.0 response rules: an object with `statusCode` is a structured response; anything else is
 * taken as the body of a 200 JSON response (a string as is, other values JSON-encoded).
 */
function mapResult(result: unknown): MappedResponse {
  if (!isStructuredResponse(result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const { statusCode } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    // API Gateway answers a malformed Lambda response with its own 500.
    throw new Error(`malformed Lambda proxy response: statusCode ${String(statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  if (typeof result.headers === 'object' && result.headers !== null) {
    for (const [name, value] of Object.entries(result.headers)) {
      const lowerName = name.toLowerCase();
      // The gateway frames the response itself; a length from the function would only be able to break it.
      if (lowerName === 'content-length' || lowerName === 'transfer-encoding') continue;
      headers[lowerName] = String(value);
    }
  }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) {
    headers['set-cookie'] = result.cookies.map(String);
  }
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { status: statusCode, headers, body };
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
    const receivedAt = Date.now();
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] as string;
    let match: RouteMatch | undefined;
    let mapped: MappedResponse;

    const routedPath = stripStage(path, stagePrefix);
    if (routedPath !== undefined) match = findRoute(routes, method, routedPath);

    if (match === undefined) {
      request.resume();
      mapped = gatewayError(404, 'Not Found');
    } else {
      mapped = await integrate(request, match, requestId, receivedAt);
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
    const event = buildEvent({ request, match, requestId, receivedAt, stage, port, body });
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

/** The path below the stage prefix, or undefined when the request is for another stage. */
function stripStage(path: string, stagePrefix: string): string | undefined {
  if (stagePrefix === '') return path;
  if (path === stagePrefix) return '/';
  if (path.startsWith(`${stagePrefix}/`)) return path.slice(stagePrefix.length);
  return undefined;
}
