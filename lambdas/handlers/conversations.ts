import { MESSAGE_ID_PATTERN } from '../../lib/contract/index.ts';
import { CONVERSATION_CURSOR_PATTERN } from '../data/conversations.ts';
import { listConversations, openConversation } from '../domain/conversations.ts';
import { conversationHistory, sendDirectMessage } from '../domain/messaging.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { httpHandler } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = httpHandler(
  'conversations',
  {
    'POST /conversations': async ({ body, identity }) => {
      const { conversation, created } = await openConversation(deps, identity, body.peer);
      return created ? { status: 201, body: { conversation } } : { status: 200, body: { conversation } };
    },
    'GET /conversations': async ({ query, identity }) => {
      const after = decodeCursor(query.cursor, CONVERSATION_CURSOR_PATTERN);
      const page = await listConversations(deps, identity, query.limit, after);
      return {
        status: 200,
        body: { conversations: page.conversations, nextCursor: page.after ? encodeCursor(page.after) : null },
      };
    },
    'GET /conversations/{id}/messages': async ({ params, query, identity }) => {
      const before = decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before');
      const page = await conversationHistory(deps, identity, params.id, query.limit, before);
      return {
        status: 200,
        body: { messages: page.messages, nextCursor: page.before ? encodeCursor(page.before) : null },
      };
    },
    'POST /conversations/{id}/messages': async ({ params, body, identity }) => {
      const result = await sendDirectMessage(deps, identity, params.id, body);
      return result.created
        ? { status: 201, body: { message: result.message } }
        : { status: 200, body: { message: result.message } };
    },
  },
  signingKeyFromEnvironment(),
);
