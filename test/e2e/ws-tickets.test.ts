/**
 * WebSocket tickets over the local stack: `POST /auth/ws-ticket` answers a single-use ticket that opens one
 * connection with `?ticket=`; a used, expired, forged or ended session's ticket is refused with 401. The ticket
 * lifetime is shortened through the functions' configuration so that expiry is observed in seconds, and the
 * connection quota lowered to 2, at which no ticket is issued.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectContractError, expectError } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness, type User } from '../support/realtime.ts';
import { eventually, sleep, TestSocket } from '../support/ws-client.ts';

const TICKET_SECONDS = 2;
const CONNECTIONS_PER_USER = 2;
const stack = await startTestStack({
  environment: { WS_TICKET_TTL_SECONDS: String(TICKET_SECONDS) },
  limits: { connectionsPerUser: CONNECTIONS_PER_USER },
});
/** Sockets opened with tickets (the harness opens sockets with tokens only), closed before the stack stops. */
const ticketSockets: TestSocket[] = [];
afterAll(async () => {
  await Promise.all(ticketSockets.map((socket) => socket.close()));
  await harness.closeSockets();
  await stack.stop();
});
const harness = realtimeHarness(stack);
const { api } = harness;

const ticketFor = async (user: Pick<User, 'token'>): Promise<string> => {
  const answer = await api.call('POST', '/auth/ws-ticket', { token: user.token });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  expect(answer.body.expiresIn).toBe(TICKET_SECONDS);
  return answer.body.ticket;
};
const withTicket = (ticket: string) => `${stack.wsUrl}?ticket=${encodeURIComponent(ticket)}`;

/** Opens a socket with a ticket; it is closed after the file. */
async function openWithTicket(ticket: string): Promise<TestSocket> {
  const socket = await TestSocket.open(withTicket(ticket));
  ticketSockets.push(socket);
  return socket;
}

describe('WebSocket tickets', () => {
  it('open one connection of the ticket’s user, and only one', async () => {
    const user = await api.signUp('ticket');
    const ticket = await ticketFor(user);

    const socket = await openWithTicket(ticket);

    await harness.expectStillServing(socket);
    await expect(TestSocket.open(withTicket(ticket))).rejects.toMatchObject({ status: 401 });
  });

  it('let exactly one of concurrent handshakes with one ticket through', async () => {
    const user = await api.signUp('tickrace');
    const ticket = await ticketFor(user);

    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, () => TestSocket.open(withTicket(ticket))),
    );

    const opened = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    expect(opened).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect(attempt.reason).toMatchObject({ status: 401 });
    }
    await Promise.all(opened.map((socket) => socket.close()));
  });

  it('are refused once expired', async () => {
    const user = await api.signUp('expired');
    const ticket = await ticketFor(user);

    // Past the lifetime, with a second's margin for the epoch-second rounding of the expiry.
    await sleep((TICKET_SECONDS + 1) * 1000);

    await expect(TestSocket.open(withTicket(ticket))).rejects.toMatchObject({ status: 401 });
  });

  it('are refused when forged, and when their session has ended', async () => {
    const user = await api.signUp('ended');
    const ticket = await ticketFor(user);
    expect((await api.call('POST', '/auth/logout', { token: user.token })).status).toBe(204);

    await expect(TestSocket.open(withTicket(ticket))).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(withTicket('A'.repeat(43)))).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(withTicket('not a ticket'))).rejects.toMatchObject({ status: 401 });
  });

  it('need a live session to be issued', async () => {
    const user = await api.signUp('noticket');
    expect((await api.call('POST', '/auth/logout', { token: user.token })).status).toBe(204);

    const answer = await api.call('POST', '/auth/ws-ticket', { token: user.token });

    expect(answer.status).toBe(401);
    expectContractError(answer);
    expect(answer.body.code).toBe('UNAUTHORIZED');
  });

  it('are refused with 403 QUOTA_EXCEEDED at the connection quota, for that user only, until one closes', async () => {
    const [user, other] = await harness.api.signUpEach('full', 'other');
    const sockets: TestSocket[] = [];
    for (let n = 0; n < CONNECTIONS_PER_USER; n++) sockets.push(await openWithTicket(await ticketFor(user)));

    const refused = await api.call('POST', '/auth/ws-ticket', { token: user.token });

    expectError(refused, 403, 'QUOTA_EXCEEDED');
    await ticketFor(other);
    await (sockets[0] as TestSocket).close();
    // `$disconnect` and the index that counts connections both follow the close a moment later.
    await eventually(
      async () => (await api.call('POST', '/auth/ws-ticket', { token: user.token })).status === 201,
    );
  });
});
