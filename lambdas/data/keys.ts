import { createHash, randomBytes } from 'node:crypto';

/**
 * Key design: the only place that knows how items are addressed, and how a value is normalised to address
 * them. Builders take values as the rest of the code holds them (a username as registered, an email as given)
 * and lower-case usernames, emails and room names themselves, so that `Alice` and `alice` are one user while
 * the items keep the case given for display. Every value that reaches a key here has been validated at the
 * edge against a pattern that excludes `#`, so user input can never form another entity's key; an email (which
 * may contain `#`) is only ever the whole rest of its own claim's key.
 *
 * | entity                  | PK                    | SK                          | GSI1PK              | GSI1SK                      |
 * |-------------------------|-----------------------|-----------------------------|---------------------|-----------------------------|
 * | user profile            | USER#<username lower> | PROFILE                     | USERNAMES#<first 2> | <username lower>            |
 * | email claim             | EMAIL#<email lower>   | EMAIL                       |                     |                             |
 * | room (public)           | ROOM#<name lower>     | META                        | ROOMS#<shard 0..3>  | <name lower>                |
 * | room (private)          | ROOM#<name lower>     | META                        |                     |                             |
 * | room member (per user)  | ROOM#<name lower>     | MEMBER#<username lower>     |                     |                             |
 * | ban from a room         | ROOM#<name lower>     | BAN#<username lower>        |                     |                             |
 * | invitee of a room       | ROOM#<name lower>     | INVITEE#<username lower>    |                     |                             |
 * | room connection         | ROOM#<name lower>     | CONN#<connectionId>         |                     |                             |
 * | room presence (per user)| ROOM#<name lower>     | PRESENCE#<username lower>   |                     |                             |
| present users count     | ROOM#<name lower>     | PRESENT                     |                     |                             |
 * | room message            | ROOM#<name lower>     | MSG#<messageId>             | USERMSGS#<from lc>  | <messageId>                 |
 * | clientMessageId guard   | ROOM#<name>/CONV#<id> | CMID#<username lower>#<cmid>|                     |                             |
 * | reaction (user, emoji)  | ROOM#<name>/CONV#<id> | REACT#<user lc>#<msgId>#<hex>|                    |                             |
 * | connection              | CONN#<connectionId>   | META                        | USERCONNS#<user lc> | <connectionId>              |
 * | conversation            | CONV#<id>             | META                        |                     |                             |
 * | conversation message    | CONV#<id>             | MSG#<messageId>             | USERMSGS#<from lc>  | <messageId>                 |
 * | conversation of a user  | USER#<username lower> | CONV#<id>                   | USERCONVS#<user lc> | <lastActivityAt>#<id>       |
 * | membership of a user    | USER#<username lower> | ROOM#<name lower>           | USERPRIVATE#<u lc>* | <name lower>                |
 * | invitation to a room    | USER#<username lower> | INVITE#<name lower>         |                     |                             |
 * | block                   | USER#<blocker lower>  | BLOCK#<blocked lower>       |                     |                             |
 * | push device             | USER#<username lower> | DEVICE#<deviceId>           |                     |                             |
 * | push device count       | USER#<username lower> | DEVICES                     |                     |                             |
 * | push sent (idempotence) | PUSH#<messageId>      | DEVICE#<user lower>#<devId> |                     |                             |
 * | fan-out shard (dedupe)  | FANOUT#<messageId>    | SHARD#<index>               |                     |                             |
 * | session (one login)     | SESSION#<sessionId>   | META                        | USERSESSIONS#<u lc> | <sessionId>                 |
 * | WebSocket ticket        | TICKET#<sha256 of it> | META                        |                     |                             |
 * | login failures (user)   | LOGINFAIL#USER#<hash> | FAILURES                    |                     |                             |
 * | login failures (address)| LOGINFAIL#ADDR#<hash> | FAILURES                    |                     |                             |
 * | rate bucket (user, kind)| RATE#<kind>#<user lc> | BUCKET                      |                     |                             |
 *
 * (*) only memberships of private rooms are in the index: it lists a user's private rooms for `GET /rooms`.
 *
 * Access patterns and their cost are listed in docs/data-model.md, whose key table is generated from these builders.
 */

export interface Key {
  readonly PK: string;
  readonly SK: string;
}

/**
 * The form in which a username is unique: registration, login, keys and "is this the same user" all compare
 * this, never the name as typed.
 */
export const canonicalUsername = (username: string): string => username.toLowerCase();

/** Emails are unique regardless of case (mail servers treat the domain so, and users expect it of the rest). */
const canonicalEmail = (email: string): string => email.toLowerCase();

/** Room names are case-insensitive; the edge already lower-cases them, and keys never depend on that. */
const canonicalRoom = (room: string): string => room.toLowerCase();

/** The partition of a user's own items: the profile, their conversations, their room memberships and invitations. */
const userPartition = (username: string): string => `USER#${canonicalUsername(username)}`;

export const userKey = (username: string): Key => ({ PK: userPartition(username), SK: 'PROFILE' });

/**
 * A profile's entry in the username search index: partitioned by the first two characters of the canonical
 * username (a search needs at least two), sorted by the canonical username. About 1,500 partitions, so no
 * search and no registration wave lands on one.
 */
export const usernameSearchPartition = (prefix: string): string =>
  `USERNAMES#${canonicalUsername(prefix).slice(0, 2)}`;
export const usernameSearchEntry = (username: string): IndexEntry => ({
  GSI1PK: usernameSearchPartition(username),
  GSI1SK: canonicalUsername(username),
});

export const emailKey = (email: string): Key => ({ PK: `EMAIL#${canonicalEmail(email)}`, SK: 'EMAIL' });

const roomPartition = (room: string): string => `ROOM#${canonicalRoom(room)}`;

export const roomKey = (room: string): Key => ({ PK: roomPartition(room), SK: 'META' });

/**
 * Public rooms are listed in GSI1 spread over this many partitions, each sorted by name, so that no single
 * partition takes every room creation and every listing of the deployment; a page merges the shards. Raising it
 * needs the existing rooms' `GSI1PK` rewritten (docs/data-model.md).
 */
export const ROOM_LIST_SHARDS = 4;

/** The shard of a public room's listing entry: a stable hash of its name. */
const roomListShard = (room: string): number =>
  createHash('sha256').update(canonicalRoom(room)).digest()[0] % ROOM_LIST_SHARDS;

/** The GSI1 partitions that together list every public room. */
export const publicRoomsIndexKeys = (): string[] =>
  Array.from({ length: ROOM_LIST_SHARDS }, (_, shard) => `ROOMS#${shard}`);
export const roomsIndexSortKey = (room: string): string => canonicalRoom(room);

/** The GSI1 attributes of an item that an index lists it under. */
export interface IndexEntry {
  readonly GSI1PK: string;
  readonly GSI1SK: string;
}

/** A public room's entry in the list of public rooms (private rooms have none). */
export const roomsIndexEntry = (room: string): IndexEntry => ({
  GSI1PK: `ROOMS#${roomListShard(room)}`,
  GSI1SK: roomsIndexSortKey(room),
});

/**
 * Items of one kind in a partition, one per name (sort key: prefix and canonical name): the key of one, and what
 * a Query of them all asks for.
 */
function namedItems(
  partition: (owner: string) => string,
  prefix: string,
  canonical: (name: string) => string,
) {
  return {
    key: (owner: string, name: string): Key => ({ PK: partition(owner), SK: `${prefix}${canonical(name)}` }),
    query: (owner: string) => ({ PK: partition(owner), SKPrefix: prefix }),
  };
}

/** A user's membership of a room, on the room's side: the member list reads these, by canonical username. */
const roomMemberships = namedItems(roomPartition, 'MEMBER#', canonicalUsername);
export const roomMembershipKey = roomMemberships.key;
export const roomMembershipsQuery = roomMemberships.query;
/** A ban from a room, beside the member items: the join transaction checks it. */
export const roomBanKey = namedItems(roomPartition, 'BAN#', canonicalUsername).key;
/**
 * That a user was invited to a room, on the room's side: the invitation itself is in the invitee's partition, and
 * deleting the room finds it through this.
 */
const roomInvitees = namedItems(roomPartition, 'INVITEE#', canonicalUsername);
export const roomInviteeKey = roomInvitees.key;
export const roomInviteesQuery = roomInvitees.query;

/** Every item of a room's partition (deleting the room reads them all, page by page). */
export const roomPartitionKey = (room: string): string => roomPartition(room);
/** The sort key of the room item itself, which deleting the room removes last. */
export const ROOM_SORT_KEY = roomKey('').SK;

/** The connection items of a room (one per joined connection: who receives the room live). */
const ROOM_MEMBER_PREFIX = 'CONN#';

/** What a Query of a room's member items asks for: the room's partition, sort keys with this prefix. */
export const roomMembersQuery = (room: string) => ({ PK: roomPartition(room), SKPrefix: ROOM_MEMBER_PREFIX });

export const roomMemberKey = (room: string, connectionId: string): Key => ({
  PK: roomPartition(room),
  SK: `${ROOM_MEMBER_PREFIX}${connectionId}`,
});

/** A user's presence in a room (the set of their connections in it), sorted by canonical username. */
const roomPresence = namedItems(roomPartition, 'PRESENCE#', canonicalUsername);
export const presenceKey = roomPresence.key;
export const presenceQuery = roomPresence.query;

/**
 * How many users are present in a room: one counter beside the presence items (its sort key is outside their
 * `PRESENCE#` prefix), changed in the transactions of a user's first join and last leave.
 */
export const presentCountKey = (room: string): Key => ({ PK: roomPartition(room), SK: 'PRESENT' });

const conversationPartition = (conversationId: string): string => `CONV#${conversationId}`;

/** Where a message is posted: exactly one of a room or a conversation. */
export type MessageTarget = { readonly room: string } | { readonly conversationId: string };

/** Messages (and their clientMessageId guards) live in their room's or their conversation's partition. */
export function messagePartition(target: MessageTarget): string {
  return 'room' in target ? roomPartition(target.room) : conversationPartition(target.conversationId);
}

export const MESSAGE_PREFIX = 'MSG#';
export const messageSortKey = (messageId: string): string => `${MESSAGE_PREFIX}${messageId}`;
/** A sort key past every message's (message ids are upper-case letters and digits): the end of a range of them. */
export const MESSAGES_END = `${MESSAGE_PREFIX}~`;

/**
 * A message's entry in its sender's list of sent messages (every room and conversation), in send order: the
 * account export reads it. Keyed by the username, which is never registered again once deleted.
 */
const userMessages = userIndex('USERMSGS');
export const userMessagesIndexKey = userMessages.partition;
export const userMessagesIndexEntry = userMessages.entry;

export const clientMessageIdKey = (target: MessageTarget, sender: string, clientMessageId: string): Key => ({
  PK: messagePartition(target),
  SK: `CMID#${canonicalUsername(sender)}#${clientMessageId}`,
});

/**
 * One user's reaction with one emoji to one message, beside the message: sorted by user, then message, so that
 * one Query reads the caller's reactions to a whole history page. The emoji is in hexadecimal code points
 * (`1f44d`, `1f468-200d-1f469`), keeping keys ASCII and free of `#`.
 */
const reactionPrefix = (username: string): string => `REACT#${canonicalUsername(username)}#`;
export const emojiKeyPart = (emoji: string): string =>
  [...emoji].map((c) => (c.codePointAt(0) as number).toString(16)).join('-');
export const emojiOfKeyPart = (part: string): string =>
  String.fromCodePoint(...part.split('-').map((hex) => Number.parseInt(hex, 16)));
export const reactionKey = (
  target: MessageTarget,
  username: string,
  messageId: string,
  emoji: string,
): Key => ({
  PK: messagePartition(target),
  SK: `${reactionPrefix(username)}${messageId}#${emojiKeyPart(emoji)}`,
});
/** The sort-key range of a user's reactions to the messages from `oldestId` to `newestId`. */
export const reactionsRange = (username: string, oldestId: string, newestId: string) => ({
  from: `${reactionPrefix(username)}${oldestId}#`,
  to: `${reactionPrefix(username)}${newestId}#~`,
});

/**
 * A list of one user's items of one kind in GSI1 (connections, sessions): its partition key, and an item's
 * entry in it, sorted by the item's id.
 */
function userIndex(prefix: string) {
  const partition = (username: string): string => `${prefix}#${canonicalUsername(username)}`;
  const entry = (username: string, id: string): IndexEntry => ({ GSI1PK: partition(username), GSI1SK: id });
  return { partition, entry };
}

const userConnections = userIndex('USERCONNS');
export const connectionKey = (connectionId: string): Key => ({ PK: `CONN#${connectionId}`, SK: 'META' });
export const userConnectionsIndexKey = userConnections.partition;
/** A connection's entry in its user's list of connections. */
export const userConnectionsIndexEntry = userConnections.entry;

export const conversationKey = (conversationId: string): Key => ({
  PK: conversationPartition(conversationId),
  SK: 'META',
});

const USER_CONVERSATION_PREFIX = 'CONV#';
const USER_ROOM_PREFIX = 'ROOM#';

export const userConversationKey = (username: string, conversationId: string): Key => ({
  PK: userPartition(username),
  SK: `${USER_CONVERSATION_PREFIX}${conversationId}`,
});

/** What a Query of a user's conversation items asks for (the account export reads them in id order). */
export const userConversationsQuery = (username: string) => ({
  PK: userPartition(username),
  SKPrefix: USER_CONVERSATION_PREFIX,
});

/**
 * A user's membership of a room, in the user's partition: `GET /me/rooms` and the account export list them. The
 * creator's is written with the room.
 */
export const userRoomKey = (username: string, room: string): Key => ({
  PK: userPartition(username),
  SK: `${USER_ROOM_PREFIX}${canonicalRoom(room)}`,
});

/**
 * A user's typing throttle for one room or conversation: one item per user and target in the user's partition,
 * deleted by TTL (lambdas/data/typing.ts).
 */
export const typingKey = (username: string, target: MessageTarget): Key => ({
  PK: userPartition(username),
  SK: `TYPING#${messagePartition(target)}`,
});

export const userRoomsQuery = (username: string) => ({
  PK: userPartition(username),
  SKPrefix: USER_ROOM_PREFIX,
});
/** A membership of a private room is listed in its user's private rooms, for `GET /rooms`. */
const userPrivateRooms = userIndex('USERPRIVATE');
export const userPrivateRoomsIndexKey = userPrivateRooms.partition;
export const userPrivateRoomsIndexEntry = (username: string, room: string): IndexEntry =>
  userPrivateRooms.entry(username, roomsIndexSortKey(room));

/** A pending invitation, in the invitee's partition: accepting deletes it in the join's transaction. */
const invitations = namedItems(userPartition, 'INVITE#', canonicalRoom);
export const invitationKey = invitations.key;
export const userInvitationsQuery = invitations.query;

const BLOCK_PREFIX = 'BLOCK#';

/** That `blocker` blocks `blocked`: an item in the blocker's partition. */
export const blockKey = (blocker: string, blocked: string): Key => ({
  PK: userPartition(blocker),
  SK: `${BLOCK_PREFIX}${canonicalUsername(blocked)}`,
});

/** What a Query of the users someone blocks asks for, by username. */
export const userBlocksQuery = (blocker: string) => ({ PK: userPartition(blocker), SKPrefix: BLOCK_PREFIX });

const DEVICE_PREFIX = 'DEVICE#';

/** A push device of a user. Device ids are the app's, case kept: they match a pattern without `#`. */
export const deviceKey = (username: string, deviceId: string): Key => ({
  PK: userPartition(username),
  SK: `${DEVICE_PREFIX}${deviceId}`,
});

/** What a Query of a user's devices asks for (at most 10 items: one page). */
export const userDevicesQuery = (username: string) => ({
  PK: userPartition(username),
  SKPrefix: DEVICE_PREFIX,
});

/** How many devices a user has: kept in one item so that the quota is a condition of the write, not a read. */
export const deviceCountKey = (username: string): Key => ({ PK: userPartition(username), SK: 'DEVICES' });

/** The progress of one shard of a sharded room message (lambdas/data/fanout-shards.ts). */
export const fanOutShardKey = (messageId: string, shard: number): Key => ({
  PK: `FANOUT#${messageId}`,
  SK: `SHARD#${shard}`,
});

/** That the push of a message to one device was sent: the notifier writes it first, so a redelivery sends none. */
export const pushSentKey = (messageId: string, username: string, deviceId: string): Key => ({
  PK: `PUSH#${messageId}`,
  SK: `${DEVICE_PREFIX}${canonicalUsername(username)}#${deviceId}`,
});
export const userConversationsIndexKey = (username: string): string =>
  `USERCONVS#${canonicalUsername(username)}`;

/** A user's conversations sort by last activity; the id makes equal times distinct. */
export const conversationActivitySortKey = (at: string, conversationId: string): string =>
  `${at}#${conversationId}`;

/** The keys of a participant's item of a conversation, listed in their conversations (GSI1) as of `activityAt`. */
export const userConversationItemKeys = (
  participant: string,
  conversationId: string,
  activityAt: string,
) => ({
  ...userConversationKey(participant, conversationId),
  GSI1PK: userConversationsIndexKey(participant),
  GSI1SK: conversationActivitySortKey(activityAt, conversationId),
});

/**
 * The one id of the conversation between two users, derived from the pair (in either order and any casing),
 * so that the database's condition on that key is what makes concurrent "open a conversation" calls agree.
 */
export function conversationIdOf(a: string, b: string): string {
  const [first, second] = [canonicalUsername(a), canonicalUsername(b)].sort();
  return `c_${createHash('sha256').update(`${first}\n${second}`).digest('base64url').slice(0, 22)}`;
}

/** A new group's id: random (16 bytes, 22 base64url characters), of the shape of a direct conversation's. */
export const newGroupId = (): string => `c_${randomBytes(16).toString('base64url')}`;

/** A session: one login, its refresh token chain. Session ids are random base64url, never user input. */
export const sessionKey = (sessionId: string): Key => ({ PK: `SESSION#${sessionId}`, SK: 'META' });
const userSessions = userIndex('USERSESSIONS');
export const userSessionsIndexKey = userSessions.partition;
/** A session's entry in its user's list of sessions (logout-all and password change end them all). */
export const userSessionsIndexEntry = userSessions.entry;

/** A WebSocket ticket, addressed by the SHA-256 of the ticket (base64url): the ticket itself is never stored. */
export const webSocketTicketKey = (ticketHash: string): Key => ({ PK: `TICKET#${ticketHash}`, SK: 'META' });
/** Whose failed logins a counter counts: a username as typed at login (any casing), or a source address bucket. */
export type LoginFailureSubject = { readonly username: string } | { readonly address: string };

/**
 * The failed-login counter of a username or an address. Unlike every other key, the value is hashed (SHA-256):
 * login takes any string of up to 254 characters as a username (one that could never be registered included,
 * `#` too), and people type their password into the username field, so neither the raw text nor an unbounded
 * length may reach the table. A username is hashed in its canonical form, so `Alice` and `alice` share one.
 */
export function loginFailuresKey(subject: LoginFailureSubject): Key {
  const [kind, value] =
    'username' in subject ? ['USER', canonicalUsername(subject.username)] : ['ADDR', subject.address];
  return {
    PK: `LOGINFAIL#${kind}#${createHash('sha256').update(value).digest('base64url')}`,
    SK: 'FAILURES',
  };
}

/**
 * A user's token bucket for one kind of request (lambdas/data/limits.ts). The kind is one of the contract's
 * rate names, never input.
 */
export const rateBucketKey = (kind: string, username: string): Key => ({
  PK: `RATE#${kind}#${canonicalUsername(username)}`,
  SK: 'BUCKET',
});
