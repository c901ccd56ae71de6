import { MESSAGE_ID_PATTERN, ROOM_NAME_PATTERN } from '../../lib/contract/index.ts';
import { postRoomMessage, roomHistory } from '../domain/messaging.ts';
import { createRoom, listRooms } from '../domain/rooms.ts';
import { decodeCursor } from '../shared/cursor.ts';
import { httpHandler } from '../shared/http.ts';
import { historyAnswer, nextCursorOf, postedAnswer } from './answers.ts';
import { buildMessagingDeps } from './deps.ts';
import { buildAuthenticator } from './session-deps.ts';

const deps = buildMessagingDeps();

export const handler = httpHandler(
  'rooms',
  {
    'GET /rooms': async ({ query }) => {
      const page = await listRooms(deps, query.limit, decodeCursor(query.cursor, ROOM_NAME_PATTERN));
      return { status: 200, body: { rooms: page.rooms, nextCursor: nextCursorOf(page.after) } };
    },
    'POST /rooms': async ({ body, identity }) => ({
      status: 201,
      body: { room: await createRoom(deps, identity, body.name) },
    }),
    'GET /rooms/{name}/messages': async ({ params, query }) => {
      const before = decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before');
      return historyAnswer(await roomHistory(deps, params.name, query.limit, before));
    },
    'POST /rooms/{name}/messages': async ({ params, body, identity }) =>
      postedAnswer(await postRoomMessage(deps, identity, params.name, body)),
  },
  buildAuthenticator(),
);
