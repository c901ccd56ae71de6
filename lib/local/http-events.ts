/**
 * The payload format 2.0 event an HTTP API hands its functions, built from plain facts about the request
 * (no socket, no server), so that its shape can be checked on its own against AWS's.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeSegment, type RouteMatch } from './http-routes.ts';
import { formatRequestTime, LOCAL_ACCOUNT_ID, newTraceId } from './lambda-context.ts';

const API_ID = 'localhttp';

/** What the gateway knows of a request when it builds the event. */
export interface HttpRequestFacts {
  method: string;
  /** The request target as sent: encoded path and query string. */
  url: string;
  /** `1.1`, as Node reports it. */
  httpVersion: string;
  /**
   * Every header by lower-case name, each with all its values (Node's `headersDistinct`). Of a repeated
   * `host`, `content-type` or `user-agent`, the first counts, as in Node's `headers`.
   */
  headers: Record<string, string[] | undefined>;
  sourceIp: string;
  body: Buffer;
}

/** Where the request came in, and when. */
export interface EventSetting {
  requestId: string;
  receivedAt: number;
  stage: string;
  /** The port the gateway listens on, reported in `x-forwarded-port`. */
  port: number;
}

/** The content types API Gateway passes as text; every other body reaches the function base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
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

/**
 * Payload format 2.0 lower-cases header names, joins repeated headers with commas, moves cookies out, and
 * adds the forwarding headers of the gateway.
 */
function eventHeaders(request: HttpRequestFacts, setting: EventSetting): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headers)) {
    if (name === 'cookie' || values === undefined) continue;
    headers[name] = values.join(',');
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] =
    forwardedFor === undefined ? request.sourceIp : `${forwardedFor}, ${request.sourceIp}`;
  headers['x-forwarded-port'] = String(setting.port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= newTraceId(setting.receivedAt);
  return headers;
}

/** The event for a request that matched a route. */
export function buildHttpEvent(
  request: HttpRequestFacts,
  match: RouteMatch,
  setting: EventSetting,
): APIGatewayProxyEventV2 {
  const { url, body } = request;
  const queryStart = url.indexOf('?');
  const encodedPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  // HTTP APIs hand the function the decoded path (REST APIs and function URLs keep it encoded).
  const rawPath = decodeSegment(encodedPath);

  const cookies = request.headers.cookie
    ?.flatMap((line) => line.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');

  const domainName = request.headers.host?.[0] ?? `localhost:${setting.port}`;
  const isBase64Encoded = body.length > 0 && !isTextContentType(request.headers['content-type']?.[0]);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    headers: eventHeaders(request, setting),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split(/[.:]/)[0] as string,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        // Unlike the WebSocket API's identity, payload 2.0 always has `userAgent`: empty when none was sent.
        userAgent: request.headers['user-agent']?.[0] ?? '',
      },
      requestId: setting.requestId,
      routeKey: match.route.routeKey,
      stage: setting.stage,
      time: formatRequestTime(setting.receivedAt),
      timeEpoch: setting.receivedAt,
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
