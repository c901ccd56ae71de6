import type * as contract from '../../lib/contract/index.ts';
import { epochSeconds, type SessionRepository } from '../data/sessions.ts';
import { UnauthorizedError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { checkConnectionQuota, type LimitDeps } from './limits.ts';
import { newSecret, requireLiveSession, secretHash } from './sessions.ts';

export interface TicketDeps {
  readonly sessions: SessionRepository;
  readonly ticketTtlSeconds: number;
  readonly now: () => Date;
}

/**
 * Issues a single-use WebSocket ticket for the caller's session: one PutItem of its hash, with a TTL. A browser
 * opens the socket with `?ticket=` instead of putting an access token in a URL. A user at the connection quota
 * gets no ticket (one counted Query of their connections first): a browser cannot see the handshake's 429, but
 * can see this answer. The handshake still checks, since a token opens connections too.
 * @throws QuotaExceededError when the user has as many connections open as they may.
 */
export async function issueWebSocketTicket(
  deps: TicketDeps & LimitDeps,
  identity: Identity,
): Promise<contract.WebSocketTicket> {
  await checkConnectionQuota(deps, identity.username);
  const ticket = newSecret();
  await deps.sessions.putTicket(secretHash(ticket), {
    userId: identity.userId,
    username: identity.username,
    sessionId: identity.sessionId,
    expiresAt: epochSeconds(deps.now()) + deps.ticketTtlSeconds,
  });
  return { ticket, expiresIn: deps.ticketTtlSeconds };
}

/**
 * Redeems a ticket at the handshake: one conditional DeleteItem (so it opens one connection at most), then the
 * session check of its session (1 RCU), as for a token.
 * @throws UnauthorizedError for a malformed, used or expired ticket, or one whose session has ended.
 */
export async function redeemWebSocketTicket(
  deps: Omit<TicketDeps, 'ticketTtlSeconds'>,
  ticket: string,
): Promise<Identity> {
  const granted = /^[A-Za-z0-9_-]{43}$/.test(ticket)
    ? await deps.sessions.consumeTicket(secretHash(ticket), deps.now())
    : undefined;
  if (granted === undefined) throw new UnauthorizedError('The ticket is invalid, used or expired.');
  const identity = { userId: granted.userId, username: granted.username, sessionId: granted.sessionId };
  await requireLiveSession(deps, identity);
  return identity;
}
