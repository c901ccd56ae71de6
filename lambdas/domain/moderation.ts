import type * as contract from '../../lib/contract/index.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { Membership } from '../data/rooms.ts';
import type { Ban, SanctionRepository } from '../data/sanctions.ts';
import { ForbiddenError, UserNotFoundError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import type { ServerFrame } from './fanout.ts';
import type { MembershipDeps } from './membership.ts';
import { leaveRoom, type PresenceDeps } from './presence.ts';
import { keepIfRoomOpen, visibleRoom } from './room-access.ts';

/** What bans and mutes need besides membership. */
export interface ModerationDeps extends MembershipDeps {
  readonly sanctions: SanctionRepository;
}

/** Higher acts on lower: the owner on moderators and members, moderators on members. */
const rank: Record<contract.RoomRole, number> = { owner: 2, moderator: 1, member: 0 };

/**
 * The caller's membership, when their role lets them moderate the room: 2 GetItems in parallel (the room and the
 * caller's membership).
 * @throws RoomNotFoundError (also a private room the caller is not in), ForbiddenError NOT_A_MEMBER or FORBIDDEN
 */
async function moderator(deps: PresenceDeps, identity: Identity, room: string): Promise<Membership> {
  const { member: actor } = await visibleRoom(deps, identity.username, room);
  if (actor === undefined) throw new ForbiddenError('NOT_A_MEMBER', `You are not a member of "${room}".`);
  if (rank[actor.role] === 0) {
    throw new ForbiddenError('FORBIDDEN', 'Only the owner and moderators may do that.');
  }
  return actor;
}

function assertOutranks(actor: Membership, target: Membership): void {
  if (rank[target.role] >= rank[actor.role]) {
    throw new ForbiddenError('FORBIDDEN', 'You may act only on users of a lower role.');
  }
}

/**
 * The caller's membership and the target's, after checking that the caller may act on the target: the 2 GetItems
 * of `moderator`, then 1 of the target's member item.
 * @throws as moderator; UserNotFoundError when the target is not a member.
 */
async function actOn(
  deps: PresenceDeps,
  identity: Identity,
  room: string,
  username: string,
): Promise<{ readonly actor: Membership; readonly target: Membership }> {
  const actor = await moderator(deps, identity, room);
  const target = await deps.memberships.get(room, username);
  if (target === undefined) throw new UserNotFoundError();
  assertOutranks(actor, target);
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

/** A mute or ban without a duration lasts until lifted: its end, as `mutedUntil` shows it. */
export const UNTIL_LIFTED = '9999-12-31T23:59:59.999Z';

const endOf = (now: Date, durationSeconds: number | undefined): string | undefined =>
  durationSeconds === undefined ? undefined : new Date(now.getTime() + durationSeconds * 1000).toISOString();

/**
 * `POST /rooms/{name}/bans`: a kick that also refuses the user's joining and posting until the ban ends. The ban
 * is written first (1 PutItem), then the membership removed whatever the read said, so that a join racing the ban
 * is either refused by it or removed after it. A user who is not a member may be banned too (1 GetItem of their
 * profile says they exist).
 * @throws as moderator; UserNotFoundError; ForbiddenError FORBIDDEN on a member of the caller's role or higher.
 */
export async function ban(
  deps: ModerationDeps,
  identity: Identity,
  room: string,
  request: { readonly username: string; readonly reason?: string; readonly durationSeconds?: number },
): Promise<Ban> {
  const actor = await moderator(deps, identity, room);
  const [user, target] = await Promise.all([
    deps.users.findByUsername(request.username),
    deps.memberships.get(room, request.username),
  ]);
  if (user === undefined) throw new UserNotFoundError();
  if (target !== undefined) assertOutranks(actor, target);
  const now = deps.now();
  const expiresAt = endOf(now, request.durationSeconds);
  const record: Ban = {
    room,
    username: user.username,
    bannedBy: identity.username,
    bannedAt: now.toISOString(),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
  await deps.sanctions.ban(record);
  await keepIfRoomOpen(deps, room, () => deps.sanctions.unban(room, user.username));
  await removeFromRoom(deps, room, user.username, { type: 'removed', room, by: identity.username });
  return record;
}

/** `DELETE /rooms/{name}/bans/{username}`: lifts a ban (1 DeleteItem); lifting none changes nothing. */
export async function unban(deps: ModerationDeps, identity: Identity, room: string, username: string) {
  await moderator(deps, identity, room);
  await deps.sanctions.unban(room, username);
}

/**
 * `POST /rooms/{name}/mutes`: the member keeps reading the room, and every post of theirs is refused with MUTED
 * until the mute ends: `mutedUntil` on their member item (1 UpdateItem), which every post reads anyway.
 * @throws as actOn.
 */
export async function mute(
  deps: ModerationDeps,
  identity: Identity,
  room: string,
  request: { readonly username: string; readonly durationSeconds?: number },
): Promise<contract.RoomMute> {
  const { target } = await actOn(deps, identity, room, request.username);
  const mutedUntil = endOf(deps.now(), request.durationSeconds) ?? UNTIL_LIFTED;
  if (!(await deps.sanctions.setMutedUntil(room, target.username, mutedUntil))) throw new UserNotFoundError();
  return { room, username: target.username, mutedBy: identity.username, mutedUntil };
}

/** `DELETE /rooms/{name}/mutes/{username}`: ends a mute (1 UpdateItem); unmuting one not muted changes nothing. */
export async function unmute(deps: ModerationDeps, identity: Identity, room: string, username: string) {
  const { target } = await actOn(deps, identity, room, username);
  if (!(await deps.sanctions.setMutedUntil(room, target.username, undefined))) throw new UserNotFoundError();
}

/**
 * `PATCH /rooms/{name}/members/{username}`: the owner makes a member a moderator, or a moderator a member again.
 * @throws as actOn; ForbiddenError FORBIDDEN when the caller is not the owner.
 */
export async function setRole(
  deps: PresenceDeps,
  identity: Identity,
  room: string,
  username: string,
  role: 'moderator' | 'member',
): Promise<Membership> {
  const { actor, target } = await actOn(deps, identity, room, username);
  if (actor.role !== 'owner') throw new ForbiddenError('FORBIDDEN', 'Only the owner sets roles.');
  if (!(await deps.memberships.setRole(room, target.username, role))) throw new UserNotFoundError();
  return { ...target, role };
}
