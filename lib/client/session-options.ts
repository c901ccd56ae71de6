/** How a session is set up: where, as whom, and its time limits and reconnect settings, with their defaults. */
import { limits } from '../contract/limits.ts';
import { ChatClientError } from './errors.ts';
import { DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectSettings } from './reconnect-policy.ts';

/**
 * Where a session gets its access token from, so that every (re)connection uses the newest and a refused one
 * can be renewed. A signed-in `ChatApi` (from `withLogin`) is one.
 */
export interface TokenSource {
  /** The access token to open the next connection with. */
  readonly token: string | undefined;
  /** After `staleToken` was refused: resolves true when `token` now holds a newer one. */
  renewToken(staleToken: string): Promise<boolean>;
}

export interface ChatSessionOptions {
  /** The WebSocket API's URL, e.g. `ws://127.0.0.1:3001` or the stack output `WebSocketUrl`. */
  readonly url: string;
  /**
   * The access token of `POST /auth/login`, fixed: once it expires, reconnecting fails. Give `auth` instead
   * to reconnect with fresh tokens.
   */
  readonly token?: string;
  /** The signed-in `ChatApi` (or any `TokenSource`): each connection uses its newest token, renewing it on a 401. */
  readonly auth?: TokenSource;
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
  readonly auth: TokenSource;
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
    auth: tokenSource(options),
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    reconnect: options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect },
  };
}

function tokenSource(options: ChatSessionOptions): TokenSource {
  if (options.auth !== undefined) return options.auth;
  const { token } = options;
  if (token === undefined) throw new ChatClientError('NOT_SIGNED_IN', 'A session needs a `token` or `auth`.');
  return { token, renewToken: async () => false };
}
