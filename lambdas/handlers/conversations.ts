import { createDocumentClient } from '../data/client.ts';
import { CONVERSATION_CURSOR_PATTERN } from '../data/conversations.ts';
import { blockUser, listBlocks, unblockUser } from '../domain/blocks.ts';
import { listConversations, openConversation, searchUsers } from '../domain/conversations.ts';
import { setConversationMuted } from '../domain/devices.ts';
import { addParticipant, createGroup, leaveGroup, renameGroup } from '../domain/groups.ts';
import { deleteMessage, editMessage, react, withMyReactions } from '../domain/message-changes.ts';
import { conversationHistory, sendDirectMessage } from '../domain/messaging.ts';
import { markConversationRead, withUnreadCounts } from '../domain/read-state.ts';
import { tableName } from '../shared/config.ts';
import { decodeCursor } from '../shared/cursor.ts';
import { httpHandler } from '../shared/http.ts';
import { managementApiPoster } from '../shared/management.ts';
import { historyAnswer, historyPosition, nextCursorOf, postedAnswer } from './answers.ts';
import { messagingDeps } from './deps.ts';
import { buildAuthenticator } from './session-deps.ts';

// One document client for the messaging, the blocks and the session check.
const doc = createDocumentClient();
const deps = messagingDeps(doc, tableName(), managementApiPoster());
const USERNAME_CURSOR = /^[a-z0-9_.-]{1,32}$/;

export const handler = httpHandler(
  'conversations',
  {
    'POST /conversations': async ({ body, identity }) => {
      if (body.participants !== undefined) {
        return {
          status: 201,
          body: { conversation: await createGroup(deps, identity, body.participants, body.title) },
        };
      }
      const { conversation, created } = await openConversation(deps, identity, body.peer as string);
      return created ? { status: 201, body: { conversation } } : { status: 200, body: { conversation } };
    },
    'POST /conversations/{id}/participants': async ({ params, body, identity }) => ({
      status: 201,
      body: { conversation: await addParticipant(deps, identity, params.id, body.username) },
    }),
    'DELETE /conversations/{id}/participants/me': async ({ params, identity }) => {
      await leaveGroup(deps, identity, params.id);
      return { status: 204, body: undefined };
    },
    'PATCH /conversations/{id}': async ({ params, body, identity }) => ({
      status: 200,
      body: { conversation: await renameGroup(deps, identity, params.id, body.title) },
    }),
    'GET /conversations': async ({ query, identity }) => {
      const after = decodeCursor(query.cursor, CONVERSATION_CURSOR_PATTERN);
      const page = await listConversations(deps, identity, query.limit, after);
      const conversations = await withUnreadCounts(deps, identity.username, page.conversations);
      return { status: 200, body: { conversations, nextCursor: nextCursorOf(page.after) } };
    },
    'GET /conversations/{id}/messages': async ({ params, query, identity }) => {
      const position = historyPosition(query);
      const page = await conversationHistory(deps, identity, params.id, query.limit, position);
      return historyAnswer(
        await withMyReactions(deps, { conversationId: params.id }, identity.username, page),
      );
    },
    'POST /conversations/{id}/messages': async ({ params, body, identity }) =>
      postedAnswer(await sendDirectMessage(deps, identity, params.id, body)),
    'PUT /me/blocks/{username}': async ({ params, identity }) => {
      await blockUser(deps, identity, params.username);
      return { status: 204, body: undefined };
    },
    'DELETE /me/blocks/{username}': async ({ params, identity }) => {
      await unblockUser(deps, identity, params.username);
      return { status: 204, body: undefined };
    },
    'GET /users': async ({ query }) => {
      const after = decodeCursor(query.cursor, USERNAME_CURSOR);
      const page = await searchUsers(deps, query.prefix, query.limit, after);
      return { status: 200, body: { users: page.users, nextCursor: nextCursorOf(page.after) } };
    },
    'GET /me/blocks': async ({ query, identity }) => {
      const after = decodeCursor(query.cursor, USERNAME_CURSOR);
      const page = await listBlocks(deps, identity, query.limit, after);
      return { status: 200, body: { blocks: page.blocks, nextCursor: nextCursorOf(page.after) } };
    },
    'PATCH /conversations/{id}/settings': async ({ params, body, identity }) => ({
      status: 200,
      body: await setConversationMuted(deps, identity, params.id, body.muted),
    }),
    'PATCH /conversations/{id}/messages/{messageId}': async ({ params, body, identity }) => {
      const place = { conversationId: params.id };
      return {
        status: 200,
        body: { message: await editMessage(deps, identity, place, params.messageId, body.text) },
      };
    },
    'DELETE /conversations/{id}/messages/{messageId}': async ({ params, identity }) => {
      await deleteMessage(deps, identity, { conversationId: params.id }, params.messageId);
      return { status: 204, body: undefined };
    },
    'PUT /conversations/{id}/messages/{messageId}/reactions/{emoji}': async ({ params, identity }) => {
      await react(deps, identity, { conversationId: params.id }, params.messageId, params.emoji, true);
      return { status: 204, body: undefined };
    },
    'DELETE /conversations/{id}/messages/{messageId}/reactions/{emoji}': async ({ params, identity }) => {
      await react(deps, identity, { conversationId: params.id }, params.messageId, params.emoji, false);
      return { status: 204, body: undefined };
    },
    'POST /conversations/{id}/read': async ({ params, body, identity }) => ({
      status: 200,
      body: {
        lastReadMessageId: await markConversationRead(deps, identity.username, params.id, body.messageId),
      },
    }),
  },
  buildAuthenticator(doc),
);
