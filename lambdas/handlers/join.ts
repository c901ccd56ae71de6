import { joinRoom, leaveRoom } from '../domain/presence.ts';
import { webSocketHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = webSocketHandler(
  'join',
  {
    join: async ({ connectionId, frame }) => joinRoom(deps, connectionId, frame.room),
    leave: async ({ connectionId, frame }) => leaveRoom(deps, connectionId, frame.room),
  },
  deps.poster,
);
