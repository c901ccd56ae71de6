import type { Room, RoomRepository } from '../data/rooms.ts';
import { ConflictError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { type LimitDeps, takeRateToken } from './limits.ts';

export interface RoomDeps {
  readonly rooms: RoomRepository;
  readonly now: () => Date;
}

/**
 * Creates a room owned by the caller. The name's uniqueness is a condition on the write.
 * @throws RateLimitedError over the caller's room creation rate; ConflictError ROOM_EXISTS when the name is taken.
 */
export async function createRoom(
  deps: RoomDeps & LimitDeps,
  identity: Identity,
  name: string,
): Promise<Room> {
  await takeRateToken(deps, 'roomCreation', identity.username);
  const room: Room = { name, createdBy: identity.username, createdAt: deps.now().toISOString() };
  if (!(await deps.rooms.create(room))) {
    throw new ConflictError('ROOM_EXISTS', `A room named "${name}" already exists.`);
  }
  return room;
}

export interface RoomList {
  readonly rooms: Room[];
  /** The name after which the next page starts, or undefined on the last page. */
  readonly after: string | undefined;
}

/** One page of rooms sorted by name, after the room named `after` when given. */
export async function listRooms(deps: RoomDeps, limit: number, after: string | undefined): Promise<RoomList> {
  const page = await deps.rooms.list(limit, after);
  return { rooms: page.items, after: page.after };
}
