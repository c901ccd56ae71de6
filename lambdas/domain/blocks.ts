import type { Block, BlockRepository } from '../data/blocks.ts';
import { canonicalUsername, conversationIdOf } from '../data/keys.ts';
import type { UserRepository } from '../data/users.ts';
import { UserNotFoundError, ValidationError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';

export interface BlockDeps {
  readonly users: UserRepository;
  readonly blocks: BlockRepository;
  readonly now: () => Date;
}

/**
 * Blocks `username` for the caller: from now on they cannot open a direct conversation with the caller nor
 * send in one. 1 GetItem (the user exists), 1 UpdateItem (the block), 1 conditional UpdateItem (the mark on
 * their conversation item, when the two have one).
 * @throws ValidationError for the caller themself; UserNotFoundError when there is no such user.
 */
export async function blockUser(deps: BlockDeps, identity: Identity, username: string): Promise<void> {
  if (canonicalUsername(username) === canonicalUsername(identity.username)) {
    throw new ValidationError([{ field: 'username', problem: 'must be another user' }]);
  }
  const user = await deps.users.findByUsername(username);
  if (user === undefined) throw new UserNotFoundError();
  const conversationId = conversationIdOf(identity.username, user.username);
  await deps.blocks.block(identity.username, user.username, conversationId, deps.now().toISOString());
}

/** Unblocks `username` (whether blocked or not, whether they exist or not): 1 DeleteItem, 1 conditional UpdateItem. */
export async function unblockUser(deps: BlockDeps, identity: Identity, username: string): Promise<void> {
  await deps.blocks.unblock(identity.username, username, conversationIdOf(identity.username, username));
}

/**
 * Lifts every block `username` made (their account is being deleted): the users they blocked may write to the
 * username again, which no one can register. 1 Query per page of blocks, then unblock's 2 writes for each.
 */
export async function unblockEveryone(deps: Pick<BlockDeps, 'blocks'>, username: string): Promise<void> {
  let after: string | undefined;
  do {
    const page = await deps.blocks.list(username, 100, after);
    for (const block of page.items) {
      await deps.blocks.unblock(username, block.username, conversationIdOf(username, block.username));
    }
    after = page.after;
  } while (after !== undefined);
}

/** A page of the users the caller blocks, by username. */
export async function listBlocks(
  deps: BlockDeps,
  identity: Identity,
  limit: number,
  after: string | undefined,
): Promise<{ blocks: Block[]; after: string | undefined }> {
  const page = await deps.blocks.list(identity.username, limit, after);
  return { blocks: page.items, after: page.after };
}
