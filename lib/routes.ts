/**
 * THE route table of the deployment. The routes themselves (method, path, auth, schemas, answers) are the
 * contract's (lib/contract); which function serves each is lambdas/shared/functions.ts. This file adds what only
 * the stack needs: each function's entry file, the table access each route needs (a function is granted the
 * union), whether it posts to connections or reads the signing key, and the stricter throttles. The CDK stack,
 * the local gateway emulation and the infra tests read it; the compiler checks that every route is here.
 */

import {
  type FunctionName,
  fanOutWorker,
  functionNames,
  functionRoutes,
} from '../lambdas/shared/functions.ts';
import {
  httpRoutes as contractHttpRoutes,
  HTTP_FALLBACK_ROUTE_KEY,
  type HttpRouteKey,
  type HttpRouteSpec,
  httpRouteKeys,
  type SocketRouteKey,
  socketRouteKeys,
} from './contract/index.ts';

export { type FunctionName, functionNames };

/** What a route does with the DynamoDB table. A function is granted the union of its routes' access. */
export type TableAccess = 'none' | 'read' | 'write' | 'readWrite';

export interface FunctionSpec {
  /** Entry file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** Which API invokes it. */
  readonly api: 'http' | 'websocket';
  /** Whether it posts frames to WebSocket connections through the management API. */
  readonly postsToConnections: boolean;
  /** Whether it closes WebSocket connections through the management API (`DELETE @connections/{id}`). */
  readonly closesConnections: boolean;
  /** Whether it signs or verifies tokens, and so reads the JWT signing key. */
  readonly usesSigningKey: boolean;
  /** Whether it counts failed logins, and so is given the lockout's settings (`LOGIN_*`). */
  readonly countsLoginFailures?: boolean;
  /** Whether it enforces a per-user rate or quota, and so is given their settings (`RATE_*`, `MAX_*`). */
  readonly enforcesLimits?: boolean;
}

/** A stage throttle: the steady rate (requests per second) and the burst (token bucket size) API Gateway allows. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface HttpRoute {
  readonly key: HttpRouteKey;
  readonly method: HttpRouteSpec['method'];
  /** API Gateway path syntax: `/rooms/{name}/messages`. */
  readonly path: string;
  readonly function: FunctionName;
  readonly access: TableAccess;
  /** Whether a bearer token is required. */
  readonly authenticated: boolean;
  /**
   * A stricter throttle than the stage's, for routes that are expensive or attractive to abuse (password
   * guessing, account spam: each call costs a bcrypt hash). Counts every client together, per stage.
   *
   * @default the stage's throttle
   */
  readonly throttle?: RouteThrottle;
}

export interface WebSocketRoute {
  /** The route key: `$connect`, `$disconnect`, `$default` or an `action` value. */
  readonly routeKey: SocketRouteKey;
  readonly function: FunctionName;
  readonly access: TableAccess;
}

const handlerSpec = (
  name: FunctionName,
  flags: Pick<FunctionSpec, 'postsToConnections' | 'usesSigningKey'> &
    Partial<Pick<FunctionSpec, 'closesConnections' | 'countsLoginFailures' | 'enforcesLimits'>>,
): FunctionSpec => ({
  entry: `lambdas/handlers/${name}.ts`,
  api: functionRoutes[name].api,
  closesConnections: false,
  ...flags,
});

const limited = { enforcesLimits: true } as const;

export const functions: Readonly<Record<FunctionName, FunctionSpec>> = {
  register: handlerSpec('register', { postsToConnections: false, usesSigningKey: false }),
  login: handlerSpec('login', { postsToConnections: false, usesSigningKey: true, countsLoginFailures: true }),
  // Ending a session closes its sockets (DELETE @connections); a deleted account's leaving its groups tells the
  // other participants' sockets (participant_left).
  sessions: handlerSpec('sessions', {
    postsToConnections: true,
    closesConnections: true,
    usesSigningKey: true,
    // A WebSocket ticket is refused at the connection quota.
    ...limited,
  }),
  me: handlerSpec('me', { postsToConnections: false, usesSigningKey: true }),
  // Messages, room creations, conversation opens, joins and connections are limited per user.
  rooms: handlerSpec('rooms', { postsToConnections: true, usesSigningKey: true, ...limited }),
  conversations: handlerSpec('conversations', { postsToConnections: true, usesSigningKey: true, ...limited }),
  connect: handlerSpec('connect', { postsToConnections: false, usesSigningKey: true, ...limited }),
  join: handlerSpec('join', { postsToConnections: true, usesSigningKey: false, ...limited }),
  message: handlerSpec('message', { postsToConnections: true, usesSigningKey: false, ...limited }),
  disconnect: handlerSpec('disconnect', { postsToConnections: true, usesSigningKey: false }),
  ping: handlerSpec('ping', { postsToConnections: true, usesSigningKey: false }),
};

/**
 * The fan-out worker (lambdas/shared/functions.ts `fanOutWorker`): no route invokes it; the functions that send
 * room messages invoke it asynchronously, one shard each. Lambda retries a failed event `retryAttempts` times
 * (about 1 and 3 minutes later), then sends it to the worker's on-failure destination, as it does an event
 * older than `maxEventAgeSeconds` (a delivery that late is no longer live). It reads and writes the table: its
 * shard items, and the connections it prunes. The CDK stack and the local stack's emulated Lambda both read it.
 */
export const fanOutWorkerSpec = {
  ...fanOutWorker,
  entry: 'lambdas/handlers/fanout.ts',
  retryAttempts: 2,
  maxEventAgeSeconds: 15 * 60,
  access: 'readWrite',
  postsToConnections: true,
} as const satisfies Pick<FunctionSpec, 'entry' | 'postsToConnections'> & {
  readonly access: TableAccess;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
};

/** Whether a function hands shards to the fan-out worker (and so may invoke it). */
export const invokesFanOut = (name: FunctionName): boolean =>
  (fanOutWorker.invokedBy as readonly FunctionName[]).includes(name);

/**
 * The table access of every route: a route missing here, or one the contract does not have, fails `tsc`. Every
 * authenticated route reads, at least the session item of its token.
 */
const routeAccess: Readonly<Record<HttpRouteKey | SocketRouteKey, TableAccess>> = {
  'POST /auth/register': 'write',
  // Reads the user and the failed-login counters; writes a counter on each failure, a session on success.
  'POST /auth/login': 'readWrite',
  'POST /auth/refresh': 'readWrite',
  'POST /auth/logout': 'readWrite',
  'POST /auth/logout-all': 'readWrite',
  'POST /auth/password': 'readWrite',
  'POST /auth/ws-ticket': 'readWrite',
  'DELETE /auth/me': 'readWrite',
  'GET /auth/me': 'read',
  'GET /auth/me/export': 'read',
  'PUT /me/blocks/{username}': 'readWrite',
  'DELETE /me/blocks/{username}': 'readWrite',
  'GET /me/blocks': 'read',
  'GET /users': 'read',
  'PUT /me/devices/{deviceId}': 'readWrite',
  'DELETE /me/devices/{deviceId}': 'readWrite',
  'GET /me/devices': 'read',
  'PATCH /conversations/{id}/settings': 'readWrite',
  'GET /rooms': 'read',
  'POST /rooms': 'readWrite',
  'GET /rooms/{name}/messages': 'read',
  // Posting to a public room makes the caller a member on the way.
  'POST /rooms/{name}/messages': 'readWrite',
  'POST /rooms/{name}/members': 'readWrite',
  'DELETE /rooms/{name}/members/me': 'readWrite',
  'GET /rooms/{name}/members': 'read',
  'GET /rooms/{name}/presence': 'read',
  'POST /rooms/{name}/invitations': 'readWrite',
  'GET /me/rooms': 'read',
  'GET /me/invitations': 'read',
  'DELETE /rooms/{name}/members/{username}': 'readWrite',
  'POST /rooms/{name}/bans': 'readWrite',
  'DELETE /rooms/{name}/bans/{username}': 'readWrite',
  'POST /rooms/{name}/mutes': 'readWrite',
  'DELETE /rooms/{name}/mutes/{username}': 'readWrite',
  'PATCH /rooms/{name}/members/{username}': 'readWrite',
  // Queries the room's partition and deletes it with BatchWriteItem (in grantReadWriteData).
  'DELETE /rooms/{name}': 'readWrite',
  // Edits, deletes and reactions: conditional writes on the message item (and a reaction item).
  'PATCH /rooms/{name}/messages/{messageId}': 'readWrite',
  'DELETE /rooms/{name}/messages/{messageId}': 'readWrite',
  'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}': 'readWrite',
  'DELETE /rooms/{name}/messages/{messageId}/reactions/{emoji}': 'readWrite',
  'PATCH /conversations/{id}/messages/{messageId}': 'readWrite',
  'DELETE /conversations/{id}/messages/{messageId}': 'readWrite',
  'PUT /conversations/{id}/messages/{messageId}/reactions/{emoji}': 'readWrite',
  'DELETE /conversations/{id}/messages/{messageId}/reactions/{emoji}': 'readWrite',
  'POST /conversations': 'readWrite',
  'GET /conversations': 'read',
  'GET /conversations/{id}/messages': 'read',
  'POST /conversations/{id}/messages': 'readWrite',
  // Read markers: the marker's conditional update.
  'POST /conversations/{id}/read': 'readWrite',
  'POST /conversations/{id}/participants': 'readWrite',
  'DELETE /conversations/{id}/participants/me': 'readWrite',
  'PATCH /conversations/{id}': 'readWrite',
  'POST /rooms/{name}/read': 'readWrite',
  $connect: 'readWrite',
  join: 'readWrite',
  leave: 'readWrite',
  message: 'readWrite',
  read: 'readWrite',
  // The typing throttle's conditional put.
  typing: 'readWrite',
  ping: 'none',
  $default: 'none',
  $disconnect: 'readWrite',
};

/**
 * Sign-up and sign-in: each admitted call costs a bcrypt hash (~0.6 s of a 512 MB function's CPU). A route
 * throttle counts every client together, so a low one is a lever for one client to lock everyone out: at
 * 5 per second one script filled it. Guessing is stopped per address and per username by the login lockout
 * (lambdas/domain/login-lockout.ts), where a refused attempt costs two GetItems and no bcrypt, so this is only
 * the ceiling of what the routes may spend: 100 calls a second are ~60 concurrent executions at most (6% of
 * the default account concurrency of 1,000) and ~$1.5 an hour of Lambda, while one address is held to 50
 * failed logins per 15 minutes, under a thousandth of it. Only a flood of 100 requests a second from one client
 * fills it: filtering that per address needs CloudFront and a WAF rate rule in front (docs/deployment.md).
 */
export const AUTH_THROTTLE: RouteThrottle = { rateLimit: 100, burstLimit: 200 };
const routeThrottles: Partial<Record<HttpRouteKey, RouteThrottle>> = {
  'POST /auth/register': AUTH_THROTTLE,
  'POST /auth/login': AUTH_THROTTLE,
};

/** The function that serves a route key of one API. */
function functionOf(api: 'http' | 'websocket', routeKey: string): FunctionName {
  const name = functionNames.find(
    (candidate) =>
      functionRoutes[candidate].api === api &&
      (functionRoutes[candidate].routes as readonly string[]).includes(routeKey),
  );
  if (name === undefined) throw new Error(`No function serves ${routeKey}`);
  return name;
}

export const httpRoutes: readonly HttpRoute[] = httpRouteKeys.map((key) => {
  const { method, path, auth } = contractHttpRoutes[key];
  const throttle = routeThrottles[key];
  return {
    key,
    method,
    path,
    function: functionOf('http', key),
    access: routeAccess[key],
    authenticated: auth,
    ...(throttle ? { throttle } : {}),
  };
});

export const webSocketRoutes: readonly WebSocketRoute[] = socketRouteKeys.map((routeKey) => ({
  routeKey,
  function: functionOf('websocket', routeKey),
  access: routeAccess[routeKey],
}));

/**
 * Every method and path that matches no route reaches API Gateway's `$default` route. Without one, API Gateway
 * answers its own `{"message":"Not Found"}`; routing it to a function makes unknown routes answer the contract's
 * `404 {"code":"NOT_FOUND"}` on AWS and locally alike. Its function's wrapper answers it without touching the
 * table or asking for a token.
 */
export const httpFallbackRoute = {
  routeKey: HTTP_FALLBACK_ROUTE_KEY,
  function: functionOf('http', HTTP_FALLBACK_ROUTE_KEY),
} as const;

/** The HTTP API's route key for a route, as API Gateway writes it: `POST /rooms/{name}/messages`. */
export function httpRouteKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The route keys a function serves, in table order. */
export function routeKeysOf(name: FunctionName): string[] {
  return [...functionRoutes[name].routes];
}

/** The table access a function is granted: the union of what its routes need. */
export function tableAccessOf(name: FunctionName): TableAccess {
  const accesses = (functionRoutes[name].routes as readonly string[]).map(
    (routeKey) => routeAccess[routeKey as HttpRouteKey | SocketRouteKey] ?? 'none',
  );
  const reads = accesses.some((access) => access === 'read' || access === 'readWrite');
  const writes = accesses.some((access) => access === 'write' || access === 'readWrite');
  if (reads && writes) return 'readWrite';
  if (reads) return 'read';
  if (writes) return 'write';
  return 'none';
}
