import { sendDirectMessage, sendRoomMessageFromConnection } from '../domain/messaging.ts';
import { markConversationRead, markRoomRead } from '../domain/read-state.ts';
import { relayTyping } from '../domain/typing.ts';
import { ConversationNotFoundError, RoomNotFoundError } from '../shared/errors.ts';
import { webSocketHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';
import { shardingFromConfig } from './invoker.ts';

const deps = buildMessagingDeps({ sharding: shardingFromConfig() });

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
    read: async ({ connectionId, frame }) => {
      const connection = await deps.connections.get(connectionId);
      if (frame.room !== undefined) {
        if (connection === undefined) throw new RoomNotFoundError(frame.room);
        await markRoomRead(deps, connection.username, frame.room, frame.messageId);
        return;
      }
      if (connection === undefined) throw new ConversationNotFoundError();
      await markConversationRead(deps, connection.username, frame.conversationId ?? '', frame.messageId);
    },
    typing: async ({ connectionId, frame }) => relayTyping(deps, connectionId, frame),
  },
  deps.poster,
);
