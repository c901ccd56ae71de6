import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectEvent } from '../../lib/local/websocket-events.ts';
import {
  routeSelectionField,
  type WebSocketGatewayRoute,
  type WebSocketLogEntry,
  WebSocketRoutes,
} from '../../lib/local/websocket-routes.ts';

afterEach(() => vi.restoreAllMocks());

function route(routeKey: string, handler: WebSocketGatewayRoute['handler'] = async () => undefined) {
  return { routeKey, functionName: `fn-${routeKey}`, handler };
}

const table = () =>
  new WebSocketRoutes(
    [route('$connect'), route('$default'), route('echo')],
    '$request.body.action',
    () => {},
  );

describe('WebSocket routes: selection', () => {
  it.each([
    ['{"action":"echo"}', 'echo'],
    ['{"action":"nope"}', '$default'],
    ['{"text":"no action"}', '$default'],
    ['{"action":7}', '$default'],
    ['[1,2]', '$default'],
    ['null', '$default'],
    ['not json', '$default'],
    ['{"action":"$connect"}', '$default'],
  ])('selects the route of %s: %s', (frame, routeKey) => {
    expect(table().select(frame)).toBe(routeKey);
  });

  it('selects on another body field when the expression names it', () => {
    const routes = new WebSocketRoutes([route('echo')], '$request.body.type', () => {});

    expect(routes.select('{"type":"echo"}')).toBe('echo');
    expect(routes.select('{"action":"echo"}')).toBe('$default');
  });

  it('refuses a route selection expression other than $request.body.<field>', () => {
    expect(routeSelectionField('$request.body.action')).toBe('action');
    expect(() => routeSelectionField('$request.header.action')).toThrow(/unsupported route selection/);
  });
});

describe('WebSocket routes: invocation', () => {
  const event = connectEvent(
    {
      id: 'id',
      stage: 'local',
      connectedAt: 0,
      identity: { sourceIp: '127.0.0.1' },
      domainName: 'localhost',
    },
    { rawHeaders: [], search: new URLSearchParams(), sourceIp: '127.0.0.1', port: 1 },
    { requestId: 'req', now: 0 },
  );

  it('returns what the function returned and logs its statusCode', async () => {
    const log: WebSocketLogEntry[] = [];
    const routes = new WebSocketRoutes(
      [route('$connect', async () => ({ statusCode: 204 }))],
      '$request.body.action',
      (entry) => log.push(entry),
    );

    const outcome = await routes.invoke(routes.get('$connect') as WebSocketGatewayRoute, event);

    expect(outcome).toEqual({ failed: false, result: { statusCode: 204 } });
    expect(log).toEqual([
      expect.objectContaining({
        kind: 'invocation',
        routeKey: '$connect',
        functionName: 'fn-$connect',
        status: 204,
      }),
    ]);
  });

  it('reports a throw as failed, logs it once with the error, and as status 500', async () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log: WebSocketLogEntry[] = [];
    const boom = new Error('boom');
    const routes = new WebSocketRoutes(
      [
        route('$connect', async () => {
          throw boom;
        }),
      ],
      '$request.body.action',
      (entry) => log.push(entry),
    );

    const outcome = await routes.invoke(routes.get('$connect') as WebSocketGatewayRoute, event);

    expect(outcome).toEqual({ failed: true });
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(errorLog.mock.calls[0]).toContain(boom);
    expect(log).toEqual([expect.objectContaining({ status: 500 })]);
  });
});
