import type { BlockRepository } from '../data/blocks.ts';
import type { Conversation, ConversationRepository } from '../data/conversations.ts';
import { canonicalUsername, conversationIdOf } from '../data/keys.ts';
import type { UserRepository } from '../data/users.ts';
import { BlockedError, UserNotFoundError, ValidationError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { type LimitDeps, takeRateToken } from './limits.ts';

export interface ConversationDeps {
  readonly users: UserRepository;
  readonly conversations: ConversationRepository;
  readonly blocks: BlockRepository;
  readonly now: () => Date;
}

/**
 * Opens the conversation between the caller and `peer`, or returns the existing one: its key is derived from
 * the pair, so concurrent calls in either order yield one conversation.
 * @throws RateLimitedError over the caller's rate; ValidationError when peer is the caller; UserNotFoundError
 * when peer does not exist; BlockedError when peer blocks the caller.
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
  const outcome = await openChecked(deps, identity.username, {
    conversationId,
    kind: 'direct',
    participants,
    createdAt: deps.now().toISOString(),
  });
  if (outcome === 'blocked') throw new BlockedError();
  const conversation = await deps.conversations.getFor(identity.username, conversationId);
  if (conversation === undefined) throw new Error('Conversation missing right after it was opened');
  return { conversation, created: outcome === 'created' };
}

/**
 * Opens the conversation, its items marked as the opener's block of the peer says: 1 GetItem of that block,
 * then the transaction, which checks both blocks; a block made or lifted between the two is read again.
 */
async function openChecked(
  deps: ConversationDeps,
  opener: string,
  conversation: Omit<Conversation, 'lastMessage'>,
): Promise<'created' | 'exists' | 'blocked'> {
  const peer = conversation.participants.find(
    (name) => canonicalUsername(name) !== canonicalUsername(opener),
  );
  for (let attempt = 1; ; attempt++) {
    const openerBlocksPeer = await deps.blocks.blocks(opener, peer as string);
    const outcome = await deps.conversations.open(conversation, opener, openerBlocksPeer);
    if (outcome !== 'block changed') return outcome;
    if (attempt === 3) throw new Error('The block between the two users kept changing while opening');
  }
}

/**
 * A page of the users whose username starts with `prefix` (any case), by username, after the canonical
 * username `after` of the previous page.
 * @throws ValidationError when `after` cannot follow from this prefix (a cursor of another search).
 */
export async function searchUsers(
  deps: Pick<ConversationDeps, 'users'>,
  prefix: string,
  limit: number,
  after: string | undefined,
): Promise<{ users: { username: string }[]; after: string | undefined }> {
  if (after !== undefined && !after.startsWith(canonicalUsername(prefix))) {
    throw new ValidationError([{ field: 'cursor', problem: 'is not a cursor of this search' }]);
  }
  const page = await deps.users.search(prefix, limit, after);
  return { users: page.items.map((username) => ({ username })), after: page.after };
}

/** A page of the caller's conversations, most recent activity first, each with its `peer`. */
export async function listConversations(
  deps: ConversationDeps,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<{
  conversations: (Conversation & { peer: string; lastReadMessageId: string | null })[];
  after: string | undefined;
}> {
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
