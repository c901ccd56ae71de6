/**
 * What a browser page on an allowed origin may send to the HTTP API, declared once: the CDK stack's CORS
 * configuration and the local gateway's answers to preflights both use it, so the two cannot drift apart.
 */
import { httpRoutes } from './http.ts';

const allMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const corsPolicy = {
  /** Every method a route of the contract has. */
  allowMethods: allMethods.filter((method) =>
    Object.values(httpRoutes).some((route) => route.method === method),
  ),
  /** The request headers clients send: the token travels in `Authorization`, never in a cookie. */
  allowHeaders: ['authorization', 'content-type'],
  /** How long a browser may keep a preflight's answer (Chromium keeps one at most 2 hours). */
  maxAgeSeconds: 3600,
} as const;
