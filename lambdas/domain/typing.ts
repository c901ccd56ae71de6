import { limits } from '../../lib/contract/index.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { TypingThrottle } from '../data/typing.ts';
import { BlockedError, ConversationNotFoundError, SocketError } from '../shared/errors.ts';
import type { MessagingDeps } from './messaging.ts';
import { deliver, idsOf } from './presence.ts';
import { otherParticipantsConnections } from './read-state.ts';

export interface TypingDeps extends MessagingDeps {
  readonly typing: TypingThrottle;
}

/**
 * Relays "this user is typing" from a connection: never stored, no answer. In a room the connection has joined,
 * to the room's present connections but the user's own (1 strongly consistent Query of the room's connections,
 * which finds the sender's, as a message does); in a conversation, to the other participants' connections (1
 * GetItem of the connection, 1 of the caller's conversation item, 1 Query of each other participant's
 * connections). At most one per user and target every 2 seconds is relayed (1 conditional PutItem, charged
 * whether it admits or not); the others are dropped without a word.
 * @throws SocketError NOT_IN_ROOM; ConversationNotFoundError (also for a non-participant); BlockedError
 */
export async function relayTyping(
  deps: TypingDeps,
  connectionId: string,
  target: { readonly room?: string; readonly conversationId?: string },
): Promise<void> {
  if (target.room !== undefined) {
    const room = target.room;
    const members = await deps.connections.members(room);
    const sender = members.find((member) => member.connectionId === connectionId);
    if (sender === undefined) {
      throw new SocketError('NOT_IN_ROOM', `Join the room "${room}" before typing in it.`);
    }
    if (!(await claim(deps, sender.username, { room }))) return;
    const me = canonicalUsername(sender.username);
    const others = members.filter((member) => canonicalUsername(member.username) !== me);
    await deliver(deps, idsOf(others), { type: 'typing', room, username: sender.username });
    return;
  }
  const conversationId = target.conversationId ?? '';
  const connection = await deps.connections.get(connectionId);
  const participation =
    connection && (await deps.conversations.participation(connection.username, conversationId));
  if (connection === undefined || participation === undefined) throw new ConversationNotFoundError();
  if (participation.blockedByPeer) throw new BlockedError();
  if (!(await claim(deps, connection.username, { conversationId }))) return;
  const recipients = await otherParticipantsConnections(
    deps,
    participation.conversation,
    connection.username,
  );
  await deliver(deps, recipients, { type: 'typing', conversationId, username: connection.username });
}

function claim(
  deps: TypingDeps,
  username: string,
  target: { readonly room: string } | { readonly conversationId: string },
): Promise<boolean> {
  return deps.typing.claim(username, target, deps.now().getTime(), limits.typingIntervalMs);
}
