import * as z from 'zod/mini';
import type { HttpErrorCode } from './errors.ts';
import { emoji, messageId, messageText, roomName } from './fields.ts';
import { message, published } from './objects.ts';
import { type HttpRouteSpec, one } from './route-spec.ts';

// Any conversation id is accepted here: one that names no conversation of the caller's is 404, as for a stranger's.
const roomMessage = z.object({ name: roomName, messageId });
const conversationMessage = z.object({ id: z.string(), messageId });
const roomReaction = z.object({ name: roomName, messageId, emoji });
const conversationReaction = z.object({ id: z.string(), messageId, emoji });

const editBody = published('EditMessageRequest', z.object({ text: messageText }));
const edited = {
  200: {
    schema: published('EditedMessageResponse', one('message', message)),
    description: 'The message as it is now, with `editedAt`.',
  },
} as const;

/** The two places a message lives, with what each route there needs to name it and who may fail how. */
const places = {
  room: {
    path: '/rooms/{name}/messages/{messageId}',
    params: roomMessage,
    reactionParams: roomReaction,
    tag: 'rooms',
    noun: 'Room',
    // A room's own refusals: a private room is invisible to non-members; a member may be muted.
    errors: ['ROOM_NOT_FOUND', 'MESSAGE_NOT_FOUND'],
    posting: ['NOT_A_MEMBER', 'MUTED'],
  },
  conversation: {
    path: '/conversations/{id}/messages/{messageId}',
    params: conversationMessage,
    reactionParams: conversationReaction,
    tag: 'conversations',
    noun: 'Conversation',
    errors: ['CONVERSATION_NOT_FOUND', 'MESSAGE_NOT_FOUND'],
    posting: ['BLOCKED'],
  },
} as const;

type Place = (typeof places)[keyof typeof places];

function routesOf<Params extends Place['params'], ReactionParams extends Place['reactionParams']>(
  spec: Place & { readonly params: Params; readonly reactionParams: ReactionParams },
) {
  const { path, tag, noun } = spec;
  const params: Params = spec.params;
  const reactionParams: ReactionParams = spec.reactionParams;
  const errors = spec.errors as readonly HttpErrorCode[];
  const posting = spec.posting as readonly HttpErrorCode[];
  const reactions = `${path}/reactions/{emoji}`;
  const place = spec === places.room ? 'room' : 'conversation';
  const where = place;
  /** What every route on one message shares: authenticated, tagged with its place. */
  const route = <const Method extends HttpRouteSpec['method'], const Path extends string>(
    method: Method,
    routePath: Path,
    verb: string,
    summary: string,
  ) => ({ method, path: routePath, auth: true, operationId: `${verb}${noun}Message`, tag, summary }) as const;
  return {
    patch: {
      ...route('PATCH', path, 'edit', `Edit a message of a ${where}`),
      description: `Only its author edits it; everyone concerned gets \`message_updated\`. A deleted message cannot be edited (404). An edit takes a token of the author’s message rate.`,
      params,
      body: editBody,
      responses: edited,
      errors: [...errors, 'FORBIDDEN', ...posting, 'RATE_LIMITED'],
    },
    delete: {
      ...route('DELETE', path, 'delete', `Delete a message of a ${where}`),
      description: `${place === 'room' ? 'Its author, the room’s owner or a moderator deletes it' : 'Its author deletes it'}; it stays in history as a tombstone (\`deleted: true\`, empty text) and everyone concerned gets \`message_deleted\`. Deleting it again changes nothing (204).`,
      params,
      responses: { 204: { description: 'The message is a tombstone.' } },
      errors: [...errors, 'FORBIDDEN'],
    },
    react: {
      ...route('PUT', reactions, 'react', `React to a message of a ${where} with an emoji`),
      description:
        'Idempotent: reacting twice with one emoji counts once. At most 20 distinct emoji per message. Everyone concerned gets `reaction` (with `added: true`) when something changed. Reactions take a token of the caller’s reaction rate.',
      params: reactionParams,
      responses: { 204: { description: 'The caller’s reaction is on the message.' } },
      errors: [...errors, ...posting, 'TOO_MANY_REACTIONS', 'RATE_LIMITED'],
    },
    unreact: {
      ...route('DELETE', reactions, 'unreact', `Take back a reaction to a message of a ${where}`),
      description:
        'Idempotent: taking back a reaction that is not there changes nothing. Everyone concerned gets `reaction` (with `added: false`) when something changed.',
      params: reactionParams,
      responses: { 204: { description: 'The caller’s reaction is not on the message.' } },
      errors: [...errors, ...posting, 'RATE_LIMITED'],
    },
  } as const;
}

const room = routesOf(places.room);
const conversation = routesOf(places.conversation);

/** The routes on one message (edit, delete, reactions) of a room or a conversation, by API Gateway route key. */
export const messageRoutes = {
  'PATCH /rooms/{name}/messages/{messageId}': room.patch,
  'DELETE /rooms/{name}/messages/{messageId}': room.delete,
  'PUT /rooms/{name}/messages/{messageId}/reactions/{emoji}': room.react,
  'DELETE /rooms/{name}/messages/{messageId}/reactions/{emoji}': room.unreact,
  'PATCH /conversations/{id}/messages/{messageId}': conversation.patch,
  'DELETE /conversations/{id}/messages/{messageId}': conversation.delete,
  'PUT /conversations/{id}/messages/{messageId}/reactions/{emoji}': conversation.react,
  'DELETE /conversations/{id}/messages/{messageId}/reactions/{emoji}': conversation.unreact,
} as const satisfies Record<string, HttpRouteSpec>;
