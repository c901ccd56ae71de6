/**
 * Typed errors. Each carries the contract's code and HTTP status; only the HTTP and WebSocket wrappers turn
 * them into responses or error frames. Bundling can break `instanceof` across copies of a module, so the
 * wrappers match on `isAppError` (a brand) rather than on classes.
 */

import { type ErrorCode, type ErrorDetail, statusOf } from '../../lib/contract/index.ts';

export type { ErrorDetail };

/** An error of the contract: its code, and the HTTP status the contract gives that code. */
export class AppError extends Error {
  readonly appError = true;
  readonly status: number;
  /**
   * For an answer that tells the client to come back later (429): how long, in milliseconds. The HTTP wrapper
   * sends it as `retryAfterMs` in the body and as `Retry-After` in whole seconds.
   */
  retryAfterMs?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
    this.status = statusOf(code);
  }
}

export function isAppError(error: unknown): error is AppError {
  return typeof error === 'object' && error !== null && (error as { appError?: unknown }).appError === true;
}

export class InvalidJsonError extends AppError {
  constructor(message = 'The request body must be a JSON object.') {
    super('INVALID_JSON', message);
  }
}

export class ValidationError extends AppError {
  constructor(details: readonly ErrorDetail[], message = 'The request is not valid.') {
    super('VALIDATION_FAILED', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid bearer token is required.') {
    super('UNAUTHORIZED', message);
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The username or password is incorrect.');
  }
}

export class InvalidRefreshTokenError extends AppError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or already used.');
  }
}

export class NotFoundError extends AppError {
  constructor(
    code: 'NOT_FOUND' | 'USER_NOT_FOUND' | 'ROOM_NOT_FOUND' | 'CONVERSATION_NOT_FOUND' | 'MESSAGE_NOT_FOUND',
    message: string,
  ) {
    super(code, message);
  }
}

export class RoomNotFoundError extends NotFoundError {
  constructor(room: string) {
    super('ROOM_NOT_FOUND', `There is no room named "${room}".`);
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('USER_NOT_FOUND', 'There is no user with that username.');
  }
}

export class ConversationNotFoundError extends NotFoundError {
  constructor() {
    super('CONVERSATION_NOT_FOUND', 'There is no such conversation.');
  }
}

/** No such message in the room or conversation, or it was deleted. */
export class MessageNotFoundError extends NotFoundError {
  constructor() {
    super('MESSAGE_NOT_FOUND', 'There is no such message here (or it was deleted).');
  }
}

/** The other participant of a direct conversation blocks the caller. */
export class BlockedError extends AppError {
  constructor() {
    super('BLOCKED', 'This user does not accept your messages.');
  }
}

export class ConflictError extends AppError {
  constructor(
    code: 'ACCOUNT_EXISTS' | 'ROOM_EXISTS' | 'ALREADY_MEMBER' | 'TOO_MANY_REACTIONS' | 'NOT_A_GROUP',
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * The caller may not do that in this room: not a member of it, their role does not allow it, or they are banned
 * from it or muted in it.
 */
export class ForbiddenError extends AppError {
  constructor(code: 'NOT_A_MEMBER' | 'FORBIDDEN' | 'BANNED' | 'MUTED', message: string) {
    super(code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`);
  }
}

/** Login refused before the password is checked: too many recent failures for the username or the address. */
export class TooManyAttemptsError extends AppError {
  constructor(retryAfterMs: number) {
    super('TOO_MANY_ATTEMPTS', 'Too many failed logins. Try again later.');
    this.retryAfterMs = retryAfterMs;
  }
}

/** Over a per-user rate: 429, with how long to wait. */
export class RateLimitedError extends AppError {
  constructor(what: string, retryAfterMs: number) {
    super('RATE_LIMITED', `Too many ${what}: slow down and try again in a moment.`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A quota reached: 403 over HTTP and in error frames; a refused handshake answers 429 (lifecycleHandler). */
export class QuotaExceededError extends AppError {
  constructor(message: string) {
    super('QUOTA_EXCEEDED', message);
  }
}

/** The database is unreachable or still throttling after retries: the client may retry. */
export class UnavailableError extends AppError {
  constructor(cause?: unknown) {
    super('UNAVAILABLE', 'The service is temporarily unavailable. Please retry.');
    this.cause = cause;
  }
}

/** A WebSocket-only failure (the socket's own codes; the contract gives them no HTTP status of their own). */
export class SocketError extends AppError {
  constructor(
    code: 'INVALID_MESSAGE' | 'UNKNOWN_ACTION' | 'NOT_IN_ROOM',
    message: string,
    details?: ErrorDetail[],
  ) {
    super(code, message, details);
  }
}

/**
 * SDK errors that mean "try again later" rather than "bug": throttling that outlived the SDK's own retries,
 * and network failures reaching DynamoDB. The SDK marks neither with a status code we can rely on, so match on
 * `name` and on Node's network error codes.
 */
const retryableNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'TransactionConflictException',
]);
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof name === 'string' && retryableNames.has(name)) return true;
  if (typeof code === 'string' && networkCodes.has(code)) return true;
  // Transactions cancelled only by throttling or conflicts are transient too.
  if (name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.some(
      (reason) => reason.Code === 'ThrottlingError' || reason.Code === 'TransactionConflict',
    );
  }
  return false;
}
