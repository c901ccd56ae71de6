import { joinRoom, leaveRoom } from '../domain/presence.ts';
import { parse, roomFrame } from '../shared/validation.ts';
import { webSocketHandler } from '../shared/websocket.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

export const handler = webSocketHandler(
  {
    join: async ({ connectionId, frame }) => joinRoom(deps, connectionId, parse(roomFrame, frame).room),
    leave: async ({ connectionId, frame }) => leaveRoom(deps, connectionId, parse(roomFrame, frame).room),
  },
  deps.poster,
);
