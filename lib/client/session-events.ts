/** What a session reports: its connection state, and one event per server frame type. */
import type { TypedEmitter } from './emitter.ts';
import { ChatClientError, TimeoutError } from './errors.ts';
import type {
  AckFrame,
  ErrorFrame,
  InvitedFrame,
  JoinedFrame,
  LeftFrame,
  MessageDeletedFrame,
  MessageFrame,
  MessageUpdatedFrame,
  ParticipantAddedFrame,
  ParticipantLeftFrame,
  PongFrame,
  ReactionFrame,
  ReadFrame,
  RemovedFrame,
  RoomDeletedFrame,
  ServerFrame,
  TypingFrame,
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

/**
 * One event per server frame type, named after it and carrying that frame. An `error` frame is also delivered
 * as the rejection of the request it answers.
 */
export interface FrameEvents {
  readonly joined: JoinedFrame;
  readonly user_joined: UserJoinedFrame;
  readonly left: LeftFrame;
  readonly user_left: UserLeftFrame;
  readonly message: MessageFrame;
  readonly ack: AckFrame;
  readonly pong: PongFrame;
  readonly invited: InvitedFrame;
  /** Kicked or banned: the room is dropped from the session's rooms (not re-joined on reconnect). */
  readonly removed: RemovedFrame;
  /** Deleted by its owner: the room is dropped from the session's rooms. */
  readonly room_deleted: RoomDeletedFrame;
  readonly message_updated: MessageUpdatedFrame;
  readonly message_deleted: MessageDeletedFrame;
  readonly reaction: ReactionFrame;
  readonly read: ReadFrame;
  readonly typing: TypingFrame;
  /** Someone joined a group you are in, or you were added to one (the frame tells you of the group). */
  readonly participant_added: ParticipantAddedFrame;
  /** Someone left a group you are in, or you left it from another session. */
  readonly participant_left: ParticipantLeftFrame;
  readonly error: ErrorFrame;
}

/** The events of a session: its frame events, `frame` for every frame, `state` for the connection. */
export interface SessionEvents extends FrameEvents {
  readonly frame: ServerFrame;
  readonly state: StateChange;
}

export type SessionEventName = keyof SessionEvents;

/** A listener of one session event. */
export type SessionListener<K extends SessionEventName> = (event: SessionEvents[K]) => void;

/**
 * The next `event` from `events` (after this call) that satisfies `predicate`. Rejects with `TIMEOUT` after
 * `timeoutMs`, and with the session's reason (or `CLOSED`) if a `closed` state change comes first.
 */
export function waitForEvent<K extends SessionEventName>(
  events: TypedEmitter<SessionEvents>,
  event: K,
  predicate: (event: SessionEvents[K]) => boolean,
  timeoutMs: number,
): Promise<SessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      removeEvent();
      removeClose();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new TimeoutError(`a ${event} event`, timeoutMs));
    }, timeoutMs);
    const removeEvent = events.on(event, (value) => {
      if (!predicate(value)) return;
      cleanup();
      resolve(value);
    });
    const removeClose = events.on('state', (change) => {
      if (change.state !== 'closed' || event === 'state') return;
      cleanup();
      reject(change.reason ?? new ChatClientError('CLOSED', 'The session was closed.'));
    });
  });
}
