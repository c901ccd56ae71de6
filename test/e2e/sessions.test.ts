/**
 * Sessions over the local stack: login starts one, refresh rotates its single-use refresh token, a reused
 * refresh token ends the whole session, logout and logout-all end sessions at once (the access token is refused
 * by the very next request and every socket opened with it is closed by the server), a password change ends
 * every earlier session, and over-long passwords are refused at login.
 */
import { describe, expect, it } from 'vitest';
import { limits } from '../../lib/contract/index.ts';
import { expectContractError } from '../support/contract.ts';
import { startRealtimeTestStack, type User } from '../support/realtime.ts';

const { harness, api } = await startRealtimeTestStack();

const login = (user: Pick<User, 'username' | 'password'>, password = user.password) =>
  api.callRoute('POST /auth/login', { body: { username: user.username, password } });
const refresh = (refreshToken: string) => api.callRoute('POST /auth/refresh', { body: { refreshToken } });
const me = (token: string) => api.call('GET', '/auth/me', { token });

/** The answer is the contract's 401 with this code. */
function expect401(response: { status: number; body: { code: string } }, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expectContractError(response);
  expect(response.body.code).toBe(code);
}

describe('login', () => {
  it('answers an access token of at most 15 minutes and a refresh token of at most 30 days', async () => {
    const user = await api.signUp('login');

    const answer = await login(user);

    expect(answer.status).toBe(200);
    expect(answer.body.expiresIn).toBeGreaterThan(0);
    expect(answer.body.expiresIn).toBeLessThanOrEqual(limits.maxAccessTokenSeconds);
    expect(answer.body.refreshExpiresIn).toBeGreaterThan(0);
    expect(answer.body.refreshExpiresIn).toBeLessThanOrEqual(limits.maxSessionSeconds);
    expect(answer.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect((await me(answer.body.token)).status).toBe(200);
  });

  it('refuses a password over 72 bytes with 400, never truncating it to the right one', async () => {
    const user = await api.signUp('long');
    // 72 bytes of the right password would match a truncating bcrypt: the 73rd byte must not be ignored.
    const longPassword = `${user.password}${'x'.repeat(73 - user.password.length)}`;

    const answer = await login(user, longPassword);

    expect(answer.status).toBe(400);
    expectContractError(answer);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.details).toEqual([{ field: 'password', problem: expect.any(String) }]);
  });
});

describe('refresh', () => {
  it('rotates: the new tokens work, in the same session, and the refresh token is single use', async () => {
    const user = await api.signUp('rotate');

    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.user).toEqual({ userId: user.userId, username: user.username });
    const second = await refresh(first.body.refreshToken);

    expect(second.status).toBe(200);
    expect((await me(second.body.token)).status).toBe(200);
    // The same session: the first access token still works until the session ends.
    expect((await me(user.token)).status).toBe(200);
  });

  it('revokes the whole session when a used refresh token comes back, sockets included', async () => {
    const user = await api.signUp('reuse');
    const socket = await harness.connect(user);
    const rotated = await refresh(user.refreshToken);
    expect(rotated.status).toBe(200);

    expect401(await refresh(user.refreshToken), 'INVALID_REFRESH_TOKEN');

    // The newest token of the chain and every access token of the session are dead too.
    expect401(await refresh(rotated.body.refreshToken), 'INVALID_REFRESH_TOKEN');
    expect401(await me(rotated.body.token), 'UNAUTHORIZED');
    expect401(await me(user.token), 'UNAUTHORIZED');
    expect(await socket.closed).toBe(1000);
  });

  it('answers an unknown token with a plain 401 that revokes nothing', async () => {
    const user = await api.signUp('unknown');
    const [sessionId] = user.refreshToken.split('.');

    expect401(await refresh(`${sessionId}.${'A'.repeat(43)}`), 'INVALID_REFRESH_TOKEN');
    expect401(await refresh('garbage'), 'INVALID_REFRESH_TOKEN');

    expect((await me(user.token)).status).toBe(200);
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });

  it('lets exactly one of concurrent refreshes with one token win', async () => {
    const user = await api.signUp('race');

    const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(user.refreshToken)));

    const won = answers.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of answers.filter((answer) => answer.status !== 200)) {
      expect401(lost, 'INVALID_REFRESH_TOKEN');
    }
    // A loser that read the session after the winner's rotation presented a used token: as the protocol says,
    // that ends the session (a copied token cannot be told from a late duplicate), so the winner's chain is
    // not asserted here; the losers of the conditional write itself revoke nothing.
  });
});

describe('logout', () => {
  it('ends this session: its token is refused by the very next request and its socket is closed', async () => {
    const user = await api.signUp('logout');
    const other = await login(user);
    const [socket, otherSocket] = await harness.connectEach(user, other.body);

    const answer = await api.call('POST', '/auth/logout', { token: user.token });

    // The answers carry their headers too (Retry-After on a 429); a 204 has no body.
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 204, body: undefined });
    expect401(await me(user.token), 'UNAUTHORIZED');
    expect401(await refresh(user.refreshToken), 'INVALID_REFRESH_TOKEN');
    await expect(harness.open({ token: user.token })).rejects.toMatchObject({ status: 401 });
    expect(await socket?.closed).toBe(1000);
    // The user's other session is untouched.
    expect((await me(other.body.token)).status).toBe(200);
    await harness.expectStillServing(otherSocket as NonNullable<typeof otherSocket>);
  });

  it('logout-all ends every session of the user and closes every socket, and no one else’s', async () => {
    const user = await api.signUp('all');
    const bystander = await api.signUp('bystander');
    const second = await login(user);
    const sockets = await harness.connectEach(user, second.body);
    const theirs = await harness.connect(bystander);

    expect((await api.call('POST', '/auth/logout-all', { token: user.token })).status).toBe(204);

    expect401(await me(user.token), 'UNAUTHORIZED');
    expect401(await me(second.body.token), 'UNAUTHORIZED');
    expect401(await refresh(second.body.refreshToken), 'INVALID_REFRESH_TOKEN');
    expect(await Promise.all(sockets.map((socket) => socket.closed))).toEqual([1000, 1000]);
    expect((await me(bystander.token)).status).toBe(200);
    await harness.expectStillServing(theirs);
    // Logging in again starts a new session.
    expect((await login(user)).status).toBe(200);
  });
});

describe('password change', () => {
  it('refuses a wrong current password with 401 INVALID_CREDENTIALS and changes nothing', async () => {
    const user = await api.signUp('wrongpw');

    const answer = await api.call('POST', '/auth/password', {
      token: user.token,
      body: { currentPassword: 'not the password', newPassword: 'another password' },
    });

    expect401(answer, 'INVALID_CREDENTIALS');
    expect((await me(user.token)).status).toBe(200);
    expect((await login(user)).status).toBe(200);
  });

  it('ends every earlier session, closes their sockets and answers a new session', async () => {
    const user = await api.signUp('passwd');
    const other = await login(user);
    const sockets = await harness.connectEach(user, other.body);
    const newPassword = 'a brand new password';

    const answer = await api.call('POST', '/auth/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword },
    });

    expect(answer.status).toBe(200);
    expect401(await me(user.token), 'UNAUTHORIZED');
    expect401(await me(other.body.token), 'UNAUTHORIZED');
    expect401(await refresh(user.refreshToken), 'INVALID_REFRESH_TOKEN');
    expect(await Promise.all(sockets.map((socket) => socket.closed))).toEqual([1000, 1000]);
    expect((await me(answer.body.token)).status).toBe(200);
    expect((await refresh(answer.body.refreshToken)).status).toBe(200);
    expect401(await login(user), 'INVALID_CREDENTIALS');
    expect((await login(user, newPassword)).status).toBe(200);
  });
});

describe('account deletion', () => {
  const deleteAccount = (user: Pick<User, 'token'>, password: string) =>
    api.call('DELETE', '/auth/me', { token: user.token, body: { password } });

  it('refuses a wrong password with 401 INVALID_CREDENTIALS and deletes nothing', async () => {
    const user = await api.signUp('keep');

    expect401(await deleteAccount(user, 'not the password'), 'INVALID_CREDENTIALS');

    expect((await me(user.token)).status).toBe(200);
    expect((await login(user)).status).toBe(200);
  });

  it('ends every session and socket, keeps the username taken for ever and frees the email', async () => {
    const user = await api.signUp('Leaving');
    const other = await login(user);
    const sockets = await harness.connectEach(user, other.body);
    const room = await harness.newRoom(user);
    const sent = await api.call('POST', `/rooms/${room}/messages`, {
      token: user.token,
      body: { text: 'bye' },
    });
    expect(sent.status).toBe(201);

    const deleted = await deleteAccount(user, user.password);
    expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: undefined });

    expect401(await me(user.token), 'UNAUTHORIZED');
    expect401(await me(other.body.token), 'UNAUTHORIZED');
    expect401(await refresh(other.body.refreshToken), 'INVALID_REFRESH_TOKEN');
    expect401(await login(user), 'INVALID_CREDENTIALS');
    expect(await Promise.all(sockets.map((socket) => socket.closed))).toEqual([1000, 1000]);
    // The username, in any case, is never free again; the email is.
    const again = {
      username: user.username.toLowerCase(),
      email: 'someone.new@example.com',
      password: user.password,
    };
    const taken = await api.callRoute('POST /auth/register', { body: again });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('ACCOUNT_EXISTS');
    const reused = await api.callRoute('POST /auth/register', {
      body: { username: `${user.username}_2`, email: user.email, password: user.password },
    });
    expect(reused.status).toBe(201);
    // Its messages stay in history, under its username.
    const reader = await api.signUp('reader');
    const history = await api.call('GET', `/rooms/${room}/messages`, { token: reader.token });
    expect(history.body.messages).toEqual([expect.objectContaining({ from: user.username, text: 'bye' })]);
    // No one can open a conversation with it.
    const opened = await api.call('POST', '/conversations', {
      token: reader.token,
      body: { peer: user.username },
    });
    expect(opened.status).toBe(404);
  });
});
