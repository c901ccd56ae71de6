import type { MembershipRepository } from '../data/memberships.ts';
import type { RoomDeletionRepository } from '../data/room-deletion.ts';
import type { Membership, Room, RoomRepository } from '../data/rooms.ts';
import { ForbiddenError, RoomNotFoundError } from '../shared/errors.ts';

/**
 * Who may reach a room: the rule every room route and socket action applies, so that a private room answers a
 * non-member exactly as a room that does not exist, everywhere.
 */
export interface RoomAccessDeps {
  readonly rooms: RoomRepository;
  readonly memberships: MembershipRepository;
  readonly roomDeletion: RoomDeletionRepository;
  readonly now: () => Date;
}

/** A room the caller may see, with the caller's membership of it when there is one. */
export interface VisibleRoom {
  readonly room: Room;
  readonly member: Membership | undefined;
}

/**
 * The room as `username` may see it: 2 GetItems in parallel (the room and the caller's membership).
 * @throws RoomNotFoundError when it does not exist, or is private and the caller is not a member: the two are
 * answered alike, so that a private room cannot be told from a missing one.
 */
export async function visibleRoom(
  deps: RoomAccessDeps,
  username: string,
  name: string,
): Promise<VisibleRoom> {
  const [room, member] = await Promise.all([deps.rooms.get(name), deps.memberships.get(name, username)]);
  if (room === undefined || (room.visibility === 'private' && member === undefined)) {
    throw new RoomNotFoundError(name);
  }
  return { room, member };
}

/**
 * Makes `username` a member of a room that is not yet theirs: any public room; a private room only with a
 * pending invitation, which this consumes. Returns the membership and whether it is new (a concurrent join of
 * the same user may have made it first).
 * @throws RoomNotFoundError when the room is gone, or is private and there is no invitation; ForbiddenError
 * BANNED while the user is banned from it.
 */
export async function addMember(
  deps: Pick<RoomAccessDeps, 'memberships' | 'now'>,
  room: Room,
  username: string,
): Promise<{ readonly member: Membership; readonly created: boolean }> {
  const member: Membership = { username, role: 'member', joinedAt: deps.now().toISOString() };
  const outcome = await deps.memberships.add(room, member, room.visibility === 'private');
  if (outcome === 'added') return { member, created: true };
  if (outcome === 'banned') throw new ForbiddenError('BANNED', `You are banned from "${room.name}".`);
  const existing = outcome === 'already-member' ? await deps.memberships.get(room.name, username) : undefined;
  if (existing === undefined) throw new RoomNotFoundError(room.name);
  return { member: existing, created: false };
}

/**
 * Refuses a post by a member muted in the room: the member item, which the post path reads anyway, carries it.
 * @throws ForbiddenError MUTED
 */
export function assertNotMuted(member: Membership | undefined, room: string, now: Date): void {
  if (member?.mutedUntil !== undefined && member.mutedUntil > now.toISOString()) {
    throw new ForbiddenError('MUTED', `You are muted in "${room}" until ${member.mutedUntil}.`);
  }
}

/**
 * Keeps what a use case has just written into a room's partition (a message, a connection's join, a ban, an
 * invitation) only if the room is not being deleted: 1 strongly consistent GetItem of the room, after the write.
 * A deletion marks the room before it reads the partition, so a write that finds the room unmarked here was
 * already there for the deletion to find, and one that finds it marked (or gone) is undone here: nothing written
 * while a room is deleted outlives it.
 * @throws RoomNotFoundError after `undo`, when the room is being deleted or is gone.
 */
export async function keepIfRoomOpen(
  deps: Pick<RoomAccessDeps, 'rooms'>,
  room: string,
  undo: () => Promise<unknown>,
): Promise<void> {
  if ((await deps.rooms.get(room, true)) !== undefined) return;
  await undo();
  throw new RoomNotFoundError(room);
}
