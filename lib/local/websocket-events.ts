/**
 * The events an API Gateway WebSocket API hands its functions, built from plain values: no sockets, no
 * servers, no clock of their own, so that each shape can be checked on its own against AWS's.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { formatRequestTime, newTraceId } from './lambda-context.ts';

/** Who connected: the client's address, and its User-Agent when it sent one. */
export interface ConnectionIdentity {
  sourceIp: string;
  /** Absent when the client sent no User-Agent, as on AWS (never an empty string). */
  userAgent?: string;
}

/** The request context of a WebSocket event, with the fields `@types/aws-lambda` leaves out. */
export interface WebSocketRequestContext extends APIGatewayEventWebsocketRequestContextV2 {
  identity: ConnectionIdentity;
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

/** What every event of one connection repeats; known from the handshake on, before the socket opens. */
export interface ConnectionInfo {
  id: string;
  /** The stage the client connected to. */
  stage: string;
  connectedAt: number;
  identity: ConnectionIdentity;
  domainName: string;
}

/** Where and when one event was made. */
export interface EventStamp {
  requestId: string;
  /** Epoch milliseconds. */
  now: number;
}

const API_ID = 'localws';

/** The reasons API Gateway reports in `disconnectReason` when the closing side gave none. */
const CLOSE_REASONS: Record<number, string> = {
  1000: 'Connection Closed Normally',
  1001: 'Going away',
  // AWS documents the 1003 close of a binary frame but not its reason text; this is RFC 6455's name.
  1003: 'Unsupported data',
  1005: 'Client-side close frame status not set',
  1006: 'Connection closed abnormally',
  1009: 'Message too big',
};

/** The `disconnectReason` of a close code that came without a reason; empty for codes AWS names none for. */
export function closeReason(code: number): string {
  return CLOSE_REASONS[code] ?? '';
}

/** An opaque id in AWS's style (`L0SM9cOFvHcCIhw=`); it may hold `+`, `/` and `=`, as AWS ids do. */
export function newConnectionId(): string {
  return randomBytes(11).toString('base64');
}

/** The identity of a connection; a missing or empty User-Agent leaves `userAgent` out. */
export function connectionIdentity(sourceIp: string, userAgent: string | undefined): ConnectionIdentity {
  return userAgent === undefined || userAgent === '' ? { sourceIp } : { sourceIp, userAgent };
}

function baseContext(info: ConnectionInfo, stamp: EventStamp) {
  return {
    messageDirection: 'IN' as const,
    extendedRequestId: stamp.requestId,
    requestId: stamp.requestId,
    requestTime: formatRequestTime(stamp.now),
    requestTimeEpoch: stamp.now,
    stage: info.stage,
    connectedAt: info.connectedAt,
    connectionId: info.id,
    domainName: info.domainName,
    apiId: API_ID,
    identity: info.identity,
  };
}

/** AWS sends no `messageId` outside MESSAGE events, though `@types/aws-lambda` declares it. */
function withoutMessageId(context: Omit<WebSocketRequestContext, 'messageId'>): WebSocketRequestContext {
  return context as WebSocketRequestContext;
}

/** The upgrade request as `$connect` needs it. */
export interface HandshakeRequest {
  /** Node's `rawHeaders`: names as sent, alternating with their values. */
  rawHeaders: string[];
  search: URLSearchParams;
  sourceIp: string;
  /** The port the gateway listens on, reported in `X-Forwarded-Port`. */
  port: number;
}

/**
 * The headers of the upgrade request as API Gateway passes them to `$connect`: names in the case the client
 * sent, the hop-by-hop handshake headers dropped, and the forwarding headers the gateway adds.
 */
export function handshakeHeaders(request: HandshakeRequest, receivedAt: number) {
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
  if (forwardedFor === undefined) multiValueHeaders['X-Forwarded-For'] = [request.sourceIp];
  else
    multiValueHeaders[forwardedFor] = [`${multiValueHeaders[forwardedFor]?.join(', ')}, ${request.sourceIp}`];
  multiValueHeaders['X-Forwarded-Port'] = [String(request.port)];
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  if (!spelling.has('x-amzn-trace-id')) multiValueHeaders['X-Amzn-Trace-Id'] = [newTraceId(receivedAt)];

  // Like REST-style events, `headers` holds the last value of a repeated header.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) headers[name] = values.at(-1) as string;
  return { headers, multiValueHeaders };
}

/** Both query maps of `$connect` (the last value of a repeated key, and all of them); none without a query. */
export function queryParameters(search: URLSearchParams) {
  const multiValue: Record<string, string[]> = {};
  for (const [key, value] of search) multiValue[key] = [...(multiValue[key] ?? []), value];
  if (Object.keys(multiValue).length === 0) return {};
  const single: Record<string, string> = {};
  for (const [key, values] of Object.entries(multiValue)) single[key] = values.at(-1) as string;
  return { queryStringParameters: single, multiValueQueryStringParameters: multiValue };
}

/** The `$connect` event: the client's headers and query string, and no body. */
export function connectEvent(
  info: ConnectionInfo,
  request: HandshakeRequest,
  stamp: EventStamp,
): WebSocketEvent {
  return {
    ...handshakeHeaders(request, stamp.now),
    ...queryParameters(request.search),
    requestContext: withoutMessageId({
      ...baseContext(info, stamp),
      routeKey: '$connect',
      eventType: 'CONNECT',
    }),
    isBase64Encoded: false,
  };
}

/** A MESSAGE event: the text frame as its body, under the route the frame selected. */
export function messageEvent(
  info: ConnectionInfo,
  routeKey: string,
  text: string,
  stamp: EventStamp & { messageId: string },
): WebSocketEvent {
  return {
    requestContext: {
      ...baseContext(info, stamp),
      routeKey,
      eventType: 'MESSAGE',
      messageId: stamp.messageId,
    },
    body: text,
    isBase64Encoded: false,
  };
}

/** The `$disconnect` event: the close code and reason, and a few headers of the gateway's own. */
export function disconnectEvent(
  info: ConnectionInfo,
  close: { code: number; reason: string },
  stamp: EventStamp,
): WebSocketEvent {
  // AWS sends `$disconnect` a few headers of its own, not the client's.
  const headers = { Host: info.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, [value]]),
  );
  return {
    headers,
    multiValueHeaders,
    requestContext: withoutMessageId({
      ...baseContext(info, stamp),
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: close.code,
      disconnectReason: close.reason,
    }),
    isBase64Encoded: false,
  };
}
