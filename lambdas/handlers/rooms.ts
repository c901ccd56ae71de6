import { ROOM_NAME_PATTERN } from '../../lib/contract/index.ts';
import { createDocumentClient } from '../data/client.ts';
import {
  invite,
  joinAsMember,
  leaveMembership,
  listMembers,
  myInvitations,
  myRooms,
} from '../domain/membership.ts';
import { deleteMessage, editMessage, react, withMyReactions } from '../domain/message-changes.ts';
import { postRoomMessage, roomHistory } from '../domain/messaging.ts';
import { ban, kick, mute, setRole, unban, unmute } from '../domain/moderation.ts';
import { listPresent } from '../domain/presence.ts';
import { markRoomRead } from '../domain/read-state.ts';
import { deleteRoom } from '../domain/room-deletion.ts';
import { createRoom, listRooms } from '../domain/rooms.ts';
import { tableName } from '../shared/config.ts';
import { decodeCursor } from '../shared/cursor.ts';
import { httpHandler } from '../shared/http.ts';
import { managementApiPoster } from '../shared/management.ts';
import { historyAnswer, historyPosition, nextCursorOf, postedAnswer } from './answers.ts';
import { messagingDeps } from './deps.ts';
import { shardingFromConfig } from './invoker.ts';
import { buildAuthenticator } from './session-deps.ts';

// One document client for the rooms, the messaging and the session check: one connection pool per container.
const doc = createDocumentClient();
const deps = messagingDeps(doc, tableName(), managementApiPoster(), { sharding: shardingFromConfig() });

/** A member-list cursor holds a username as keys hold it: lower-cased. */
const CANONICAL_USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;

export const handler = httpHandler(
  'rooms',
  {
    'GET /rooms': async ({ query, identity }) => {
      const after = decodeCursor(query.cursor, ROOM_NAME_PATTERN);
      const page = await listRooms(deps, identity, query.limit, after);
      return { status: 200, body: { rooms: page.rooms, nextCursor: nextCursorOf(page.after) } };
    },
    'POST /rooms': async ({ body, identity }) => ({
      status: 201,
      body: { room: await createRoom(deps, identity, body) },
    }),
    'GET /rooms/{name}/messages': async ({ params, query, identity }) => {
      const position = historyPosition(query);
      const page = await roomHistory(deps, identity, params.name, query.limit, position);
      return historyAnswer(await withMyReactions(deps, { room: params.name }, identity.username, page));
    },
    'POST /rooms/{name}/messages': async ({ params, body, identity }) =>
      postedAnswer(await postRoomMessage(deps, identity, params.name, body)),
    'POST /rooms/{name}/members': async ({ params, identity }) => {
      const { member, created } = await joinAsMember(deps, identity, params.name);
      return created ? { status: 201, body: { member } } : { status: 200, body: { member } };
    },
    'DELETE /rooms/{name}/members/me': async ({ params, identity }) => {
      await leaveMembership(deps, identity, params.name);
      return { status: 204, body: undefined };
    },
    'GET /rooms/{name}/members': async ({ params, query, identity }) => {
      const after = decodeCursor(query.cursor, CANONICAL_USERNAME_PATTERN);
      const page = await listMembers(deps, identity, params.name, query.limit, after);
      return { status: 200, body: { members: page.items, nextCursor: nextCursorOf(page.after) } };
    },
    'GET /rooms/{name}/presence': async ({ params, query, identity }) => {
      const after = decodeCursor(query.cursor, CANONICAL_USERNAME_PATTERN);
      const page = await listPresent(deps, identity, params.name, query.limit, after);
      return { status: 200, body: { members: page.items, nextCursor: nextCursorOf(page.after) } };
    },
    'POST /rooms/{name}/invitations': async ({ params, body, identity }) => ({
      status: 201,
      body: { invitation: await invite(deps, identity, params.name, body.username) },
    }),
    'GET /me/rooms': async ({ query, identity }) => {
      const page = await myRooms(deps, identity, query.limit, decodeCursor(query.cursor, ROOM_NAME_PATTERN));
      return { status: 200, body: { rooms: page.items, nextCursor: nextCursorOf(page.after) } };
    },
    'GET /me/invitations': async ({ query, identity }) => {
      const after = decodeCursor(query.cursor, ROOM_NAME_PATTERN);
      const page = await myInvitations(deps, identity, query.limit, after);
      return { status: 200, body: { invitations: page.items, nextCursor: nextCursorOf(page.after) } };
    },
    'DELETE /rooms/{name}/members/{username}': async ({ params, identity }) => {
      await kick(deps, identity, params.name, params.username);
      return { status: 204, body: undefined };
    },
    'POST /rooms/{name}/bans': async ({ params, body, identity }) => ({
      status: 201,
      body: { ban: await ban(deps, identity, params.name, body) },
    }),
    'DELETE /rooms/{name}/bans/{username}': async ({ params, identity }) => {
      await unban(deps, identity, params.name, params.username);
      return { status: 204, body: undefined };
    },
    'POST /rooms/{name}/mutes': async ({ params, body, identity }) => ({
      status: 201,
      body: { mute: await mute(deps, identity, params.name, body) },
    }),
    'DELETE /rooms/{name}/mutes/{username}': async ({ params, identity }) => {
      await unmute(deps, identity, params.name, params.username);
      return { status: 204, body: undefined };
    },
    'PATCH /rooms/{name}/members/{username}': async ({ params, body, identity }) => ({
      status: 200,
      body: { member: await setRole(deps, identity, params.name, params.username, body.role) },
    }),
    'DELETE /rooms/{name}': async ({ params, identity }) => {
      await deleteRoom(deps, identity, params.name);
      return { status: 204, body: undefined };
    },
    'PATCH /rooms/{name}/messages/{messageId}': async ({ params, body, identity }) => ({
      status: 200,
      body: {
        message: await editMessage(deps, identity, { room: params.name }, params.messageId, body.text),
      },
    }),
    'DELETE /rooms/{name}/messages/{messageId}': async ({ params, identity }) => {
      await deleteMessage(deps, identity, { room: params.name }, params.messageId);
      return { status: 204, body: undefined };
    },
    'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}': async ({ params, identity }) => {
      await react(deps, identity, { room: params.name }, params.messageId, params.emoji, true);
      return { status: 204, body: undefined };
    },
    'DELETE /rooms/{name}/messages/{messageId}/reactions/{emoji}': async ({ params, identity }) => {
      await react(deps, identity, { room: params.name }, params.messageId, params.emoji, false);
      return { status: 204, body: undefined };
    },
    'POST /rooms/{name}/read': async ({ params, body, identity }) => ({
      status: 200,
      body: { lastReadMessageId: await markRoomRead(deps, identity.username, params.name, body.messageId) },
    }),
  },
  buildAuthenticator(doc),
);
