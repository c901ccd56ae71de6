/**
 * THE route table. Every HTTP and WebSocket route is listed here once, with the function that serves it and
 * the table access it needs. The CDK stack, the local gateway emulation and the infra tests all read this file,
 * so nothing about a route is written twice.
 */

/** What a route does with the DynamoDB table. A function is granted the union of its routes' access. */
export type TableAccess = 'none' | 'read' | 'write' | 'readWrite';

/** The Lambda functions, one per design-card group. */
export type FunctionName =
  | 'register'
  | 'login'
  | 'me'
  | 'rooms'
  | 'conversations'
  | 'connect'
  | 'join'
  | 'message'
  | 'disconnect'
  | 'ping';

export interface FunctionSpec {
  /** Entry file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** Which API invokes it. */
  readonly api: 'http' | 'websocket';
  /** Whether it posts frames to WebSocket connections through the management API. */
  readonly postsToConnections: boolean;
  /** Whether it signs or verifies tokens, and so reads the JWT signing key. */
  readonly usesSigningKey: boolean;
}

/** A stage throttle: the steady rate (requests per second) and the burst (token bucket size) API Gateway allows. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST';
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
  readonly routeKey: string;
  readonly function: FunctionName;
  readonly access: TableAccess;
}

export const functions: Readonly<Record<FunctionName, FunctionSpec>> = {
  register: {
    entry: 'lambdas/handlers/register.ts',
    api: 'http',
    postsToConnections: false,
    usesSigningKey: false,
  },
  login: { entry: 'lambdas/handlers/login.ts', api: 'http', postsToConnections: false, usesSigningKey: true },
  me: { entry: 'lambdas/handlers/me.ts', api: 'http', postsToConnections: false, usesSigningKey: true },
  rooms: { entry: 'lambdas/handlers/rooms.ts', api: 'http', postsToConnections: true, usesSigningKey: true },
  conversations: {
    entry: 'lambdas/handlers/conversations.ts',
    api: 'http',
    postsToConnections: true,
    usesSigningKey: true,
  },
  connect: {
    entry: 'lambdas/handlers/connect.ts',
    api: 'websocket',
    postsToConnections: false,
    usesSigningKey: true,
  },
  join: {
    entry: 'lambdas/handlers/join.ts',
    api: 'websocket',
    postsToConnections: true,
    usesSigningKey: false,
  },
  message: {
    entry: 'lambdas/handlers/message.ts',
    api: 'websocket',
    postsToConnections: true,
    usesSigningKey: false,
  },
  disconnect: {
    entry: 'lambdas/handlers/disconnect.ts',
    api: 'websocket',
    postsToConnections: true,
    usesSigningKey: false,
  },
  ping: {
    entry: 'lambdas/handlers/ping.ts',
    api: 'websocket',
    postsToConnections: true,
    usesSigningKey: false,
  },
};

/** Sign-up and sign-in: a bcrypt hash per call (~0.6 s of CPU) and the target of credential stuffing. */
const AUTH_THROTTLE: RouteThrottle = { rateLimit: 5, burstLimit: 10 };

export const httpRoutes: readonly HttpRoute[] = [
  {
    method: 'POST',
    path: '/auth/register',
    function: 'register',
    access: 'write',
    authenticated: false,
    throttle: AUTH_THROTTLE,
  },
  {
    method: 'POST',
    path: '/auth/login',
    function: 'login',
    access: 'read',
    authenticated: false,
    throttle: AUTH_THROTTLE,
  },
  { method: 'GET', path: '/auth/me', function: 'me', access: 'read', authenticated: true },
  { method: 'GET', path: '/rooms', function: 'rooms', access: 'read', authenticated: true },
  { method: 'POST', path: '/rooms', function: 'rooms', access: 'write', authenticated: true },
  { method: 'GET', path: '/rooms/{name}/messages', function: 'rooms', access: 'read', authenticated: true },
  {
    method: 'POST',
    path: '/rooms/{name}/messages',
    function: 'rooms',
    access: 'readWrite',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/conversations',
    function: 'conversations',
    access: 'readWrite',
    authenticated: true,
  },
  { method: 'GET', path: '/conversations', function: 'conversations', access: 'read', authenticated: true },
  {
    method: 'GET',
    path: '/conversations/{id}/messages',
    function: 'conversations',
    access: 'read',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/conversations/{id}/messages',
    function: 'conversations',
    access: 'readWrite',
    authenticated: true,
  },
];

export const webSocketRoutes: readonly WebSocketRoute[] = [
  { routeKey: '$connect', function: 'connect', access: 'write' },
  { routeKey: 'join', function: 'join', access: 'readWrite' },
  { routeKey: 'leave', function: 'join', access: 'readWrite' },
  { routeKey: 'message', function: 'message', access: 'readWrite' },
  { routeKey: 'ping', function: 'ping', access: 'none' },
  { routeKey: '$default', function: 'ping', access: 'none' },
  { routeKey: '$disconnect', function: 'disconnect', access: 'readWrite' },
];

/**
 * Every method and path that matches no route reaches API Gateway's `$default` route. Without one, API Gateway
 * answers its own `{"message":"Not Found"}`; routing it to a function makes unknown routes answer the contract's
 * `404 {"code":"NOT_FOUND"}` on AWS and locally alike. `me` serves it: a read-only function whose wrapper
 * answers NOT_FOUND without touching the table or asking for a token.
 */
export const httpFallbackRoute = { routeKey: '$default', function: 'me' } as const satisfies {
  readonly routeKey: string;
  readonly function: FunctionName;
};

/** The HTTP API's route key for a route, as API Gateway writes it: `POST /rooms/{name}/messages`. */
export function httpRouteKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The route keys a function serves, in table order. */
export function routeKeysOf(name: FunctionName): string[] {
  const spec = functions[name];
  if (spec.api === 'http') {
    const keys = httpRoutes.filter((route) => route.function === name).map(httpRouteKey);
    return name === httpFallbackRoute.function ? [...keys, httpFallbackRoute.routeKey] : keys;
  }
  return webSocketRoutes.filter((route) => route.function === name).map((route) => route.routeKey);
}

/** The table access a function is granted: the union of what its routes need. */
export function tableAccessOf(name: FunctionName): TableAccess {
  const accesses = [
    ...httpRoutes.filter((route) => route.function === name).map((route) => route.access),
    ...webSocketRoutes.filter((route) => route.function === name).map((route) => route.access),
  ];
  const reads = accesses.some((access) => access === 'read' || access === 'readWrite');
  const writes = accesses.some((access) => access === 'write' || access === 'readWrite');
  if (reads && writes) return 'readWrite';
  if (reads) return 'read';
  if (writes) return 'write';
  return 'none';
}

export const functionNames = Object.keys(functions) as FunctionName[];
