/**
 * Every error code of the contract, with the HTTP status it is answered with. Socket-only codes have no status:
 * they travel in error frames only. The server can raise no other code (its error classes take an `ErrorCode`),
 * and the generated documents list exactly these.
 */
export const httpErrors = {
  INVALID_JSON: { status: 400, meaning: 'The body is not a JSON object.' },
  VALIDATION_FAILED: { status: 400, meaning: 'A field breaks a rule; `details` lists each problem.' },
  UNAUTHORIZED: { status: 401, meaning: 'The bearer token is missing, malformed, expired or not ours.' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Unknown user or wrong password (one answer for both).' },
  NOT_FOUND: { status: 404, meaning: 'No such route.' },
  USER_NOT_FOUND: { status: 404, meaning: 'No user of that name.' },
  ROOM_NOT_FOUND: { status: 404, meaning: 'No room of that name.' },
  CONVERSATION_NOT_FOUND: {
    status: 404,
    meaning: 'No such conversation, or the caller is not one of its participants.',
  },
  ACCOUNT_EXISTS: { status: 409, meaning: 'The username or the email is taken (no hint which).' },
  ROOM_EXISTS: { status: 409, meaning: 'A room of that name exists.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than 16 KiB.' },
  INTERNAL: { status: 500, meaning: 'A bug on our side; nothing about it is shown.' },
  UNAVAILABLE: { status: 503, meaning: 'The database is unreachable or throttling: retry later.' },
} as const;

/** Codes that only WebSocket error frames carry. */
export const socketOnlyErrors = {
  INVALID_MESSAGE: { meaning: 'Not JSON, or a missing or invalid field (text too long, ...).' },
  UNKNOWN_ACTION: { meaning: 'No route for that `action`.' },
  NOT_IN_ROOM: { meaning: 'A message to a room this connection has not joined.' },
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
  'INTERNAL',
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
