/**
 * The objects and frames of the public contract (PROTOCOL.md), as a client sees them. Written from the contract
 * alone: nothing here is imported from the server, so the client keeps working against any deployment that
 * speaks the contract.
 */

/** A user as its owner sees it (`GET /auth/me`, `POST /auth/register`). */
export interface User {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
}

export interface Room {
  readonly name: string;
  readonly createdBy: string;
  /** ISO 8601 UTC with milliseconds. */
  readonly createdAt: string;
}

interface MessageFields {
  /** Sorts in send order (a ULID or equivalent). */
  readonly messageId: string;
  /** The sender's username. */
  readonly from: string;
  readonly text: string;
  /** ISO 8601 UTC with milliseconds. */
  readonly sentAt: string;
  readonly clientMessageId?: string;
}

export interface RoomMessage extends MessageFields {
  readonly room: string;
  readonly conversationId?: undefined;
}

export interface ConversationMessage extends MessageFields {
  readonly conversationId: string;
  readonly room?: undefined;
}

/** A message of a room or of a conversation: `message.room !== undefined` tells which. */
export type Message = RoomMessage | ConversationMessage;

export interface Conversation {
  readonly conversationId: string;
  /** The two usernames, sorted. */
  readonly participants: readonly [string, string];
  readonly createdAt: string;
  readonly lastMessage: ConversationMessage | null;
}

/** A conversation in `GET /conversations`: it also names the other participant. */
export interface ConversationSummary extends Conversation {
  readonly peer: string;
}

/** One page of a paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** `POST /auth/login`. */
export interface LoginResult {
  readonly token: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  readonly user: { readonly userId: string; readonly username: string };
}

/** Options of a message send, over HTTP or WebSocket. */
export interface SendOptions {
  /**
   * 1..64 characters of `A-Za-z0-9_-`. The same id from the same user to the same place gives back the first
   * message: a retry never stores or delivers twice. The WebSocket session makes one up when absent.
   */
  readonly clientMessageId?: string;
}

/** A validation problem of a `400 VALIDATION_FAILED`. */
export interface ErrorDetail {
  readonly field: string;
  readonly problem: string;
}

// --- WebSocket frames -------------------------------------------------------------------------------------

export type ClientFrame =
  | { readonly action: 'join'; readonly room: string }
  | { readonly action: 'leave'; readonly room: string }
  | {
      readonly action: 'message';
      readonly room: string;
      readonly text: string;
      readonly clientMessageId?: string;
    }
  | {
      readonly action: 'message';
      readonly conversationId: string;
      readonly text: string;
      readonly clientMessageId?: string;
    }
  | { readonly action: 'ping' };

export interface JoinedFrame {
  readonly type: 'joined';
  readonly room: string;
  /** The username of this connection. */
  readonly username: string;
  /** Usernames in the room, sorted and unique, this one included. */
  readonly members: readonly string[];
}

export interface UserJoinedFrame {
  readonly type: 'user_joined';
  readonly room: string;
  readonly username: string;
}

export interface LeftFrame {
  readonly type: 'left';
  readonly room: string;
}

export interface UserLeftFrame {
  readonly type: 'user_left';
  readonly room: string;
  readonly username: string;
}

export type MessageFrame = { readonly type: 'message' } & Message;

export interface AckFrame {
  readonly type: 'ack';
  readonly messageId: string;
  readonly sentAt: string;
  readonly clientMessageId?: string;
}

export interface PongFrame {
  readonly type: 'pong';
}

/** Socket error codes of the contract; a newer server may send others. */
export type SocketErrorCode =
  | 'INVALID_MESSAGE'
  | 'UNKNOWN_ACTION'
  | 'ROOM_NOT_FOUND'
  | 'NOT_IN_ROOM'
  | 'CONVERSATION_NOT_FOUND'
  | 'INTERNAL';

export interface ErrorFrame {
  readonly type: 'error';
  readonly code: SocketErrorCode | (string & {});
  readonly message: string;
  /** The action of the frame that failed, when it had one. */
  readonly action?: string;
  readonly clientMessageId?: string;
}

export type ServerFrame =
  | JoinedFrame
  | UserJoinedFrame
  | LeftFrame
  | UserLeftFrame
  | MessageFrame
  | AckFrame
  | PongFrame
  | ErrorFrame;

export type ServerFrameType = ServerFrame['type'];
