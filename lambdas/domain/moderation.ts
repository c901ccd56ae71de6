import type * as contract from '../../lib/contract/index.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { Membership } from '../data/rooms.ts';
import { ForbiddenError, UserNotFoundError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import type { ServerFrame } from './fanout.ts';
import { leaveRoom, type PresenceDeps } from './presence.ts';
import { visibleRoom } from './room-access.ts';

/** Higher acts on lower: the owner on moderators and members, moderators on members. */
const rank: Record<contract.RoomRole, number> = { owner: 2, moderator: 1, member: 0 };

/**
 * The caller's membership and the target's, after checking that the caller may act on the target: 2 GetItems
 * (the room and the caller's membership, in parallel), then 1 for the target's.
 * @throws RoomNotFoundError (also a private room the caller is not in), ForbiddenError NOT_A_MEMBER or FORBIDDEN,
 * UserNotFoundError when the target is not a member.
 */
async function actOn(
  deps: PresenceDeps,
  identity: Identity,
  room: string,
  username: string,
): Promise<{ readonly actor: Membership; readonly target: Membership }> {
  const { member: actor } = await visibleRoom(deps, identity.username, room);
  if (actor === undefined) throw new ForbiddenError('NOT_A_MEMBER', `You are not a member of "${room}".`);
  if (rank[actor.role] === 0) {
    throw new ForbiddenError('FORBIDDEN', 'Only the owner and moderators may do that.');
  }
  const target = await deps.memberships.get(room, username);
  if (target === undefined) throw new UserNotFoundError();
  if (rank[target.role] >= rank[actor.role]) {
    throw new ForbiddenError('FORBIDDEN', 'You may act only on users of a lower role.');
  }
  return { actor, target };
}

/**
 * Takes a user out of a room: their membership ends (both items and `memberCount`, one transaction), then each of
 * their connections in the room leaves it with `farewell` instead of `left`, and the room gets `user_left` with
 * the last one. The connections are read from the room's partition, strongly consistent, so that one that joined
 * just before the membership ended is found; one that joins after it finds the membership gone (joinRoom checks it
 * again once joined) and leaves again.
 */
export async function removeFromRoom(
  deps: PresenceDeps,
  room: string,
  username: string,
  farewell: ServerFrame,
): Promise<void> {
  await deps.memberships.remove(room, username);
  const present = (await deps.connections.members(room)).filter(
    (member) => canonicalUsername(member.username) === canonicalUsername(username),
  );
  for (const { connectionId } of present) await leaveRoom(deps, connectionId, room, farewell);
}

/**
 * `DELETE /rooms/{name}/members/{username}`: the owner or a moderator removes a user of a lower role. Their
 * connections get `removed`; they may join a public room again (a ban refuses that).
 * @throws as actOn.
 */
export async function kick(deps: PresenceDeps, identity: Identity, room: string, username: string) {
  const { target } = await actOn(deps, identity, room, username);
  await removeFromRoom(deps, room, target.username, { type: 'removed', room, by: identity.username });
}
