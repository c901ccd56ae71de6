/**
 * The DynamoDB capacity of the session routes and of the account export, measured as capacity.ts measures the
 * messaging operations: the domain functions in-process, every call's consumed capacity recorded.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccountExportRepository } from '../../lambdas/data/account-export.ts';
import { exportAccount } from '../../lambdas/domain/account-export.ts';
import { login, register } from '../../lambdas/domain/accounts.ts';
import { openConversation } from '../../lambdas/domain/conversations.ts';
import { postRoomMessage } from '../../lambdas/domain/messaging.ts';
import { openConnection } from '../../lambdas/domain/presence.ts';
import { createRoom } from '../../lambdas/domain/rooms.ts';
import { authenticate, endSessions, refreshSession } from '../../lambdas/domain/sessions.ts';
import { issueWebSocketTicket, redeemWebSocketTicket } from '../../lambdas/domain/tickets.ts';
import type { messagingDeps } from '../../lambdas/handlers/deps.ts';
import type { Capacity } from './capacity.ts';

export interface SessionCapacity {
  /** What every authenticated HTTP request and every `$connect` adds: the token's session, read. */
  readonly sessionCheck: Capacity;
  readonly refresh: Capacity;
  /** Logout of a session with one open connection (its close is not DynamoDB work). */
  readonly logout: Capacity;
  /** Logout-all of a user with 2 sessions and one open connection. */
  readonly logoutAll: Capacity;
  readonly wsTicket: Capacity;
  /** `$connect` with a ticket: the ticket redeemed, the session checked, the connection stored. */
  readonly connectWithTicket: Capacity;
  readonly createRoom: Capacity;
  /** A page of 100 of the account export: 2 sessions, 1 room, 1 conversation, 96 of 150 sent messages. */
  readonly exportPage: Capacity;
}

type Deps = ReturnType<typeof messagingDeps>;
type AccountDeps = Parameters<typeof register>[0] & Parameters<typeof login>[0];

/**
 * Measures the session routes for a fresh user `name` (registered here) and the export of its account.
 * @param measure runs one operation and answers the capacity its calls consumed.
 */
export async function measureSessionCapacity(
  measure: (run: () => Promise<unknown>) => Promise<Capacity>,
  deps: Deps,
  accountDeps: AccountDeps,
  table: { readonly doc: DynamoDBDocumentClient; readonly tableName: string; readonly peer: string },
): Promise<SessionCapacity> {
  const name = 'carol';
  const password = 'correct horse battery';
  await register(accountDeps, { username: name, email: `${name}@example.com`, password });
  const signIn = () => login(accountDeps, { username: name, password }, '192.0.2.2');
  const closer = { close: async () => 'closed' as const };
  const endDeps = { sessions: accountDeps.sessions, connections: deps.connections, closer };
  const sessionDeps = { ...accountDeps, ...endDeps };

  const first = await signIn();
  const sessionCheck = await measure(() => authenticate(accountDeps, first.token));
  const refresh = await measure(() => refreshSession(sessionDeps, first.refreshToken));
  const identity = await authenticate(accountDeps, first.token);

  // The ticket's own Query of the user's connections (the quota) is counted with it.
  const ticketDeps = { ...deps, ...accountDeps, ticketTtlSeconds: 30 };
  let ticket = '';
  const wsTicket = await measure(async () => {
    ticket = (await issueWebSocketTicket(ticketDeps, identity)).ticket;
  });
  const connectWithTicket = await measure(async () =>
    openConnection(deps, 'carol-conn', await redeemWebSocketTicket(ticketDeps, ticket)),
  );
  const logout = await measure(() => endSessions(endDeps, name, [identity.sessionId]));

  // Two sessions, one of them with an open connection.
  const second = await signIn();
  await signIn();
  await openConnection(deps, 'carol-conn-2', await authenticate(accountDeps, second.token));
  const logoutAll = await measure(() => endSessions(endDeps, name, 'all'));

  // The export of an account with some of everything: 2 sessions, 1 room, 1 conversation, 150 messages.
  const owner = await authenticate(accountDeps, (await signIn()).token);
  await signIn();
  const room = `${name}-room`;
  const createRoomCapacity = await measure(() => createRoom(deps, owner, { name: room }));
  await openConversation(deps, owner, table.peer);
  for (let index = 0; index < 150; index++) {
    await postRoomMessage(deps, owner, room, { text: `message ${index} of the export benchmark` });
  }
  const exports = { users: deps.users, exports: new AccountExportRepository(table.doc, table.tableName) };
  const exportPage = await measure(() =>
    exportAccount(exports, owner, 100, { section: 'sessions', after: undefined }),
  );

  return {
    sessionCheck,
    refresh,
    logout,
    logoutAll,
    wsTicket,
    connectWithTicket,
    createRoom: createRoomCapacity,
    exportPage,
  };
}
