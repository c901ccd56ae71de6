/**
 * Every number of the public contract (docs/PROTOCOL.md) that a client or the server must agree on. The server
 * enforces them, the generated OpenAPI and AsyncAPI documents publish them, and the client library reads them.
 */
export const limits = {
  /** Largest HTTP request body, in bytes; larger bodies are refused with 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes: 16 * 1024,
  /** Largest WebSocket frame, in bytes, either way: API Gateway closes the socket (1009) above it. */
  maxFrameBytes: 128 * 1024,
  /** Message text, in characters (Unicode code points). */
  maxTextCharacters: 4000,
  usernameCharacters: { min: 3, max: 32 },
  /** A user search's prefix: at least this many characters of a username. */
  searchPrefixCharacters: { min: 2 },
  roomNameCharacters: { min: 1, max: 64 },
  /** A room's topic, in characters (Unicode code points). */
  topicCharacters: { max: 256 },
  /** A group conversation's title, in characters (Unicode code points). */
  groupTitleCharacters: { max: 100 },
  /** Participants of a group conversation, its creator included. */
  maxGroupParticipants: 100,
  /** The reason given for a ban, in characters (Unicode code points). */
  banReasonCharacters: { max: 256 },
  /** `durationSeconds` of a ban or a mute: from 1 second to a year (without it, until lifted). */
  moderationSeconds: { min: 1, max: 365 * 24 * 60 * 60 },
  emailCharacters: { max: 254 },
  /** bcrypt reads 72 bytes of a password: longer ones are refused, never truncated. */
  passwordBytes: { min: 8, max: 72 },
  clientMessageIdCharacters: { min: 1, max: 64 },
  /**
   * Present users up to which a room's presence is told in full: `joined` lists them all and `user_joined` /
   * `user_left` go out. In a room with more, `joined` lists this many (`membersTruncated`) and no notices go out;
   * `GET /rooms/{name}/presence` pages the rest. A deployment may lower it (`PRESENCE_LIST_MAX`).
   */
  presenceListMax: 100,
  /** Distinct emoji on one message; a new one beyond it is 409 TOO_MANY_REACTIONS (more of one already there is fine). */
  maxReactionsPerMessage: 20,
  /** A reaction's emoji: one grapheme, at most this many UTF-16 code units (the longest ZWJ family fits). */
  maxEmojiCodeUnits: 64,
  /** `unreadCount` is exact up to this many messages, and shows this number for any more. */
  unreadCountCap: 100,
  /** At most one `typing` notice of a user to one room or conversation is relayed per this many ms. */
  typingIntervalMs: 2000,
  /** `?limit=` of every paged list. */
  pageSize: { min: 1, max: 100, default: 50 },
  /** API Gateway closes a WebSocket connection idle (no client frame) for this long. */
  webSocketIdleSeconds: 10 * 60,
  /** The longest an access token lives; `expiresIn` of a login is at most this. */
  maxAccessTokenSeconds: 15 * 60,
  /** The longest a session (its chain of refresh tokens) lives after its login. */
  maxSessionSeconds: 30 * 24 * 60 * 60,
  /** The longest a WebSocket ticket of `POST /auth/ws-ticket` is accepted. */
  maxWebSocketTicketSeconds: 30,
  /** API Gateway closes every WebSocket connection this long after it opened. */
  webSocketMaxConnectionSeconds: 2 * 60 * 60,
  /** Push devices one user may register (`PUT /me/devices/{deviceId}`); one more is 403 QUOTA_EXCEEDED. */
  maxDevicesPerUser: 10,
  deviceIdCharacters: { min: 1, max: 64 },
  /** A provider's device token (an APNs token is 64 hex digits, an FCM one about 160 characters). */
  deviceTokenCharacters: { min: 1, max: 4096 },
  /** The `body` of a push payload: the message text, cut to this many characters. */
  maxPushBodyCharacters: 100,
} as const;

/**
 * The per-user rates (docs/PROTOCOL.md, "Limits and quotas"): each a token bucket refilled `perMinute` times a
 * minute that holds at most `burst` tokens, one per user and kind, across the WebSocket and HTTP APIs alike.
 * These are the defaults; a deployment may change each (context values, `npm start` options). A new kind (issue
 * 14: reactions, typing) is one line here and one in lambdas/shared/environment.ts.
 */
export const rateLimitDefaults = {
  /** Messages, to rooms and conversations: 5 a second, burst 20. */
  message: { perMinute: 300, burst: 20 },
  /** Room joins: 2 a second, burst 30. */
  join: { perMinute: 120, burst: 30 },
  /** Room creations: 10 a minute, burst 10. */
  roomCreation: { perMinute: 10, burst: 10 },
  /** Conversation opens: 30 a minute, burst 10. */
  conversationOpen: { perMinute: 30, burst: 10 },
  /** Reactions added or removed: 5 a second, burst 20. */
  reaction: { perMinute: 300, burst: 20 },
} as const satisfies Record<string, { perMinute: number; burst: number }>;

export type RateLimitKind = keyof typeof rateLimitDefaults;

/** The per-user and per-connection quotas' defaults (also configurable). */
export const quotaDefaults = {
  /** Open WebSocket connections of one user: the next handshake is refused with HTTP 429. */
  connectionsPerUser: 10,
  /** Rooms one connection has joined at once: the next join is refused with `QUOTA_EXCEEDED`. */
  roomsPerConnection: 50,
} as const;

/** What a device id may hold: chosen by the app, stable per installation. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What a client message id may hold. */
export const CLIENT_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A message id: a ULID, which sorts in send order. */
export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** What a room name is, once lower-cased. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
