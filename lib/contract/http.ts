import * as z from 'zod/mini';
import type { HttpErrorCode } from './errors.ts';
import {
  clientMessageId,
  cursorParameter,
  groupTitle,
  messageId,
  messageText,
  pageLimit,
  roomName,
  topic,
  username,
  visibility,
} from './fields.ts';
import { authRoutes } from './http-auth.ts';
import { blockRoutes } from './http-blocks.ts';
import { deviceRoutes } from './http-devices.ts';
import { conversationResponse, groupRoutes } from './http-groups.ts';
import { messageRoutes } from './http-messages.ts';
import { moderationRoutes } from './http-moderation.ts';
import { readRoutes } from './http-read.ts';
import { membershipRoutes } from './http-rooms.ts';
import { userRoutes } from './http-users.ts';
import { limits, MESSAGE_ID_PATTERN } from './limits.ts';
import { conversationSummary, message, pageOf, published, room } from './objects.ts';
import { type HttpRouteSpec, listQuery, one, roomParams } from './route-spec.ts';

export type { HttpRouteSpec } from './route-spec.ts';

const historyQuery = z
  .object({
    limit: pageLimit,
    before: z.optional(
      cursorParameter(
        'The `nextCursor` of the previous (newer) page (opaque): the page holds the messages sent before it. Omit for the most recent messages.',
      ),
    ),
    after: z.optional(
      z.string().check(
        z.regex(MESSAGE_ID_PATTERN, { error: 'is not a message id' }),
        z.meta({
          description:
            'A message id (the last one the client saw), or the `nextCursor` of a page read with `after`: the page holds the `limit` oldest messages strictly newer than it, oldest first, and `nextCursor` continues forward (null when up to date). Not with `before`.',
        }),
      ),
    ),
  })
  .check(
    z.refine((query) => query.before === undefined || query.after === undefined, {
      error: 'give either "before" or "after", not both',
      path: ['after'],
    }),
  );
// Any id is accepted here: one that names no conversation of the caller's is 404, as for a stranger's.
const conversationParams = z.object({ id: z.string() });
const postMessageBody = published(
  'PostMessageRequest',
  z.object({
    text: messageText,
    clientMessageId: z.optional(clientMessageId),
    replyTo: z.optional(
      messageId.check(z.meta({ description: 'A message of the same room or conversation.' })),
    ),
  }),
);

const messageResponse = published('MessageResponse', one('message', message));
const messagePage = published('MessagePage', pageOf('messages', message));
const createConversationBody = published(
  'CreateConversationRequest',
  z
    .object({
      peer: z.optional(username),
      participants: z.optional(
        z.array(username).check(
          z.minLength(1, { error: 'must name at least two other users' }),
          z.maxLength(limits.maxGroupParticipants, {
            error: `must name at most ${limits.maxGroupParticipants} users`,
          }),
          z.meta({ description: 'A new group: two or more other users (at most 100 participants in all).' }),
        ),
      ),
      title: z.optional(groupTitle),
    })
    .check(
      z.refine((body) => (body.peer === undefined) !== (body.participants === undefined), {
        error: 'give either "peer" or "participants"',
        path: ['peer'],
      }),
      z.refine((body) => body.title === undefined || body.participants !== undefined, {
        error: 'only a group has a title',
        path: ['title'],
      }),
    ),
);

const messageStored = { schema: messageResponse, description: 'The message was stored and sent.' };
const messageRepeated = {
  schema: messageResponse,
  description: 'A repeat of a `clientMessageId`: the first message, neither stored nor sent again.',
};

/** Every HTTP route of the contract, by API Gateway route key. */
export const httpRoutes = {
  ...authRoutes,
  ...blockRoutes,
  ...deviceRoutes,
  ...userRoutes,
  ...membershipRoutes,
  ...moderationRoutes,
  ...messageRoutes,
  ...readRoutes,
  ...groupRoutes,
  'GET /rooms': {
    method: 'GET',
    path: '/rooms',
    auth: true,
    operationId: 'listRooms',
    tag: 'rooms',
    summary: 'List rooms, sorted by name',
    description: 'Every public room, and the private rooms the caller is a member of.',
    query: listQuery,
    responses: {
      200: { schema: published('RoomPage', pageOf('rooms', room)), description: 'A page of rooms.' },
    },
    errors: [],
  },
  'POST /rooms': {
    method: 'POST',
    path: '/rooms',
    auth: true,
    operationId: 'createRoom',
    tag: 'rooms',
    summary: 'Create a room',
    description:
      'The name is lower-cased before it is checked and stored. The caller becomes its `owner` member. `visibility` defaults to `public`. Room creations are limited per user (10 a minute by default).',
    body: published(
      'CreateRoomRequest',
      z.object({ name: roomName, visibility: z.optional(visibility), topic: z.optional(topic) }),
    ),
    responses: {
      201: { schema: published('RoomResponse', one('room', room)), description: 'The room was created.' },
    },
    errors: ['ROOM_EXISTS', 'RATE_LIMITED'],
  },
  'GET /rooms/{name}/messages': {
    method: 'GET',
    path: '/rooms/{name}/messages',
    auth: true,
    operationId: 'listRoomMessages',
    tag: 'rooms',
    summary: 'Read the history of a room',
    description:
      'A page holds the `limit` most recent messages older than `before`, oldest first; `nextCursor` fetches the page before it and is null at the beginning. With `after` instead, the page holds the messages strictly newer than it, oldest first, and `nextCursor` (passed back as `after`) continues forward, null when up to date. Any signed-in user may read a public room; a private room only its members.',
    params: roomParams,
    query: historyQuery,
    responses: { 200: { schema: messagePage, description: 'A page of messages, oldest first.' } },
    errors: ['ROOM_NOT_FOUND'],
  },
  'POST /rooms/{name}/messages': {
    method: 'POST',
    path: '/rooms/{name}/messages',
    auth: true,
    operationId: 'postRoomMessage',
    tag: 'rooms',
    summary: 'Send a message to a room',
    description:
      'The message is stored and pushed to the connections that joined the room. Posting needs membership: posting to a public room makes the caller a member on the way; a private room answers non-members 404. Each message takes a token of the sender’s message rate, shared with the WebSocket and with direct messages.',
    params: roomParams,
    body: postMessageBody,
    responses: { 201: messageStored, 200: messageRepeated },
    errors: ['ROOM_NOT_FOUND', 'MESSAGE_NOT_FOUND', 'RATE_LIMITED'],
  },
  'POST /conversations': {
    method: 'POST',
    path: '/conversations',
    auth: true,
    operationId: 'openConversation',
    tag: 'conversations',
    summary: 'Open the direct conversation with another user, or create a group',
    description:
      'With `peer`: there is one conversation per pair of users, and opening it again returns the existing one (200); the peer may be given in any case; naming yourself is 400 VALIDATION_FAILED. With `participants` (and an optional `title`): a new group of the caller and two or more other users (201, always new): duplicates and the caller collapse, at most 100 participants in all, an unknown user is 404 USER_NOT_FOUND (without saying which) and one who blocks the caller is 403 BLOCKED; nothing is created then. Each other participant’s connections get their own `participant_added`.',
    body: createConversationBody,
    responses: {
      201: { schema: conversationResponse, description: 'The conversation or the group was created.' },
      200: { schema: conversationResponse, description: 'The existing conversation of the pair.' },
    },
    errors: ['USER_NOT_FOUND', 'BLOCKED', 'RATE_LIMITED'],
  },
  'GET /conversations': {
    method: 'GET',
    path: '/conversations',
    auth: true,
    operationId: 'listConversations',
    tag: 'conversations',
    summary: 'List my conversations, most recent activity first',
    query: listQuery,
    responses: {
      200: {
        schema: published('ConversationPage', pageOf('conversations', conversationSummary)),
        description: 'A page of conversations.',
      },
    },
    errors: [],
  },
  'GET /conversations/{id}/messages': {
    method: 'GET',
    path: '/conversations/{id}/messages',
    auth: true,
    operationId: 'listConversationMessages',
    tag: 'conversations',
    summary: 'Read the history of a conversation',
    description: 'Pages as for room history. Only the two participants may read it: anyone else gets 404.',
    params: conversationParams,
    query: historyQuery,
    responses: { 200: { schema: messagePage, description: 'A page of messages, oldest first.' } },
    errors: ['CONVERSATION_NOT_FOUND'],
  },
  'POST /conversations/{id}/messages': {
    method: 'POST',
    path: '/conversations/{id}/messages',
    auth: true,
    operationId: 'postConversationMessage',
    tag: 'conversations',
    summary: 'Send a direct message',
    description: 'The message is stored and pushed to every connection of both participants.',
    params: conversationParams,
    body: postMessageBody,
    responses: { 201: messageStored, 200: messageRepeated },
    errors: ['CONVERSATION_NOT_FOUND', 'MESSAGE_NOT_FOUND', 'BLOCKED', 'RATE_LIMITED'],
  },
} as const satisfies Record<string, HttpRouteSpec>;

export type HttpRouteKey = keyof typeof httpRoutes;
export type HttpRouteOf<Key extends HttpRouteKey> = (typeof httpRoutes)[Key];
export const httpRouteKeys = Object.keys(httpRoutes) as HttpRouteKey[];

/**
 * API Gateway sends every method and path that matches no route to `$default`; the contract answers it with
 * 404 NOT_FOUND.
 */
export const HTTP_FALLBACK_ROUTE_KEY = '$default';

/** Every error code a route may answer: its own, and those of its kind. */
export function errorsOf(spec: HttpRouteSpec): HttpErrorCode[] {
  const codes = new Set<HttpErrorCode>();
  if (spec.body) codes.add('INVALID_JSON');
  if (spec.body || spec.query || spec.params) codes.add('VALIDATION_FAILED');
  if (spec.auth) codes.add('UNAUTHORIZED');
  for (const code of spec.errors) codes.add(code);
  if (spec.body) codes.add('PAYLOAD_TOO_LARGE');
  codes.add('INTERNAL');
  codes.add('UNAVAILABLE');
  return [...codes];
}

/** The body type of a route's request, after parsing. */
export type RequestBodyOf<Key extends HttpRouteKey> =
  HttpRouteOf<Key> extends { body: infer S } ? z.output<S & z.ZodMiniType> : undefined;
