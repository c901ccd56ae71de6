import type { Room, RoomRepository } from '../data/rooms.ts';
import { ConflictError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { type LimitDeps, takeRateToken } from './limits.ts';

export interface RoomDeps {
  readonly rooms: RoomRepository;
  readonly now: () => Date;
}

/** What `POST /rooms` takes, after parsing. */
export interface NewRoom {
  readonly name: string;
  readonly visibility?: Room['visibility'];
  readonly topic?: string;
}

/**
 * Creates a room with the caller as its owner member. The name's uniqueness is a condition on the write; public
 * and private rooms share one namespace.
 * @throws RateLimitedError over the caller's room creation rate; ConflictError ROOM_EXISTS when the name is taken.
 */
export async function createRoom(
  deps: RoomDeps & LimitDeps,
  identity: Identity,
  request: NewRoom,
): Promise<Room> {
  await takeRateToken(deps, 'roomCreation', identity.username);
  const room: Room = {
    name: request.name,
    createdBy: identity.username,
    createdAt: deps.now().toISOString(),
    visibility: request.visibility ?? 'public',
    ...(request.topic === undefined ? {} : { topic: request.topic }),
    memberCount: 1,
  };
  if (!(await deps.rooms.create(room))) {
    throw new ConflictError('ROOM_EXISTS', `A room named "${request.name}" already exists.`);
  }
  return room;
}

export interface RoomList {
  readonly rooms: Room[];
  /** The name after which the next page starts, or undefined on the last page. */
  readonly after: string | undefined;
}

/** One page of the rooms the caller may see (every public room, their private ones), by name, after `after`. */
export async function listRooms(
  deps: RoomDeps,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<RoomList> {
  const page = await deps.rooms.listVisible(identity.username, limit, after);
  return { rooms: page.items, after: page.after };
}
