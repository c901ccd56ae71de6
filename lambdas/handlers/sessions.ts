import { BlockRepository } from '../data/blocks.ts';
import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { DeviceRepository } from '../data/devices.ts';
import { MembershipRepository } from '../data/memberships.ts';
import { UserRepository } from '../data/users.ts';
import { deleteAccount } from '../domain/account-deletion.ts';
import { changePassword } from '../domain/accounts.ts';
import { endSessions, refreshSession } from '../domain/sessions.ts';
import { issueWebSocketTicket } from '../domain/tickets.ts';
import { bcryptCost, tableName, webSocketTicketTtlSeconds } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { managementApiCloser } from '../shared/management.ts';
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
  bcryptCost: bcryptCost(),
  ticketTtlSeconds: webSocketTicketTtlSeconds(),
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
