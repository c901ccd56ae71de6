import type * as contract from '../../lib/contract/index.ts';
import type { Invitation } from '../data/memberships.ts';
import type { Membership, Page } from '../data/rooms.ts';
import type { UserRepository } from '../data/users.ts';
import { ConflictError, ForbiddenError, RoomNotFoundError, UserNotFoundError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { deliver, leaveRoom, type PresenceDeps } from './presence.ts';
import { type ReadStateDeps, roomUnread } from './read-state.ts';
import { addMember, keepIfRoomOpen, visibleRoom } from './room-access.ts';

export interface MembershipDeps extends PresenceDeps {
  readonly users: UserRepository;
}

/**
 * `POST /rooms/{name}/members`: join a public room, or accept the invitation to a private one. Joining again
 * changes nothing.
 * @throws RoomNotFoundError also for a private room without an invitation.
 */
export async function joinAsMember(deps: MembershipDeps, identity: Identity, name: string) {
  const [room, member] = await Promise.all([
    deps.rooms.get(name),
    deps.memberships.get(name, identity.username),
  ]);
  if (room === undefined) throw new RoomNotFoundError(name);
  if (member !== undefined) return { member, created: false };
  return addMember(deps, room, identity.username);
}

/**
 * `DELETE /rooms/{name}/members/me`: the caller stops being a member, and each of their connections that joined
 * the room leaves it (`left` to it, `user_left` to the room with the last one), so that nothing of the room
 * reaches them any more.
 * @throws ForbiddenError NOT_A_MEMBER (a public room they are not in), FORBIDDEN (the owner).
 */
export async function leaveMembership(deps: MembershipDeps, identity: Identity, name: string): Promise<void> {
  const { member } = await visibleRoom(deps, identity.username, name);
  if (member?.role === 'owner') {
    throw new ForbiddenError('FORBIDDEN', 'The owner of a room cannot leave it.');
  }
  if (member === undefined || !(await deps.memberships.remove(name, identity.username))) {
    throw new ForbiddenError('NOT_A_MEMBER', `You are not a member of "${name}".`);
  }
  for (const connectionId of await deps.connections.connectionsInRoom(identity.username, name)) {
    await leaveRoom(deps, connectionId, name);
  }
}

/**
 * Removes every membership and pending invitation of a user whose account is being deleted: 1 Query per 100 of
 * each, then the leave transaction per membership (both member items, `memberCount`) and 1 DeleteItem per
 * invitation. Their sockets closed with their sessions. A room they owned keeps its name, history and other
 * members, without an owner until ownership can be handed over (moderation).
 */
export async function removeAllMemberships(
  deps: Pick<MembershipDeps, 'memberships'>,
  username: string,
): Promise<void> {
  let after: string | undefined;
  do {
    const page = await deps.memberships.roomsOf(username, 100, after);
    for (const membership of page.items) await deps.memberships.remove(membership.room, username);
    after = page.after;
  } while (after !== undefined);
  do {
    const page = await deps.memberships.invitationsOf(username, 100, after);
    for (const invitation of page.items) await deps.memberships.withdrawInvitation(username, invitation.room);
    after = page.after;
  } while (after !== undefined);
}

/** A page of a room's members by username; a private room's for its members only. */
export async function listMembers(
  deps: MembershipDeps,
  identity: Identity,
  name: string,
  limit: number,
  after: string | undefined,
): Promise<Page<Membership>> {
  await visibleRoom(deps, identity.username, name);
  return deps.memberships.list(name, limit, after);
}

/**
 * A page of the caller's rooms by name, each with their role, read marker and unread count (a Query, then one
 * BatchGetItem of the rooms and, in parallel, one unread-count Query per room: lambdas/domain/read-state.ts).
 */
export async function myRooms(
  deps: MembershipDeps & Pick<ReadStateDeps, 'messages'>,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<Page<contract.MyRoom>> {
  const page = await deps.memberships.roomsWithMarkersOf(identity.username, limit, after);
  const [found, unread] = await Promise.all([
    deps.rooms.getMany(page.items.map((item) => item.room)),
    Promise.all(page.items.map((membership) => roomUnread(deps, identity.username, membership))),
  ]);
  const rooms = new Map(found.map((room) => [room.name, room]));
  const items = page.items.flatMap((membership, index) => {
    const room = rooms.get(membership.room);
    const { role, lastReadMessageId } = membership;
    return room === undefined ? [] : [{ ...room, role, lastReadMessageId, unreadCount: unread[index] ?? 0 }];
  });
  return { items, after: page.after };
}

/**
 * Invites a user to a room: only its owner may (moderators once roles can be given). The invitation is stored in
 * the invitee's partition and their open connections get `invited`.
 * @throws RoomNotFoundError, ForbiddenError NOT_A_MEMBER or FORBIDDEN, UserNotFoundError, ConflictError ALREADY_MEMBER
 */
export async function invite(
  deps: MembershipDeps,
  identity: Identity,
  name: string,
  invitee: string,
): Promise<Invitation> {
  const { member } = await visibleRoom(deps, identity.username, name);
  if (member === undefined) throw new ForbiddenError('NOT_A_MEMBER', `You are not a member of "${name}".`);
  if (member.role !== 'owner') throw new ForbiddenError('FORBIDDEN', 'Only the owner may invite.');
  const [user, existing] = await Promise.all([
    deps.users.findByUsername(invitee),
    deps.memberships.get(name, invitee),
  ]);
  if (user === undefined) throw new UserNotFoundError();
  if (existing !== undefined) {
    throw new ConflictError('ALREADY_MEMBER', `${user.username} is already a member of "${name}".`);
  }
  const invitation: Invitation = {
    room: name,
    username: user.username,
    invitedBy: identity.username,
    invitedAt: deps.now().toISOString(),
  };
  await deps.memberships.invite(invitation);
  await keepIfRoomOpen(deps, name, () => deps.memberships.uninvite(user.username, name));
  const connections = await deps.connections.connectionIdsOf(user.username);
  await deliver(deps, connections, { type: 'invited', room: name, by: identity.username });
  return invitation;
}

/** A page of the caller's pending invitations, by room name. */
export async function myInvitations(
  deps: MembershipDeps,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<Page<Invitation>> {
  return deps.memberships.invitationsOf(identity.username, limit, after);
}
