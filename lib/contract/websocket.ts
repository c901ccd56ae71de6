import * as z from 'zod/mini';
import { socketErrorCodes } from './errors.ts';
import { clientMessageId, conversationId, messageId, messageText, roomName } from './fields.ts';
import { message } from './objects.ts';

/**
 * The WebSocket API: the actions a client sends (routed by API Gateway on `$request.body.action`) and the frames
 * the server sends (each with a `type`). The server parses every frame of an action with its schema.
 */

const roomTarget = z.object({ room: roomName });

/** `message`: to a room this connection joined, or to a conversation of the user; exactly one of the two. */
const messageAction = z
  .object({
    room: z.optional(roomName),
    conversationId: z.optional(conversationId),
    text: messageText,
    clientMessageId: z.optional(clientMessageId),
    replyTo: z.optional(messageId),
  })
  .check(
    z.refine((frame) => (frame.room === undefined) !== (frame.conversationId === undefined), {
      error: 'give either "room" or "conversationId", not both',
      path: ['room'],
    }),
  );

/** Exactly one of a room and a conversation (`read`, `typing`). */
const oneTarget = z.refine<{ room?: string; conversationId?: string }>(
  (frame) => (frame.room === undefined) !== (frame.conversationId === undefined),
  { error: 'give either "room" or "conversationId", not both', path: ['room'] },
);
const readAction = z
  .object({ room: z.optional(roomName), conversationId: z.optional(conversationId), messageId })
  .check(oneTarget);
const typingAction = z
  .object({ room: z.optional(roomName), conversationId: z.optional(conversationId) })
  .check(oneTarget);

/** One client action: the fields of its frame (besides `action`), what it does, what the sender gets back. */
interface ActionSpec {
  readonly frame: z.ZodMiniObject;
  readonly summary: string;
  /** The `type` of the frames the sender receives when it succeeds. */
  readonly replies: readonly ServerFrameType[];
}

export const socketActions = {
  join: {
    frame: roomTarget,
    summary:
      "Join a room: the sender gets `joined`; the room gets `user_joined` when it is the user's first connection in it.",
    replies: ['joined'],
  },
  leave: {
    frame: roomTarget,
    summary:
      "Leave a room: the sender gets `left`; the room gets `user_left` when it was the user's last connection in it.",
    replies: ['left'],
  },
  message: {
    frame: messageAction,
    summary:
      'Send a message to a joined room or to a conversation; the sender gets `ack`, every other connection concerned gets `message`.',
    replies: ['ack'],
  },
  read: {
    frame: readAction,
    summary:
      "Move the user's read marker of a room (a member's) or a conversation forward to `messageId` (never back). No answer; in a conversation, when the marker moved, the other participants' connections get `read`.",
    replies: [],
  },
  typing: {
    frame: typingAction,
    summary:
      "The user is typing in a joined room or in a conversation: the room's other present connections, or the conversation's other participants' connections, get `typing`. Not stored, no answer; at most one per user and target every 2 seconds is relayed, the others are dropped silently.",
    replies: [],
  },
  ping: { frame: z.object({}), summary: 'Keep-alive: the sender gets `pong`.', replies: ['pong'] },
} as const satisfies Record<string, ActionSpec>;

export type SocketAction = keyof typeof socketActions;
export const socketActionNames = Object.keys(socketActions) as SocketAction[];

/** The frame of an action after parsing. */
export type ActionFrame<Action extends SocketAction> = z.output<(typeof socketActions)[Action]['frame']>;

/** The API Gateway route keys of the WebSocket API: the lifecycle routes, the fallback and every action. */
export const socketRouteKeys = ['$connect', '$disconnect', '$default', ...socketActionNames] as const;
export type SocketRouteKey = '$connect' | '$disconnect' | '$default' | SocketAction;

const presence = <Type extends 'user_joined' | 'user_left'>(type: Type) =>
  z.object({ type: z.literal(type), room: z.string(), username: z.string() });

/** Every frame the server sends, by `type`. */
/** A group's participants changed: every participant's connections get it (`by` when someone else did it). */
const participantFrame = <Type extends 'participant_added' | 'participant_left'>(
  type: Type,
  who: string,
  by?: string,
) =>
  z.object({
    type: z.literal(type),
    conversationId: z.string(),
    username: z.string().check(z.meta({ description: who })),
    by: z.optional(
      z.string().check(z.meta({ description: by ?? 'Who did it, when not the user themself.' })),
    ),
  });

export const serverFrames = {
  joined: z.object({
    type: z.literal('joined'),
    room: z.string(),
    username: z.string().check(z.meta({ description: 'The username of this connection.' })),
    members: z.array(z.string()).check(
      z.meta({
        description:
          'Usernames present in the room, sorted without regard to case and unique: all of them, or the first `limits.presenceListMax` (100) when `membersTruncated`.',
      }),
    ),
    memberCount: z.optional(
      z.int().check(
        z.meta({
          description:
            'With `membersTruncated` only: how many users are present in the room (users with a connection in it, this one included; not the room’s persistent members). Otherwise `members` lists them all.',
        }),
      ),
    ),
    membersTruncated: z.optional(
      z.literal(true).check(
        z.meta({
          description:
            'Present when the room has more present users than `members` lists; `GET /rooms/{name}/presence` pages them all. No `user_joined` / `user_left` go out in such a room.',
        }),
      ),
    ),
  }),
  user_joined: presence('user_joined'),
  left: z.object({ type: z.literal('left'), room: z.string() }),
  user_left: presence('user_left'),
  message: z.extend(message, { type: z.literal('message') }),
  ack: z.object({
    type: z.literal('ack'),
    messageId: z.string(),
    sentAt: z.string(),
    clientMessageId: z.optional(z.string()),
  }),
  pong: z.object({ type: z.literal('pong') }),
  message_updated: z.extend(message, { type: z.literal('message_updated') }),
  message_deleted: z.object({
    type: z.literal('message_deleted'),
    messageId: z.string(),
    room: z.optional(z.string()),
    conversationId: z.optional(z.string()),
  }),
  reaction: z.object({
    type: z.literal('reaction'),
    messageId: z.string(),
    room: z.optional(z.string()),
    conversationId: z.optional(z.string()),
    emoji: z.string(),
    username: z.string().check(z.meta({ description: 'Who reacted, or took the reaction back.' })),
    added: z.boolean().check(z.meta({ description: 'True when added, false when taken back.' })),
  }),
  read: z.object({
    type: z.literal('read'),
    conversationId: z.string(),
    username: z.string().check(z.meta({ description: 'The participant whose read marker moved.' })),
    messageId: z
      .string()
      .check(z.meta({ description: 'Their marker now: they have seen up to this message.' })),
  }),
  typing: z.object({
    type: z.literal('typing'),
    room: z.optional(z.string()),
    conversationId: z.optional(z.string()),
    username: z.string().check(z.meta({ description: 'Who is typing.' })),
  }),
  invited: z.object({
    type: z.literal('invited'),
    room: z.string().check(z.meta({ description: 'The room this user is invited to.' })),
    by: z.string().check(z.meta({ description: 'The username of who invited.' })),
  }),
  removed: z.object({
    type: z.literal('removed'),
    room: z
      .string()
      .check(z.meta({ description: 'The room this user was removed from (kicked or banned).' })),
    by: z.string().check(z.meta({ description: 'The username of the owner or moderator who removed them.' })),
  }),
  participant_added: participantFrame(
    'participant_added',
    'The user added (the added user’s own connections get it too).',
    'The participant who added them.',
  ),
  participant_left: participantFrame(
    'participant_left',
    'The participant who left (their own other connections get it too).',
  ),
  room_deleted: z.object({
    type: z.literal('room_deleted'),
    room: z
      .string()
      .check(z.meta({ description: 'The room its owner deleted: nothing more of it will come.' })),
  }),
  error: z.object({
    type: z.literal('error'),
    code: z.enum(socketErrorCodes),
    message: z.string(),
    action: z.optional(z.string().check(z.meta({ description: 'The action of the frame that failed.' }))),
    clientMessageId: z.optional(z.string()),
    retryAfterMs: z.optional(
      z.number().check(
        z.meta({
          description: 'With `RATE_LIMITED`: how long to wait, in milliseconds, before sending again.',
        }),
      ),
    ),
  }),
} as const;

export type ServerFrameType = keyof typeof serverFrames;
export type ServerFrameOf<Type extends ServerFrameType> = z.output<(typeof serverFrames)[Type]>;
export type ServerFrame = { [Type in ServerFrameType]: ServerFrameOf<Type> }[ServerFrameType];

/** WebSocket close codes the gateway uses. */
export const closeCodes = {
  /** Idle or maximum connection time reached, or the server closed it (`DELETE @connections`). */
  goingAway: 1001,
  /** A binary frame: the WebSocket API takes text frames only. */
  unsupportedData: 1003,
  /** A frame over `limits.maxFrameBytes`. */
  messageTooBig: 1009,
} as const;
