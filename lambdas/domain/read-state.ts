import { encodeTime } from 'ulid';
import { limits } from '../../lib/contract/index.ts';
import { CONVERSATION_ID_PATTERN, type Conversation } from '../data/conversations.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { MarkerOutcome, ReadMarkerRepository } from '../data/read-markers.ts';
import { ConversationNotFoundError, ForbiddenError, MessageNotFoundError } from '../shared/errors.ts';
import type { MessagingDeps } from './messaging.ts';
import { deliver } from './presence.ts';
import { visibleRoom } from './room-access.ts';

/**
 * Read state: each user's read marker per room and conversation (forward only, decided by the database), the
 * read receipts of conversations, and unread counts computed when lists are read, never written per message.
 */
export interface ReadStateDeps extends MessagingDeps {
  readonly readMarkers: ReadMarkerRepository;
}

/**
 * Moves the caller's read marker of a conversation forward to `messageId`: 1 GetItem of their conversation item
 * and 1 of the message, in parallel, then 1 conditional UpdateItem. When it moved, the other participants'
 * connections get `read` (1 Query of each one's connections). Answers the marker as it now is.
 * @throws ConversationNotFoundError also when the caller is not a participant; MessageNotFoundError
 */
export async function markConversationRead(
  deps: ReadStateDeps,
  username: string,
  conversationId: string,
  messageId: string,
): Promise<string> {
  // An id of another shape names no conversation, and must never reach a key.
  if (!CONVERSATION_ID_PATTERN.test(conversationId)) throw new ConversationNotFoundError();
  const [participation, exists] = await Promise.all([
    deps.conversations.participation(username, conversationId),
    deps.messages.exists({ conversationId }, messageId),
  ]);
  if (participation === undefined) throw new ConversationNotFoundError();
  if (!exists) throw new MessageNotFoundError();
  const outcome = markerOf(
    await deps.readMarkers.moveInConversation(username, conversationId, messageId),
    () => new ConversationNotFoundError(),
  );
  if (outcome.moved) {
    await deliver(deps, await otherParticipantsConnections(deps, participation.conversation, username), {
      type: 'read',
      conversationId,
      username: participantName(participation.conversation, username),
      messageId,
    });
  }
  return outcome.marker;
}

/**
 * Moves a member's read marker of a room forward to `messageId`: 2 GetItems (room and membership) and 1 of the
 * message, in parallel, then 1 conditional UpdateItem. Nobody else is told. Answers the marker as it now is.
 * @throws RoomNotFoundError (also a private room of others); ForbiddenError NOT_A_MEMBER; MessageNotFoundError
 */
export async function markRoomRead(
  deps: ReadStateDeps,
  username: string,
  room: string,
  messageId: string,
): Promise<string> {
  const [visible, exists] = await Promise.all([
    visibleRoom(deps, username, room),
    deps.messages.exists({ room }, messageId),
  ]);
  const notMember = () => new ForbiddenError('NOT_A_MEMBER', `Join "${room}" to mark it read.`);
  if (visible.member === undefined) throw notMember();
  if (!exists) throw new MessageNotFoundError();
  return markerOf(await deps.readMarkers.moveInRoom(username, visible.room.name, messageId), notMember)
    .marker;
}

/**
 * How many messages of a conversation the caller has not read (lambdas/data/messages.ts `countUnread`): nothing
 * to read when the conversation's last message is the caller's own or at or before the marker (its item holds
 * both); otherwise 1 Query of at most 101 messages.
 */
export async function conversationUnread(
  deps: Pick<ReadStateDeps, 'messages'>,
  username: string,
  conversation: Conversation & { readonly lastReadMessageId: string | null },
): Promise<number> {
  const last = conversation.lastMessage;
  const marker = conversation.lastReadMessageId ?? undefined;
  if (last === null || (marker !== undefined && last.messageId <= marker)) return 0;
  if (canonicalUsername(last.from) === canonicalUsername(username)) return 0;
  const target = { conversationId: conversation.conversationId };
  return deps.messages.countUnread(target, username, marker, limits.unreadCountCap);
}

/**
 * How many messages of a room the member has not read: 1 Query of at most 101 messages, after the marker or,
 * before the first one, after the moment they joined (a new member of an old room is not shown its history as
 * unread).
 */
export function roomUnread(
  deps: Pick<ReadStateDeps, 'messages'>,
  username: string,
  membership: { readonly room: string; readonly joinedAt: string; readonly lastReadMessageId: string | null },
): Promise<number> {
  const marker = membership.lastReadMessageId ?? firstIdAt(membership.joinedAt);
  return deps.messages.countUnread({ room: membership.room }, username, marker, limits.unreadCountCap);
}

/** The smallest message id of a millisecond: the first 10 characters of a ULID are its time. */
function firstIdAt(time: string): string {
  return `${encodeTime(Date.parse(time), 10)}${'0'.repeat(16)}`;
}

function markerOf(outcome: MarkerOutcome, missing: () => Error): Exclude<MarkerOutcome, 'no-item'> {
  // The item went away between the read and the write: the user left (or was removed) meanwhile.
  if (outcome === 'no-item') throw missing();
  return outcome;
}

function participantName(conversation: Conversation, username: string): string {
  const me = canonicalUsername(username);
  return conversation.participants.find((name) => canonicalUsername(name) === me) ?? username;
}

/** The connections of every participant but `username`: 1 Query of each one's connections index. */
export async function otherParticipantsConnections(
  deps: Pick<ReadStateDeps, 'connections'>,
  conversation: Conversation,
  username: string,
): Promise<string[]> {
  const me = canonicalUsername(username);
  const others = conversation.participants.filter((name) => canonicalUsername(name) !== me);
  const perParticipant = await Promise.all(others.map((name) => deps.connections.connectionIdsOf(name)));
  return perParticipant.flat();
}

/** Each conversation of a page of the caller's list with its unread count, counted in parallel. */
export function withUnreadCounts<Item extends Conversation & { readonly lastReadMessageId: string | null }>(
  deps: Pick<ReadStateDeps, 'messages'>,
  username: string,
  conversations: readonly Item[],
): Promise<(Item & { unreadCount: number })[]> {
  return Promise.all(
    conversations.map(async (conversation) => ({
      ...conversation,
      unreadCount: await conversationUnread(deps, username, conversation),
    })),
  );
}
