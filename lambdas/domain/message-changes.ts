import { limits } from '../../lib/contract/index.ts';
import type { Conversation } from '../data/conversations.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { Deleter } from '../data/message-changes.ts';
import type { HistoryPage, Message, MessageTarget } from '../data/messages.ts';
import type { Membership } from '../data/rooms.ts';
import {
  BlockedError,
  ConflictError,
  ConversationNotFoundError,
  ForbiddenError,
  MessageNotFoundError,
} from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { takeRateToken } from './limits.ts';
import { connectionsOf, type MessagingDeps } from './messaging.ts';
import { deliver, idsOf } from './presence.ts';
import { assertNotMuted, visibleRoom } from './room-access.ts';

/** Who may act on a message of a place, and who hears of it. */
interface Access {
  /** The caller's membership of the room (rooms only). */
  readonly member?: Membership;
  readonly conversation?: Conversation;
  /** The connections that hear of a change: the room's present ones, or every participant's. */
  readonly recipients: () => Promise<string[]>;
}

/**
 * The caller's access to a room or a conversation. `posting` (edits, reactions) needs what a post needs: a room's
 * membership and no mute, a conversation whose other participant does not block the caller. Deleting needs only
 * to see the place (an author may delete after leaving a room).
 * @throws RoomNotFoundError, ConversationNotFoundError; when posting, ForbiddenError NOT_A_MEMBER or MUTED,
 * BlockedError.
 */
async function access(deps: MessagingDeps, identity: Identity, place: MessageTarget, posting: boolean) {
  if ('room' in place) {
    const { member } = await visibleRoom(deps, identity.username, place.room);
    if (posting) {
      if (member === undefined) {
        throw new ForbiddenError('NOT_A_MEMBER', `Join "${place.room}" before acting on its messages.`);
      }
      assertNotMuted(member, place.room, deps.now());
    }
    const recipients = async () => idsOf(await deps.connections.members(place.room));
    return { member, recipients } satisfies Access;
  }
  const participation = await deps.conversations.participation(identity.username, place.conversationId);
  if (participation === undefined) throw new ConversationNotFoundError();
  if (posting && participation.blockedByPeer) throw new BlockedError();
  const { conversation } = participation;
  return { conversation, recipients: () => connectionsOf(deps, conversation) } satisfies Access;
}

/**
 * The author's edit of a message: one conditional UpdateItem (author, not deleted) after the access reads; the
 * place's connections get `message_updated`. Takes a token of the author's message rate first.
 * @throws RateLimitedError; as `access` when posting; MessageNotFoundError (also a tombstone); ForbiddenError
 * FORBIDDEN when the caller is not the author.
 */
export async function editMessage(
  deps: MessagingDeps,
  identity: Identity,
  place: MessageTarget,
  messageId: string,
  text: string,
): Promise<Message> {
  await takeRateToken(deps, 'message', identity.username);
  const { conversation, recipients } = await access(deps, identity, place, true);
  const editedAt = deps.now().toISOString();
  const outcome = await deps.messageChanges.edit(place, messageId, identity.username, text, editedAt);
  if ('refused' in outcome) {
    if (outcome.refused === 'not-found') throw new MessageNotFoundError();
    throw new ForbiddenError('FORBIDDEN', 'Only its author may edit a message.');
  }
  const message = outcome.edited;
  if (conversation !== undefined) await deps.messageChanges.reviseLastMessage(conversation, message);
  await deliver(deps, await recipients(), { type: 'message_updated', ...message });
  return message;
}

/**
 * Deletes a message, leaving a tombstone: its author may, and in a room its owner and moderators (their role is
 * checked again in the deleting transaction). Idempotent: a tombstone is deleted again without a change or a
 * frame. Otherwise the place's connections get `message_deleted`.
 * @throws RoomNotFoundError, ConversationNotFoundError, MessageNotFoundError, ForbiddenError FORBIDDEN
 */
export async function deleteMessage(
  deps: MessagingDeps,
  identity: Identity,
  place: MessageTarget,
  messageId: string,
): Promise<void> {
  const { member, conversation, recipients } = await access(deps, identity, place, false);
  const stored = await deps.messageChanges.get(place, messageId);
  if (stored === undefined) throw new MessageNotFoundError();
  if (stored.deleted) return;
  const deleter = deleterOf(identity, place, stored.from, member);
  const outcome = await deps.messageChanges.delete(place, stored, deleter);
  if (outcome === 'not-found') throw new MessageNotFoundError();
  if (outcome === 'not-allowed') throw new ForbiddenError('FORBIDDEN', 'You may not delete this message.');
  if (outcome === 'unchanged') return;
  const tombstone = { messageId, ...place, from: stored.from, text: '', sentAt: stored.sentAt as string };
  if (conversation !== undefined) {
    await deps.messageChanges.reviseLastMessage(conversation, { ...tombstone, deleted: true });
  }
  await deliver(deps, await recipients(), { type: 'message_deleted', messageId, ...place });
}

function deleterOf(identity: Identity, place: MessageTarget, from: string, member?: Membership): Deleter {
  if (canonicalUsername(from) === canonicalUsername(identity.username)) return { author: from };
  if ('room' in place && (member?.role === 'owner' || member?.role === 'moderator')) {
    return { moderator: identity.username, room: place.room };
  }
  throw new ForbiddenError(
    'FORBIDDEN',
    'Only its author, or a room’s owner or moderators, delete a message.',
  );
}

/**
 * Adds (`added`) or takes back the caller's reaction with one emoji: one transaction of 2 (more only when
 * concurrent reactions made its guess wrong). The place's connections get `reaction` when something changed;
 * repeating it changes nothing. Takes a token of the caller's reaction rate first.
 * @throws RateLimitedError; as `access` when posting; MessageNotFoundError; ConflictError TOO_MANY_REACTIONS
 */
export async function react(
  deps: MessagingDeps,
  identity: Identity,
  place: MessageTarget,
  messageId: string,
  emoji: string,
  added: boolean,
): Promise<void> {
  await takeRateToken(deps, 'reaction', identity.username);
  const { recipients } = await access(deps, identity, place, true);
  const max = limits.maxReactionsPerMessage;
  const outcome = await deps.messageChanges.react(place, messageId, identity.username, emoji, added, max);
  if (outcome === 'not-found') throw new MessageNotFoundError();
  if (outcome === 'too-many') {
    throw new ConflictError('TOO_MANY_REACTIONS', `A message carries at most ${max} distinct emoji.`);
  }
  if (outcome === 'unchanged') return;
  const frame = { type: 'reaction', messageId, ...place, emoji, username: identity.username, added } as const;
  await deliver(deps, await recipients(), frame);
}

/**
 * A history page with `me` set on each reaction the caller made: one Query of the caller's reaction items over
 * the page's range of ids, only when a message of the page has reactions.
 */
export async function withMyReactions(
  deps: MessagingDeps,
  place: MessageTarget,
  username: string,
  page: HistoryPage,
): Promise<HistoryPage> {
  if (!page.messages.some((message) => (message.reactions?.length ?? 0) > 0)) return page;
  const mine = await deps.messageChanges.reactionsOf(place, username, page.messages);
  const messages = page.messages.map((message) =>
    message.reactions === undefined
      ? message
      : {
          ...message,
          reactions: message.reactions.map((r) => ({
            ...r,
            me: mine.has(`${message.messageId}\n${r.emoji}`),
          })),
        },
  );
  return { ...page, messages };
}
