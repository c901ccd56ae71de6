/**
 * The DynamoDB capacity of read markers, unread counts and typing notices, measured as capacity.ts measures the
 * messaging operations: the domain functions in-process, every call's consumed capacity recorded.
 */

import { listConversations } from '../../lambdas/domain/conversations.ts';
import { myRooms } from '../../lambdas/domain/membership.ts';
import { sendDirectMessage } from '../../lambdas/domain/messaging.ts';
import {
  conversationUnread,
  markConversationRead,
  markRoomRead,
  withUnreadCounts,
} from '../../lambdas/domain/read-state.ts';
import { relayTyping } from '../../lambdas/domain/typing.ts';
import type { messagingDeps } from '../../lambdas/handlers/deps.ts';
import type { Capacity } from './capacity.ts';

export interface ReadCapacity {
  /** A conversation's read marker moved: the receipt sent to the other participant's connections. */
  readonly markConversationRead: Capacity;
  /** A marker move to an older message: refused by its condition, nobody told. */
  readonly markReadRefused: Capacity;
  readonly markRoomRead: Capacity;
  /** One conversation's unread count with more than 100 unread messages: the Query stops at 101. */
  readonly unreadCount101: Capacity;
  /** One conversation's unread count when its last message is read: no Query at all. */
  readonly unreadCountNone: Capacity;
  /** `GET /conversations` of a user with 1 conversation, 120 unread. */
  readonly listConversationsWithUnread: Capacity;
  /** `GET /me/rooms` of a member of 1 room, with its unread count (the Query stops at their own latest message). */
  readonly myRoomsWithUnread: Capacity;
  /** A typing notice relayed in a room of 10 present members. */
  readonly typingRoom10: Capacity;
  /** The same user's notice 1 second later: dropped by the throttle's condition. */
  readonly typingDropped: Capacity;
}

type Deps = ReturnType<typeof messagingDeps>;

/**
 * Measures for `reader` (a member of `room`, present there on `connectionId`, in `conversationId` with `peer`).
 * @param measure runs one operation and answers the capacity its calls consumed.
 */
export async function measureReadCapacity(
  measure: (run: () => Promise<unknown>) => Promise<Capacity>,
  deps: Deps,
  place: {
    readonly reader: string;
    readonly peer: string;
    readonly room: string;
    readonly connectionId: string;
    readonly conversationId: string;
  },
): Promise<ReadCapacity> {
  const { reader, peer, room, connectionId, conversationId } = place;
  const identity = { userId: `u-${reader}`, username: reader, sessionId: 'capacity' };
  const sent: string[] = [];
  for (let index = 0; index < 120; index++) {
    const text = `message ${index} of the read-state benchmark, about as long as a chat line is`;
    sent.push(
      (await sendDirectMessage(deps, { username: peer }, conversationId, { text })).message.messageId,
    );
  }
  const unreadCount101 = await measure(async () => {
    const [conversation] = (await deps.conversations.listFor(reader, 1, undefined)).items;
    if (conversation === undefined) throw new Error('no conversation to count');
    await conversationUnread(deps, reader, conversation);
  });
  const listConversationsWithUnread = await measure(async () => {
    const page = await listConversations(deps, identity, 50, undefined);
    await withUnreadCounts(deps, reader, page.conversations);
  });
  const newest = sent.at(-1) as string;
  const markConversation = await measure(() => markConversationRead(deps, reader, conversationId, newest));
  const markReadRefused = await measure(() =>
    markConversationRead(deps, reader, conversationId, sent[0] as string),
  );
  const unreadCountNone = await measure(async () => {
    const [conversation] = (await deps.conversations.listFor(reader, 1, undefined)).items;
    if (conversation === undefined) throw new Error('no conversation to count');
    await conversationUnread(deps, reader, conversation);
  });
  const [roomMessage] = (await deps.messages.page({ room }, 1)).messages;
  if (roomMessage === undefined) throw new Error('no room message to mark read');
  const markRoom = await measure(() => markRoomRead(deps, reader, room, roomMessage.messageId));
  const myRoomsWithUnread = await measure(() => myRooms(deps, identity, 50, undefined));
  const typingRoom10 = await measure(() => relayTyping(deps, connectionId, { room }));
  const typingDropped = await measure(() => relayTyping(deps, connectionId, { room }));
  return {
    markConversationRead: markConversation,
    markReadRefused,
    markRoomRead: markRoom,
    unreadCount101,
    unreadCountNone,
    listConversationsWithUnread,
    myRoomsWithUnread,
    typingRoom10,
    typingDropped,
  };
}
