import { limits } from '../../lib/contract/limits.ts';
import type { Conversation } from '../data/conversations.ts';
import { canonicalUsername, newGroupId } from '../data/keys.ts';
import {
  BlockedError,
  ConflictError,
  ConversationNotFoundError,
  QuotaExceededError,
  UserNotFoundError,
  ValidationError,
} from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import type { ConversationDeps } from './conversations.ts';
import { takeRateToken } from './limits.ts';
import { connectionsOf, type MessagingDeps } from './messaging.ts';
import { type DeliveryDeps, deliver } from './presence.ts';

/** What the group operations need: the conversations' and the delivery's dependencies. */
export type GroupDeps = ConversationDeps & MessagingDeps;

/**
 * Creates a group of the caller and `usernames` (duplicates and the caller collapse), titled or not: one
 * GetItem per named user and one per block of the caller by them (in parallel), then the group's writes; each
 * other participant's connections get their own `participant_added` (1 Query of their connections each).
 * @throws ValidationError under two other users or over 100 participants; UserNotFoundError (not saying which);
 * BlockedError when one of them blocks the caller; RateLimitedError. Nothing is created then.
 */
export async function createGroup(
  deps: GroupDeps,
  identity: Identity,
  usernames: readonly string[],
  title: string | undefined,
): Promise<Conversation> {
  await takeRateToken(deps, 'conversationOpen', identity.username);
  const me = canonicalUsername(identity.username);
  const others = [...new Set(usernames.map(canonicalUsername))].filter((name) => name !== me);
  if (others.length < 2) {
    throw new ValidationError([{ field: 'participants', problem: 'must name at least two other users' }]);
  }
  if (others.length + 1 > limits.maxGroupParticipants) {
    throw new ValidationError([
      { field: 'participants', problem: `a group has at most ${limits.maxGroupParticipants} participants` },
    ]);
  }
  const found = await Promise.all(others.map((name) => deps.users.findByUsername(name)));
  if (found.some((user) => user === undefined)) throw new UserNotFoundError();
  const names = found.map((user) => user?.username as string);
  const blocking = await Promise.all(names.map((name) => deps.blocks.blocks(name, identity.username)));
  if (blocking.some(Boolean)) throw new BlockedError();
  const createdAt = deps.now().toISOString();
  const participants = [identity.username, ...names];
  const conversationId = newGroupId();
  await deps.conversations.groups.create({
    conversationId,
    participants,
    ...(title === undefined ? {} : { title }),
    createdAt,
  });
  const conversation = await groupOf(deps, identity.username, conversationId);
  // Each other participant's client learns of the group as an added user does: by its own participant_added.
  await Promise.all(
    names.map(async (name) =>
      deliver(deps, await deps.connections.connectionIdsOf(name), {
        type: 'participant_added',
        conversationId,
        username: name,
        by: identity.username,
      }),
    ),
  );
  return conversation;
}

/**
 * Adds `username` to a group the caller is in; every participant's connections (theirs too) get
 * `participant_added`. One GetItem of the user, then the conditional transaction (lambdas/data/groups.ts).
 * @throws ConversationNotFoundError; ConflictError NOT_A_GROUP or ALREADY_MEMBER; UserNotFoundError;
 * BlockedError; QuotaExceededError at 100 participants; RateLimitedError.
 */
export async function addParticipant(
  deps: GroupDeps,
  identity: Identity,
  conversationId: string,
  username: string,
): Promise<Conversation> {
  await takeRateToken(deps, 'conversationOpen', identity.username);
  const before = await groupOf(deps, identity.username, conversationId);
  const user = await deps.users.findByUsername(username);
  if (user === undefined) throw new UserNotFoundError();
  const outcome = await deps.conversations.groups.add(
    conversationId,
    user.username,
    identity.username,
    deps.now().toISOString(),
    before.lastMessage,
  );
  if (outcome === 'not a participant') throw new ConversationNotFoundError();
  if (outcome === 'already in')
    throw new ConflictError('ALREADY_MEMBER', 'That user is in the group already.');
  if (outcome === 'blocked') throw new BlockedError();
  if (outcome === 'full') {
    throw new QuotaExceededError(`A group has at most ${limits.maxGroupParticipants} participants.`);
  }
  const conversation = await groupOf(deps, user.username, conversationId);
  await deliver(deps, await connectionsOf(deps, conversation), {
    type: 'participant_added',
    conversationId,
    username: user.username,
    by: identity.username,
  });
  return conversation;
}

/**
 * The caller leaves a group: the remaining participants' connections and the caller's get `participant_left`.
 * @throws ConversationNotFoundError (also when they left meanwhile); ConflictError NOT_A_GROUP.
 */
export async function leaveGroup(deps: GroupDeps, identity: Identity, conversationId: string): Promise<void> {
  const before = await groupOf(deps, identity.username, conversationId);
  if (!(await leaveAndTell(deps, before.participants, conversationId, identity.username))) {
    throw new ConversationNotFoundError();
  }
}

/**
 * A deleted account leaves every group it is in, each as a leave does (the same transaction, so that the
 * participant count stays exact, and `participant_left` to the others' connections): the Queries of its
 * conversation list, then per group 1 GetItem of the META item, the leave transaction and 1 Query of the
 * connections per participant. Direct conversations stay.
 */
export async function leaveEveryGroup(
  deps: Pick<ConversationDeps, 'conversations'> & DeliveryDeps,
  username: string,
): Promise<void> {
  // Every id is read before any leave deletes items of the partition being paged through.
  for (const conversationId of await deps.conversations.groups.groupIdsOf(username)) {
    const group = await deps.conversations.groups.get(conversationId);
    if (group !== undefined) await leaveAndTell(deps, group.participants, conversationId, username);
  }
}

/** `username` leaves; `participants` (theirs before it) hear of it. Answers false when they were not in it. */
async function leaveAndTell(
  deps: Pick<ConversationDeps, 'conversations'> & DeliveryDeps,
  participants: readonly string[],
  conversationId: string,
  username: string,
): Promise<boolean> {
  if (!(await deps.conversations.groups.leave(conversationId, username))) return false;
  const me = canonicalUsername(username);
  const connectionIds = await Promise.all(participants.map((name) => deps.connections.connectionIdsOf(name)));
  await deliver(deps, connectionIds.flat(), {
    type: 'participant_left',
    conversationId,
    username: participants.find((name) => canonicalUsername(name) === me) ?? username,
  });
  return true;
}

/**
 * Sets a group's title (any participant): 1 GetItem of the caller's item, 1 of the META item, 1 UpdateItem.
 * @throws ConversationNotFoundError; ConflictError NOT_A_GROUP.
 */
export async function renameGroup(
  deps: GroupDeps,
  identity: Identity,
  conversationId: string,
  title: string,
): Promise<Conversation> {
  const conversation = await groupOf(deps, identity.username, conversationId);
  await deps.conversations.groups.rename(conversationId, title);
  return { ...conversation, title };
}

/** The group as `username` sees it, refusing strangers (404) and direct conversations (409). */
async function groupOf(deps: GroupDeps, username: string, conversationId: string): Promise<Conversation> {
  const conversation = await deps.conversations.getFor(username, conversationId);
  if (conversation === undefined) throw new ConversationNotFoundError();
  if (conversation.kind !== 'group') {
    throw new ConflictError('NOT_A_GROUP', 'This is a direct conversation, not a group.');
  }
  return conversation;
}
