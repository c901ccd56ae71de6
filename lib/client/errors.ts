/**
 * Every failure of the client is a `ChatClientError` with a `code`: the server's code when the server answered
 * (`INVALID_CREDENTIALS`, `ROOM_NOT_FOUND`, ...), or one of the client's own (`UNREACHABLE`, `TIMEOUT`,
 * `CLOSED`, `BAD_RESPONSE`). Callers branch on `code`; `isChatClientError` also works when two copies of this
 * module are loaded (a bundle and a test), where `instanceof` would not.
 */
import type { ErrorDetail } from './types.ts';

/** Codes the client itself produces, next to the contract's codes. */
export type ClientErrorCode =
  /** The server could not be reached (refused, DNS, TLS, reset). */
  | 'UNREACHABLE'
  /** No answer in time. */
  | 'TIMEOUT'
  /** The session was closed (by the caller, or for good after a refused reconnect). */
  | 'CLOSED'
  /** The WebSocket connection dropped; the session reconnects unless told not to. */
  | 'DISCONNECTED'
  /** The server answered something that is not the contract (e.g. a proxy's HTML page). */
  | 'BAD_RESPONSE';

export class ChatClientError extends Error {
  readonly chatClientError = true;
  /**
   * When the server said to come back later (429 `RATE_LIMITED` or `TOO_MANY_ATTEMPTS`, over HTTP or in an
   * error frame): how long to wait, in milliseconds, before trying again.
   */
  retryAfterMs?: number;
  constructor(
    /** A contract code (`ROOM_NOT_FOUND`) or a client code (`UNREACHABLE`). */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isChatClientError(error: unknown): error is ChatClientError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { chatClientError?: unknown }).chatClientError === true
  );
}

/** The HTTP API answered with an error: `{code, message, details?}` and its status. */
export class ApiError extends ChatClientError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    retryAfterMs?: number,
  ) {
    super(code, message);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** The server could not be reached at all; `url` names where the client tried. */
export class UnreachableError extends ChatClientError {
  constructor(
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('UNREACHABLE', `Cannot reach the chat server at ${url}: ${reason}.`, options);
  }
}

export class TimeoutError extends ChatClientError {
  constructor(what: string, timeoutMs: number) {
    super('TIMEOUT', `No answer to ${what} within ${formatDuration(timeoutMs)}.`);
  }
}

/**
 * The WebSocket handshake was refused with an HTTP status (401: the token is not valid; 429: the user has as many
 * connections open as allowed, learnt from the ticket request's `QUOTA_EXCEEDED`).
 */
export class HandshakeError extends ChatClientError {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(
      status === 401 ? 'UNAUTHORIZED' : status === 429 ? 'QUOTA_EXCEEDED' : `HTTP_${status}`,
      status === 401
        ? 'The WebSocket API refused the token: it is missing, expired or not valid.'
        : status === 429
          ? 'The WebSocket API refused the connection: this user has as many connections open as allowed; close one first.'
          : `The WebSocket API at ${url} refused the connection with HTTP ${status}.`,
    );
  }
}

/** The WebSocket connection closed without `close()` being called: the server, a proxy or the network ended it. */
export class DisconnectedError extends ChatClientError {
  constructor(
    readonly url: string,
    /** The WebSocket close code: 1001 when API Gateway ends an idle or 2-hour-old connection, 1006 without a close frame. */
    readonly closeCode: number,
    readonly closeReason: string,
  ) {
    super(
      'DISCONNECTED',
      `The WebSocket connection to ${url} closed with code ${closeCode}${closeReason === '' ? '' : ` (${closeReason})`}.`,
    );
  }
}

/** The server answered a frame with `{"type":"error"}`. */
export class SocketFrameError extends ChatClientError {
  constructor(
    code: string,
    message: string,
    /** The action of the frame that failed. */
    readonly action?: string,
    readonly clientMessageId?: string,
    retryAfterMs?: number,
  ) {
    super(code, message);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** A readable reason from the low-level errors of fetch and ws (`ECONNREFUSED` becomes "connection refused"). */
export function networkReason(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // fetch says only "fetch failed"; the reason is further down the cause chain.
  let deepestMessage = '';
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, cause, errors, message } = current as {
      code?: unknown;
      cause?: unknown;
      errors?: unknown;
      message?: unknown;
    };
    if (typeof code === 'string' && code in NETWORK_REASONS) return NETWORK_REASONS[code] as string;
    if (typeof message === 'string' && message !== '') deepestMessage = message;
    // Node's happy-eyeballs connect reports an AggregateError with one error per address.
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = cause;
  }
  return deepestMessage === '' ? 'network error' : deepestMessage;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not match the host name',
};

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
