import { compare, hash } from 'bcryptjs';
import type * as contract from '../../lib/contract/index.ts';
import { username as usernameSchema } from '../../lib/contract/index.ts';
import type { UserRecord, UserRepository } from '../data/users.ts';
import { ConflictError, InvalidCredentialsError, UnauthorizedError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import type {
  ChangePasswordInput,
  DeleteAccountInput,
  LoginInput,
  RegisterInput,
} from '../shared/validation.ts';
import { type BlockDeps, unblockEveryone } from './blocks.ts';
import { type DeviceDeps, removeEveryDevice } from './devices.ts';
import { admitLogin, type LoginLockoutDeps } from './login-lockout.ts';
import { endSessions, type SessionDeps, type SessionEndDeps, startSession } from './sessions.ts';

/** A user as the contract shows it to its owner. */
export type PublicUser = contract.User;

export interface AccountDeps {
  readonly users: UserRepository;
  readonly now: () => Date;
  readonly newUserId: () => string;
  readonly bcryptCost: number;
  readonly lockout: LoginLockoutDeps;
}

export type LoginResult = contract.LoginResult;

/**
 * Registers a user. Uniqueness of the username and the email (both case-insensitive) is decided by the
 * database in one transaction, so concurrent registrations cannot both win.
 * @throws ConflictError ACCOUNT_EXISTS when either is taken; which one is not said.
 */
export async function register(
  deps: Pick<AccountDeps, 'users' | 'now' | 'newUserId' | 'bcryptCost'>,
  input: RegisterInput,
): Promise<PublicUser> {
  const user: UserRecord = {
    userId: deps.newUserId(),
    username: input.username,
    email: input.email,
    passwordHash: await hash(input.password, deps.bcryptCost),
    createdAt: deps.now().toISOString(),
  };
  if (!(await deps.users.create(user))) {
    throw new ConflictError('ACCOUNT_EXISTS', 'An account with that username or email already exists.');
  }
  return toPublicUser(user);
}

/**
 * Checks a username and password and starts a session (an access token and a refresh token). An unknown user
 * costs one bcrypt comparison against a dummy hash of the same cost, so that both failures take about the
 * same time and answer the same body. Failures are counted per username and per source address
 * (lambdas/domain/login-lockout.ts).
 * @throws TooManyAttemptsError while the username or `sourceIp` is locked out, before any password is checked.
 * @throws InvalidCredentialsError for an unknown user or a wrong password alike.
 */
export async function login(
  deps: Pick<AccountDeps, 'users' | 'bcryptCost' | 'lockout'> & SessionDeps,
  input: LoginInput,
  sourceIp: string,
): Promise<LoginResult> {
  const attempt = await admitLogin(deps.lockout, input.username, sourceIp);
  const user = usernameSchema.safeParse(input.username).success
    ? await deps.users.findByUsername(input.username)
    : undefined;
  const matches = await compare(input.password, user?.passwordHash ?? dummyHash(deps.bcryptCost));
  if (user === undefined || !matches) {
    await attempt.failed();
    throw new InvalidCredentialsError();
  }
  return startSession(deps, user);
}

/**
 * Changes the caller's password: every session of the user ends (the caller's too) and their sockets close,
 * then a new session starts and is answered. The hash is replaced on condition that the account is still the
 * token's (same user id) and still has the hash the current password was checked against, so that of two
 * concurrent changes only one wins and a deleted account gets no password.
 * @throws InvalidCredentialsError when the current password is wrong.
 */
export async function changePassword(
  deps: Pick<AccountDeps, 'users' | 'bcryptCost'> & SessionDeps & SessionEndDeps,
  identity: Identity,
  input: ChangePasswordInput,
): Promise<LoginResult> {
  const user = await ownAccount(deps, identity, input.currentPassword);
  const passwordHash = await hash(input.newPassword, deps.bcryptCost);
  if (!(await deps.users.replacePasswordHash(user, passwordHash))) {
    // Changed or deleted since it was read: say which, as a request arriving a moment later would be told.
    await ownAccount(deps, identity, input.currentPassword);
    throw new InvalidCredentialsError();
  }
  await endSessions(deps, user.username, 'all');
  return startSession(deps, { ...user, passwordHash });
}

/**
 * Deletes the caller's account after checking its password: the profile becomes a tombstone (the username is
 * never free again), the email claim goes (the email may register again), then every session ends and every
 * socket closes, the blocks the user made are lifted and their push devices removed (no push reaches a phone
 * of a deleted account). Messages stay in history under the username.
 * @throws InvalidCredentialsError when the password is wrong.
 */
export async function deleteAccount(
  deps: Pick<AccountDeps, 'users' | 'now'> &
    SessionEndDeps &
    Pick<BlockDeps, 'blocks'> &
    Pick<DeviceDeps, 'devices'>,
  identity: Identity,
  input: DeleteAccountInput,
): Promise<void> {
  const user = await ownAccount(deps, identity, input.password);
  if (!(await deps.users.delete(user, deps.now().toISOString()))) {
    throw new UnauthorizedError('The account of this token no longer exists.');
  }
  await endSessions(deps, user.username, 'all');
  await unblockEveryone(deps, user.username);
  await removeEveryDevice(deps, user.username);
}

/**
 * The signed-in user's own profile.
 * @throws UnauthorizedError when the account behind a still-valid token no longer exists.
 */
export async function me(deps: Pick<AccountDeps, 'users'>, identity: Identity): Promise<PublicUser> {
  return toPublicUser(await accountOf(deps, identity));
}

/**
 * The account of a token: the account at the token's username must be the token's user (not an account
 * registered again under the name, nor the tombstone of a deleted one).
 * @throws UnauthorizedError when it is gone.
 */
export async function accountOf(deps: Pick<AccountDeps, 'users'>, identity: Identity): Promise<UserRecord> {
  const user = await deps.users.findByUsername(identity.username);
  if (user === undefined || user.userId !== identity.userId) {
    throw new UnauthorizedError('The account of this token no longer exists.');
  }
  return user;
}

/**
 * The account of a token (see `accountOf`), its password checked.
 * @throws UnauthorizedError when it is gone; InvalidCredentialsError when the password is wrong.
 */
async function ownAccount(deps: Pick<AccountDeps, 'users'>, identity: Identity, password: string) {
  const user = await accountOf(deps, identity);
  if (!(await compare(password, user.passwordHash))) throw new InvalidCredentialsError();
  return user;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return { userId: user.userId, username: user.username, email: user.email };
}

/**
 * A well-formed bcrypt hash that no password matches (its checksum was not computed from its salt), at the
 * cost real hashes use, so that comparing against it costs what a real comparison costs. Built per call from
 * constants: no work at module load.
 */
function dummyHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$CCCCCCCCCCCCCCCCCCCCC.NrNc9vnDQ7iX0S3KZ8xqIQt3rYgp6GJ`;
}
