/**
 * Compile-time proofs, checked by `npm run typecheck` (nothing here runs): a handler must serve exactly the
 * routes its function is given, and may answer only the statuses and bodies the contract lists for each route.
 * Every `@ts-expect-error` below is a mistake the compiler must refuse; if it stopped refusing one, the directive
 * itself would fail the typecheck. (That every route of the contract has a function is proved in
 * lambdas/shared/functions.ts.)
 */

import { type HttpRouteHandlers, httpHandler } from '../../lambdas/shared/http.ts';
import { webSocketHandler } from '../../lambdas/shared/websocket.ts';

const room = {
  name: 'general',
  createdBy: 'alice',
  createdAt: '2026-11-21T10:00:00.000Z',
  visibility: 'public',
  memberCount: 1,
} as const;
const member = { username: 'alice', role: 'owner', joinedAt: room.createdAt } as const;
const page = { nextCursor: null };
const noPoster = { post: async () => {} };

/** Builds handlers for type checking only; never called. */
export function proofs() {
  // A function's handler that leaves out one of its routes.
  // @ts-expect-error 'POST /rooms' and the history routes are missing
  httpHandler('rooms', {
    'GET /rooms': async () => ({ status: 200, body: { rooms: [], nextCursor: null } }),
  });

  const rooms: HttpRouteHandlers<'rooms'> = {
    'GET /rooms': async () => ({ status: 200, body: { rooms: [room], nextCursor: null } }),
    'POST /rooms': async () => ({ status: 201, body: { room } }),
    'GET /rooms/{name}/messages': async () => ({ status: 200, body: { messages: [], nextCursor: null } }),
    'POST /rooms/{name}/messages': async () => ({
      status: 201,
      body: {
        message: { messageId: 'm', room: 'general', from: 'alice', text: 'hi', sentAt: room.createdAt },
      },
    }),
    'POST /rooms/{name}/members': async () => ({ status: 201, body: { member } }),
    'DELETE /rooms/{name}/members/me': async () => ({ status: 204, body: undefined }),
    'DELETE /rooms/{name}/members/{username}': async () => ({ status: 204, body: undefined }),
    'POST /rooms/{name}/bans': async () => ({
      status: 201,
      body: { ban: { room: 'general', username: 'bob', bannedBy: 'alice', bannedAt: room.createdAt } },
    }),
    'DELETE /rooms/{name}/bans/{username}': async () => ({ status: 204, body: undefined }),
    'POST /rooms/{name}/mutes': async () => ({
      status: 201,
      body: { mute: { room: 'general', username: 'bob', mutedBy: 'alice', mutedUntil: room.createdAt } },
    }),
    'DELETE /rooms/{name}/mutes/{username}': async () => ({ status: 204, body: undefined }),
    'PATCH /rooms/{name}/members/{username}': async () => ({ status: 200, body: { member } }),
    'DELETE /rooms/{name}': async () => ({ status: 204, body: undefined }),
    'PATCH /rooms/{name}/messages/{messageId}': async () => ({
      status: 200,
      body: {
        message: {
          messageId: 'm',
          room: 'general',
          from: 'alice',
          text: 'hi!',
          sentAt: room.createdAt,
          editedAt: room.createdAt,
        },
      },
    }),
    'DELETE /rooms/{name}/messages/{messageId}': async () => ({ status: 204, body: undefined }),
    'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}': async () => ({
      status: 204,
      body: undefined,
    }),
    'DELETE /rooms/{name}/messages/{messageId}/reactions/{emoji}': async () => ({
      status: 204,
      body: undefined,
    }),
    'POST /rooms/{name}/read': async () => ({ status: 200, body: { lastReadMessageId: 'm' } }),
    'GET /rooms/{name}/members': async () => ({ status: 200, body: { members: [member], ...page } }),
    'GET /rooms/{name}/presence': async () => ({
      status: 200,
      body: { members: [{ username: 'alice' }], ...page },
    }),
    'POST /rooms/{name}/invitations': async () => ({
      status: 201,
      body: {
        invitation: { room: 'general', username: 'bob', invitedBy: 'alice', invitedAt: room.createdAt },
      },
    }),
    'GET /me/rooms': async () => ({ status: 200, body: { rooms: [], ...page } }),
    'GET /me/invitations': async () => ({ status: 200, body: { invitations: [], ...page } }),
  };
  httpHandler('rooms', rooms);

  // A route of another function.
  // @ts-expect-error 'GET /auth/me' is served by the `me` function
  httpHandler('rooms', { ...rooms, 'GET /auth/me': rooms['GET /rooms'] });

  httpHandler('rooms', {
    ...rooms,
    // @ts-expect-error 202 is not an answer of POST /rooms in the contract
    'POST /rooms': async () => ({ status: 202, body: { room } }),
  });

  httpHandler('rooms', {
    ...rooms,
    // @ts-expect-error the body of 201 is `{room}`, not a bare room
    'POST /rooms': async () => ({ status: 201, body: room }),
  });

  httpHandler('rooms', {
    ...rooms,
    'POST /rooms': async ({ body, identity }) => {
      // The parsed body and the caller are typed from the contract: an authenticated route always has one.
      const name: string = body.name;
      const userId: string = identity.userId;
      // @ts-expect-error POST /rooms takes no `colour`
      body.colour;
      return { status: 201, body: { room: { ...room, name, createdBy: userId } } };
    },
  });

  // A WebSocket function must serve exactly its actions too.
  // @ts-expect-error `leave` is missing
  webSocketHandler('join', { join: async () => {} }, noPoster);
}
