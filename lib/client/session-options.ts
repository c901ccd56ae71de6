/** How a session is set up: where, as whom, and its time limits and reconnect settings, with their defaults. */
import { limits } from '../contract/limits.ts';
import { DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectSettings } from './reconnect-policy.ts';
import type { WebSocketConstructor } from './socket.ts';
import type { WebSocketTicket } from './types.ts';

/**
 * Where a session gets the single-use ticket that opens each of its connections (`POST /auth/ws-ticket`):
 * a signed-in `ChatApi` (from `withLogin`, which renews its tokens, or `withToken`) is one.
 */
export interface TicketSource {
  wsTicket(): Promise<WebSocketTicket>;
}

/** @deprecated The name of `TicketSource` before sessions opened with tickets. */
export type TokenSource = TicketSource;

export interface ChatSessionOptions {
  /** The WebSocket API's URL, e.g. `ws://127.0.0.1:3001` or the stack output `WebSocketUrl`. */
  readonly url: string;
  /**
   * The signed-in `ChatApi` (or any `TicketSource`): each connection opens with a fresh ticket of it, so that
   * no access token goes into a URL, and browsers (which cannot set headers on a WebSocket) work the same.
   */
  readonly auth: TicketSource;
  /** For tests and unusual runtimes; default `globalThis.WebSocket`, or the `ws` package where there is none. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * A `ping` is sent this often, because API Gateway closes a connection after 10 minutes without a data
   * frame; a ping left unanswered for `requestTimeoutMs` ends the connection (and so reconnects it).
   * Default 5 minutes; 0 turns it off.
   */
  readonly pingIntervalMs?: number;
  /** How long the handshake, a join, leave, ping or message may wait for its answer. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Reconnect after a drop (default), with these settings, or not at all (`false`). */
  readonly reconnect?: ReconnectOptions | false;
}

/** The options with every default filled in; `reconnect` is `undefined` when the session does not reconnect. */
export interface SessionSettings {
  readonly url: string;
  readonly auth: TicketSource;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly pingIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly reconnect: ReconnectSettings | undefined;
}

// Half the gateway's idle limit: a ping that is late or lost still leaves time for the next.
const DEFAULT_PING_INTERVAL_MS = (limits.webSocketIdleSeconds * 1000) / 2;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Fills in the defaults of `options`. */
export function sessionSettings(options: ChatSessionOptions): SessionSettings {
  return {
    url: options.url,
    auth: options.auth,
    WebSocket: options.WebSocket,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    reconnect: options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect },
  };
}
