import { MESSAGE_ID_PATTERN } from '../../lib/contract/index.ts';
import { CONVERSATION_CURSOR_PATTERN } from '../data/conversations.ts';
import { listConversations, openConversation } from '../domain/conversations.ts';
import { conversationHistory, sendDirectMessage } from '../domain/messaging.ts';
import { decodeCursor } from '../shared/cursor.ts';
import { httpHandler } from '../shared/http.ts';
import { historyAnswer, nextCursorOf, postedAnswer } from './answers.ts';
import { buildMessagingDeps } from './deps.ts';
import { buildAuthenticator } from './session-deps.ts';

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
        body: { conversations: page.conversations, nextCursor: nextCursorOf(page.after) },
      };
    },
    'GET /conversations/{id}/messages': async ({ params, query, identity }) => {
      const before = decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before');
      return historyAnswer(await conversationHistory(deps, identity, params.id, query.limit, before));
    },
    'POST /conversations/{id}/messages': async ({ params, body, identity }) =>
      postedAnswer(await sendDirectMessage(deps, identity, params.id, body)),
  },
  buildAuthenticator(),
);
