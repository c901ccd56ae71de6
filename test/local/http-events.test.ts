import { describe, expect, it } from 'vitest';
import { buildHttpEvent, type HttpRequestFacts, isTextContentType } from '../../lib/local/http-events.ts';
import { compileRoute, findRoute, type RouteMatch } from '../../lib/local/http-routes.ts';
import { formatRequestTime } from '../../lib/local/lambda-context.ts';

const receivedAt = Date.UTC(2026, 10, 21, 10, 0, 0);
const setting = { requestId: 'JKJaXmPLvHcESHA=', receivedAt, stage: '$default', port: 3000 };

function matchOf(routeKey: string, method: string, path: string): RouteMatch {
  const compiled = compileRoute({ routeKey, functionName: 'fn', handler: async () => undefined });
  return findRoute([compiled], method, path) as RouteMatch;
}

function request(facts: Partial<HttpRequestFacts> = {}): HttpRequestFacts {
  return {
    method: 'GET',
    url: '/rooms',
    httpVersion: '1.1',
    headers: { host: ['localhost:3000'] },
    sourceIp: '10.0.0.7',
    body: Buffer.alloc(0),
    ...facts,
  };
}

describe('HTTP events: payload format 2.0', () => {
  it('fills requestContext.http, with an empty userAgent when the client sent none', () => {
    const withAgent = buildHttpEvent(
      request({ headers: { host: ['localhost:3000'], 'user-agent': ['events-test/1.0'] } }),
      matchOf('GET /rooms', 'GET', '/rooms'),
      setting,
    );
    const withoutAgent = buildHttpEvent(request(), matchOf('GET /rooms', 'GET', '/rooms'), setting);

    expect(withAgent.requestContext.http).toEqual({
      method: 'GET',
      path: '/rooms',
      protocol: 'HTTP/1.1',
      sourceIp: '10.0.0.7',
      userAgent: 'events-test/1.0',
    });
    expect(withoutAgent.requestContext.http.userAgent).toBe('');
    expect(withoutAgent.headers).not.toHaveProperty('user-agent');
  });

  it('fills the rest of requestContext from the host, the stage and the time', () => {
    const { requestContext } = buildHttpEvent(request(), matchOf('GET /rooms', 'GET', '/rooms'), setting);

    expect(requestContext).toMatchObject({
      apiId: 'localhttp',
      domainName: 'localhost:3000',
      domainPrefix: 'localhost',
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'GET /rooms',
      stage: '$default',
      time: formatRequestTime(receivedAt),
      timeEpoch: receivedAt,
    });
    expect(requestContext.accountId).toMatch(/^\d{12}$/);
  });

  it('decodes the path, joins repeated query keys and headers with commas, and moves cookies out', () => {
    const event = buildHttpEvent(
      request({
        method: 'POST',
        url: '/rooms/caf%C3%A9/messages?tag=a&tag=b&q=x%20y',
        headers: { host: ['localhost:3000'], 'x-multi': ['one', 'two'], cookie: ['a=1; b=2', 'c=3'] },
      }),
      matchOf('POST /rooms/{name}/messages', 'POST', '/rooms/caf%C3%A9/messages'),
      setting,
    );

    expect(event.rawPath).toBe('/rooms/café/messages');
    expect(event.rawQueryString).toBe('tag=a&tag=b&q=x%20y');
    expect(event.queryStringParameters).toEqual({ tag: 'a,b', q: 'x y' });
    expect(event.pathParameters).toEqual({ name: 'café' });
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('adds the forwarding headers, after any X-Forwarded-For the client sent', () => {
    const event = buildHttpEvent(
      request({ headers: { host: ['localhost:3000'], 'x-forwarded-for': ['192.0.2.1'] } }),
      matchOf('GET /rooms', 'GET', '/rooms'),
      setting,
    );

    expect(event.headers).toMatchObject({
      'x-forwarded-for': '192.0.2.1, 10.0.0.7',
      'x-forwarded-port': '3000',
      'x-forwarded-proto': 'http',
    });
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('passes a text body as is and any other body base64-encoded', () => {
    const bytes = Buffer.from([0, 159, 146, 150, 255]);
    const match = matchOf('POST /upload', 'POST', '/upload');

    const text = buildHttpEvent(
      request({
        method: 'POST',
        headers: { 'content-type': ['application/json'] },
        body: Buffer.from('{"a":1}'),
      }),
      match,
      setting,
    );
    const binary = buildHttpEvent(
      request({ method: 'POST', headers: { 'content-type': ['application/octet-stream'] }, body: bytes }),
      match,
      setting,
    );

    expect(text).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it.each([
    ['text/plain; charset=utf-8', true],
    ['application/json', true],
    ['application/problem+json', true],
    ['application/x-www-form-urlencoded', true],
    ['application/xml', true],
    ['application/octet-stream', false],
    ['image/png', false],
    [undefined, false],
  ])('treats a body of content type %s as text: %s', (contentType, text) => {
    expect(isTextContentType(contentType)).toBe(text);
  });
});
