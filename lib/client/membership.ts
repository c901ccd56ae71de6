/** The room membership routes of the HTTP API, for `ChatApi` (lib/client/http.ts), which sends the requests. */
import type { HttpMethod, HttpResult, Query, RequestOptions } from './http-transport.ts';
import type { Created, PageOptions } from './paging.ts';
import type { Invitation, MyRoom, Page, PresentUser, RoomMember } from './types.ts';

/** Sends one request with the client's credentials. */
export type Requester = <T>(
  method: HttpMethod,
  path: string,
  options?: RequestOptions,
) => Promise<HttpResult<T>>;

const roomPath = (room: string, rest: string) => `/rooms/${encodeURIComponent(room)}/${rest}`;
const pageQuery = (options: PageOptions): Query => ({ limit: options.limit, cursor: options.cursor });

async function page<T>(
  request: Requester,
  path: string,
  key: string,
  options: PageOptions,
): Promise<Page<T>> {
  const { body } = await request<Record<string, unknown>>('GET', path, { query: pageQuery(options) });
  return { items: body[key] as T[], nextCursor: body.nextCursor as string | null };
}

/** Joins a public room, or accepts the invitation to a private one; `created` is false when already a member. */
export async function joinRoom(request: Requester, room: string): Promise<Created<RoomMember>> {
  const { status, body } = await request<{ member: RoomMember }>('POST', roomPath(room, 'members'));
  return { value: body.member, created: status === 201 };
}

/** Stops being a member (the owner cannot). */
export async function leaveRoom(request: Requester, room: string): Promise<void> {
  await request('DELETE', roomPath(room, 'members/me'));
}

export function roomMembers(
  request: Requester,
  room: string,
  options: PageOptions,
): Promise<Page<RoomMember>> {
  return page<RoomMember>(request, roomPath(room, 'members'), 'members', options);
}

/** Who is present in a room (has a connection in it), by username: what a truncated `joined` does not list. */
export const roomPresence = (request: Requester, room: string, options: PageOptions) =>
  page<PresentUser>(request, roomPath(room, 'presence'), 'members', options);

/** Invites `username` to a room (its owner only); their open sessions get an `invited` event. */
export async function invite(request: Requester, room: string, username: string): Promise<Invitation> {
  const answer = await request<{ invitation: Invitation }>('POST', roomPath(room, 'invitations'), {
    body: { username },
  });
  return answer.body.invitation;
}

export function myRooms(request: Requester, options: PageOptions): Promise<Page<MyRoom>> {
  return page<MyRoom>(request, '/me/rooms', 'rooms', options);
}

export function myInvitations(request: Requester, options: PageOptions): Promise<Page<Invitation>> {
  return page<Invitation>(request, '/me/invitations', 'invitations', options);
}
