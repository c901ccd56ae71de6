import { describe, expect, it } from 'vitest';
import { compileRoute, findRoute, type HttpGatewayRoute, stripStage } from '../../lib/local/http-routes.ts';

const handler = async () => undefined;
const routes = [
  'GET /rooms',
  'GET /rooms/special',
  'GET /rooms/{name}',
  'ANY /rooms/{name}',
  'POST /rooms/{name}/messages',
  'GET /files/{proxy+}',
  '$default',
].map((routeKey) => compileRoute({ routeKey, functionName: routeKey, handler } satisfies HttpGatewayRoute));

function matched(method: string, path: string) {
  const match = findRoute(routes, method, path);
  return match === undefined
    ? undefined
    : { routeKey: match.route.routeKey, pathParameters: match.pathParameters };
}

describe('HTTP routes: matching', () => {
  it('prefers a literal segment over a parameter, and an explicit method over ANY', () => {
    expect(matched('GET', '/rooms/special')).toEqual({
      routeKey: 'GET /rooms/special',
      pathParameters: undefined,
    });
    expect(matched('GET', '/rooms/lobby')).toEqual({
      routeKey: 'GET /rooms/{name}',
      pathParameters: { name: 'lobby' },
    });
    expect(matched('DELETE', '/rooms/lobby')?.routeKey).toBe('ANY /rooms/{name}');
  });

  it('decodes path parameters and fills a greedy one with the rest of the path', () => {
    expect(matched('POST', '/rooms/caf%C3%A9%20bar/messages')?.pathParameters).toEqual({ name: 'café bar' });
    expect(matched('GET', '/files/a/b%20c/d.txt')?.pathParameters).toEqual({ proxy: 'a/b c/d.txt' });
  });

  it('ignores one trailing slash, never matches an empty parameter, and falls back to $default', () => {
    expect(matched('GET', '/rooms/')?.routeKey).toBe('GET /rooms');
    expect(matched('POST', '/rooms//messages')?.routeKey).toBe('$default');
    expect(matched('GET', '/files')?.routeKey).toBe('$default');
    expect(matched('PATCH', '/nowhere')?.routeKey).toBe('$default');
  });

  it('matches nothing when there is no $default route', () => {
    const withoutDefault = routes.filter((route) => route.route.routeKey !== '$default');

    expect(findRoute(withoutDefault, 'GET', '/nowhere')).toBeUndefined();
  });

  it('refuses a route key that is not METHOD /path or $default', () => {
    expect(() => compileRoute({ routeKey: 'GET rooms', functionName: 'bad', handler })).toThrow(
      /invalid HTTP route key/,
    );
  });
});

describe('HTTP routes: stages', () => {
  it('serves $default at the root and a named stage under its prefix only', () => {
    expect(stripStage('/rooms', '')).toBe('/rooms');
    expect(stripStage('/dev', '/dev')).toBe('/');
    expect(stripStage('/dev/rooms', '/dev')).toBe('/rooms');
    expect(stripStage('/development/rooms', '/dev')).toBeUndefined();
    expect(stripStage('/rooms', '/dev')).toBeUndefined();
  });
});
