import * as z from 'zod/mini';
import { username } from './fields.ts';
import { invitation, myRoom, pageOf, presentUser, published, roomMember } from './objects.ts';
import { type HttpRouteSpec, listQuery, one, roomParams } from './route-spec.ts';

const memberResponse = published('RoomMemberResponse', one('member', roomMember));
/** A join answers the membership: new (201), or the one the caller already had (200). */
const joinAnswers = {
  201: { schema: memberResponse, description: 'The caller is now a member.' },
  200: { schema: memberResponse, description: 'The caller was already a member: nothing changed.' },
} as const;

/**
 * Persistent room membership and invitations (`/rooms/{name}/members…`, `/rooms/{name}/invitations`, `/me/…`),
 * by API Gateway route key. A private room answers a non-member on every one of them exactly as a room that does
 * not exist (404 ROOM_NOT_FOUND).
 */
export const membershipRoutes = {
  'POST /rooms/{name}/members': {
    method: 'POST',
    path: '/rooms/{name}/members',
    auth: true,
    operationId: 'joinRoom',
    tag: 'rooms',
    summary: 'Become a member of a room',
    description:
      'Any user may join a public room; a private room only with a pending invitation, which this accepts. No body.',
    params: roomParams,
    responses: joinAnswers,
    errors: ['ROOM_NOT_FOUND'],
  },
  'DELETE /rooms/{name}/members/me': {
    method: 'DELETE',
    path: '/rooms/{name}/members/me',
    auth: true,
    operationId: 'leaveRoom',
    tag: 'rooms',
    summary: 'Stop being a member of a room',
    description:
      'The caller’s connections in the room leave it too (each gets `left`; the room gets `user_left`). The owner cannot leave.',
    params: roomParams,
    responses: { 204: { description: 'The caller is no longer a member.' } },
    errors: ['ROOM_NOT_FOUND', 'NOT_A_MEMBER', 'FORBIDDEN'],
  },
  'GET /rooms/{name}/members': {
    method: 'GET',
    path: '/rooms/{name}/members',
    auth: true,
    operationId: 'listRoomMembers',
    tag: 'rooms',
    summary: 'List the members of a room, by username',
    description: 'Anyone may list a public room’s members; a private room’s only its members.',
    params: roomParams,
    query: listQuery,
    responses: {
      200: {
        schema: published('RoomMemberPage', pageOf('members', roomMember)),
        description: 'A page of members.',
      },
    },
    errors: ['ROOM_NOT_FOUND'],
  },
  'GET /rooms/{name}/presence': {
    method: 'GET',
    path: '/rooms/{name}/presence',
    auth: true,
    operationId: 'listRoomPresence',
    tag: 'rooms',
    summary: 'List who is present in a room, by username',
    description:
      'The users with a connection in the room now (presence), each once, sorted without regard to case: what `joined` lists in full up to 100 present users and cuts above. Anyone may list a public room’s presence; a private room’s only its members.',
    params: roomParams,
    query: listQuery,
    responses: {
      200: {
        schema: published('RoomPresencePage', pageOf('members', presentUser)),
        description: 'A page of present users.',
      },
    },
    errors: ['ROOM_NOT_FOUND'],
  },
  'POST /rooms/{name}/invitations': {
    method: 'POST',
    path: '/rooms/{name}/invitations',
    auth: true,
    operationId: 'inviteToRoom',
    tag: 'rooms',
    summary: 'Invite a user to a room',
    description:
      'Only the owner invites. The invitee’s open connections get an `invited` frame; they accept with `POST /rooms/{name}/members`. Inviting again renews the invitation.',
    params: roomParams,
    body: published('InvitationRequest', z.object({ username })),
    responses: {
      201: {
        schema: published('InvitationResponse', one('invitation', invitation)),
        description: 'The invitation is pending.',
      },
    },
    errors: ['ROOM_NOT_FOUND', 'NOT_A_MEMBER', 'FORBIDDEN', 'USER_NOT_FOUND', 'ALREADY_MEMBER'],
  },
  'GET /me/rooms': {
    method: 'GET',
    path: '/me/rooms',
    auth: true,
    operationId: 'listMyRooms',
    tag: 'rooms',
    summary: 'List the rooms I am a member of, by name',
    query: listQuery,
    responses: {
      200: { schema: published('MyRoomPage', pageOf('rooms', myRoom)), description: 'A page of rooms.' },
    },
    errors: [],
  },
  'GET /me/invitations': {
    method: 'GET',
    path: '/me/invitations',
    auth: true,
    operationId: 'listMyInvitations',
    tag: 'rooms',
    summary: 'List my pending invitations, by room name',
    query: listQuery,
    responses: {
      200: {
        schema: published('InvitationPage', pageOf('invitations', invitation)),
        description: 'A page of pending invitations.',
      },
    },
    errors: [],
  },
} as const satisfies Record<string, HttpRouteSpec>;
