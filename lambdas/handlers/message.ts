import { sendDirectMessage, sendRoomMessageFromConnection } from '../domain/messaging.ts';
import { ConversationNotFoundError } from '../shared/errors.ts';
import { messageFrame, parse } from '../shared/validation.ts';
import { webSocketHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = webSocketHandler(
  {
    message: async ({ connectionId, frame }) => {
      const input = parse(messageFrame, frame);
      const outgoing = { text: input.text, clientMessageId: input.clientMessageId };
      if (input.room !== undefined) {
        await sendRoomMessageFromConnection(deps, connectionId, input.room, outgoing);
        return;
      }
      const connection = await deps.connections.get(connectionId);
      if (connection === undefined) throw new ConversationNotFoundError();
      await sendDirectMessage(
        deps,
        { username: connection.username, connectionId },
        input.conversationId ?? '',
        outgoing,
      );
    },
  },
  deps.poster,
);
