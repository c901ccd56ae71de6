import * as z from 'zod/mini';
import { type HttpErrorCode, httpErrors } from './errors.ts';
import { roomRole, visibility } from './fields.ts';
import { limits } from './limits.ts';

/**
 * The objects the server answers with. The server's domain types are inferred from these, the client library's
 * types too, and the generated documents publish them; tests check real answers against them.
 */

/** The schemas the generated documents publish by name (OpenAPI components, AsyncAPI messages refer to them). */
export const publishedSchemas = z.registry<{ id: string }>();

/** Registers `schema` under `id` in the published schemas, and returns it. */
export function published<Schema extends z.ZodMiniType>(id: string, schema: Schema): Schema {
  publishedSchemas.add(schema, { id });
  return schema;
}

const timestamp = (description: string) =>
  z.string().check(
    z.meta({
      format: 'date-time',
      description: `${description} ISO 8601 UTC with milliseconds.`,
      examples: ['2026-11-21T10:00:00.000Z'],
    }),
  );
const text = (description: string) => z.string().check(z.meta({ description }));

export const user = published(
  'User',
  z.object({
    userId: text('Opaque.'),
    username: text('As given at registration (case kept).'),
    email: text('Only ever shown to its owner.'),
  }),
);

export const room = published(
  'Room',
  z.object({
    name: z.string(),
    createdBy: text('The username of its creator.'),
    createdAt: timestamp('When it was created.'),
    visibility: visibility.check(
      z.meta({ description: '`private` rooms are seen and joined by their members and invitees only.' }),
    ),
    topic: z.optional(text('At most 256 characters.')),
    memberCount: z.int().check(z.meta({ description: 'How many users are members.' })),
  }),
);

/** A user present in a room (with a connection that joined it), in `GET /rooms/{name}/presence`. */
export const presentUser = published(
  'PresentUser',
  z.object({ username: text('As registered (case kept).') }),
);

/** A member of a room, in `GET /rooms/{name}/members`. */
export const roomMember = published(
  'RoomMember',
  z.object({
    username: text('As registered (case kept).'),
    role: roomRole,
    joinedAt: timestamp('When the user became a member.'),
    mutedUntil: z.optional(
      timestamp('While muted (a mute without duration: 9999-12-31T23:59:59.999Z), when the mute ends.'),
    ),
  }),
);

/** A ban of a user from a room (`POST /rooms/{name}/bans`). */
export const roomBan = published(
  'RoomBan',
  z.object({
    room: z.string(),
    username: text('As registered (case kept).'),
    bannedBy: text('The owner or moderator who banned them.'),
    bannedAt: timestamp('When they were banned.'),
    reason: z.optional(text('As given by whoever banned them.')),
    expiresAt: z.optional(timestamp('When the ban ends; without it, it lasts until lifted.')),
  }),
);

/** A mute of a member of a room (`POST /rooms/{name}/mutes`). */
export const roomMute = published(
  'RoomMute',
  z.object({
    room: z.string(),
    username: text('As registered (case kept).'),
    mutedBy: text('The owner or moderator who muted them.'),
    mutedUntil: timestamp('When the mute ends (a mute without duration: 9999-12-31T23:59:59.999Z).'),
  }),
);

/** A room in `GET /me/rooms`: the room, and what it is to the caller. */
/** `unreadCount` of a list item: others' messages after the caller's read marker and after their own latest. */
function unreadCount() {
  return z.int().check(
    z.meta({
      description: `Messages from others after the caller's read marker (and after the caller's own latest message: writing means having read), exact up to ${limits.unreadCountCap} and ${limits.unreadCountCap} for any more.`,
      minimum: 0,
      maximum: limits.unreadCountCap,
    }),
  );
}

/** The caller's read marker, null until they first mark a message read. */
function lastReadMessageId() {
  return z
    .nullable(z.string())
    .check(
      z.meta({ description: "The caller's read marker: the newest message they marked read, or null." }),
    );
}

export const myRoom = published(
  'MyRoom',
  z.extend(room, {
    role: roomRole,
    unreadCount: unreadCount(),
    lastReadMessageId: lastReadMessageId(),
  }),
);

/** A pending invitation to a room. */
export const invitation = published(
  'Invitation',
  z.object({
    room: z.string(),
    username: text('The invitee.'),
    invitedBy: text('The username of who invited.'),
    invitedAt: timestamp('When the invitation was sent.'),
  }),
);

/** A room the user is a member of, as the account export lists it. */
export const roomMembership = published(
  'RoomMembership',
  z.object({ room: z.string(), role: roomRole, joinedAt: timestamp('When the user became a member.') }),
);

/** One emoji's reactions to a message, as history shows them to the caller. */
export const reaction = published(
  'Reaction',
  z.object({
    emoji: text('One emoji grapheme.'),
    count: z.int().check(z.meta({ description: 'How many users reacted with it.' })),
    me: z.boolean().check(z.meta({ description: 'Whether the caller is one of them.' })),
  }),
);

/** A message of a room (`room`) or of a conversation (`conversationId`): exactly one of the two is set. */
export const message = published(
  'Message',
  z
    .object({
      messageId: text('Opaque; message ids sort in send order.'),
      room: z.optional(z.string()),
      conversationId: z.optional(z.string()),
      from: text('The username of the sender.'),
      text: z.string(),
      sentAt: timestamp('When the server stored it.'),
      clientMessageId: z.optional(text('Echoed when the sender gave one.')),
      replyTo: z.optional(text('The id of the message of the same room or conversation this one answers.')),
      editedAt: z.optional(timestamp('When its author last edited it.')),
      deleted: z.optional(
        z
          .literal(true)
          .check(z.meta({ description: 'A tombstone: its text is "", nothing else of it is kept.' })),
      ),
      reactions: z.optional(
        z.array(reaction).check(
          z.meta({
            description:
              'In history pages, when it has any: its reactions, most frequent first (never on a tombstone).',
          }),
        ),
      ),
    })
    .check(z.meta({ oneOf: [{ required: ['room'] }, { required: ['conversationId'] }] })),
);

export const conversation = published(
  'Conversation',
  z.object({
    conversationId: z.string(),
    kind: z
      .enum(['direct', 'group'])
      .check(
        z.meta({ description: 'A direct conversation of two users (one per pair), or a group (up to 100).' }),
      ),
    participants: z.array(z.string()).check(
      z.meta({
        description:
          'The usernames, sorted case-insensitively: the two of a direct conversation, or the current participants of a group.',
      }),
    ),
    title: z.optional(text('A group’s title, when it has one (never on a direct conversation).')),
    createdAt: timestamp('When it was opened.'),
    lastMessage: z.nullable(message),
  }),
);

/** A conversation in `GET /conversations`: it also names the other participant. */
export const conversationSummary = published(
  'ConversationListItem',
  z.extend(conversation, {
    peer: text(
      'The other participant of a direct conversation; in a group, the first participant other than the caller (or the caller when alone).',
    ),
    unreadCount: unreadCount(),
    lastReadMessageId: lastReadMessageId(),
  }),
);

export const loginResult = published(
  'LoginResponse',
  z.object({
    token: text('An HS256 JWT: send it as `Authorization: Bearer <token>`, or `?token=` on the WebSocket.'),
    tokenType: z.literal('Bearer'),
    expiresIn: z
      .int()
      .check(z.meta({ description: 'Seconds until the access token expires: at most 900.', maximum: 900 })),
    refreshToken: text(
      'Opaque and single use: `POST /auth/refresh` exchanges it for new tokens. Presenting it twice ends the session.',
    ),
    refreshExpiresIn: z
      .int()
      .check(z.meta({ description: 'Seconds until the session ends: at most 30 days.' })),
    user: z.object({ userId: z.string(), username: z.string() }),
  }),
);

export const webSocketTicket = published(
  'WebSocketTicket',
  z.object({
    ticket: text('Single use: open the WebSocket with `?ticket=<ticket>` instead of a token.'),
    expiresIn: z.int().check(z.meta({ description: 'Seconds the ticket is accepted: 30.' })),
  }),
);

const nextCursor = z
  .nullable(z.string())
  .check(z.meta({ description: 'Pass it back to get the next page; null on the last page.' }));

/** A page of a list: the items under `key`, and the cursor of the next page. */
export const pageOf = <Key extends string, Item extends z.ZodMiniType>(key: Key, item: Item) =>
  z.object({ [key]: z.array(item), nextCursor } as { [K in Key]: z.ZodMiniArray<Item> } & {
    nextCursor: typeof nextCursor;
  });

/** A user the caller blocks. */
export const block = published(
  'Block',
  z.object({
    username: text('The blocked user, as registered.'),
    blockedAt: timestamp('When the caller blocked them.'),
  }),
);

/**
 * A page of everything stored about the caller. The pages walk the sections in order (sessions, room memberships,
 * conversations, blocks, messages sent), each in a stable order; concatenating every page's arrays gives the whole
 * export.
 */
export const accountExport = published(
  'AccountExport',
  z.object({
    user: z.extend(user, { createdAt: timestamp('When the account was registered.') }),
    sessions: z.array(
      z.object({
        sessionId: text('Also the first part of the session’s refresh tokens.'),
        createdAt: timestamp('When the session signed in.'),
        expiresAt: timestamp('When the session ends at the latest.'),
      }),
    ),
    rooms: z
      .array(roomMembership)
      .check(z.meta({ description: 'The rooms the user is a member of, with their role, by name.' })),
    conversations: z.array(conversation).check(z.meta({ description: 'By conversation id.' })),
    blocks: z.array(block).check(z.meta({ description: 'The users the user blocks, by username.' })),
    messages: z
      .array(message)
      .check(
        z.meta({ description: 'The messages the user sent, in rooms and conversations, in send order.' }),
      ),
    nextCursor,
  }),
);

/** The body of every error the functions answer. */
export const errorBody = published(
  'Error',
  z.object({
    code: z.enum(Object.keys(httpErrors) as [HttpErrorCode, ...HttpErrorCode[]]),
    message: text('For humans; do not parse it.'),
    details: z.optional(
      z.array(
        z.object({ field: text('The field, or "body" for the body as a whole.'), problem: z.string() }),
      ),
    ),
    retryAfterMs: z.optional(
      z.int().check(
        z.minimum(1),
        z.meta({
          description:
            'On a 429 of ours: how long to wait before trying again, in milliseconds; the `Retry-After` header says the same in whole seconds, rounded up.',
        }),
      ),
    ),
  }),
);

export type User = z.infer<typeof user>;
export type Room = z.infer<typeof room>;
export type RoomMember = z.infer<typeof roomMember>;
export type PresentUser = z.infer<typeof presentUser>;
export type RoomBan = z.infer<typeof roomBan>;
export type RoomMute = z.infer<typeof roomMute>;
export type MyRoom = z.infer<typeof myRoom>;
export type Invitation = z.infer<typeof invitation>;
export type RoomMembership = z.infer<typeof roomMembership>;
export type RoomRole = z.infer<typeof roomRole>;
export type Visibility = z.infer<typeof visibility>;
export type Message = z.infer<typeof message>;
export type Reaction = z.infer<typeof reaction>;
export type Conversation = z.infer<typeof conversation>;
export type ConversationSummary = z.infer<typeof conversationSummary>;
export type LoginResult = z.infer<typeof loginResult>;
export type WebSocketTicket = z.infer<typeof webSocketTicket>;
export type AccountExport = z.infer<typeof accountExport>;
export type Block = z.infer<typeof block>;
