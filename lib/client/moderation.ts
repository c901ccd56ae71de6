/**
 * The moderation routes of the HTTP API (kick, ban, mute, roles, room deletion), for `ChatApi`
 * (lib/client/http.ts), which sends the requests. The owner and moderators act on users of a lower role; a
 * refusal is an `ApiError` with the server's code (`FORBIDDEN`, `NOT_A_MEMBER`, `ROOM_NOT_FOUND`...).
 */
import type { Requester } from './membership.ts';
import type { AssignableRole, RoomBan, RoomMember, RoomMute } from './types.ts';

const roomPath = (room: string) => `/rooms/${encodeURIComponent(room)}`;
const userPath = (room: string, collection: string, username: string) =>
  `${roomPath(room)}/${collection}/${encodeURIComponent(username)}`;

/** How long a ban or mute lasts; without `durationSeconds`, until lifted. */
export interface ModerationOptions {
  /** Whole seconds, from 1 to a year. */
  readonly durationSeconds?: number;
}

/** A ban's reason (at most 256 characters, shown to moderators) and duration. */
export interface BanOptions extends ModerationOptions {
  readonly reason?: string;
}

/** Removes a member (kick): their sessions get a `removed` event; they may join a public room again. */
export async function kick(request: Requester, room: string, username: string): Promise<void> {
  await request('DELETE', userPath(room, 'members', username));
}

/** POSTs a ban or a mute of `body.username`; the answer holds it under `kind`. */
async function restrict<T>(request: Requester, room: string, kind: 'ban' | 'mute', body: object): Promise<T> {
  const answer = await request<Record<string, T>>('POST', `${roomPath(room)}/${kind}s`, { body });
  return answer.body[kind] as T;
}

/** Bans a user (a kick that also refuses joining and posting with `BANNED`); banning again replaces the ban. */
export function ban(
  request: Requester,
  room: string,
  username: string,
  options: BanOptions,
): Promise<RoomBan> {
  const { reason, durationSeconds } = options;
  return restrict<RoomBan>(request, room, 'ban', { username, reason, durationSeconds });
}

/** Lifts a ban; lifting one that does not exist changes nothing. */
export async function unban(request: Requester, room: string, username: string): Promise<void> {
  await request('DELETE', userPath(room, 'bans', username));
}

/** Mutes a member: they still read, and every post of theirs is refused with `MUTED`. */
export function mute(
  request: Requester,
  room: string,
  username: string,
  options: ModerationOptions,
): Promise<RoomMute> {
  return restrict<RoomMute>(request, room, 'mute', { username, durationSeconds: options.durationSeconds });
}

/** Unmutes a member; unmuting one not muted changes nothing. */
export async function unmute(request: Requester, room: string, username: string): Promise<void> {
  await request('DELETE', userPath(room, 'mutes', username));
}

/** By the owner only: makes a member a moderator, or a moderator a member again. */
export async function setRole(
  request: Requester,
  room: string,
  username: string,
  role: AssignableRole,
): Promise<RoomMember> {
  const path = userPath(room, 'members', username);
  return (await request<{ member: RoomMember }>('PATCH', path, { body: { role } })).body.member;
}

/** By the owner only: the room is gone, and the sessions in it get a `room_deleted` event. */
export async function deleteRoom(request: Requester, room: string): Promise<void> {
  await request('DELETE', roomPath(room));
}
