/**
 * The objects and frames of the public contract as a client sees them, derived from the contract module
 * (lib/contract) by type only: nothing of the server is imported, and no schema code reaches a client bundle
 * through this file. Where a client wants a narrower type than the wire's (a message of a room has no
 * `conversationId`), it is written here from the contract's types.
 */
import type * as contract from '../contract/index.ts';

export type {
  Block,
  Device,
  ErrorDetail,
  Invitation,
  MyRoom,
  PresentUser,
  PushPayload,
  PushPlatform,
  Room,
  RoomBan,
  RoomMember,
  RoomMute,
  RoomRole,
  ServerFrameType,
  SocketErrorCode,
  User,
  Visibility,
} from '../contract/index.ts';

type WireMessage = contract.Message;

/** The roles the owner may give (`PATCH /rooms/{name}/members/{username}`): the owner's own never changes. */
export type AssignableRole = Exclude<contract.RoomRole, 'owner'>;

export type RoomMessage = Omit<WireMessage, 'room' | 'conversationId'> & {
  readonly room: string;
  readonly conversationId?: undefined;
};

export type ConversationMessage = Omit<WireMessage, 'room' | 'conversationId'> & {
  readonly conversationId: string;
  readonly room?: undefined;
};

/** A message of a room or of a conversation: `message.room !== undefined` tells which. */
export type Message = RoomMessage | ConversationMessage;

/** A room or a conversation: where a message is, or is sent. */
export type MessageTarget = { readonly room: string } | { readonly conversationId: string };

export type Conversation = Omit<contract.Conversation, 'lastMessage' | 'participants'> & {
  /** The usernames, sorted case-insensitively: the two of a direct conversation, or a group's participants. */
  readonly participants: readonly string[];
  readonly lastMessage: ConversationMessage | null;
};

/** A conversation in `GET /conversations`: it also names the other participant, and gives your read state. */
export type ConversationSummary = Conversation &
  Pick<contract.ConversationSummary, 'peer' | 'unreadCount' | 'lastReadMessageId'>;

/** One page of a paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** `POST /auth/login`, `POST /auth/refresh` and `POST /auth/password`. */
export type LoginResult = contract.LoginResult;

/** A page of `GET /auth/me/export`. */
export type AccountExport = contract.AccountExport;

/** `POST /auth/ws-ticket`. */
export type WebSocketTicket = contract.WebSocketTicket;

/** Options of a message send, over HTTP or WebSocket. */
export interface SendOptions {
  /**
   * 1..64 characters of `A-Za-z0-9_-`. The same id from the same user to the same place gives back the first
   * message: a retry never stores or delivers twice. The WebSocket session makes one up when absent.
   */
  readonly clientMessageId?: string;
  /** The id of a message of the same room or conversation that this one answers. */
  readonly replyTo?: string;
}

// --- WebSocket frames -------------------------------------------------------------------------------------

/** A client frame: `action` plus that action's fields. */
export type ClientFrame = {
  // An action without fields (`ping`) infers as `Record<string, never>`, which no frame with `action` matches.
  [Action in contract.SocketAction]: string extends keyof contract.ActionFrame<Action>
    ? { readonly action: Action }
    : { readonly action: Action } & contract.ActionFrame<Action>;
}[contract.SocketAction];

export type JoinedFrame = contract.ServerFrameOf<'joined'>;
export type UserJoinedFrame = contract.ServerFrameOf<'user_joined'>;
export type LeftFrame = contract.ServerFrameOf<'left'>;
export type UserLeftFrame = contract.ServerFrameOf<'user_left'>;
export type MessageFrame = { readonly type: 'message' } & Message;
export type AckFrame = contract.ServerFrameOf<'ack'>;
export type PongFrame = contract.ServerFrameOf<'pong'>;
/** A message was edited: the whole message, as it is now (with `editedAt`). */
export type MessageUpdatedFrame = { readonly type: 'message_updated' } & Message;
/** A message was deleted: history shows its tombstone. */
export type MessageDeletedFrame = contract.ServerFrameOf<'message_deleted'>;
/** Someone reacted to a message (`added`), or took their reaction back. */
export type ReactionFrame = contract.ServerFrameOf<'reaction'>;
/** One emoji's reactions to a message, in history. */
export type Reaction = contract.Reaction;
/** This user was invited to a room: accept with `ChatApi.joinRoom(room)`. */
export type InvitedFrame = contract.ServerFrameOf<'invited'>;
/** This user was kicked or banned from a room by `by`: the session no longer is in it. */
export type RemovedFrame = contract.ServerFrameOf<'removed'>;
/** A room this session was in was deleted by its owner: the session no longer is in it. */
export type RoomDeletedFrame = contract.ServerFrameOf<'room_deleted'>;

/** A participant of a conversation marked it read up to `messageId` (a read receipt). */
export type ReadFrame = contract.ServerFrameOf<'read'>;
/** Someone is typing in a room or conversation (at most one every 2 seconds per user and place). */
export type TypingFrame = contract.ServerFrameOf<'typing'>;
export type ParticipantAddedFrame = contract.ServerFrameOf<'participant_added'>;
export type ParticipantLeftFrame = contract.ServerFrameOf<'participant_left'>;

/** An error frame; a newer server may send codes this client does not know yet. */
export type ErrorFrame = Omit<contract.ServerFrameOf<'error'>, 'code'> & {
  readonly code: contract.SocketErrorCode | (string & {});
};

export type ServerFrame =
  | JoinedFrame
  | UserJoinedFrame
  | LeftFrame
  | UserLeftFrame
  | MessageFrame
  | AckFrame
  | PongFrame
  | InvitedFrame
  | RemovedFrame
  | RoomDeletedFrame
  | MessageUpdatedFrame
  | MessageDeletedFrame
  | ReactionFrame
  | ReadFrame
  | TypingFrame
  | ParticipantAddedFrame
  | ParticipantLeftFrame
  | ErrorFrame;
