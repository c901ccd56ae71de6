import { postRoomMessage, roomHistory } from '../domain/messaging.ts';
import { createRoom, listRooms } from '../domain/rooms.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { httpHandler, signedIn } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';
import {
  createRoomInput,
  historyQuery,
  listQuery,
  MESSAGE_ID_PATTERN,
  parse,
  postMessageInput,
  ROOM_NAME_PATTERN,
  roomName,
} from '../shared/validation.ts';
import { buildMessagingDeps } from './deps.ts';

const deps = buildMessagingDeps();

const pathRoom = (pathParameters: Readonly<Record<string, string | undefined>>) =>
  parse(roomName, pathParameters.name ?? '');

export const handler = httpHandler(
  {
    'GET /rooms': async (request) => {
      signedIn(request);
      const query = parse(listQuery, request.query);
      const page = await listRooms(deps, query.limit, decodeCursor(query.cursor, ROOM_NAME_PATTERN));
      return {
        status: 200,
        body: { rooms: page.rooms, nextCursor: page.after ? encodeCursor(page.after) : null },
      };
    },
    'POST /rooms': async (request) => {
      const { name } = parse(createRoomInput, request.body);
      return { status: 201, body: { room: await createRoom(deps, signedIn(request), name) } };
    },
    'GET /rooms/{name}/messages': async (request) => {
      signedIn(request);
      const room = pathRoom(request.pathParameters);
      const query = parse(historyQuery, request.query);
      const before = decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before');
      const page = await roomHistory(deps, room, query.limit, before);
      return {
        status: 200,
        body: { messages: page.messages, nextCursor: page.before ? encodeCursor(page.before) : null },
      };
    },
    'POST /rooms/{name}/messages': async (request) => {
      const room = pathRoom(request.pathParameters);
      const input = parse(postMessageInput, request.body);
      const result = await postRoomMessage(deps, signedIn(request), room, input);
      return { status: result.created ? 201 : 200, body: { message: result.message } };
    },
  },
  signingKeyFromEnvironment(),
);
