import type { Conversation, ConversationRepository } from '../data/conversations.ts';
import { canonicalUsername, conversationIdOf } from '../data/keys.ts';
import type { UserRepository } from '../data/users.ts';
import { UserNotFoundError, ValidationError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { type LimitDeps, takeRateToken } from './limits.ts';

export interface ConversationDeps {
  readonly users: UserRepository;
  readonly conversations: ConversationRepository;
  readonly now: () => Date;
}

/**
 * Opens the conversation between the caller and `peer`, or returns the existing one: its key is derived from
 * the pair, so concurrent calls in either order yield one conversation.
 * @throws RateLimitedError over the caller's rate; ValidationError when peer is the caller; UserNotFoundError
 * when peer does not exist.
 */
export async function openConversation(
  deps: ConversationDeps & LimitDeps,
  identity: Identity,
  peer: string,
): Promise<{ conversation: Conversation; created: boolean }> {
  await takeRateToken(deps, 'conversationOpen', identity.username);
  if (canonicalUsername(peer) === canonicalUsername(identity.username)) {
    throw new ValidationError([{ field: 'peer', problem: 'must be another user' }]);
  }
  const peerUser = await deps.users.findByUsername(peer);
  if (peerUser === undefined) throw new UserNotFoundError();
  const participants = [identity.username, peerUser.username].sort((a, b) =>
    canonicalUsername(a) < canonicalUsername(b) ? -1 : 1,
  ) as [string, string];
  const conversationId = conversationIdOf(identity.username, peerUser.username);
  const created = await deps.conversations.open({
    conversationId,
    participants,
    createdAt: deps.now().toISOString(),
  });
  const conversation = await deps.conversations.getFor(identity.username, conversationId);
  if (conversation === undefined) throw new Error('Conversation missing right after it was opened');
  return { conversation, created };
}

/** A page of the caller's conversations, most recent activity first, each with its `peer`. */
export async function listConversations(
  deps: ConversationDeps,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<{ conversations: (Conversation & { peer: string })[]; after: string | undefined }> {
  const page = await deps.conversations.listFor(identity.username, limit, after);
  const me = canonicalUsername(identity.username);
  return {
    conversations: page.items.map((conversation) => ({
      ...conversation,
      peer:
        conversation.participants.find((name) => canonicalUsername(name) !== me) ??
        conversation.participants[0],
    })),
    after: page.after,
  };
}
