import { HTTP_FALLBACK_ROUTE_KEY, type HttpRouteKey, type SocketRouteKey } from '../../lib/contract/index.ts';

/**
 * Which Lambda function serves which routes. The handler wrappers type each handler from it (a handler must
 * serve exactly its routes, or `tsc` fails), and lib/routes.ts builds the stack's functions, integrations and
 * grants from it. Every route of the contract is served by exactly one function (checked below by the compiler,
 * and at run time by the infra tests).
 */
export const functionRoutes = {
  register: { api: 'http', routes: ['POST /auth/register'] },
  login: { api: 'http', routes: ['POST /auth/login'] },
  sessions: {
    api: 'http',
    routes: [
      'POST /auth/refresh',
      'POST /auth/logout',
      'POST /auth/logout-all',
      'POST /auth/password',
      'POST /auth/ws-ticket',
      'DELETE /auth/me',
    ],
  },
  // `me` also answers every unmatched method and path with the contract's 404: see HTTP_FALLBACK_ROUTE_KEY.
  me: {
    api: 'http',
    routes: [
      'GET /auth/me',
      'GET /auth/me/export',
      'PUT /me/devices/{deviceId}',
      'DELETE /me/devices/{deviceId}',
      'GET /me/devices',
      HTTP_FALLBACK_ROUTE_KEY,
    ],
  },
  rooms: {
    api: 'http',
    routes: [
      'GET /rooms',
      'POST /rooms',
      'GET /rooms/{name}/messages',
      'POST /rooms/{name}/messages',
      'POST /rooms/{name}/members',
      'DELETE /rooms/{name}/members/me',
      'GET /rooms/{name}/members',
      'GET /rooms/{name}/presence',
      'POST /rooms/{name}/invitations',
      'GET /me/rooms',
      'GET /me/invitations',
      'DELETE /rooms/{name}/members/{username}',
      'POST /rooms/{name}/bans',
      'DELETE /rooms/{name}/bans/{username}',
      'POST /rooms/{name}/mutes',
      'DELETE /rooms/{name}/mutes/{username}',
      'PATCH /rooms/{name}/members/{username}',
      'DELETE /rooms/{name}',
      'PATCH /rooms/{name}/messages/{messageId}',
      'DELETE /rooms/{name}/messages/{messageId}',
      'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}',
      'DELETE /rooms/{name}/messages/{messageId}/reactions/{emoji}',
      'POST /rooms/{name}/read',
    ],
  },
  conversations: {
    api: 'http',
    routes: [
      'POST /conversations',
      'GET /conversations',
      'GET /conversations/{id}/messages',
      'POST /conversations/{id}/messages',
      'PUT /me/blocks/{username}',
      'DELETE /me/blocks/{username}',
      'GET /me/blocks',
      'GET /users',
      'PATCH /conversations/{id}/settings',
      'PATCH /conversations/{id}/messages/{messageId}',
      'DELETE /conversations/{id}/messages/{messageId}',
      'PUT /conversations/{id}/messages/{messageId}/reactions/{emoji}',
      'DELETE /conversations/{id}/messages/{messageId}/reactions/{emoji}',
      'POST /conversations/{id}/read',
      'POST /conversations/{id}/participants',
      'DELETE /conversations/{id}/participants/me',
      'PATCH /conversations/{id}',
    ],
  },
  connect: { api: 'websocket', routes: ['$connect'] },
  join: { api: 'websocket', routes: ['join', 'leave'] },
  message: { api: 'websocket', routes: ['message', 'read', 'typing'] },
  disconnect: { api: 'websocket', routes: ['$disconnect'] },
  ping: { api: 'websocket', routes: ['ping', '$default'] },
} as const satisfies Record<
  string,
  | { api: 'http'; routes: readonly (HttpRouteKey | typeof HTTP_FALLBACK_ROUTE_KEY)[] }
  | { api: 'websocket'; routes: readonly SocketRouteKey[] }
>;

export type FunctionName = keyof typeof functionRoutes;
export type HttpFunctionName = {
  [F in FunctionName]: (typeof functionRoutes)[F]['api'] extends 'http' ? F : never;
}[FunctionName];
export type SocketFunctionName = Exclude<FunctionName, HttpFunctionName>;

/** The route keys a function serves. */
export type RoutesOf<F extends FunctionName> = (typeof functionRoutes)[F]['routes'][number];

/** Compile-time proof that no route of the contract is left without a function. */
type Unserved = Exclude<HttpRouteKey | SocketRouteKey, RoutesOf<FunctionName>>;
export const everyRouteIsServed: [Unserved] extends [never] ? true : { unserved: Unserved } = true;

export const functionNames = Object.keys(functionRoutes) as FunctionName[];

/**
 * The one function no route invokes but the chat's own functions: the fan-out worker
 * (lambdas/handlers/fanout.ts), invoked asynchronously with one shard of a message to a large room
 * (lambdas/domain/sharded-fanout.ts). lib/routes.ts adds what only the stack needs.
 */
export const fanOutWorker = {
  name: 'fanout',
  /** The functions that send room messages and hand it shards: only they may invoke it. */
  invokedBy: ['message', 'rooms'],
  /** Also how long a worker claims its shard (lambdas/data/fanout-shards.ts): a dead worker's claim ends with it. */
  timeoutSeconds: 15,
  /**
   * Posting is CPU-bound (signing and HTTP for each post): at 1,769 MB a function has one whole vCPU, 3.5 times
   * a 512 MB one's share, so a shard is posted about 3.5 times faster for about the same GB-seconds.
   */
  memoryMb: 1769,
} as const satisfies {
  readonly name: string;
  readonly invokedBy: readonly FunctionName[];
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
};
