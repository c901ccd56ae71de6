import { dropConnections } from '../domain/presence.ts';
import { lifecycleHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

/** `$disconnect`: forget the connection, its memberships, and tell rooms its user left (if they did). */
export const handler = lifecycleHandler('$disconnect', async (event) => {
  await dropConnections(deps, [event.requestContext.connectionId]);
});
