import * as z from 'zod/mini';
import type { HttpErrorCode } from './errors.ts';
import { banReason, moderationSeconds, roomName, username } from './fields.ts';
import { published, roomBan, roomMember, roomMute } from './objects.ts';
import { type HttpRouteSpec, one, roomParams } from './route-spec.ts';

/** The path parameters of a route about one user of a room. */
const roomUserParams = z.object({ name: roomName, username });

/** A `DELETE` of what concerns one user of a room (a membership, a ban, a mute), answered 204. */
const removal = <const Errors extends readonly HttpErrorCode[]>(
  path: string,
  operation: { readonly id: string; readonly summary: string; readonly description: string },
  done: string,
  errors: Errors,
) => ({
  method: 'DELETE' as const,
  path,
  auth: true as const,
  operationId: operation.id,
  tag: 'rooms' as const,
  summary: operation.summary,
  description: operation.description,
  params: roomUserParams,
  responses: { 204: { description: done } },
  errors,
});

/** Who may act, and on whom: every moderation route's own failures. */
const refusals = ['ROOM_NOT_FOUND', 'NOT_A_MEMBER', 'FORBIDDEN'] as const;

/**
 * Moderation of a room's members, by API Gateway route key: the owner and moderators act on users of a lower role
 * (`owner` > `moderator` > `member`). A private room answers a non-member exactly as a missing room.
 */
export const moderationRoutes = {
  'DELETE /rooms/{name}/members/{username}': removal(
    '/rooms/{name}/members/{username}',
    {
      id: 'kickMember',
      summary: 'Remove a member from a room (kick)',
      description:
        'By the owner or a moderator, on a member of a lower role. The user stops being a member; their connections in the room get `removed` and receive nothing more of it; the room gets `user_left` if they were present. They may join a public room again.',
    },
    'The user is no longer a member.',
    [...refusals, 'USER_NOT_FOUND'],
  ),
  'POST /rooms/{name}/bans': {
    method: 'POST',
    path: '/rooms/{name}/bans',
    auth: true,
    operationId: 'banUser',
    tag: 'rooms',
    summary: 'Ban a user from a room',
    description:
      'By the owner or a moderator, on a user of a lower role (or a user who is not a member). A kick that also refuses their joining and posting (403 `BANNED`) until `durationSeconds` have passed, or until lifted. Banning again replaces the ban.',
    params: roomParams,
    body: published(
      'BanRequest',
      z.object({ username, reason: z.optional(banReason), durationSeconds: z.optional(moderationSeconds) }),
    ),
    responses: {
      201: { schema: published('BanResponse', one('ban', roomBan)), description: 'The user is banned.' },
    },
    errors: [...refusals, 'USER_NOT_FOUND'],
  },
  'DELETE /rooms/{name}/bans/{username}': removal(
    '/rooms/{name}/bans/{username}',
    {
      id: 'unbanUser',
      summary: 'Lift a ban',
      description:
        'By the owner or a moderator. Lifting a ban that does not exist (or has expired) changes nothing.',
    },
    'The user is not banned.',
    refusals,
  ),
  'DELETE /rooms/{name}/mutes/{username}': removal(
    '/rooms/{name}/mutes/{username}',
    {
      id: 'unmuteMember',
      summary: 'Unmute a member',
      description:
        'By the owner or a moderator, on a member of a lower role. Unmuting one not muted changes nothing.',
    },
    'The member is not muted.',
    [...refusals, 'USER_NOT_FOUND'],
  ),
  'POST /rooms/{name}/mutes': {
    method: 'POST',
    path: '/rooms/{name}/mutes',
    auth: true,
    operationId: 'muteMember',
    tag: 'rooms',
    summary: 'Mute a member of a room',
    description:
      'By the owner or a moderator, on a member of a lower role: they still read the room, but every post (HTTP or socket) answers `MUTED` until `durationSeconds` have passed, or until unmuted. Muting again replaces the mute.',
    params: roomParams,
    body: published('MuteRequest', z.object({ username, durationSeconds: z.optional(moderationSeconds) })),
    responses: {
      201: { schema: published('MuteResponse', one('mute', roomMute)), description: 'The member is muted.' },
    },
    errors: [...refusals, 'USER_NOT_FOUND'],
  },
  'PATCH /rooms/{name}/members/{username}': {
    method: 'PATCH',
    path: '/rooms/{name}/members/{username}',
    auth: true,
    operationId: 'setMemberRole',
    tag: 'rooms',
    summary: 'Set a member’s role',
    description:
      'By the owner only: makes a member a `moderator`, or a moderator a `member` again. The owner’s own role cannot change.',
    params: roomUserParams,
    body: published('RoleRequest', z.object({ role: z.enum(['moderator', 'member']) })),
    responses: {
      200: {
        schema: published('RoleResponse', one('member', roomMember)),
        description: 'The member, with their new role.',
      },
    },
    errors: [...refusals, 'USER_NOT_FOUND'],
  },
  'DELETE /rooms/{name}': {
    method: 'DELETE',
    path: '/rooms/{name}',
    auth: true,
    operationId: 'deleteRoom',
    tag: 'rooms',
    summary: 'Delete a room',
    description:
      'By its owner only. Connections in the room get `room_deleted` and receive nothing more of it; its name, history, members, bans and pending invitations are gone, and the name may be taken again by a new room. Deleting again a room whose deletion stopped midway finishes it.',
    params: roomParams,
    responses: { 204: { description: 'The room is gone.' } },
    errors: ['ROOM_NOT_FOUND', 'FORBIDDEN'],
  },
} as const satisfies Record<string, HttpRouteSpec>;
