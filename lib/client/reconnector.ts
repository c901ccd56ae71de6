/**
 * The reconnect state machine of a session: after a drop, wait (as the `ReconnectPolicy` says), open a new
 * connection, resume on it; on failure wait again, until the attempts are used up or the server refuses the
 * token. What a connection is and how to resume on it belongs to the caller, so that this can be driven
 * without sockets.
 */
import type { ChatClientError } from './errors.ts';
import { HandshakeError } from './errors.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import { toClientError } from './socket.ts';

export interface ReconnectHooks<Connection> {
  /** Opens a new connection; rejects with why not. */
  open(): Promise<Connection>;
  /**
   * Takes the new connection into use (re-joining rooms and so on), calling `connected()` once it is. If it
   * turns out not to be usable, its drop is reported through `dropped` like any other.
   */
  resume(connection: Connection): Promise<void>;
  /** Called before each attempt, with how long until it and why the previous connection or attempt ended. */
  attempting(change: { attempt: number; delayMs: number; reason: ChatClientError }): void;
  /** No more attempts: the policy's limit was reached, or the server refused the token. */
  gaveUp(reason: ChatClientError): void;
  /** The session is closing: a connection opened now is thrown away. */
  discard(connection: Connection): void;
}

export class Reconnector<Connection> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  /** @param policy `undefined` when the session does not reconnect: every drop gives up. */
  constructor(
    private readonly policy: ReconnectPolicy | undefined,
    private readonly hooks: ReconnectHooks<Connection>,
  ) {}

  /** The connection ended (or an attempt failed) for `reason`: schedules the next attempt, or gives up. */
  dropped(reason: ChatClientError): void {
    if (this.stopped) return;
    const next = this.policy?.next();
    if (next === undefined) {
      this.stop();
      this.hooks.gaveUp(reason);
      return;
    }
    this.hooks.attempting({ ...next, reason });
    this.timer = setTimeout(() => void this.attempt(), next.delayMs);
  }

  /**
   * A connection is open and in use: the next drop starts counting attempts from 1 again. Called by the
   * owner as it reports the connection open, so that no drop can come between the two.
   */
  connected(): void {
    this.policy?.reset();
  }

  /** No more attempts, from now on (the session is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    let connection: Connection;
    try {
      connection = await this.hooks.open();
    } catch (error) {
      if (this.stopped) return;
      const reason = toClientError(error);
      // A refused token will be refused again, and a user at the connection quota stays there until one of
      // their connections closes, which this session cannot tell: give up rather than hammer the server.
      if (reason instanceof HandshakeError && (reason.status === 401 || reason.status === 429)) {
        this.stop();
        this.hooks.gaveUp(reason);
      } else {
        this.dropped(reason);
      }
      return;
    }
    if (this.stopped) {
      this.hooks.discard(connection);
      return;
    }
    await this.hooks.resume(connection);
  }
}
