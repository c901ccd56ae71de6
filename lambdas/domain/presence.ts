import type { ConnectionRepository, RoomMember } from '../data/connections.ts';
import type { PresenceRepository } from '../data/presence.ts';
import type { Page } from '../data/rooms.ts';
import { CONNECTION_TTL_SECONDS } from '../shared/config.ts';
import { QuotaExceededError, RoomNotFoundError, SocketError } from '../shared/errors.ts';
import type { RecordMetric } from '../shared/metrics.ts';
import type { Identity } from '../shared/tokens.ts';
import { type ConnectionPoster, fanOut, type ServerFrame } from './fanout.ts';
import { checkConnectionQuota, type LimitDeps, takeRateToken } from './limits.ts';
import { addMember, keepIfRoomOpen, type RoomAccessDeps, visibleRoom } from './room-access.ts';

/** What every real-time use case needs to reach connections. */
export interface DeliveryDeps {
  readonly connections: ConnectionRepository;
  readonly presence: PresenceRepository;
  /**
   * Present users up to which a room's presence is told in full: `joined` lists them all, and `user_joined` /
   * `user_left` go out while the room, counting the user who comes or goes, has at most this many.
   */
  readonly presenceListMax: number;
  readonly poster: ConnectionPoster;
  readonly fanOutConcurrency: number;
  readonly now: () => Date;
  readonly warn: (message: string, attributes: Record<string, unknown>) => void;
  readonly recordMetric: RecordMetric;
}

export interface PresenceDeps extends DeliveryDeps, LimitDeps, RoomAccessDeps {}

/**
 * Sends a frame to connections. Connections found gone are pruned (memberships removed, presence updated,
 * `user_left` sent where it was their user's last connection); other failures are logged and never fail the
 * caller.
 */
export async function deliver(deps: DeliveryDeps, connectionIds: readonly string[], frame: ServerFrame) {
  const result = await fanOut(
    {
      poster: deps.poster,
      concurrency: deps.fanOutConcurrency,
      // GoneException: the client vanished without a close frame (or $disconnect has not run yet): prune it.
      onGone: (gone) => dropConnections(deps, gone),
      onFailure: (connectionId, error) =>
        deps.warn('Post to connection failed', { connectionId, errorName: (error as Error)?.name }),
    },
    connectionIds,
    frame,
  );
  deps.recordMetric('Deliveries', result.delivered);
  if (result.gone > 0) deps.recordMetric('GoneConnections', result.gone);
  if (frame.type === 'message') deps.recordMetric('FanOutSize', connectionIds.length);
  return result;
}

/**
 * Records a connection accepted at `$connect`, with a TTL a little over API Gateway's 2 h maximum.
 * @throws QuotaExceededError when its user has as many connections open as they may.
 */
export async function openConnection(
  deps: Pick<DeliveryDeps, 'connections'> & LimitDeps,
  connectionId: string,
  identity: Identity,
) {
  await checkConnectionQuota(deps, identity.username);
  const now = deps.now();
  await deps.connections.put({
    connectionId,
    userId: identity.userId,
    username: identity.username,
    sessionId: identity.sessionId,
    connectedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS,
  });
}

/**
 * Joins a room with a connection. Joining a public room makes the user a member of it; a private room admits
 * its members only. Joining twice is harmless. The sender gets `joined` with the users present (the first
 * `presenceListMax` of them, with `membersTruncated`, in a larger room); the others get `user_joined` when this is
 * the user's first connection in the room and the room has at most `presenceListMax` present users.
 * @throws RoomNotFoundError also for a private room the user is not a member of.
 */
export async function joinRoom(deps: PresenceDeps, connectionId: string, room: string): Promise<void> {
  const [connection, roomRecord] = await Promise.all([
    deps.connections.get(connectionId),
    deps.rooms.get(room),
  ]);
  if (roomRecord === undefined) throw new RoomNotFoundError(room);
  if (connection === undefined) throw new Error('Connection record missing for an open connection');
  await takeRateToken(deps, 'join', connection.username);
  if ((await deps.memberships.get(room, connection.username)) === undefined) {
    // A private room refuses a non-member here with the missing room's answer; an invitation is accepted over HTTP.
    if (roomRecord.visibility === 'private') throw new RoomNotFoundError(room);
    await addMember(deps, roomRecord, connection.username);
  }
  const change = await deps.connections.join(room, connection, deps.quotas.roomsPerConnection);
  if (change.kind === 'full') {
    throw new QuotaExceededError(
      `A connection may join at most ${deps.quotas.roomsPerConnection} rooms: leave one first.`,
    );
  }
  // A kick or ban between the membership read above and this join did not see this connection: read the
  // membership again, strongly consistent, and leave if it is gone (1 more GetItem per join). So does a deletion
  // of the room: keepIfRoomOpen reads the room again (1 more GetItem) and leaves if it is being deleted.
  const undoJoin = () => deps.connections.leave(room, { connectionId, username: connection.username }, true);
  const [stillMember] = await Promise.all([
    deps.memberships.get(room, connection.username, true),
    keepIfRoomOpen(deps, room, undoJoin),
  ]);
  if (stillMember === undefined) {
    await undoJoin();
    throw new SocketError('NOT_IN_ROOM', `You are no longer a member of "${room}".`);
  }
  // At most presenceListMax + 1 presence items: never the whole partition of a large room.
  const present = await deps.presence.page(room, deps.presenceListMax, undefined);
  const truncated = present.after !== undefined;
  await deliver(deps, [connectionId], {
    type: 'joined',
    room,
    username: connection.username,
    members: present.items,
    // Up to the threshold the frame is as it always was: `members` is the whole count.
    ...(truncated
      ? {
          // The listing saw one user more than it lists; the count, read after it, is never shown below that.
          memberCount: Math.max(await deps.presence.count(room), present.items.length + 1),
          membersTruncated: true as const,
        }
      : {}),
  });
  if (change.kind === 'joined' && change.firstOfUser && !truncated) {
    const others = (await deps.connections.members(room)).filter(
      (member) => member.connectionId !== connectionId,
    );
    await deliver(deps, idsOf(others), { type: 'user_joined', room, username: connection.username });
  }
}

/**
 * Leaves a room; leaving a room one is not in is harmless. The connection gets `farewell` (`left`, or `removed`
 * when a moderator took its user out); `user_left` goes out on the user's last leave.
 */
export async function leaveRoom(
  deps: PresenceDeps,
  connectionId: string,
  room: string,
  farewell: ServerFrame = { type: 'left', room },
): Promise<void> {
  const connection = await deps.connections.get(connectionId);
  if (connection === undefined) throw new Error('Connection record missing for an open connection');
  const change = await deps.connections.leave(room, { connectionId, username: connection.username }, true);
  await deliver(deps, [connectionId], farewell);
  if (change.kind === 'left' && change.lastOfUser) {
    await announceDeparture(deps, room, connection.username);
  }
}

/**
 * Forgets closed or dead connections: each connection item is deleted, then each of its memberships, with
 * `user_left` to the room where it was its user's last connection. Used by `$disconnect` and by fan-out when
 * a post finds a connection gone; safe to run twice for one connection.
 */
export async function dropConnections(deps: DeliveryDeps, connectionIds: readonly string[]): Promise<void> {
  for (const connectionId of connectionIds) {
    const connection = await deps.connections.delete(connectionId);
    if (connection === undefined) continue;
    for (const room of connection.rooms) {
      const change = await deps.connections.leave(
        room,
        { connectionId, username: connection.username },
        false,
      );
      if (change.kind === 'left' && change.lastOfUser) {
        await announceDeparture(deps, room, connection.username);
      }
    }
  }
}

/**
 * `user_left` to the room's connections, unless the room had more than `presenceListMax` present users counting
 * the one who left (at most presenceListMax present items read to know it).
 */
async function announceDeparture(deps: DeliveryDeps, room: string, username: string) {
  if (await deps.presence.moreThan(room, deps.presenceListMax - 1)) return;
  const remaining = await deps.connections.members(room);
  await deliver(deps, idsOf(remaining), { type: 'user_left', room, username });
}

/**
 * A page of the users present in a room, by canonical username after `after`; a private room's only for its
 * members (others get the missing room's answer). 2 GetItems (room, caller's membership), then the presence Query.
 */
export async function listPresent(
  deps: RoomAccessDeps & Pick<DeliveryDeps, 'presence'>,
  identity: Identity,
  name: string,
  limit: number,
  after: string | undefined,
): Promise<Page<{ readonly username: string }>> {
  await visibleRoom(deps, identity.username, name);
  const page = await deps.presence.page(name, limit, after);
  return { items: page.items.map((username) => ({ username })), after: page.after };
}

export function idsOf(members: readonly RoomMember[]): string[] {
  return members.map((member) => member.connectionId);
}
