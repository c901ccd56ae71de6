import { describe, expect, it } from 'vitest';
import { formatRequestTime } from '../../lib/local/lambda-context.ts';
import {
  type ConnectionInfo,
  closeReason,
  connectEvent,
  connectionIdentity,
  disconnectEvent,
  type HandshakeRequest,
  messageEvent,
  newConnectionId,
} from '../../lib/local/websocket-events.ts';

const connectedAt = Date.UTC(2026, 10, 21, 10, 0, 0);
const info: ConnectionInfo = {
  id: 'L0SM9cOFvHcCIhw=',
  stage: 'local',
  connectedAt,
  identity: { sourceIp: '10.0.0.7', userAgent: 'events-test/1.0' },
  domainName: 'localhost:3001',
};

function handshake(rawHeaders: string[], query = ''): HandshakeRequest {
  return { rawHeaders, search: new URLSearchParams(query), sourceIp: '10.0.0.7', port: 3001 };
}

describe('WebSocket events: identity', () => {
  it('leaves userAgent out when the client sent none or an empty one', () => {
    expect(connectionIdentity('10.0.0.7', undefined)).toEqual({ sourceIp: '10.0.0.7' });
    expect(connectionIdentity('10.0.0.7', '')).toEqual({ sourceIp: '10.0.0.7' });
    expect(connectionIdentity('10.0.0.7', 'curl/8.5')).toEqual({
      sourceIp: '10.0.0.7',
      userAgent: 'curl/8.5',
    });
  });

  it('makes connection ids of AWS’s shape, a new one each time', () => {
    const ids = new Set(Array.from({ length: 50 }, newConnectionId));

    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  });

  it('names the close codes the gateway itself closes with', () => {
    for (const code of [1000, 1001, 1003, 1006, 1009]) expect(closeReason(code)).not.toBe('');
    expect(closeReason(4000)).toBe('');
  });
});

describe('WebSocket events: $connect', () => {
  it('keeps header names as sent, drops the handshake headers and adds the forwarding ones', () => {
    const event = connectEvent(
      info,
      handshake([
        'Host',
        'localhost:3001',
        'Connection',
        'Upgrade',
        'Upgrade',
        'websocket',
        'X-Tag',
        'a',
        'x-tag',
        'b',
      ]),
      { requestId: 'req', now: connectedAt },
    );

    expect(event.multiValueHeaders).toMatchObject({ Host: ['localhost:3001'], 'X-Tag': ['a', 'b'] });
    expect(event.headers).toMatchObject({
      Host: 'localhost:3001',
      'X-Tag': 'b',
      'X-Forwarded-For': '10.0.0.7',
      'X-Forwarded-Port': '3001',
      'X-Forwarded-Proto': 'http',
    });
    expect(event.headers).not.toHaveProperty('Connection');
    expect(event.headers).not.toHaveProperty('Upgrade');
    expect(event.headers?.['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('appends the client address to an X-Forwarded-For the client sent, and keeps its trace id', () => {
    const event = connectEvent(
      info,
      handshake(['x-forwarded-for', '192.0.2.1', 'X-Amzn-Trace-Id', 'Root=1-abc-def']),
      { requestId: 'req', now: connectedAt },
    );

    expect(event.headers?.['x-forwarded-for']).toBe('192.0.2.1, 10.0.0.7');
    expect(event.headers).not.toHaveProperty('X-Forwarded-For');
    expect(event.headers?.['X-Amzn-Trace-Id']).toBe('Root=1-abc-def');
  });

  it('gives the last value of a repeated query key, and all of them in the multi-value map', () => {
    const event = connectEvent(info, handshake([], 'token=abc&tag=a&tag=b'), {
      requestId: 'req',
      now: connectedAt,
    });

    expect(event.queryStringParameters).toEqual({ token: 'abc', tag: 'b' });
    expect(event.multiValueQueryStringParameters).toEqual({ token: ['abc'], tag: ['a', 'b'] });
    expect(connectEvent(info, handshake([]), { requestId: 'req', now: connectedAt })).not.toHaveProperty(
      'queryStringParameters',
    );
  });

  it('fills the request context of a CONNECT event, without messageId', () => {
    const now = connectedAt + 5;

    const { requestContext } = connectEvent(info, handshake([]), { requestId: 'JKJaXmPLvHcESHA=', now });

    expect(requestContext).toEqual({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      extendedRequestId: 'JKJaXmPLvHcESHA=',
      requestId: 'JKJaXmPLvHcESHA=',
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now,
      stage: 'local',
      connectedAt,
      connectionId: info.id,
      domainName: 'localhost:3001',
      apiId: 'localws',
      identity: { sourceIp: '10.0.0.7', userAgent: 'events-test/1.0' },
    });
  });
});

describe('WebSocket events: MESSAGE and $disconnect', () => {
  it('carries a text frame as its body under the selected route, with a messageId and no headers', () => {
    const event = messageEvent(info, 'echo', '{"action":"echo"}', {
      requestId: 'req',
      now: connectedAt,
      messageId: 'msg',
    });

    expect(event).toEqual({
      requestContext: expect.objectContaining({ routeKey: 'echo', eventType: 'MESSAGE', messageId: 'msg' }),
      body: '{"action":"echo"}',
      isBase64Encoded: false,
    });
  });

  it('reports the close code and reason in $disconnect, with the gateway’s own headers', () => {
    const event = disconnectEvent(
      info,
      { code: 1003, reason: 'Unsupported data' },
      { requestId: 'req', now: connectedAt },
    );

    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1003,
      disconnectReason: 'Unsupported data',
    });
    expect(event.requestContext).not.toHaveProperty('messageId');
    expect(event.headers).toEqual({
      Host: 'localhost:3001',
      'x-api-key': '',
      'X-Forwarded-For': '',
      'x-restapi': '',
    });
    expect(event.multiValueHeaders?.Host).toEqual(['localhost:3001']);
  });
});
