import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { openConnection } from '../domain/presence.ts';
import { tableName } from '../shared/config.ts';
import { UnauthorizedError } from '../shared/errors.ts';
import { bearerToken, signingKeyFromEnvironment, verifyToken } from '../shared/tokens.ts';
import { lifecycleHandler } from '../shared/websocket.ts';

const deps = {
  connections: new ConnectionRepository(createDocumentClient(), tableName()),
  now: () => new Date(),
};
const signingKey = signingKeyFromEnvironment();

/** `$connect`: the token (query string `token` or Authorization header) is verified before anything is recorded. */
export const handler = lifecycleHandler('$connect', async (event) => {
  const request = event as typeof event & {
    queryStringParameters?: Record<string, string | undefined>;
    headers?: Record<string, string | undefined>;
  };
  const authorization = Object.entries(request.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'authorization',
  );
  const token = request.queryStringParameters?.token ?? bearerToken(authorization?.[1]);
  if (token === undefined) throw new UnauthorizedError();
  const identity = verifyToken(await signingKey(), token);
  await openConnection(deps, event.requestContext.connectionId, identity);
});
