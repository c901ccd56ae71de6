/**
 * The DynamoDB capacity of replies, edits, deletions and reactions, measured as capacity.ts measures the
 * messaging operations: the domain functions in-process, every call's consumed capacity recorded.
 */

import { deleteMessage, editMessage, react, withMyReactions } from '../../lambdas/domain/message-changes.ts';
import { postRoomMessage, roomHistory } from '../../lambdas/domain/messaging.ts';
import type { messagingDeps } from '../../lambdas/handlers/deps.ts';
import type { Identity } from '../../lambdas/shared/tokens.ts';
import type { Capacity } from './capacity.ts';

export interface MessageChangeCapacity {
  /** A reply over HTTP to a room of 10: a post, and the message replied to read. */
  readonly reply: Capacity;
  /** An edit of a room message (10 members), its `message_updated` sent. */
  readonly edit: Capacity;
  /** A reaction with a new emoji: the transaction of 2, the right guess, the frame. */
  readonly reaction: Capacity;
  /** A second user on the same emoji: the first guess (a new emoji) is wrong, corrected after one read. */
  readonly reactionSameEmoji: Capacity;
  /** The same reaction again: nothing changes, nothing is sent. */
  readonly reactionRepeat: Capacity;
  /** A deletion by the author. */
  readonly delete: Capacity;
  /** A history page of 50 whose messages have reactions: the page, and one Query of the caller's reactions. */
  readonly historyPageWithReactions: Capacity;
}

type Deps = ReturnType<typeof messagingDeps>;

/**
 * Measures the operations on one message in `room` (public, with 10 members, among them `author` and `other`).
 * @param measure runs one operation and answers the capacity its calls consumed.
 */
export async function measureMessageChangeCapacity(
  measure: (run: () => Promise<unknown>) => Promise<Capacity>,
  deps: Deps,
  room: string,
  author: Identity,
  other: Identity,
): Promise<MessageChangeCapacity> {
  const place = { room };
  const first = await postRoomMessage(deps, author, room, { text: 'the first' });
  const firstId = first.message.messageId;
  const reply = await measure(() => postRoomMessage(deps, author, room, { text: 'yes', replyTo: firstId }));
  const edit = await measure(() => editMessage(deps, author, place, firstId, 'the first, edited'));
  const reaction = await measure(() => react(deps, author, place, firstId, '👍', true));
  const reactionSameEmoji = await measure(() => react(deps, other, place, firstId, '👍', true));
  const reactionRepeat = await measure(() => react(deps, other, place, firstId, '👍', true));
  const doomed = await postRoomMessage(deps, author, room, { text: 'to be deleted' });
  const deleteCapacity = await measure(() => deleteMessage(deps, author, place, doomed.message.messageId));
  const historyPageWithReactions = await measure(async () =>
    withMyReactions(deps, place, author.username, await roomHistory(deps, author, room, 50, undefined)),
  );
  return {
    reply,
    edit,
    reaction,
    reactionSameEmoji,
    reactionRepeat,
    delete: deleteCapacity,
    historyPageWithReactions,
  };
}
