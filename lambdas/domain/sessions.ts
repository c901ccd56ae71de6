import { createHash, randomBytes } from 'node:crypto';
import type * as contract from '../../lib/contract/index.ts';
import type { ConnectionRepository } from '../data/connections.ts';
import { epochSeconds, type SessionRecord, type SessionRepository } from '../data/sessions.ts';
import { sleep } from '../data/transactions.ts';
import { InvalidCredentialsError, InvalidRefreshTokenError, UnauthorizedError } from '../shared/errors.ts';
import type { ConnectionCloser } from '../shared/management.ts';
import { type Identity, issueToken, type SigningKeyProvider, verifyToken } from '../shared/tokens.ts';
import { openConnection } from './presence.ts';

/** What issuing, refreshing and checking sessions needs. */
export interface SessionDeps {
  readonly sessions: SessionRepository;
  readonly signingKey: SigningKeyProvider;
  readonly tokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly now: () => Date;
}

/** What ending sessions needs besides: the connections opened with them, and a way to close those. */
export interface SessionEndDeps {
  readonly sessions: SessionRepository;
  readonly connections: ConnectionRepository;
  readonly closer: ConnectionCloser;
}

/** The account a session is for. */
export interface SessionUser {
  readonly userId: string;
  readonly username: string;
}

/** SHA-256, base64url: what is stored of a refresh token or a ticket. */
export const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

/** 128 random bits name a session; 256 random bits make a refresh token or a ticket unguessable. */
const newSessionId = () => randomBytes(16).toString('base64url');
export const newSecret = () => randomBytes(32).toString('base64url');

/** A refresh token is `<sessionId>.<secret>`: the id finds the session in one read, the hash checks the whole. */
const REFRESH_TOKEN = /^([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/;

/**
 * Starts a session for a user whose credentials were checked, and answers the login: an access token and the
 * session's first refresh token. Given the password hash that was checked, the session is stored only while the
 * account still has it (one transaction), so that a login racing a password change or an account deletion
 * cannot leave a session behind them; without one (tests, benchmarks), one PutItem.
 * @throws InvalidCredentialsError when the checked password is no longer the account's, or the account is gone.
 */
export async function startSession(
  deps: SessionDeps,
  user: SessionUser & { readonly passwordHash?: string },
): Promise<contract.LoginResult> {
  const now = deps.now();
  const sessionId = newSessionId();
  const refreshToken = `${sessionId}.${newSecret()}`;
  const session: SessionRecord = {
    sessionId,
    userId: user.userId,
    username: user.username,
    refreshHash: secretHash(refreshToken),
    usedHashes: [],
    createdAt: now.toISOString(),
    expiresAt: epochSeconds(now) + deps.sessionTtlSeconds,
  };
  const account = user.passwordHash === undefined ? undefined : { ...user, passwordHash: user.passwordHash };
  if (!(await deps.sessions.create(session, account))) throw new InvalidCredentialsError();
  return loginAnswer(deps, session, refreshToken);
}

/**
 * Exchanges a refresh token for new tokens of the same session (the refresh token rotates). A token of this
 * session that was already used ends the whole session, with its sockets: it was copied, and who holds the
 * newest token is unknown. Of concurrent refreshes with one token exactly one wins; the others get 401.
 * @throws InvalidRefreshTokenError for any token that is not the session's current one.
 */
export async function refreshSession(
  deps: SessionDeps & SessionEndDeps,
  refreshToken: string,
): Promise<contract.LoginResult> {
  const sessionId = REFRESH_TOKEN.exec(refreshToken)?.[1];
  if (sessionId === undefined) throw new InvalidRefreshTokenError();
  const session = await deps.sessions.get(sessionId, deps.now());
  if (session === undefined) throw new InvalidRefreshTokenError();
  const presented = secretHash(refreshToken);
  if (presented !== session.refreshHash) {
    if (session.usedHashes.includes(presented)) await endSessions(deps, session.username, [sessionId]);
    throw new InvalidRefreshTokenError();
  }
  const next = `${sessionId}.${newSecret()}`;
  if (!(await deps.sessions.rotate(session, secretHash(next)))) throw new InvalidRefreshTokenError();
  return loginAnswer(deps, session, next);
}

/**
 * Verifies an access token and checks that its session is alive and belongs to the token's user: one
 * strongly consistent GetItem (1 RCU), so a session ended by logout is refused by the very next request.
 * @throws UnauthorizedError
 */
export async function authenticate(
  deps: Pick<SessionDeps, 'sessions' | 'signingKey' | 'now'>,
  token: string,
): Promise<Identity> {
  const identity = verifyToken(await deps.signingKey(), token);
  await requireLiveSession(deps, identity);
  return identity;
}

/** @throws UnauthorizedError unless the identity's session exists and is its user's. */
export async function requireLiveSession(
  deps: Pick<SessionDeps, 'sessions' | 'now'>,
  identity: Identity,
): Promise<void> {
  const session = await deps.sessions.get(identity.sessionId, deps.now());
  if (session === undefined || session.userId !== identity.userId) {
    throw new UnauthorizedError('The session of this token has ended.');
  }
}

/**
 * Records a connection accepted at `$connect` in an already checked session, then checks the session once more
 * (1 RCU). Ending sessions deletes them first and lists their connections after, so either that listing finds
 * this record and closes the socket, or this check sees the session ended: the record is removed and the
 * handshake refused. Without it, a handshake checked just before a logout and recorded just after the logout
 * listed the connections would open a socket of an ended session.
 * @throws UnauthorizedError when the session ended meanwhile.
 */
export async function openSessionConnection(
  deps: Pick<SessionDeps, 'sessions' | 'now'> & Parameters<typeof openConnection>[0],
  connectionId: string,
  identity: Identity,
): Promise<void> {
  await openConnection(deps, connectionId, identity);
  try {
    await requireLiveSession(deps, identity);
  } catch (error) {
    await deps.connections.delete(connectionId);
    throw error;
  }
}

/**
 * Ends sessions of a user: each session item is deleted first (from then on their tokens are refused), then
 * every connection the user opened in one of them is closed through the management API. `'all'` ends every
 * session the user's index lists.
 */
export async function endSessions(
  deps: SessionEndDeps,
  username: string,
  sessionIds: readonly string[] | 'all',
): Promise<void> {
  const ended = new Set(sessionIds === 'all' ? await deps.sessions.sessionIdsOf(username) : sessionIds);
  for (const sessionId of ended) await deps.sessions.delete(sessionId);
  const connections = await deps.connections.sessionsOfConnections(username);
  await Promise.all(
    connections
      .filter((connection) => sessionIds === 'all' || ended.has(connection.sessionId ?? ''))
      .map((connection) => closeOnceOpen(deps, connection.connectionId)),
  );
}

/** Pauses between closes of a connection API Gateway did not know as open: 0.9 s in all. */
const GONE_RETRY_DELAYS_MS = [150, 300, 450];

/**
 * Closes a connection. One API Gateway answers as gone while its record remains may be closed already (its
 * `$disconnect` is on the way) or not open yet: a handshake that passed its second session check just before
 * the session ended is still inside `$connect`. So while the record remains, the close is tried again a few
 * times; once the record is gone, `$disconnect` has run (or the handshake was refused) and nothing is left to do.
 */
async function closeOnceOpen(deps: SessionEndDeps, connectionId: string): Promise<void> {
  for (const delay of [0, ...GONE_RETRY_DELAYS_MS]) {
    if (delay > 0) {
      await sleep(delay);
      if ((await deps.connections.get(connectionId)) === undefined) return;
    }
    if ((await deps.closer.close(connectionId)) === 'closed') return;
  }
}

async function loginAnswer(
  deps: SessionDeps,
  session: SessionRecord,
  refreshToken: string,
): Promise<contract.LoginResult> {
  const identity = { userId: session.userId, username: session.username, sessionId: session.sessionId };
  const issued = issueToken(await deps.signingKey(), identity, deps.tokenTtlSeconds);
  return {
    token: issued.token,
    tokenType: 'Bearer',
    expiresIn: issued.expiresIn,
    refreshToken,
    refreshExpiresIn: Math.max(0, session.expiresAt - epochSeconds(deps.now())),
    user: { userId: session.userId, username: session.username },
  };
}
