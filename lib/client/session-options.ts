/** How a session is set up: where, as whom, and its time limits and reconnect settings, with their defaults. */
import { limits } from '../contract/limits.ts';
import { DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectSettings } from './reconnect-policy.ts';

export interface ChatSessionOptions {
  /** The WebSocket API's URL, e.g. `ws://127.0.0.1:3001` or the stack output `WebSocketUrl`. */
  readonly url: string;
  /** The token of `POST /auth/login`. */
  readonly token: string;
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
  readonly token: string;
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
    token: options.token,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    reconnect: options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect },
  };
}
