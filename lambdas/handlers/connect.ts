import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { authenticate, openSessionConnection } from '../domain/sessions.ts';
import { redeemWebSocketTicket } from '../domain/tickets.ts';
import { tableName } from '../shared/config.ts';
import { UnauthorizedError } from '../shared/errors.ts';
import { bearerToken } from '../shared/tokens.ts';
import { lifecycleHandler } from '../shared/websocket.ts';
import { limitDeps } from './limit-deps.ts';
import { buildSessionDeps } from './session-deps.ts';

const doc = createDocumentClient();
const deps = {
  ...buildSessionDeps(doc),
  connections: new ConnectionRepository(doc, tableName()),
  ...limitDeps(doc, tableName()),
};

/**
 * `$connect`: a single-use ticket (`?ticket=`) or a token (query string `token` or Authorization header) is
 * checked, with its session, before anything is recorded. The connection keeps its session's id, so that
 * ending the session closes it.
 */
export const handler = lifecycleHandler('$connect', async (event) => {
  const request = event as typeof event & {
    queryStringParameters?: Record<string, string | undefined>;
    headers?: Record<string, string | undefined>;
  };
  const ticket = request.queryStringParameters?.ticket;
  const authorization = Object.entries(request.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'authorization',
  );
  const token = request.queryStringParameters?.token ?? bearerToken(authorization?.[1]);
  let identity: Awaited<ReturnType<typeof authenticate>>;
  if (ticket !== undefined) identity = await redeemWebSocketTicket(deps, ticket);
  else if (token !== undefined) identity = await authenticate(deps, token);
  else throw new UnauthorizedError();
  await openSessionConnection(deps, event.requestContext.connectionId, identity);
});
