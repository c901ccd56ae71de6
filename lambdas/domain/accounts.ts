import { compare, hash } from 'bcryptjs';
import type * as contract from '../../lib/contract/index.ts';
import { username as usernameSchema } from '../../lib/contract/index.ts';
import type { UserRecord, UserRepository } from '../data/users.ts';
import { ConflictError, InvalidCredentialsError, UnauthorizedError } from '../shared/errors.ts';
import { type Identity, issueToken, type SigningKeyProvider } from '../shared/tokens.ts';
import type { LoginInput, RegisterInput } from '../shared/validation.ts';
import { admitLogin, type LoginLockoutDeps } from './login-lockout.ts';

/** A user as the contract shows it to its owner. */
export type PublicUser = contract.User;

export interface AccountDeps {
  readonly users: UserRepository;
  readonly now: () => Date;
  readonly newUserId: () => string;
  readonly bcryptCost: number;
  readonly signingKey: SigningKeyProvider;
  readonly tokenTtlSeconds: number;
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
 * Checks a username and password and issues a token. An unknown user costs one bcrypt comparison against a
 * dummy hash of the same cost, so that both failures take about the same time and answer the same body.
 * Failures are counted per username and per source address (lambdas/domain/login-lockout.ts).
 * @throws TooManyAttemptsError while the username or `sourceIp` is locked out, before any password is checked.
 * @throws InvalidCredentialsError for an unknown user or a wrong password alike.
 */
export async function login(
  deps: Pick<AccountDeps, 'users' | 'bcryptCost' | 'signingKey' | 'tokenTtlSeconds' | 'lockout'>,
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
  const issued = issueToken(
    await deps.signingKey(),
    { userId: user.userId, username: user.username },
    deps.tokenTtlSeconds,
  );
  return {
    token: issued.token,
    tokenType: 'Bearer',
    expiresIn: issued.expiresIn,
    user: { userId: user.userId, username: user.username },
  };
}

/**
 * The signed-in user's own profile.
 * @throws UnauthorizedError when the account behind a still-valid token no longer exists.
 */
export async function me(deps: Pick<AccountDeps, 'users'>, identity: Identity): Promise<PublicUser> {
  const user = await deps.users.findByUsername(identity.username);
  if (user === undefined || user.userId !== identity.userId) {
    throw new UnauthorizedError('The account of this token no longer exists.');
  }
  return toPublicUser(user);
}

function toPublicUser(user: UserRecord): PublicUser {
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
