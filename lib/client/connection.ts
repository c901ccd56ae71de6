/**
 * The connection under a session: one WebSocket at a time. It sends waiting requests when they may go, hands
 * each server frame to the presence, the listeners and the requests, keeps the socket alive, and after a drop
 * opens a new one, re-joins the rooms on it, and only then lets the other requests go again.
 */
import type { TypedEmitter } from './emitter.ts';
import { ApiError, ChatClientError, DisconnectedError, HandshakeError, isChatClientError } from './errors.ts';
import { KeepAlive } from './keep-alive.ts';
import type { PendingRequests, RequestKind } from './pending-requests.ts';
import type { RoomPresence } from './presence.ts';
import { RecentIds } from './recent-ids.ts';
import { ReconnectPolicy } from './reconnect-policy.ts';
import { Reconnector } from './reconnector.ts';
import type { SessionEvents, SessionState } from './session-events.ts';
import type { SessionSettings } from './session-options.ts';
import {
  closeSocket,
  OPEN,
  openSocket,
  parseServerFrame,
  platformWebSocket,
  toClientError,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.ts';
import type { ClientFrame, PongFrame, ServerFrame } from './types.ts';

/** How long `close()` waits for the server to answer the close frame before dropping the socket. */
const CLOSE_GRACE_MS = 2_000;

/** What a connection shares with its session. */
export interface ConnectionParts {
  readonly events: TypedEmitter<SessionEvents>;
  readonly pending: PendingRequests;
  readonly presence: RoomPresence;
}

export class SessionConnection {
  private currentState: SessionState = 'connecting';
  private socket: WebSocketLike | undefined;
  /** The platform's WebSocket class, looked up at the first connection. */
  private webSocketClass: WebSocketConstructor | undefined;
  /** Set while a new connection re-joins the rooms: only `rejoin` requests go out meanwhile. */
  private rejoining = false;
  private closing = false;
  private readonly keepAlive: KeepAlive;
  private readonly reconnector: Reconnector<WebSocketLike>;
  private readonly events: TypedEmitter<SessionEvents>;
  private readonly pending: PendingRequests;
  private readonly presence: RoomPresence;
  /** Enough ids to span a shard's retries in a busy room (a few seconds of messages). */
  private readonly recentMessages = new RecentIds(1_000);

  constructor(
    private readonly settings: SessionSettings,
    parts: ConnectionParts,
  ) {
    ({ events: this.events, pending: this.pending, presence: this.presence } = parts);
    this.keepAlive = new KeepAlive(settings.pingIntervalMs);
    const { reconnect } = settings;
    this.reconnector = new Reconnector(reconnect && new ReconnectPolicy(reconnect), {
      open: () => this.openSocket(),
      resume: (socket) => this.resume(socket),
      attempting: (change) => {
        this.currentState = 'reconnecting';
        this.events.emit('state', { state: 'reconnecting', ...change });
      },
      gaveUp: (reason) => this.finish(reason),
      discard: (socket) => socket.close(),
    });
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** Opens the first connection; it is not retried, so that a wrong URL fails at once. */
  async open(): Promise<void> {
    let socket: WebSocketLike;
    try {
      socket = await this.openSocket();
    } catch (error) {
      this.finish(toClientError(error));
      throw error;
    }
    this.attach(socket);
    this.setOpen(false);
  }

  /** Makes a request, sent as soon as its kind may go; rejects at once with `CLOSED` when closed. */
  request<T extends ServerFrame>(
    kind: RequestKind,
    frame: ClientFrame,
    answers: (frame: ServerFrame) => boolean,
  ): Promise<T> {
    if (this.currentState === 'closed') {
      return Promise.reject(new ChatClientError('CLOSED', 'The session is closed.'));
    }
    const answered = this.pending.add<T>(kind, frame, answers);
    this.flush();
    return answered;
  }

  /**
   * Sends a frame that has no answer (`read`, `typing`) now, if the connection is open: such notices are not
   * worth sending late. Answers whether it went out; an error frame about it comes as an `error` event.
   */
  notify(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (this.currentState !== 'open' || this.rejoining || socket?.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Resolves at the next `pong`. */
  ping(): Promise<PongFrame> {
    return this.request<PongFrame>('user', { action: 'ping' }, (frame) => frame.type === 'pong');
  }

  /** Closes the socket, stops reconnecting and fails what still waits with `CLOSED`. */
  async close(): Promise<void> {
    this.closing = true;
    this.reconnector.stop();
    if (this.socket !== undefined) await closeSocket(this.socket, CLOSE_GRACE_MS);
    this.finish(undefined);
  }

  /** Sends every request that has not gone out on the current connection and may go now. */
  private flush(): void {
    const socket = this.socket;
    if (socket?.readyState !== OPEN) return;
    const ready = this.currentState === 'open' && !this.rejoining;
    this.pending.sendDue(
      (kind) => kind === 'rejoin' || ready,
      (frame) => socket.send(JSON.stringify(frame)),
    );
  }

  /**
   * Opens a socket with a fresh ticket (`POST /auth/ws-ticket`, which renews an expired access token itself).
   * The ticket's answer is the one place the client learns why it may not connect: a 401 there (the session
   * ended, the token cannot be renewed) becomes `HandshakeError` 401, and `QUOTA_EXCEEDED` (as many connections
   * open as allowed) `HandshakeError` 429, the handshake's own answer to it; both end reconnecting.
   */
  private async openSocket(): Promise<WebSocketLike> {
    const { url, auth, requestTimeoutMs } = this.settings;
    let ticket: string;
    try {
      ticket = (await auth.wsTicket()).ticket;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw new HandshakeError(url, 401);
      if (error instanceof ApiError && error.code === 'QUOTA_EXCEEDED') throw new HandshakeError(url, 429);
      throw error;
    }
    this.webSocketClass ??= this.settings.WebSocket ?? (await platformWebSocket());
    return openSocket(this.webSocketClass, url, ticket, requestTimeoutMs);
  }

  /**
   * Ends a connection that is no longer usable and reports it dropped now: the standard WebSocket has no
   * `terminate()`, and the close of a dead connection may take the platform a long while to notice.
   */
  private abandon(socket: WebSocketLike, reason: string): void {
    socket.close();
    this.onClose(socket, 1006, reason);
  }

  private attach(socket: WebSocketLike): void {
    this.socket = socket;
    // An abandoned socket may still deliver frames until the platform ends it: only the current one is heard.
    socket.addEventListener('message', (event) => {
      if (socket === this.socket) this.onFrame(event.data);
    });
    // 'close' always follows 'error' (and `ws` throws an 'error' nobody listens to): the close handler decides.
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => this.onClose(socket, event.code, event.reason));
  }

  private onFrame(data: unknown): void {
    const frame = parseServerFrame(data);
    if (frame === undefined) return;
    // A repeated delivery of a message (at least once, in large rooms) is not an event of its own.
    if (frame.type === 'message' && !this.recentMessages.add(frame.messageId)) return;
    this.presence.apply(frame);
    this.events.emit('frame', frame);
    this.events.emit(frame.type, frame);
    this.pending.settle(frame);
  }

  private setOpen(reconnected: boolean): void {
    this.currentState = 'open';
    this.reconnector.connected();
    const socket = this.socket;
    // Unanswered, the connection is dead without having said so (a NAT forgot it): ending it starts a new one.
    this.keepAlive.start(
      () => this.ping(),
      () => {
        if (socket !== undefined && socket === this.socket) this.abandon(socket, 'no answer to a ping');
      },
    );
    this.events.emit('state', { state: 'open', reconnected });
    this.flush();
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.rejoining = false;
    this.keepAlive.stop();
    const dropped = new DisconnectedError(this.settings.url, code, reason);
    this.pending.connectionLost(dropped);
    if (this.closing || this.currentState === 'closed') return;
    this.reconnector.dropped(dropped);
  }

  /**
   * Takes a new connection into use: the rooms are joined again first (those that no longer exist, or that
   * ban this user, are dropped), then the session is open. It stops short when the connection is no longer usable (it dropped,
   * or a join failed and it was ended to start over): its close then schedules the next attempt.
   */
  private async resume(socket: WebSocketLike): Promise<void> {
    this.attach(socket);
    this.rejoining = true;
    for (const room of [...this.presence.rooms]) {
      try {
        await this.request('rejoin', { action: 'join', room }, (frame) => isJoined(frame, room));
      } catch (error) {
        if (socket !== this.socket) return; // It dropped again; onClose has scheduled the next attempt.
        // Gone, or banned while the connection was down: retrying would be refused the same way forever.
        if (isChatClientError(error) && (error.code === 'ROOM_NOT_FOUND' || error.code === 'BANNED')) {
          this.presence.forget(room);
          continue;
        }
        // No answer, or the server failed: start over on a fresh connection.
        this.abandon(socket, 'a room could not be joined again');
        return;
      }
    }
    if (socket !== this.socket) return;
    this.rejoining = false;
    this.setOpen(true);
  }

  /** The end: no more reconnects; waiting requests fail with `reason` (or `CLOSED`). */
  private finish(reason: ChatClientError | undefined): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.closing = true;
    this.reconnector.stop();
    this.keepAlive.stop();
    this.pending.failAll(reason ?? new ChatClientError('CLOSED', 'The session was closed.'));
    this.events.emit('state', reason === undefined ? { state: 'closed' } : { state: 'closed', reason });
  }
}

/** Whether `frame` is the `joined` of `room`. */
export function isJoined(frame: ServerFrame, room: string): boolean {
  return frame.type === 'joined' && frame.room === room;
}
