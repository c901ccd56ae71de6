/**
 * Every error code of the contract, with the HTTP status it is answered with. Socket-only codes have no status:
 * they travel in error frames only. The server can raise no other code (its error classes take an `ErrorCode`),
 * and the generated documents list exactly these.
 */
export const httpErrors = {
  INVALID_JSON: { status: 400, meaning: 'The body is not JSON, or is JSON but not an object.' },
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'A field, query parameter, path parameter or cursor breaks its rule; `details` lists each one.',
  },
  UNAUTHORIZED: {
    status: 401,
    meaning:
      'No bearer token, or one that is malformed, expired or forged, or whose session has ended (logout, password change, refresh token reuse).',
  },
  INVALID_CREDENTIALS: {
    status: 401,
    meaning: 'Login with an unknown username or a wrong password (one answer for both).',
  },
  INVALID_REFRESH_TOKEN: { status: 401, meaning: 'Unknown, expired or reused (a reuse ends its session).' },
  NOT_A_MEMBER: {
    status: 403,
    meaning:
      'The caller is not a member of this public room, and the action needs it (leaving the room, inviting to it, marking it read): join it first.',
  },
  FORBIDDEN: {
    status: 403,
    meaning:
      'The caller’s role in the room may not do that (only the owner invites; the owner cannot leave; the owner and moderators act only on users of a lower role), or the message is not the caller’s (only its author edits it; only its author, or a room’s owner or moderators, delete it).',
  },
  BANNED: {
    status: 403,
    meaning:
      'The caller is banned from this room: they may not join it nor post to it until the ban expires or is lifted.',
  },
  MUTED: {
    status: 403,
    meaning:
      'The caller is muted in this room: they still read it, but may not post to it until the mute ends.',
  },
  NOT_FOUND: { status: 404, meaning: 'No route has this method and path.' },
  USER_NOT_FOUND: {
    status: 404,
    meaning:
      'The `peer` of a new conversation (or one of the `participants` of a new group, without saying which), a user added to a group, or the invitee of an invitation, does not exist; or the user a moderator acts on is not a member of the room.',
  },
  ROOM_NOT_FOUND: {
    status: 404,
    meaning:
      'No room has this name, or it is a private room the caller is not a member of (the two are answered alike).',
  },
  CONVERSATION_NOT_FOUND: {
    status: 404,
    meaning: 'No such conversation, or the caller is not one of its participants.',
  },
  MESSAGE_NOT_FOUND: {
    status: 404,
    meaning:
      'No message has this id in this room or conversation, or it was deleted (a tombstone is neither edited, reacted to nor replied to).',
  },
  BLOCKED: {
    status: 403,
    meaning:
      'The other participant of this direct conversation blocks the caller, or a user the caller adds to a group (or creates one with) blocks the caller.',
  },
  ACCOUNT_EXISTS: {
    status: 409,
    meaning: 'The username (taken for ever once registered) or the email is taken, in any case.',
  },
  ROOM_EXISTS: {
    status: 409,
    meaning: 'A room of this name exists (public or private: room names are one namespace).',
  },
  QUOTA_EXCEEDED: {
    status: 403,
    meaning:
      'A quota is reached: at most 50 rooms joined by one connection (leave one first); at most 10 connections of one user (their 11th handshake is refused with HTTP 429, and a WebSocket ticket with this error); at most 10 push devices of one user; at most 100 participants of a group conversation.',
  },
  ALREADY_MEMBER: {
    status: 409,
    meaning:
      'The invitee is already a member of the room, or the user added is already a participant of the group.',
  },
  NOT_A_GROUP: {
    status: 409,
    meaning:
      'The conversation is a direct one: participants are added, leave and a title is set in group conversations only.',
  },
  TOO_MANY_REACTIONS: {
    status: 409,
    meaning:
      'The message already carries 20 distinct emoji: a new one is refused (adding to one of them is not).',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is over 16 KiB.' },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    meaning:
      'Too many failed logins for this username, or from this address, in a short time: wait `retryAfterMs` (also sent as `Retry-After`, in seconds) and try again. Said alike whether the username exists or not.',
  },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'The caller sent this kind of request faster than their own per-user rate (messages and edits, joins, room creations, conversation opens, reactions): nothing was stored or delivered; wait `retryAfterMs` (also sent as `Retry-After`, in seconds) and try again. Other users are not slowed.',
  },
  INTERNAL: {
    status: 500,
    meaning: 'A bug on our side; it is logged with its stack, the client learns nothing.',
  },
  UNAVAILABLE: {
    status: 503,
    meaning:
      'DynamoDB cannot be reached, or keeps throttling after the SDK’s retries: try again later. On the socket too, as an error frame: retry the same frame, with its `clientMessageId`.',
  },
} as const;

/** Codes that only WebSocket error frames carry. */
export const socketOnlyErrors = {
  INVALID_MESSAGE: {
    meaning:
      'The frame is not a JSON object, has no `action`, or a field breaks its rule (the message names each one).',
  },
  UNKNOWN_ACTION: { meaning: 'The `action` is not one of the contract’s actions.' },
  NOT_IN_ROOM: {
    meaning: 'A `message` for a room that this connection never joined (or that does not exist).',
  },
} as const;

export type HttpErrorCode = keyof typeof httpErrors;
export type SocketOnlyErrorCode = keyof typeof socketOnlyErrors;
export type ErrorCode = HttpErrorCode | SocketOnlyErrorCode;

/** The codes an error frame may carry: the socket's own and the HTTP codes a socket route can meet. */
export const socketErrorCodes = [
  'INVALID_MESSAGE',
  'UNKNOWN_ACTION',
  'ROOM_NOT_FOUND',
  'NOT_IN_ROOM',
  'CONVERSATION_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  'NOT_A_MEMBER',
  'BLOCKED',
  'BANNED',
  'MUTED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'INTERNAL',
  'UNAVAILABLE',
] as const satisfies readonly ErrorCode[];
export type SocketErrorCode = (typeof socketErrorCodes)[number];

/** The HTTP status of an error code; socket-only codes answer 400 where a status is needed. */
export function statusOf(code: ErrorCode): number {
  return code in httpErrors ? httpErrors[code as HttpErrorCode].status : 400;
}

/** A validation problem of `400 VALIDATION_FAILED`: the field (a dotted path, or `body`) and what is wrong. */
export interface ErrorDetail {
  readonly field: string;
  readonly problem: string;
}
