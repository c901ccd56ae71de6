import { BlockRepository } from '../data/blocks.ts';
import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { ConversationRepository } from '../data/conversations.ts';
import { DeviceRepository } from '../data/devices.ts';
import { MembershipRepository } from '../data/memberships.ts';
import { PresenceRepository } from '../data/presence.ts';
import { UserRepository } from '../data/users.ts';
import { deleteAccount } from '../domain/account-deletion.ts';
import { changePassword } from '../domain/accounts.ts';
import { endSessions, refreshSession } from '../domain/sessions.ts';
import { issueWebSocketTicket } from '../domain/tickets.ts';
import { bcryptCost, presenceListMax, tableName, webSocketTicketTtlSeconds } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { logger } from '../shared/logger.ts';
import { managementApiCloser, managementApiPoster } from '../shared/management.ts';
import { FAN_OUT_CONCURRENCY } from './deps.ts';
import { limitDeps } from './limit-deps.ts';
import { buildAuthenticator, buildSessionDeps } from './session-deps.ts';

const doc = createDocumentClient();
const deps = {
  ...buildSessionDeps(doc),
  users: new UserRepository(doc, tableName()),
  connections: new ConnectionRepository(doc, tableName()),
  blocks: new BlockRepository(doc, tableName()),
  memberships: new MembershipRepository(doc, tableName()),
  devices: new DeviceRepository(doc, tableName()),
  closer: managementApiCloser(),
  // A deleted account leaves its groups, and the other participants' sockets get participant_left.
  conversations: new ConversationRepository(doc, tableName()),
  presence: new PresenceRepository(doc, tableName()),
  presenceListMax: presenceListMax(),
  poster: managementApiPoster(),
  fanOutConcurrency: FAN_OUT_CONCURRENCY,
  warn: (message: string, attributes: Record<string, unknown>) => logger.warn(message, attributes),
  bcryptCost: bcryptCost(),
  ticketTtlSeconds: webSocketTicketTtlSeconds(),
  // A ticket is refused at the connection quota.
  ...limitDeps(doc, tableName()),
};

/** The session routes: refresh (public), logout, logout-all, password change, tickets, account deletion. */
export const handler = httpHandler(
  'sessions',
  {
    'POST /auth/refresh': async ({ body }) => ({
      status: 200,
      body: await refreshSession(deps, body.refreshToken),
    }),
    'POST /auth/logout': async ({ identity }) => {
      await endSessions(deps, identity.username, [identity.sessionId]);
      return { status: 204, body: undefined };
    },
    'POST /auth/logout-all': async ({ identity }) => {
      await endSessions(deps, identity.username, 'all');
      return { status: 204, body: undefined };
    },
    'POST /auth/password': async ({ identity, body }) => ({
      status: 200,
      body: await changePassword(deps, identity, body),
    }),
    'DELETE /auth/me': async ({ identity, body }) => {
      await deleteAccount(deps, identity, body);
      return { status: 204, body: undefined };
    },
    'POST /auth/ws-ticket': async ({ identity }) => ({
      status: 201,
      body: await issueWebSocketTicket(deps, identity),
    }),
  },
  buildAuthenticator(doc),
);
