import * as z from 'zod/mini';
import { groupTitle, username } from './fields.ts';
import { conversation, published } from './objects.ts';
import { type HttpRouteSpec, one } from './route-spec.ts';

export const conversationResponse = published('ConversationResponse', one('conversation', conversation));

// Any id is accepted: one that names no conversation of the caller's is 404, as for a stranger's.
const groupParams = z.object({ id: z.string() });

/** Group conversations: adding, leaving, renaming (created by `POST /conversations` with `participants`). */
export const groupRoutes = {
  'POST /conversations/{id}/participants': {
    method: 'POST',
    path: '/conversations/{id}/participants',
    auth: true,
    operationId: 'addParticipant',
    tag: 'conversations',
    summary: 'Add a user to a group',
    description:
      'Any participant adds; at most 100 participants (403 QUOTA_EXCEEDED). Every participant’s connections, the added user’s included, get `participant_added`. A user who blocks the caller is not added (403 BLOCKED).',
    params: groupParams,
    body: published('AddParticipantRequest', z.object({ username })),
    responses: { 201: { schema: conversationResponse, description: 'The group, with its new participant.' } },
    errors: [
      'CONVERSATION_NOT_FOUND',
      'NOT_A_GROUP',
      'USER_NOT_FOUND',
      'ALREADY_MEMBER',
      'BLOCKED',
      'QUOTA_EXCEEDED',
      'RATE_LIMITED',
    ],
  },
  'DELETE /conversations/{id}/participants/me': {
    method: 'DELETE',
    path: '/conversations/{id}/participants/me',
    auth: true,
    operationId: 'leaveConversation',
    tag: 'conversations',
    summary: 'Leave a group',
    description: 'The group then answers the caller 404; everyone’s connections get `participant_left`.',
    params: groupParams,
    responses: { 204: { description: 'The caller left the group.' } },
    errors: ['CONVERSATION_NOT_FOUND', 'NOT_A_GROUP'],
  },
  'PATCH /conversations/{id}': {
    method: 'PATCH',
    path: '/conversations/{id}',
    auth: true,
    operationId: 'renameConversation',
    tag: 'conversations',
    summary: 'Rename a group',
    description: 'Any participant sets the title (one line of at most 100 characters).',
    params: groupParams,
    body: published('RenameConversationRequest', z.object({ title: groupTitle })),
    responses: { 200: { schema: conversationResponse, description: 'The group, with its new title.' } },
    errors: ['CONVERSATION_NOT_FOUND', 'NOT_A_GROUP'],
  },
} as const satisfies Record<string, HttpRouteSpec>;
