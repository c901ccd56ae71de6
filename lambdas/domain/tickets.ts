import type * as contract from '../../lib/contract/index.ts';
import { epochSeconds, type SessionRepository } from '../data/sessions.ts';
import { UnauthorizedError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { newSecret, requireLiveSession, secretHash } from './sessions.ts';

export interface TicketDeps {
  readonly sessions: SessionRepository;
  readonly ticketTtlSeconds: number;
  readonly now: () => Date;
}

/**
 * Issues a single-use WebSocket ticket for the caller's session: one PutItem of its hash, with a TTL. A browser
 * opens the socket with `?ticket=` instead of putting an access token in a URL.
 */
export async function issueWebSocketTicket(
  deps: TicketDeps,
  identity: Identity,
): Promise<contract.WebSocketTicket> {
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
