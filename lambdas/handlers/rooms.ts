import { createDocumentClient } from '../data/client.ts';
import { RoomRepository } from '../data/rooms.ts';
import { createRoom, listRooms } from '../domain/rooms.ts';
import { tableName } from '../shared/config.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { httpHandler, signedIn } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';
import { createRoomInput, listQuery, parse, ROOM_NAME_PATTERN } from '../shared/validation.ts';

const deps = {
  rooms: new RoomRepository(createDocumentClient(), tableName()),
  now: () => new Date(),
};

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
  },
  signingKeyFromEnvironment(),
);
