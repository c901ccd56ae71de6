import * as z from 'zod/mini';
import { messageId } from './fields.ts';
import { published } from './objects.ts';
import { type HttpRouteSpec, roomParams } from './route-spec.ts';

/** Read markers: each user's, per room and per conversation, moved forward only. */
const readBody = published(
  'ReadMarkerRequest',
  z.object({
    messageId: messageId.check(z.meta({ description: 'The newest message the caller has seen.' })),
  }),
);
const readAnswer = {
  schema: published(
    'ReadMarkerResponse',
    z.object({
      lastReadMessageId: z.string().check(
        z.meta({
          description:
            'The marker now: the given message, or a newer one already marked (markers never move back).',
        }),
      ),
    }),
  ),
  description: 'The marker is at this message or a newer one.',
};

export const readRoutes = {
  'POST /conversations/{id}/read': {
    method: 'POST',
    path: '/conversations/{id}/read',
    auth: true,
    operationId: 'markConversationRead',
    tag: 'conversations',
    summary: 'Move my read marker of a conversation forward',
    description:
      'The marker moves to the message unless it is already at it or at a newer one (never back). When it moves, the other participants’ connections get a `read` frame.',
    params: z.object({ id: z.string() }),
    body: readBody,
    responses: { 200: readAnswer },
    errors: ['CONVERSATION_NOT_FOUND', 'MESSAGE_NOT_FOUND'],
  },
  'POST /rooms/{name}/read': {
    method: 'POST',
    path: '/rooms/{name}/read',
    auth: true,
    operationId: 'markRoomRead',
    tag: 'rooms',
    summary: 'Move my read marker of a room forward',
    description:
      'Members only. The marker moves to the message unless it is already at it or at a newer one (never back); nobody else is told.',
    params: roomParams,
    body: readBody,
    responses: { 200: readAnswer },
    errors: ['ROOM_NOT_FOUND', 'NOT_A_MEMBER', 'MESSAGE_NOT_FOUND'],
  },
} as const satisfies Record<string, HttpRouteSpec>;
