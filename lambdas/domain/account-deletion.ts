import { UnauthorizedError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import type { DeleteAccountInput } from '../shared/validation.ts';
import { type AccountDeps, ownAccount } from './accounts.ts';
import { type BlockDeps, unblockEveryone } from './blocks.ts';
import type { ConversationDeps } from './conversations.ts';
import { type DeviceDeps, removeEveryDevice } from './devices.ts';
import { leaveEveryGroup } from './groups.ts';
import { type MembershipDeps, removeAllMemberships } from './membership.ts';
import type { DeliveryDeps } from './presence.ts';
import { endSessions, type SessionEndDeps } from './sessions.ts';

/**
 * Deletes the caller's account after checking its password: the profile becomes a tombstone (the username is
 * never free again), the email claim goes (the email may register again), then every session ends and every
 * socket closes, the blocks the user made are lifted, their memberships and invitations are removed, and their push
 * devices too (no push reaches a phone of a deleted account); they leave every group, which the others' sockets
 * hear as a leave. Direct conversations stay.
 * Messages stay in history under the username.
 * @throws InvalidCredentialsError when the password is wrong.
 */
export async function deleteAccount(
  deps: Pick<AccountDeps, 'users' | 'now'> &
    SessionEndDeps &
    Pick<BlockDeps, 'blocks'> &
    Pick<MembershipDeps, 'memberships'> &
    Pick<DeviceDeps, 'devices'> &
    Pick<ConversationDeps, 'conversations'> &
    DeliveryDeps,
  identity: Identity,
  input: DeleteAccountInput,
): Promise<void> {
  const user = await ownAccount(deps, identity, input.password);
  if (!(await deps.users.delete(user, deps.now().toISOString()))) {
    throw new UnauthorizedError('The account of this token no longer exists.');
  }
  await endSessions(deps, user.username, 'all');
  await unblockEveryone(deps, user.username);
  await removeAllMemberships(deps, user.username);
  await removeEveryDevice(deps, user.username);
  await leaveEveryGroup(deps, user.username);
}
