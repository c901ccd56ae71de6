import * as z from 'zod/mini';
import { roomName, username } from './fields.ts';
import type { HttpRouteSpec } from './route-spec.ts';

/** The path parameters of a route about one user of a room. */
const roomUserParams = z.object({ name: roomName, username });

/**
 * Moderation of a room's members, by API Gateway route key: the owner and moderators act on users of a lower role
 * (`owner` > `moderator` > `member`). A private room answers a non-member exactly as a missing room.
 */
export const moderationRoutes = {
  'DELETE /rooms/{name}/members/{username}': {
    method: 'DELETE',
    path: '/rooms/{name}/members/{username}',
    auth: true,
    operationId: 'kickMember',
    tag: 'rooms',
    summary: 'Remove a member from a room (kick)',
    description:
      'By the owner or a moderator, on a member of a lower role. The user stops being a member; their connections in the room get `removed` and receive nothing more of it; the room gets `user_left` if they were present. They may join a public room again.',
    params: roomUserParams,
    responses: { 204: { description: 'The user is no longer a member.' } },
    errors: ['ROOM_NOT_FOUND', 'NOT_A_MEMBER', 'FORBIDDEN', 'USER_NOT_FOUND'],
  },
} as const satisfies Record<string, HttpRouteSpec>;
