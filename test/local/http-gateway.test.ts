import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AccessLogEntry, type HttpGateway, startHttpGateway } from '../../lib/local/http-gateway.ts';
import { formatRequestTime } from '../../lib/local/lambda-context.ts';

/** What a fixture handler saw. */
interface Call {
  event: APIGatewayProxyEventV2;
  context: Context;
}

let gateway: HttpGateway | undefined;
let releaseSlowHandler: () => void = () => {};

afterEach(async () => {
  releaseSlowHandler();
  await gateway?.close();
  gateway = undefined;
  vi.restoreAllMocks();
});

/** Starts a gateway whose handlers record what they get and answer `result(event)`. */
async function startFixture(options: { stage?: string; integrationTimeoutMs?: number } = {}) {
  const calls: Call[] = [];
  const accessLog: AccessLogEntry[] = [];
  const recording =
    (result: (event: APIGatewayProxyEventV2) => unknown) =>
    async (event: APIGatewayProxyEventV2, context: Context) => {
      calls.push({ event, context });
      return result(event);
    };
  const structured = recording(() => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }));
  gateway = await startHttpGateway({
    host: '127.0.0.1',
    port: 0,
    ...options,
    onRequest: (entry) => accessLog.push(entry),
    routes: [
      { routeKey: 'POST /rooms/{name}/messages', functionName: 'rooms', handler: structured },
      { routeKey: 'GET /rooms', functionName: 'rooms', handler: structured },
      { routeKey: 'GET /rooms/special', functionName: 'special', handler: structured },
      { routeKey: 'GET /rooms/{name}', functionName: 'room', handler: structured },
      { routeKey: 'GET /files/{proxy+}', functionName: 'files', handler: structured },
      { routeKey: 'POST /upload', functionName: 'upload', handler: structured },
      {
        routeKey: 'GET /structured',
        functionName: 'structured',
        handler: recording(() => ({
          statusCode: 201,
          headers: { 'X-Answer': 42, 'content-type': 'text/plain' },
          cookies: ['session=abc; HttpOnly', 'theme=dark'],
          body: 'created',
        })),
      },
      {
        routeKey: 'GET /binary',
        functionName: 'binary',
        handler: recording(() => ({
          statusCode: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: Buffer.from([0, 1, 2, 255]).toString('base64'),
          isBase64Encoded: true,
        })),
      },
      {
        routeKey: 'GET /inferred-object',
        functionName: 'inferred',
        handler: recording(() => ({ hello: 'world' })),
      },
      { routeKey: 'GET /inferred-string', functionName: 'inferred', handler: recording(() => 'plain words') },
      {
        routeKey: 'GET /throws',
        functionName: 'throws',
        handler: recording(() => {
          throw new Error('boom');
        }),
      },
      {
        routeKey: 'GET /slow',
        functionName: 'slow',
        handler: recording(() => new Promise<void>((resolve) => (releaseSlowHandler = resolve))),
      },
    ],
  });
  return { gateway, calls, accessLog };
}

describe('local HTTP gateway: payload format 2.0 events', () => {
  it('builds the event API Gateway sends: raw and decoded path, query, headers, cookies, body', async () => {
    const { gateway, calls } = await startFixture();

    const response = await fetch(
      `${gateway.url}/rooms/caf%C3%A9%20bar/messages?limit=10&tag=a&tag=b&q=x%20y`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Custom-Header': 'Mixed Case',
          cookie: 'a=1; b=2',
          'user-agent': 'gateway-test/1.0',
        },
        body: JSON.stringify({ text: 'hi' }),
      },
    );

    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
    const { event } = calls[0] as Call;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /rooms/{name}/messages');
    expect(event.rawPath).toBe('/rooms/café bar/messages');
    expect(event.rawQueryString).toBe('limit=10&tag=a&tag=b&q=x%20y');
    expect(event.queryStringParameters).toEqual({ limit: '10', tag: 'a,b', q: 'x y' });
    expect(event.pathParameters).toEqual({ name: 'café bar' });
    expect(event.headers['x-custom-header']).toBe('Mixed Case');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers['x-forwarded-port']).toBe(String(gateway.port));
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.body).toBe('{"text":"hi"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('joins a repeated header with commas, and splits every cookie header into cookies', async () => {
    const { gateway, calls } = await startFixture();

    // fetch merges repeated headers itself, so send them with node:http, one line each.
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${gateway.url}/rooms`, {
        headers: { 'X-Multi': ['one', 'two'], Cookie: ['a=1; b=2', 'c=3'] },
      });
      request.on('response', (response) => response.resume().on('end', resolve));
      request.on('error', reject);
      request.end();
    });

    const { event } = calls[0] as Call;
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('fills requestContext like API Gateway, with the requestId it returns in apigw-requestid', async () => {
    const { gateway, calls } = await startFixture();

    const response = await fetch(`${gateway.url}/rooms`, { headers: { 'user-agent': 'gateway-test/1.0' } });

    const { requestContext } = (calls[0] as Call).event;
    expect(requestContext.routeKey).toBe('GET /rooms');
    expect(requestContext.stage).toBe('$default');
    expect(requestContext.http).toEqual({
      method: 'GET',
      path: '/rooms',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'gateway-test/1.0',
    });
    expect(requestContext.requestId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(response.headers.get('apigw-requestid')).toBe(requestContext.requestId);
    expect(requestContext.domainName).toBe(`127.0.0.1:${gateway.port}`);
    expect(requestContext.accountId).toMatch(/^\d{12}$/);
    expect(requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(requestContext.time).toBe(formatRequestTime(requestContext.timeEpoch));
  });

  it('leaves out query, path parameters, cookies and body when the request has none', async () => {
    const { gateway, calls } = await startFixture();

    await fetch(`${gateway.url}/rooms`);

    const { event } = calls[0] as Call;
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a binary body base64-encoded and a text body as is', async () => {
    const { gateway, calls } = await startFixture();
    const bytes = Buffer.from([0, 159, 146, 150, 255]);

    await fetch(`${gateway.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await fetch(`${gateway.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"a":1}',
    });

    expect(calls[0]?.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(calls[0]?.event.body ?? '', 'base64')).toEqual(bytes);
    expect(calls[1]?.event.isBase64Encoded).toBe(false);
    expect(calls[1]?.event.body).toBe('{"a":1}');
  });

  it('gives the handler a Lambda context with a request id and a remaining time', async () => {
    const { gateway, calls } = await startFixture();

    await fetch(`${gateway.url}/rooms`);

    const { context } = calls[0] as Call;
    expect(context.functionName).toBe('rooms');
    expect(context.functionVersion).toBe('$LATEST');
    expect(context.invokedFunctionArn).toMatch(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:rooms$/);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logGroupName).toBe('/aws/lambda/rooms');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(29_000);
    expect(() => context.succeed('x')).toThrow();
  });
});

describe('local HTTP gateway: routing', () => {
  it('answers API Gateway’s own 404 for an unknown path and for a method that is not routed', async () => {
    const { gateway, calls } = await startFixture();

    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['DELETE', '/rooms'],
      ['GET', '/rooms//messages'],
    ]) {
      const response = await fetch(`${gateway.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
    expect(calls).toHaveLength(0);
  });

  it('prefers a literal segment over a parameter, and fills a greedy parameter with the rest of the path', async () => {
    const { gateway, calls } = await startFixture();

    await fetch(`${gateway.url}/rooms/special`);
    await fetch(`${gateway.url}/rooms/general`);
    await fetch(`${gateway.url}/files/a/b%20c.txt`);

    expect(calls.map((call) => call.event.routeKey)).toEqual([
      'GET /rooms/special',
      'GET /rooms/{name}',
      'GET /files/{proxy+}',
    ]);
    expect(calls[1]?.event.pathParameters).toEqual({ name: 'general' });
    expect(calls[2]?.event.pathParameters).toEqual({ proxy: 'a/b c.txt' });
  });

  it('matches a path with a trailing slash and keeps the slash in rawPath', async () => {
    const { gateway, calls } = await startFixture();

    const response = await fetch(`${gateway.url}/rooms/`);

    expect(response.status).toBe(200);
    expect(calls[0]?.event.routeKey).toBe('GET /rooms');
    expect(calls[0]?.event.rawPath).toBe('/rooms/');
  });

  it('serves a named stage under its path prefix', async () => {
    const { gateway, calls } = await startFixture({ stage: 'dev' });

    const outside = await fetch(`${gateway.url}/rooms`);
    const inside = await fetch(`${gateway.url}/dev/rooms`);

    expect(outside.status).toBe(404);
    expect(inside.status).toBe(200);
    expect(calls[0]?.event.rawPath).toBe('/dev/rooms');
    expect(calls[0]?.event.requestContext.stage).toBe('dev');
  });

  it('reports each request once to onRequest', async () => {
    const { gateway, accessLog } = await startFixture();

    await fetch(`${gateway.url}/rooms`);
    await fetch(`${gateway.url}/nowhere`);

    expect(accessLog).toHaveLength(2);
    expect(accessLog[0]).toMatchObject({
      method: 'GET',
      path: '/rooms',
      routeKey: 'GET /rooms',
      status: 200,
    });
    expect(accessLog[1]).toMatchObject({ method: 'GET', path: '/nowhere', status: 404 });
    expect(accessLog[1]?.routeKey).toBeUndefined();
  });
});

describe('local HTTP gateway: responses', () => {
  it('maps a structured response: status, headers, cookies as Set-Cookie, body', async () => {
    const { gateway } = await startFixture();

    const response = await fetch(`${gateway.url}/structured`);

    expect(response.status).toBe(201);
    expect(response.headers.get('x-answer')).toBe('42');
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    expect(await response.text()).toBe('created');
  });

  it('decodes a base64 response body', async () => {
    const { gateway } = await startFixture();

    const response = await fetch(`${gateway.url}/binary`);

    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('infers a 200 JSON response from a value without statusCode, and sends a string as is', async () => {
    const { gateway } = await startFixture();

    const object = await fetch(`${gateway.url}/inferred-object`);
    const text = await fetch(`${gateway.url}/inferred-string`);

    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.text()).toBe('{"hello":"world"}');
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('application/json');
    expect(await text.text()).toBe('plain words');
  });

  it('answers 500 Internal Server Error when the handler throws, and logs the error once', async () => {
    const { gateway } = await startFixture();
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await fetch(`${gateway.url}/throws`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(errorLog.mock.calls[0]).toContainEqual(expect.objectContaining({ message: 'boom' }));
  });

  it('answers 503 Service Unavailable when the integration times out', async () => {
    const { gateway } = await startFixture({ integrationTimeoutMs: 200 });

    const response = await fetch(`${gateway.url}/slow`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('answers 413 for a body over the HTTP API limit of 10 MB without calling the handler', async () => {
    const { gateway, calls } = await startFixture();

    const response = await fetch(`${gateway.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(calls).toHaveLength(0);
  });
});
