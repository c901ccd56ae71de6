import { CONVERSATION_CURSOR_PATTERN } from '../data/conversations.ts';
import { listConversations, openConversation } from '../domain/conversations.ts';
import { conversationHistory, sendDirectMessage } from '../domain/messaging.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { httpHandler, signedIn } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';
import {
  createConversationInput,
  historyQuery,
  listQuery,
  MESSAGE_ID_PATTERN,
  parse,
  postMessageInput,
} from '../shared/validation.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = httpHandler(
  {
    'POST /conversations': async (request) => {
      const { peer } = parse(createConversationInput, request.body);
      const { conversation, created } = await openConversation(deps, signedIn(request), peer);
      return { status: created ? 201 : 200, body: { conversation } };
    },
    'GET /conversations': async (request) => {
      const identity = signedIn(request);
      const query = parse(listQuery, request.query);
      const after = decodeCursor(query.cursor, CONVERSATION_CURSOR_PATTERN);
      const page = await listConversations(deps, identity, query.limit, after);
      return {
        status: 200,
        body: { conversations: page.conversations, nextCursor: page.after ? encodeCursor(page.after) : null },
      };
    },
    'GET /conversations/{id}/messages': async (request) => {
      const identity = signedIn(request);
      const query = parse(historyQuery, request.query);
      const before = decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before');
      const page = await conversationHistory(
        deps,
        identity,
        request.pathParameters.id ?? '',
        query.limit,
        before,
      );
      return {
        status: 200,
        body: { messages: page.messages, nextCursor: page.before ? encodeCursor(page.before) : null },
      };
    },
    'POST /conversations/{id}/messages': async (request) => {
      const identity = signedIn(request);
      const input = parse(postMessageInput, request.body);
      const result = await sendDirectMessage(deps, identity, request.pathParameters.id ?? '', input);
      return { status: result.created ? 201 : 200, body: { message: result.message } };
    },
  },
  signingKeyFromEnvironment(),
);
