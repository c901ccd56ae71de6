import { sendDirectMessage, sendRoomMessageFromConnection } from '../domain/messaging.ts';
import { ConversationNotFoundError } from '../shared/errors.ts';
import { webSocketHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = webSocketHandler(
  'message',
  {
    message: async ({ connectionId, frame }) => {
      const { text, clientMessageId, replyTo } = frame;
      const outgoing = { text, clientMessageId, replyTo };
      if (frame.room !== undefined) {
        await sendRoomMessageFromConnection(deps, connectionId, frame.room, outgoing);
        return;
      }
      const connection = await deps.connections.get(connectionId);
      if (connection === undefined) throw new ConversationNotFoundError();
      await sendDirectMessage(
        deps,
        { username: connection.username, connectionId },
        frame.conversationId ?? '',
        outgoing,
      );
    },
  },
  deps.poster,
);
