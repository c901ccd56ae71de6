/**
 * CORS of the emulated HTTP API, as an API Gateway HTTP API with a CORS configuration answers it
 * (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): the gateway itself answers a
 * preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) before any route, with the CORS headers
 * only when the origin is allowed; it adds `Access-Control-Allow-Origin` to an integration's response for an
 * allowed origin, and ignores (drops) any CORS header the integration returned.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { corsPolicy } from '../contract/cors.ts';
import type { MappedResponse } from './http-responses.ts';

/** `ALLOWED_ORIGINS` (or the context value `allowedOrigins`): comma-separated origins, blanks ignored. */
export function parseAllowedOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
}

function allowedOrigin(headers: IncomingHttpHeaders, allowed: readonly string[]): string | undefined {
  const origin = headers.origin;
  return origin !== undefined && allowed.includes(origin) ? origin : undefined;
}

/** A preflight request, which the gateway answers itself (no route, no integration). */
export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return (
    method === 'OPTIONS' &&
    headers.origin !== undefined &&
    headers['access-control-request-method'] !== undefined
  );
}

/** The gateway's answer to a preflight: 204, with the CORS headers for an allowed origin and without for another. */
export function preflightResponse(headers: IncomingHttpHeaders, allowed: readonly string[]): MappedResponse {
  const origin = allowedOrigin(headers, allowed);
  const cors: Record<string, string> =
    origin === undefined
      ? {}
      : {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': corsPolicy.allowMethods.join(','),
          'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
          'access-control-max-age': String(corsPolicy.maxAgeSeconds),
        };
  return { status: 204, headers: { ...cors, vary: 'Origin' }, body: Buffer.alloc(0) };
}

/** An actual response as sent to a cross-origin caller: the integration's CORS headers replaced by the gateway's. */
export function withCors(
  response: MappedResponse,
  headers: IncomingHttpHeaders,
  allowed: readonly string[],
): MappedResponse {
  const kept = Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => !name.startsWith('access-control-')),
  );
  const origin = allowedOrigin(headers, allowed);
  if (origin !== undefined) kept['access-control-allow-origin'] = origin;
  kept.vary = 'Origin';
  return { ...response, headers: kept };
}
