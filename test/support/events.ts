import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpCall {
  /** As in lib/routes.ts: `POST /rooms/{name}/messages`. */
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** A raw body string, sent as is (for malformed JSON). */
  readonly rawBody?: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** A payload format 2.0 event as API Gateway builds it, for calling a handler directly. */
export function httpEvent(call: HttpCall): APIGatewayProxyEventV2 {
  const [method, template] = call.routeKey.split(' ') as [string, string];
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(call.pathParameters?.[name] ?? ''),
  );
  const rawQueryString = new URLSearchParams(call.query ?? {}).toString();
  const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: call.routeKey,
    rawPath,
    rawQueryString,
    headers,
    queryStringParameters: call.query,
    pathParameters: call.pathParameters,
    body: call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: call.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

export interface JsonResponse {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the contract returns.
  readonly body: any;
}

/** Reads a handler's structured result as status + parsed JSON body. */
export function readResponse(result: APIGatewayProxyStructuredResultV2): JsonResponse {
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined };
}
