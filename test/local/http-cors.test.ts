/**
 * CORS of the emulated HTTP API over real HTTP, as an API Gateway HTTP API with `allowOrigins` answers: the
 * gateway answers preflights itself (before any route, without invoking anything), with the CORS headers for an
 * allowed origin only; actual responses carry `Access-Control-Allow-Origin` for an allowed origin only, with
 * `Vary: Origin`, and the integration's own CORS headers are dropped. Without a configuration, no CORS at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { corsPolicy } from '../../lib/contract/cors.ts';
import { parseAllowedOrigins } from '../../lib/local/cors.ts';
import { type HttpGateway, startHttpGateway } from '../../lib/local/http-gateway.ts';

const WEB = 'http://localhost:3002';
let gateway: HttpGateway | undefined;
let invocations = 0;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(allowedOrigins?: readonly string[]): Promise<string> {
  invocations = 0;
  const handler = async () => {
    invocations += 1;
    return {
      statusCode: 200,
      // What a handler might add: ignored once the API has a CORS configuration.
      headers: { 'content-type': 'application/json', 'Access-Control-Allow-Origin': '*' },
      body: '{"rooms":[]}',
    };
  };
  gateway = await startHttpGateway({
    host: '127.0.0.1',
    port: 0,
    allowedOrigins,
    routes: [{ routeKey: 'GET /rooms', functionName: 'rooms', handler }],
  });
  return gateway.url;
}

const preflight = (url: string, origin: string) =>
  fetch(`${url}/rooms`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });

describe('CORS of the local HTTP API', () => {
  it('answers a preflight from an allowed origin itself, before any route (there is no OPTIONS route)', async () => {
    const url = await start([WEB, 'http://127.0.0.1:3002']);

    const response = await preflight(url, WEB);

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(WEB);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,PATCH,DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('access-control-max-age')).toBe(String(corsPolicy.maxAgeSeconds));
    expect(response.headers.get('vary')).toBe('Origin');
    expect(invocations).toBe(0);
  });

  it('answers a preflight from another origin without any CORS header', async () => {
    const url = await start([WEB]);

    const response = await preflight(url, 'https://evil.example');

    expect(response.status).toBe(204);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(invocations).toBe(0);
  });

  it("marks an actual response for an allowed origin only, replacing the integration's CORS headers", async () => {
    const url = await start([WEB]);

    const allowed = await fetch(`${url}/rooms`, { headers: { origin: WEB } });
    const other = await fetch(`${url}/rooms`, { headers: { origin: 'https://evil.example' } });
    const sameOrigin = await fetch(`${url}/rooms`);

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(WEB);
    expect(allowed.headers.get('vary')).toBe('Origin');
    expect(await allowed.json()).toEqual({ rooms: [] });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks the gateway’s own errors too, so that a browser can read a 404', async () => {
    const url = await start([WEB]);

    const response = await fetch(`${url}/nowhere`, { headers: { origin: WEB } });

    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe(WEB);
  });

  it('without a CORS configuration, OPTIONS is an ordinary request (404: no route) and nothing is marked', async () => {
    const url = await start();

    const answer = await preflight(url, WEB);
    const actual = await fetch(`${url}/rooms`, { headers: { origin: WEB } });

    expect(answer.status).toBe(404);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    // The handler's own header passes through untouched, as on an API without CORS.
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('reads ALLOWED_ORIGINS as comma-separated origins, blanks and trailing slashes ignored', () => {
    expect(parseAllowedOrigins(' http://a.example:3002/, https://b.example ,,')).toEqual([
      'http://a.example:3002',
      'https://b.example',
    ]);
  });
});
