/**
 * The WebSocket half of the contract: one connection that stays up. It sends frames, matches the server's
 * answers to them (`joined`, `left`, `ack`, `pong` or an `error`), keeps the connection from idling out, and
 * reconnects with backoff when it drops, re-joining its rooms and re-sending what was not acknowledged.
 *
 * This class is the API; the jobs live in their own modules: `SessionConnection` (the socket, reconnecting
 * and keep-alive), `PendingRequests` (answers and time limits), `RoomPresence` (rooms and members) and
 * `TypedEmitter` (events).
 */
import { isJoined, SessionConnection } from './connection.ts';
import { TypedEmitter } from './emitter.ts';
import { ChatClientError } from './errors.ts';
import { type MessageTarget, messageFrame } from './message-frame.ts';
import { PendingRequests, type RequestKind } from './pending-requests.ts';
import { RoomPresence, roomKey } from './presence.ts';
import {
  type SessionEventName,
  type SessionEvents,
  type SessionListener,
  type SessionState,
  waitForEvent,
} from './session-events.ts';
import { type ChatSessionOptions, type SessionSettings, sessionSettings } from './session-options.ts';
import type {
  AckFrame,
  ClientFrame,
  JoinedFrame,
  LeftFrame,
  PongFrame,
  SendOptions,
  ServerFrame,
} from './types.ts';

export type { ChatSessionOptions, TokenSource } from './session-options.ts';

/**
 * A WebSocket session of one signed-in user.
 *
 * ```ts
 * const api = new ChatApi({ baseUrl }).withLogin(await new ChatApi({ baseUrl }).login(username, password));
 * const session = await ChatSession.connect({ url: 'ws://127.0.0.1:3001', auth: api });
 * session.on('message', (message) => console.log(`${message.from}: ${message.text}`));
 * await session.join('general');
 * await session.sendToRoom('general', 'hello');   // resolves with the ack
 * await session.close();
 * ```
 */
export class ChatSession {
  readonly url: string;
  private readonly settings: SessionSettings;
  private readonly events = new TypedEmitter<SessionEvents>();
  private readonly pending: PendingRequests;
  private readonly presence = new RoomPresence();
  private readonly connection: SessionConnection;
  /** join and leave go one at a time, so that an error frame (which does not name the room) is unambiguous. */
  private controlQueue: Promise<unknown> = Promise.resolve();
  private closed: Promise<void> | undefined;

  private constructor(options: ChatSessionOptions) {
    this.settings = sessionSettings(options);
    this.url = this.settings.url;
    this.pending = new PendingRequests(this.settings.requestTimeoutMs);
    this.connection = new SessionConnection(this.settings, {
      events: this.events,
      pending: this.pending,
      presence: this.presence,
    });
  }

  /**
   * Opens a session. Rejects with `HandshakeError` (code `UNAUTHORIZED` for a bad token, `QUOTA_EXCEEDED` at the
   * connection quota), `UnreachableError` or `TimeoutError`; the first connection is not retried, so that a wrong
   * URL fails at once.
   */
  static async connect(options: ChatSessionOptions): Promise<ChatSession> {
    const session = new ChatSession(options);
    await session.connection.open();
    return session;
  }

  get state(): SessionState {
    return this.connection.state;
  }

  /** The rooms this session is in; they are re-joined after a reconnect. */
  get rooms(): ReadonlySet<string> {
    return this.presence.rooms;
  }

  /**
   * Who is in a room this session has joined, sorted: the `members` of `joined`, kept up to date with
   * `user_joined` and `user_left`. Empty for a room the session is not in.
   */
  members(room: string): string[] {
    return this.presence.membersOf(room);
  }

  // --- events ---

  /** Adds a listener; returns a function that removes it. */
  on<K extends SessionEventName>(event: K, listener: SessionListener<K>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends SessionEventName>(event: K, listener: SessionListener<K>): void {
    this.events.off(event, listener);
  }

  /**
   * The next `event` (after this call) that satisfies `predicate`. Rejects with `TIMEOUT` after `timeoutMs`
   * (default: the request timeout) and with `CLOSED` if the session closes first.
   */
  waitFor<K extends SessionEventName>(
    event: K,
    predicate: (event: SessionEvents[K]) => boolean = () => true,
    timeoutMs = this.settings.requestTimeoutMs,
  ): Promise<SessionEvents[K]> {
    if (this.connection.state === 'closed' && event !== 'state') {
      return Promise.reject(new ChatClientError('CLOSED', 'The session is closed.'));
    }
    return waitForEvent(this.events, event, predicate, timeoutMs);
  }

  // --- requests ---

  /** Joins a room; resolves with `joined` (its `members` included), rejects with e.g. `ROOM_NOT_FOUND`. */
  join(room: string): Promise<JoinedFrame> {
    const key = roomKey(room);
    return this.control(() =>
      this.request<JoinedFrame>('user', { action: 'join', room: key }, (frame) => isJoined(frame, key)),
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

  private sendMessage(target: MessageTarget, text: string, options: SendOptions): Promise<AckFrame> {
    let frame: ReturnType<typeof messageFrame>;
    try {
      frame = messageFrame(target, text, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.request<AckFrame>(
      'message',
      frame,
      (reply) => reply.type === 'ack' && reply.clientMessageId === frame.clientMessageId,
    );
  }

  /**
   * Moves this user's read marker of a room (a member's) or conversation forward to `messageId`; in a
   * conversation the other participant gets a `read` event. No answer: sent now when open (answers whether
   * it went out), and a failure comes as an `error` event. `ChatApi.markRead` is the answered way.
   */
  markRead(target: MessageTarget, messageId: string): boolean {
    return this.connection.notify({ action: 'read', ...placeOf(target), messageId });
  }

  /**
   * Tells the others in a joined room, or the other participant of a conversation, that this user is typing.
   * The server relays at most one every 2 seconds per user and place and drops the rest; nothing is stored.
   */
  typing(target: MessageTarget): boolean {
    return this.connection.notify({ action: 'typing', ...placeOf(target) });
  }

  /** Resolves at the next `pong`. */
  ping(): Promise<PongFrame> {
    return this.connection.ping();
  }

  /** Waits until every request made so far has been answered, has failed or has timed out. */
  drain(): Promise<void> {
    return this.pending.drain();
  }

  /**
   * Closes the connection (the server then tells the rooms this user left) and stops reconnecting; requests
   * still waiting fail with `CLOSED`. Call `drain()` first to let them finish.
   */
  close(): Promise<void> {
    this.closed ??= this.connection.close();
    return this.closed;
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
    return this.connection.request<T>(kind, frame, answers);
  }
}

/** A target as a frame names it: a room by its key (lower case). */
function placeOf(target: MessageTarget): { room: string } | { conversationId: string } {
  return 'room' in target ? { room: roomKey(target.room) } : { conversationId: target.conversationId };
}
