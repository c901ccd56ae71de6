/**
 * The WebSocket half of the contract: one connection that stays up. It sends frames, matches the server's
 * answers to them (`joined`, `left`, `ack`, `pong` or an `error`), keeps the connection from idling out, and
 * reconnects with backoff when it drops, re-joining its rooms and re-sending what was not acknowledged.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  ChatClientError,
  DisconnectedError,
  HandshakeError,
  isChatClientError,
  networkReason,
  SocketFrameError,
  TimeoutError,
  UnreachableError,
} from './errors.ts';
import type {
  AckFrame,
  ClientFrame,
  ErrorFrame,
  JoinedFrame,
  LeftFrame,
  MessageFrame,
  PongFrame,
  SendOptions,
  ServerFrame,
  UserJoinedFrame,
  UserLeftFrame,
} from './types.ts';

export type SessionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the `state` event reports. A `reconnecting` change is reported before every attempt. */
export type StateChange =
  | { readonly state: 'connecting' }
  /** `reconnected`: this is a new connection, and the rooms have already been re-joined on it. */
  | { readonly state: 'open'; readonly reconnected: boolean }
  | {
      readonly state: 'reconnecting';
      /** 1 for the first attempt after a drop. */
      readonly attempt: number;
      /** How long the session waits before this attempt. */
      readonly delayMs: number;
      /** Why the previous connection or attempt ended. */
      readonly reason: ChatClientError;
    }
  /** `reason` is absent when `close()` was called; otherwise it says why the session gave up. */
  | { readonly state: 'closed'; readonly reason?: ChatClientError };

/** The events of a session: one per server frame type, `frame` for every frame, `state` for the connection. */
export interface SessionEvents {
  readonly joined: JoinedFrame;
  readonly user_joined: UserJoinedFrame;
  readonly left: LeftFrame;
  readonly user_left: UserLeftFrame;
  readonly message: MessageFrame;
  readonly ack: AckFrame;
  readonly pong: PongFrame;
  /** An error frame from the server (also delivered as the rejection of the request it answers). */
  readonly error: ErrorFrame;
  readonly frame: ServerFrame;
  readonly state: StateChange;
}

export type SessionEventName = keyof SessionEvents;
export type Listener<K extends SessionEventName> = (event: SessionEvents[K]) => void;

export interface ReconnectOptions {
  /** The first delay; each failed attempt doubles it. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Default 30 s. */
  readonly maxDelayMs?: number;
  /** Attempts after one drop before giving up (state `closed`). Default: no limit. */
  readonly maxAttempts?: number;
}

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

/**
 * `user` requests go out in order once the session is open; `rejoin` requests are the session's own joins
 * after a reconnect, which go first; `message`s wait until the rooms are re-joined.
 */
type RequestKind = 'user' | 'rejoin' | 'message';

interface PendingRequest {
  readonly kind: RequestKind;
  readonly frame: ClientFrame;
  /** Whether a server frame answers this request (an `error` frame rejects it). */
  readonly answers: (frame: ServerFrame) => boolean;
  readonly resolve: (frame: ServerFrame) => void;
  readonly reject: (error: ChatClientError) => void;
  readonly timer: NodeJS.Timeout;
  /** Resolves when the request has settled either way; `drain()` waits on it. */
  readonly settled: Promise<void>;
  /** Sent on the current connection; cleared when it drops, so that the request goes again on the next. */
  sent: boolean;
}

const DEFAULT_PING_INTERVAL_MS = 5 * 60 * 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT = { initialDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY };
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** API Gateway's WebSocket frame limit. */
const MAX_FRAME_BYTES = 128 * 1024;
/** How long `close()` waits for the server to answer the close frame before dropping the socket. */
const CLOSE_GRACE_MS = 2_000;

/** Room names are lower-cased by the server; the session matches its answers on the same form. */
function roomKey(room: string): string {
  return room.toLowerCase();
}

/** 16 characters of `A-Za-z0-9_-`, as the contract allows for a clientMessageId. */
export function newClientMessageId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * A WebSocket session of one signed-in user.
 *
 * ```ts
 * const session = await ChatSession.connect({ url: 'ws://127.0.0.1:3001', token });
 * session.on('message', (message) => console.log(`${message.from}: ${message.text}`));
 * await session.join('general');
 * await session.sendToRoom('general', 'hello');   // resolves with the ack
 * await session.close();
 * ```
 */
export class ChatSession {
  readonly url: string;
  private readonly token: string;
  private readonly pingIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly reconnectOptions: Required<ReconnectOptions> | false;

  private currentState: SessionState = 'connecting';
  private socket: WebSocket | undefined;
  /** Set while a new connection re-joins the rooms: only `rejoin` requests go out meanwhile. */
  private rejoining = false;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /** In the order they were made, which is the order they are sent in. */
  private readonly pending = new Set<PendingRequest>();
  /** join and leave go one at a time, so that an error frame (which does not name the room) is unambiguous. */
  private controlQueue: Promise<unknown> = Promise.resolve();
  private readonly joinedRooms = new Set<string>();
  private readonly presence = new Map<string, Set<string>>();
  private readonly listeners = new Map<SessionEventName, Set<(event: never) => void>>();
  private closed: Promise<void> | undefined;

  private constructor(options: ChatSessionOptions) {
    this.url = options.url;
    this.token = options.token;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.reconnectOptions =
      options.reconnect === false ? false : { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  /**
   * Opens a session. Rejects with `HandshakeError` (code `UNAUTHORIZED` for a bad token), `UnreachableError`
   * or `TimeoutError`; the first connection is not retried, so that a wrong URL fails at once.
   */
  static async connect(options: ChatSessionOptions): Promise<ChatSession> {
    const session = new ChatSession(options);
    let socket: WebSocket;
    try {
      socket = await session.openSocket();
    } catch (error) {
      session.finish(toClientError(error));
      throw error;
    }
    session.attach(socket);
    session.setOpen(false);
    return session;
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The rooms this session is in; they are re-joined after a reconnect. */
  get rooms(): ReadonlySet<string> {
    return this.joinedRooms;
  }

  /**
   * Who is in a room this session has joined, sorted: the `members` of `joined`, kept up to date with
   * `user_joined` and `user_left`. Empty for a room the session is not in.
   */
  members(room: string): string[] {
    return [...(this.presence.get(roomKey(room)) ?? [])].sort();
  }

  // --- events ---

  /** Adds a listener; returns a function that removes it. */
  on<K extends SessionEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends SessionEventName>(event: K, listener: Listener<K>): void {
    this.listeners.get(event)?.delete(listener as (event: never) => void);
  }

  /**
   * The next `event` (after this call) that satisfies `predicate`. Rejects with `TIMEOUT` after `timeoutMs`
   * (default: the request timeout) and with `CLOSED` if the session closes first.
   */
  waitFor<K extends SessionEventName>(
    event: K,
    predicate: (event: SessionEvents[K]) => boolean = () => true,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<SessionEvents[K]> {
    return new Promise((resolve, reject) => {
      if (this.currentState === 'closed' && event !== 'state') {
        reject(new ChatClientError('CLOSED', 'The session is closed.'));
        return;
      }
      const cleanup = () => {
        clearTimeout(timer);
        removeEvent();
        removeClose();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`a ${event} event`, timeoutMs));
      }, timeoutMs);
      const removeEvent = this.on(event, (value) => {
        if (!predicate(value)) return;
        cleanup();
        resolve(value);
      });
      const removeClose = this.on('state', (change) => {
        if (change.state !== 'closed' || event === 'state') return;
        cleanup();
        reject(change.reason ?? new ChatClientError('CLOSED', 'The session was closed.'));
      });
    });
  }

  private emit<K extends SessionEventName>(event: K, value: SessionEvents[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as Listener<K>)(value);
  }

  // --- requests ---

  /** Joins a room; resolves with `joined` (its `members` included), rejects with e.g. `ROOM_NOT_FOUND`. */
  join(room: string): Promise<JoinedFrame> {
    const key = roomKey(room);
    return this.control(() =>
      this.request<JoinedFrame>(
        'user',
        { action: 'join', room: key },
        (frame) => frame.type === 'joined' && frame.room === key,
      ),
    );
  }

  /** Leaves a room; it is no longer re-joined after a reconnect. */
  leave(room: string): Promise<LeftFrame> {
    const key = roomKey(room);
    return this.control(() =>
      this.request<LeftFrame>(
        'user',
        { action: 'leave', room: key },
        (frame) => frame.type === 'left' && frame.room === key,
      ),
    );
  }

  /**
   * Sends a message to a room this session has joined; resolves with the `ack` (its `messageId` and
   * `sentAt`). While the session reconnects the message waits, and is sent again (safely, under the same
   * clientMessageId) if the connection dropped before the ack came.
   */
  sendToRoom(room: string, text: string, options: SendOptions = {}): Promise<AckFrame> {
    return this.sendMessage({ room: roomKey(room) }, text, options);
  }

  /** Sends a direct message; both participants' other connections receive it. */
  sendToConversation(conversationId: string, text: string, options: SendOptions = {}): Promise<AckFrame> {
    return this.sendMessage({ conversationId }, text, options);
  }

  private sendMessage(
    target: { room: string } | { conversationId: string },
    text: string,
    options: SendOptions,
  ): Promise<AckFrame> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    // The server would not echo a malformed id, so its error could not be matched: refuse it here.
    if (!CLIENT_MESSAGE_ID.test(clientMessageId)) {
      return Promise.reject(
        new ChatClientError(
          'INVALID_MESSAGE',
          'clientMessageId must be 1 to 64 of A-Z, a-z, 0-9, "_" and "-".',
        ),
      );
    }
    const frame: ClientFrame = { action: 'message', ...target, text, clientMessageId };
    // A frame over the gateway's limit closes the connection (1009); re-sent after the reconnect, it would
    // close the next one too.
    if (Buffer.byteLength(JSON.stringify(frame)) > MAX_FRAME_BYTES) {
      return Promise.reject(
        new ChatClientError(
          'INVALID_MESSAGE',
          'The message is larger than the 128 KB a WebSocket frame may carry.',
        ),
      );
    }
    return this.request<AckFrame>(
      'message',
      frame,
      (reply) => reply.type === 'ack' && reply.clientMessageId === clientMessageId,
    );
  }

  /** Resolves at the next `pong`. */
  ping(): Promise<PongFrame> {
    return this.request<PongFrame>('user', { action: 'ping' }, (frame) => frame.type === 'pong');
  }

  /** Waits until every request made so far has been answered, has failed or has timed out. */
  async drain(): Promise<void> {
    await Promise.all([...this.pending].map((request) => request.settled));
  }

  /**
   * Closes the connection (the server then tells the rooms this user left) and stops reconnecting; requests
   * still waiting fail with `CLOSED`. Call `drain()` first to let them finish.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      else socket.terminate();
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        socketClosed,
        new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS))),
      ]);
      clearTimeout(grace);
      socket.terminate();
    }
    this.finish(undefined);
  }

  private control<T>(run: () => Promise<T>): Promise<T> {
    const result = this.controlQueue.then(run, run);
    this.controlQueue = result.catch(() => {});
    return result;
  }

  private request<T extends ServerFrame>(
    kind: RequestKind,
    frame: ClientFrame,
    answers: (frame: ServerFrame) => boolean,
  ): Promise<T> {
    if (this.currentState === 'closed') {
      return Promise.reject(new ChatClientError('CLOSED', 'The session is closed.'));
    }
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    return new Promise<T>((resolve, reject) => {
      const request: PendingRequest = {
        kind,
        frame,
        // An error frame answers a message by its clientMessageId, and the one join or leave under way by
        // its action (they go one at a time).
        answers: (reply) =>
          answers(reply) ||
          (reply.type === 'error' &&
            ('clientMessageId' in frame
              ? reply.clientMessageId === frame.clientMessageId
              : reply.action === frame.action && reply.clientMessageId === undefined)),
        resolve: (reply) => {
          this.forget(request);
          settle();
          resolve(reply as T);
        },
        reject: (error) => {
          this.forget(request);
          settle();
          reject(error);
        },
        timer: setTimeout(
          () => request.reject(new TimeoutError(describe(frame), this.requestTimeoutMs)),
          this.requestTimeoutMs,
        ),
        settled,
        sent: false,
      };
      this.pending.add(request);
      this.flush();
    });
  }

  private forget(request: PendingRequest): void {
    clearTimeout(request.timer);
    this.pending.delete(request);
  }

  private canSend(kind: RequestKind): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    if (kind === 'rejoin') return true;
    return this.currentState === 'open' && !this.rejoining;
  }

  /** Sends, in order, every request that has not gone out on the current connection and may go now. */
  private flush(): void {
    for (const request of this.pending) {
      if (request.sent || !this.canSend(request.kind)) continue;
      request.sent = true;
      this.socket?.send(JSON.stringify(request.frame));
    }
  }

  // --- frames ---

  private onFrame(data: WebSocket.RawData): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data.toString()) as ServerFrame;
    } catch {
      return;
    }
    // API Gateway's own frames (`{"message":"Internal server error"}`) have no type: not the contract's.
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    this.track(frame);
    this.emit('frame', frame);
    this.emitTyped(frame);
    for (const request of [...this.pending]) {
      if (!request.sent || !request.answers(frame)) continue;
      if (frame.type === 'error') {
        request.reject(new SocketFrameError(frame.code, frame.message, frame.action, frame.clientMessageId));
      } else {
        request.resolve(frame);
      }
    }
  }

  /** Keeps the rooms and who is in them. */
  private track(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        this.joinedRooms.add(frame.room);
        this.presence.set(frame.room, new Set(frame.members));
        break;
      case 'left':
        this.joinedRooms.delete(frame.room);
        this.presence.delete(frame.room);
        break;
      case 'user_joined':
        this.presence.get(frame.room)?.add(frame.username);
        break;
      case 'user_left':
        this.presence.get(frame.room)?.delete(frame.username);
        break;
    }
  }

  private emitTyped(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        this.emit('joined', frame);
        break;
      case 'user_joined':
        this.emit('user_joined', frame);
        break;
      case 'left':
        this.emit('left', frame);
        break;
      case 'user_left':
        this.emit('user_left', frame);
        break;
      case 'message':
        this.emit('message', frame);
        break;
      case 'ack':
        this.emit('ack', frame);
        break;
      case 'pong':
        this.emit('pong', frame);
        break;
      case 'error':
        this.emit('error', frame);
        break;
    }
  }

  // --- connection ---

  /** Opens a WebSocket; rejects with a `ChatClientError` that says why not. */
  private openSocket(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      // The token goes in a header rather than the query string, where access logs would keep it.
      const socket = new WebSocket(this.url, {
        headers: { authorization: `Bearer ${this.token}` },
        handshakeTimeout: this.requestTimeoutMs,
      });
      let failure: ChatClientError | undefined;
      socket.on('unexpected-response', (_request, response) => {
        failure = new HandshakeError(this.url, response.statusCode ?? 0);
        response.resume();
        // Aborts the handshake; ws then emits 'error' and 'close'.
        socket.terminate();
      });
      socket.on('error', (error) => {
        failure ??= /timed out/i.test(error.message)
          ? new TimeoutError(`the WebSocket handshake with ${this.url}`, this.requestTimeoutMs)
          : new UnreachableError(this.url, networkReason(error), { cause: error });
      });
      socket.once('close', () => reject(failure ?? new UnreachableError(this.url, 'the connection closed')));
      socket.once('open', () => {
        socket.removeAllListeners();
        resolve(socket);
      });
    });
  }

  private attach(socket: WebSocket): void {
    this.socket = socket;
    socket.on('message', (data) => this.onFrame(data));
    // 'close' always follows 'error'; the close handler decides what happens next.
    socket.on('error', () => {});
    socket.on('close', (code, reason) => this.onClose(socket, code, reason.toString('utf8')));
  }

  private setOpen(reconnected: boolean): void {
    this.currentState = 'open';
    this.attempt = 0;
    this.startKeepAlive();
    this.emit('state', { state: 'open', reconnected });
    this.flush();
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.rejoining = false;
    this.stopKeepAlive();
    const dropped = new DisconnectedError(this.url, code, reason);
    for (const request of [...this.pending]) {
      // The session's own re-joins start over on the next connection; everything else is sent again there.
      if (request.kind === 'rejoin') request.reject(dropped);
      else request.sent = false;
    }
    if (this.closing || this.currentState === 'closed') return;
    if (this.reconnectOptions === false) {
      this.finish(dropped);
      return;
    }
    this.scheduleReconnect(dropped);
  }

  private scheduleReconnect(reason: ChatClientError): void {
    const options = this.reconnectOptions;
    if (options === false) return;
    if (this.attempt >= options.maxAttempts) {
      this.finish(reason);
      return;
    }
    this.attempt += 1;
    // Exponential backoff with jitter: half the delay is fixed, half random, so that clients dropped together
    // (a deployment, a network blip) do not all come back at the same instant.
    const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (this.attempt - 1));
    const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.currentState = 'reconnecting';
    this.emit('state', { state: 'reconnecting', attempt: this.attempt, delayMs, reason });
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delayMs);
  }

  private async reconnect(): Promise<void> {
    let socket: WebSocket;
    try {
      socket = await this.openSocket();
    } catch (error) {
      if (this.closing) return;
      const reason = toClientError(error);
      // A refused token will be refused again: give up rather than hammer the server.
      if (reason instanceof HandshakeError && reason.status === 401) this.finish(reason);
      else this.scheduleReconnect(reason);
      return;
    }
    if (this.closing) {
      socket.terminate();
      return;
    }
    this.attach(socket);
    this.rejoining = true;
    for (const room of [...this.joinedRooms]) {
      try {
        await this.request(
          'rejoin',
          { action: 'join', room },
          (frame) => frame.type === 'joined' && frame.room === room,
        );
      } catch (error) {
        if (socket !== this.socket) return; // It dropped again; onClose has scheduled the next attempt.
        if (isChatClientError(error) && error.code === 'ROOM_NOT_FOUND') {
          this.joinedRooms.delete(room);
          this.presence.delete(room);
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

  private startKeepAlive(): void {
    this.stopKeepAlive();
    if (this.pingIntervalMs <= 0) return;
    this.keepAliveTimer = setInterval(() => {
      const socket = this.socket;
      this.ping().catch((error: unknown) => {
        // Unanswered: the connection is dead without having said so (a NAT dropped it); start a new one.
        if (isChatClientError(error) && error.code === 'TIMEOUT' && socket === this.socket)
          socket?.terminate();
      });
    }, this.pingIntervalMs);
    // The keep-alive alone never keeps a process running.
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /** The end: no more reconnects; waiting requests fail with `reason` (or `CLOSED`). */
  private finish(reason: ChatClientError | undefined): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.stopKeepAlive();
    const failure = reason ?? new ChatClientError('CLOSED', 'The session was closed.');
    for (const request of [...this.pending]) request.reject(failure);
    this.emit('state', reason === undefined ? { state: 'closed' } : { state: 'closed', reason });
  }
}

function toClientError(error: unknown): ChatClientError {
  return isChatClientError(error)
    ? error
    : new ChatClientError('UNREACHABLE', error instanceof Error ? error.message : String(error));
}

function describe(frame: ClientFrame): string {
  switch (frame.action) {
    case 'join':
      return `joining ${frame.room}`;
    case 'leave':
      return `leaving ${frame.room}`;
    case 'ping':
      return 'a ping';
    case 'message':
      return 'room' in frame ? `a message to ${frame.room}` : 'a direct message';
  }
}
