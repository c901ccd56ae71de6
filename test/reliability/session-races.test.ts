/**
 * Races of the session routes, through the local stack: logout against refreshes of the same session, password
 * changes against refreshes, logins and each other, account deletion against logins and handshakes, and
 * logout-all against handshakes. Each race runs several rounds with the requests spread over a few
 * milliseconds, so that different orders meet; afterwards an invariant is checked on what the server holds,
 * not only on the status codes: which tokens still work, which password logs in, which sockets stay open.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { User } from '../support/accounts.ts';
import { expectContractError } from '../support/contract.ts';
import type { ApiResponse } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness } from '../support/realtime.ts';
import { sleep, TestSocket } from '../support/ws-client.ts';

// The races fail logins with an old password on purpose, all from one address: the lockout (tested in its own
// files) must not end them.
const stack = await startTestStack({ loginLockout: { usernameFailures: 1_000, addressFailures: 1_000 } });
const harness = realtimeHarness(stack);
const { api } = harness;
/** Sockets a race opened (with a token or a ticket), closed after each test. */
const opened: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});
afterAll(async () => {
  await harness.closeSockets();
  await stack.stop();
});

/** How many times each race is run; each round is a fresh user. */
const ROUNDS = 5;
/** How long a socket of an ended session may take to be closed by the server. */
const CLOSE_WITHIN_MS = 2_000;

type Tokens = { readonly token: string; readonly refreshToken: string };

const login = (username: string, password: string) =>
  api.callRoute('POST /auth/login', { body: { username, password } });
const refresh = (refreshToken: string) => api.callRoute('POST /auth/refresh', { body: { refreshToken } });
const changePassword = (token: string, currentPassword: string, newPassword: string) =>
  api.call('POST', '/auth/password', { token, body: { currentPassword, newPassword } });
const deleteAccount = (token: string, password: string) =>
  api.call('DELETE', '/auth/me', { token, body: { password } });

/** Starts `work` after a delay of 0 to `spreadMs` ms, so that concurrent requests interleave differently. */
async function spread<T>(spreadMs: number, work: () => Promise<T>): Promise<T> {
  await sleep(Math.floor(Math.random() * spreadMs));
  return work();
}

/** The tokens of a 200 login, refresh or password change; none for a refusal, which must be a contract 401. */
function tokensOf(answer: ApiResponse, refusals: readonly string[]): Tokens[] {
  if (answer.status === 200) return [{ token: answer.body.token, refreshToken: answer.body.refreshToken }];
  expect(answer.status, JSON.stringify(answer.body)).toBe(401);
  expectContractError(answer);
  expect(refusals).toContain(answer.body.code);
  return [];
}

/**
 * Whether a session is alive, by a route that checks the session only (`GET /rooms`), so that an account
 * deleted under a live session is not hidden by the account check of `GET /auth/me`.
 */
async function sessionAlive(tokens: Pick<Tokens, 'token'>): Promise<boolean> {
  const answer = await api.call('GET', '/rooms', { token: tokens.token });
  if (answer.status !== 200) {
    expect(answer.status, JSON.stringify(answer.body)).toBe(401);
    expect(answer.body.code).toBe('UNAUTHORIZED');
  }
  return answer.status === 200;
}

/** No access token works and no refresh token rotates: each session is over. */
async function expectEnded(sessions: readonly Tokens[], context: string): Promise<void> {
  for (const session of sessions) {
    expect(await sessionAlive(session), `${context}: access token still works`).toBe(false);
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status, `${context}: refresh token still works`).toBe(401);
  }
}

/** A ticket of the session, or undefined when the session has already ended. */
async function ticketOf(token: string): Promise<string | undefined> {
  const answer = await api.call('POST', '/auth/ws-ticket', { token });
  if (answer.status === 201) return answer.body.ticket;
  expect(answer.status, JSON.stringify(answer.body)).toBe(401);
  return undefined;
}

/** Opens a socket with `?ticket=` or `?token=`; undefined when the handshake is refused with 401. */
async function openSocket(
  credential: { ticket: string } | { token: string },
): Promise<TestSocket | undefined> {
  const url =
    'ticket' in credential ? `${stack.wsUrl}?ticket=${encodeURIComponent(credential.ticket)}` : stack.wsUrl;
  try {
    const socket = await TestSocket.open(url, 'token' in credential ? { token: credential.token } : {});
    opened.push(socket);
    return socket;
  } catch (error) {
    expect(error).toMatchObject({ status: 401 });
    return undefined;
  }
}

/** Every socket is closed by the server soon: none of an ended session stays open. */
async function expectAllClosed(sockets: readonly (TestSocket | undefined)[], context: string): Promise<void> {
  const open = sockets.filter((socket): socket is TestSocket => socket !== undefined);
  await Promise.all(open.map((socket) => Promise.race([socket.closed, sleep(CLOSE_WITHIN_MS)])));
  const survivors = open.filter((socket) => socket.closeCode === undefined);
  expect(survivors.length, `${context}: ${survivors.length} of ${open.length} sockets stayed open`).toBe(0);
}

/** A signed-up user with a second session of its own. */
async function userWithTwoSessions(prefix: string): Promise<{ user: User; second: Tokens }> {
  const user = await api.signUp(prefix);
  const second = await login(user.username, user.password);
  expect(second.status).toBe(200);
  return { user, second: second.body };
}

describe('logout concurrent with refreshes of the same session', () => {
  it('leaves no token of the session working, whatever order they ran in', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await api.signUp('outrace');
      const context = `round ${round}`;

      // A chain of refreshes (each uses the token the last one answered) and a duplicate of the first.
      const chain = (async () => {
        const won: Tokens[] = [];
        let current = user.refreshToken;
        for (let step = 0; step < 3; step++) {
          const got = tokensOf(await refresh(current), ['INVALID_REFRESH_TOKEN']);
          won.push(...got);
          if (got[0] === undefined) break;
          current = got[0].refreshToken;
        }
        return won;
      })();
      const [logout, won, duplicate] = await Promise.all([
        spread(20, () => api.call('POST', '/auth/logout', { token: user.token })),
        chain,
        spread(20, async () => tokensOf(await refresh(user.refreshToken), ['INVALID_REFRESH_TOKEN'])),
      ]);

      // The logout ran with the first access token: 204, or 401 when the duplicate came after the chain's first
      // rotation and, as a reused token, had already ended the session.
      if (logout.status !== 204) {
        expect(logout.status, JSON.stringify(logout.body)).toBe(401);
        expect(logout.body.code).toBe('UNAUTHORIZED');
      }
      await expectEnded([user, ...won, ...duplicate], context);
    }
  });
});

describe('password change concurrent with', () => {
  it('refreshes: only the session the change answered is alive, and only the new password logs in', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, second } = await userWithTwoSessions('pwrefresh');
      const context = `round ${round}`;
      const newPassword = `new password ${round}`;

      const [changed, ...refreshed] = await Promise.all([
        spread(15, () => changePassword(user.token, user.password, newPassword)),
        spread(15, () => refresh(user.refreshToken)),
        spread(15, () => refresh(second.refreshToken)),
      ]);

      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      const lateTokens = refreshed.flatMap((answer) => tokensOf(answer, ['INVALID_REFRESH_TOKEN']));
      await expectEnded([user, second, ...lateTokens], context);
      expect(await sessionAlive(changed.body), context).toBe(true);
      expect((await login(user.username, user.password)).status, context).toBe(401);
      expect((await login(user.username, newPassword)).status, context).toBe(200);
    }
  });

  it('logins with the old password: no session of the old password outlives the change', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await api.signUp('pwlogin');
      const context = `round ${round}`;
      const newPassword = `new password ${round}`;

      const [changed, ...logins] = await Promise.all([
        changePassword(user.token, user.password, newPassword),
        ...Array.from({ length: 8 }, () => spread(40, () => login(user.username, user.password))),
      ]);

      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      // A login that checked the old password before the change must be ended by it; one after is refused.
      const oldPasswordSessions = logins.flatMap((answer) => tokensOf(answer, ['INVALID_CREDENTIALS']));
      await expectEnded([user, ...oldPasswordSessions], context);
      expect(await sessionAlive(changed.body), context).toBe(true);
      expect((await login(user.username, newPassword)).status, context).toBe(200);
    }
  });

  it('a second password change: exactly one wins, its password alone logs in, its session alone lives', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, second } = await userWithTwoSessions('pwtwice');
      const context = `round ${round}`;
      const passwords = [`first new password ${round}`, `second new password ${round}`] as const;

      const answers = await Promise.all([
        spread(10, () => changePassword(user.token, user.password, passwords[0])),
        spread(10, () => changePassword(second.token, user.password, passwords[1])),
      ]);

      // Both presented the same current password: whichever ran second presented one no longer current.
      const winners = answers.flatMap((answer, index) => (answer.status === 200 ? [index] : []));
      expect(winners, `${context}: ${JSON.stringify(answers.map((answer) => answer.body))}`).toHaveLength(1);
      const winner = winners[0] as number;
      const loser = answers[1 - winner] as ApiResponse;
      expect(tokensOf(loser, ['INVALID_CREDENTIALS', 'UNAUTHORIZED'])).toEqual([]);

      await expectEnded([user, second], context);
      expect(await sessionAlive((answers[winner] as ApiResponse).body), context).toBe(true);
      expect((await login(user.username, passwords[winner] as string)).status, context).toBe(200);
      expect((await login(user.username, passwords[1 - winner] as string)).status, context).toBe(401);
      expect((await login(user.username, user.password)).status, context).toBe(401);
    }
  });
});

describe('DELETE /auth/me concurrent with', () => {
  it('logins: no session of the account survives, and the username stays taken', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await api.signUp('dellogin');
      const context = `round ${round}`;

      const [deleted, ...logins] = await Promise.all([
        deleteAccount(user.token, user.password),
        ...Array.from({ length: 8 }, () => spread(40, () => login(user.username, user.password))),
      ]);

      expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
      const sessions = logins.flatMap((answer) => tokensOf(answer, ['INVALID_CREDENTIALS']));
      await expectEnded([user, ...sessions], context);
      const again = await api.callRoute('POST /auth/register', {
        body: { username: user.username, email: `again_${round}_${user.email}`, password: user.password },
      });
      expect(again.status, context).toBe(409);
    }
  });

  it('tickets and handshakes: no socket of the account stays open', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, second } = await userWithTwoSessions('delsock');
      const context = `round ${round}`;
      const tickets = [await ticketOf(user.token), await ticketOf(second.token)];

      const [deleted, ...sockets] = await Promise.all([
        spread(20, () => deleteAccount(user.token, user.password)),
        ...tickets.map((ticket) => spread(20, () => openSocket({ ticket: ticket as string }))),
        ...[user, second, user, second].map((session) => spread(20, () => openSocket(session))),
        spread(20, async () => {
          const ticket = await ticketOf(second.token);
          return ticket === undefined ? undefined : openSocket({ ticket });
        }),
      ]);

      expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
      await expectAllClosed(sockets, context);
      await expectEnded([user, second], context);
    }
  });
});

describe('logout-all concurrent with opening sockets of the user', () => {
  it('leaves no socket of an ended session open', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, second } = await userWithTwoSessions('allsock');
      const context = `round ${round}`;
      const tickets = [
        await ticketOf(user.token),
        await ticketOf(second.token),
        await ticketOf(second.token),
      ];

      const [loggedOut, ...sockets] = await Promise.all([
        spread(20, () => api.call('POST', '/auth/logout-all', { token: user.token })),
        ...tickets.map((ticket) => spread(20, () => openSocket({ ticket: ticket as string }))),
        ...[user, second, user, second].map((session) => spread(20, () => openSocket(session))),
      ]);

      expect(loggedOut.status, JSON.stringify(loggedOut.body)).toBe(204);
      await expectAllClosed(sockets, context);
      await expectEnded([user, second], context);
    }
  });
});
