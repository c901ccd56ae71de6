/**
 * The connection under a session: one WebSocket at a time. It sends waiting requests when they may go, hands
 * each server frame to the presence, the listeners and the requests, keeps the socket alive, and after a drop
 * opens a new one, re-joins the rooms on it, and only then lets the other requests go again.
 */
import WebSocket from 'ws';
import type { TypedEmitter } from './emitter.ts';
import { ChatClientError, DisconnectedError, HandshakeError, isChatClientError } from './errors.ts';
import { KeepAlive } from './keep-alive.ts';
import type { PendingRequests, RequestKind } from './pending-requests.ts';
import type { RoomPresence } from './presence.ts';
import { ReconnectPolicy } from './reconnect-policy.ts';
import { Reconnector } from './reconnector.ts';
import type { SessionEvents, SessionState } from './session-events.ts';
import type { SessionSettings } from './session-options.ts';
import { closeSocket, openSocket, parseServerFrame, toClientError } from './socket.ts';
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
  private socket: WebSocket | undefined;
  /** Set while a new connection re-joins the rooms: only `rejoin` requests go out meanwhile. */
  private rejoining = false;
  private closing = false;
  private readonly keepAlive: KeepAlive;
  private readonly reconnector: Reconnector<WebSocket>;
  private readonly events: TypedEmitter<SessionEvents>;
  private readonly pending: PendingRequests;
  private readonly presence: RoomPresence;

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
      discard: (socket) => socket.terminate(),
    });
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** Opens the first connection; it is not retried, so that a wrong URL fails at once. */
  async open(): Promise<void> {
    let socket: WebSocket;
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
    if (this.currentState !== 'open' || this.rejoining || socket?.readyState !== WebSocket.OPEN) return false;
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
    if (socket?.readyState !== WebSocket.OPEN) return;
    const ready = this.currentState === 'open' && !this.rejoining;
    this.pending.sendDue(
      (kind) => kind === 'rejoin' || ready,
      (frame) => socket.send(JSON.stringify(frame)),
    );
  }

  /** Opens a socket with the newest token; refused with 401 (it expired), once more with a renewed one. */
  private async openSocket(): Promise<WebSocket> {
    const { url, auth, requestTimeoutMs } = this.settings;
    const token = auth.token ?? '';
    try {
      return await openSocket(url, token, requestTimeoutMs);
    } catch (error) {
      const refused = error instanceof HandshakeError && error.status === 401;
      if (!refused || token === '' || !(await auth.renewToken(token))) throw error;
      return openSocket(url, auth.token ?? '', requestTimeoutMs);
    }
  }

  private attach(socket: WebSocket): void {
    this.socket = socket;
    socket.on('message', (data) => this.onFrame(data));
    // 'close' always follows 'error'; the close handler decides what happens next.
    socket.on('error', () => {});
    socket.on('close', (code, reason) => this.onClose(socket, code, reason.toString('utf8')));
  }

  private onFrame(data: WebSocket.RawData): void {
    const frame = parseServerFrame(data);
    if (frame === undefined) return;
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
        if (socket === this.socket) socket?.terminate();
      },
    );
    this.events.emit('state', { state: 'open', reconnected });
    this.flush();
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
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
  private async resume(socket: WebSocket): Promise<void> {
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
        socket.terminate();
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
