import * as z from 'zod/mini';
import type { HttpErrorCode } from './errors.ts';
import {
  clientMessageId,
  cursor,
  email,
  messageText,
  pageLimit,
  password,
  roomName,
  username,
} from './fields.ts';
import {
  conversation,
  conversationSummary,
  loginResult,
  message,
  pageOf,
  published,
  room,
  user,
} from './objects.ts';

/** One success answer of a route: its body schema, and what it means. */
interface Success {
  readonly schema: z.ZodMiniType;
  readonly description: string;
}

/** One HTTP route of the contract. */
export interface HttpRouteSpec {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `/rooms/{name}/messages`. */
  readonly path: string;
  /** Whether `Authorization: Bearer <token>` is required. */
  readonly auth: boolean;
  readonly operationId: string;
  readonly tag: 'auth' | 'rooms' | 'conversations';
  readonly summary: string;
  readonly description?: string;
  /** Path parameters, by name; every `{name}` of the path has one. */
  readonly params?: z.ZodMiniObject;
  readonly query?: z.ZodMiniObject;
  /** The JSON body of a POST (published under its own name). */
  readonly body?: z.ZodMiniObject;
  /** The success answers, by status. */
  readonly responses: Readonly<Record<number, Success>>;
  /**
   * The codes of this route's own failures. The ones every route of its kind can meet are added by `errorsOf`:
   * 400 for bad input, 401 on authenticated routes, 413 with a body, 500 and 503 everywhere.
   */
  readonly errors: readonly HttpErrorCode[];
}

const listQuery = z.object({ limit: pageLimit, cursor: z.optional(cursor) });
const historyQuery = z.object({
  limit: pageLimit,
  before: z.optional(
    z.string().check(
      z.regex(/^[A-Za-z0-9_-]{1,200}$/, { error: 'is not a valid cursor' }),
      z.meta({
        description:
          'The `nextCursor` of the previous (newer) page (opaque): the page holds the messages sent before it. Omit for the most recent messages.',
      }),
    ),
  ),
});
const roomParams = z.object({ name: roomName });
// Any id is accepted here: one that names no conversation of the caller's is 404, as for a stranger's.
const conversationParams = z.object({ id: z.string() });
const postMessageBody = published(
  'PostMessageRequest',
  z.object({ text: messageText, clientMessageId: z.optional(clientMessageId) }),
);

const one = <Key extends string, Schema extends z.ZodMiniType>(key: Key, schema: Schema) =>
  z.object({ [key]: schema } as { [K in Key]: Schema });

const userResponse = published('UserResponse', one('user', user));
const messageResponse = published('MessageResponse', one('message', message));
const messagePage = published('MessagePage', pageOf('messages', message));
const conversationResponse = published('ConversationResponse', one('conversation', conversation));

const messageStored = { schema: messageResponse, description: 'The message was stored and sent.' };
const messageRepeated = {
  schema: messageResponse,
  description: 'A repeat of a `clientMessageId`: the first message, neither stored nor sent again.',
};

/** Login checks only types and sizes: the rules of registration would tell an attacker what cannot exist. */
const loginBody = z.object({
  username: z
    .string({ error: 'must be a string' })
    .check(z.minLength(1, { error: 'is required' }), z.maxLength(254, { error: 'is too long' })),
  password: z
    .string({ error: 'must be a string' })
    .check(z.minLength(1, { error: 'is required' }), z.maxLength(1024, { error: 'is too long' })),
});

/** Every HTTP route of the contract, by API Gateway route key. */
export const httpRoutes = {
  'POST /auth/register': {
    method: 'POST',
    path: '/auth/register',
    auth: false,
    operationId: 'register',
    tag: 'auth',
    summary: 'Create an account',
    description:
      'Usernames and email addresses are unique regardless of case; the case given is kept for display.',
    body: published('RegisterRequest', z.object({ username, email, password })),
    responses: { 201: { schema: userResponse, description: 'The account was created.' } },
    errors: ['ACCOUNT_EXISTS'],
  },
  'POST /auth/login': {
    method: 'POST',
    path: '/auth/login',
    auth: false,
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in and get an access token',
    description:
      'The username may be given in any case. An unknown user and a wrong password get the same answer. Repeated failures for one username, or from one address, lock further attempts out for a while (429 `TOO_MANY_ATTEMPTS`, even with the right password), alike for existing and unknown usernames.',
    body: published('LoginRequest', loginBody),
    responses: { 200: { schema: loginResult, description: 'Signed in.' } },
    errors: ['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS'],
  },
  'GET /auth/me': {
    method: 'GET',
    path: '/auth/me',
    auth: true,
    operationId: 'getMe',
    tag: 'auth',
    summary: 'The signed-in user',
    responses: { 200: { schema: userResponse, description: 'The account of the token.' } },
    errors: [],
  },
  'GET /rooms': {
    method: 'GET',
    path: '/rooms',
    auth: true,
    operationId: 'listRooms',
    tag: 'rooms',
    summary: 'List rooms, sorted by name',
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
    description: 'The name is lower-cased before it is checked and stored.',
    body: published('CreateRoomRequest', z.object({ name: roomName })),
    responses: {
      201: { schema: published('RoomResponse', one('room', room)), description: 'The room was created.' },
    },
    errors: ['ROOM_EXISTS'],
  },
  'GET /rooms/{name}/messages': {
    method: 'GET',
    path: '/rooms/{name}/messages',
    auth: true,
    operationId: 'listRoomMessages',
    tag: 'rooms',
    summary: 'Read the history of a room',
    description:
      'A page holds the `limit` most recent messages older than `before`, oldest first; `nextCursor` fetches the page before it and is null at the beginning. Any signed-in user may read any room.',
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
    description: 'The message is stored and pushed to the connections that joined the room.',
    params: roomParams,
    body: postMessageBody,
    responses: { 201: messageStored, 200: messageRepeated },
    errors: ['ROOM_NOT_FOUND'],
  },
  'POST /conversations': {
    method: 'POST',
    path: '/conversations',
    auth: true,
    operationId: 'openConversation',
    tag: 'conversations',
    summary: 'Open the direct conversation with another user',
    description:
      'There is one conversation per pair of users: opening it again returns the existing one (200). The peer may be given in any case; naming yourself is 400 VALIDATION_FAILED.',
    body: published('CreateConversationRequest', z.object({ peer: username })),
    responses: {
      201: { schema: conversationResponse, description: 'The conversation was created.' },
      200: { schema: conversationResponse, description: 'The existing conversation of the pair.' },
    },
    errors: ['USER_NOT_FOUND'],
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
    errors: ['CONVERSATION_NOT_FOUND'],
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
