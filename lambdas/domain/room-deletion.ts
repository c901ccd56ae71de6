import { canonicalUsername } from '../data/keys.ts';
import { ForbiddenError, RoomNotFoundError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { deliver, idsOf, type PresenceDeps } from './presence.ts';

/**
 * `DELETE /rooms/{name}`: the owner deletes the room. In this order, each step safe to run again, so that a
 * deletion stopped midway (a crash, a timeout) is finished by the owner's next DELETE:
 * 1. the room item is marked (and leaves the public rooms index): from then on every read of the room finds none,
 *    joins are refused by their transaction's condition, and writes into the room's partition undo themselves
 *    (keepIfRoomOpen);
 * 2. the connections present get `room_deleted` and drop the room from their list of joined rooms, without
 *    `user_left` (everyone present gets `room_deleted`);
 * 3. the room's partition is emptied page by page, with each member's and invitee's user-side item;
 * 4. the room item goes last: the name is free again.
 * Cost in docs/data-model.md.
 * @throws RoomNotFoundError when it does not exist, is private and the caller is not a member, or is being deleted
 * by someone else's room; ForbiddenError FORBIDDEN when the caller is not its owner.
 */
export async function deleteRoom(deps: PresenceDeps, identity: Identity, name: string): Promise<void> {
  const [room, member] = await Promise.all([
    deps.roomDeletion.get(name),
    deps.memberships.get(name, identity.username),
  ]);
  if (room === undefined) throw new RoomNotFoundError(name);
  if (room.deletingAt !== undefined) {
    // Half deleted: the owner's membership may be gone already, the creator is the owner (ownership never moves).
    if (canonicalUsername(room.createdBy) !== canonicalUsername(identity.username)) {
      throw new RoomNotFoundError(name);
    }
  } else {
    if (room.visibility === 'private' && member === undefined) throw new RoomNotFoundError(name);
    if (member?.role !== 'owner') throw new ForbiddenError('FORBIDDEN', 'Only the owner may delete a room.');
    await deps.roomDeletion.mark(name, deps.now().toISOString());
  }
  const present = await deps.connections.members(name);
  await deliver(deps, idsOf(present), { type: 'room_deleted', room: name });
  for (const connectionId of new Set(idsOf(present))) {
    await deps.roomDeletion.forgetRoomOfConnection(connectionId, name);
  }
  await deps.roomDeletion.purge(name);
  await deps.roomDeletion.drop(name);
}
