/**
 * The typed client's sessions against the local stack: a signed-in `ChatApi` whose access token has expired
 * refreshes once (however many calls fail together), retries, and hands the rotated tokens to its owner; a
 * refresh that cannot be had leaves the 401; logout, password change, tickets and deletion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ChatApi, type LoginResult } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { countingFetch, expiredToken, newRoom, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

/** A signed-in client of a fresh user whose access token has expired; it counts its requests and rotations. */
async function expiredClient(prefix: string) {
  const counter = countingFetch();
  const rotations: LoginResult[] = [];
  const user = await signUp(stack.httpUrl, prefix);
  const api = new ChatApi({
    baseUrl: stack.httpUrl,
    token: expiredToken(user.login),
    refreshToken: user.login.refreshToken,
    fetch: counter.fetch,
    onTokens: (login) => rotations.push(login),
  });
  return { ...user, api, rotations, refreshes: () => counter.calls('/auth/refresh') };
}

describe('ChatApi refresh', () => {
  it('refreshes an expired access token once, retries the call, and reports the rotated tokens', async () => {
    const user = await expiredClient('expired');
    const stale = user.api.token;
    await expect(new ChatApi({ baseUrl: stack.httpUrl, token: stale }).me()).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });

    await expect(user.api.me()).resolves.toMatchObject({ username: user.username });

    expect(user.refreshes()).toBe(1);
    expect(user.rotations).toHaveLength(1);
    const [rotated] = user.rotations as [LoginResult];
    expect(rotated.refreshToken).not.toBe(user.login.refreshToken);
    expect(user.api.token).toBe(rotated.token);
    // The rotated refresh token is the live one: it refreshes again.
    await expect(user.api.refresh(rotated.refreshToken)).resolves.toMatchObject({ user: rotated.user });
  });

  it('sends one refresh for calls that fail together, and every call succeeds', async () => {
    const user = await expiredClient('together');
    const room = await newRoom(new ChatApi({ baseUrl: stack.httpUrl }).withLogin(user.login));

    const results = await Promise.all([
      user.api.me(),
      user.api.listRooms(),
      user.api.listConversations(),
      user.api.roomMessages(room),
      user.api.postRoomMessage(room, 'after a refresh'),
      user.api.me(),
    ]);

    expect(results).toHaveLength(6);
    expect(user.refreshes()).toBe(1);
    expect(user.rotations).toHaveLength(1);
    const history = await user.api.recentMessages({ room }, 5);
    expect(history.map((message) => message.text)).toEqual(['after a refresh']);
    expect(user.refreshes()).toBe(1);
  });

  it('leaves the 401 when the refresh token is refused, and does not try again', async () => {
    const counter = countingFetch();
    const user = await signUp(stack.httpUrl, 'refused');
    const api = new ChatApi({
      baseUrl: stack.httpUrl,
      token: expiredToken(user.login),
      refreshToken: 'AAAAAAAAAAAAAAAAAAAAAA.not-a-refresh-token-the-server-ever-issued-00',
      fetch: counter.fetch,
    });

    await expect(Promise.all([api.me(), api.listRooms()])).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    await expect(api.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(counter.calls('/auth/refresh')).toBe(1);
    expect(api.token).toBeUndefined();
  });

  it('answers INVALID_REFRESH_TOKEN from refresh() for a used refresh token', async () => {
    const user = await signUp(stack.httpUrl, 'reused');
    const anonymous = new ChatApi({ baseUrl: stack.httpUrl });
    await anonymous.refresh(user.login.refreshToken);
    await expect(anonymous.refresh(user.login.refreshToken)).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_REFRESH_TOKEN',
    });
  });
});

describe('ChatApi sessions and account', () => {
  it('logout ends the session on the server: the old token is refused and nothing refreshes', async () => {
    const user = await signUp(stack.httpUrl, 'logout');
    const token = user.api.token as string;

    await user.api.logout();

    expect(user.api.token).toBeUndefined();
    await expect(new ChatApi({ baseUrl: stack.httpUrl, token }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(
      new ChatApi({ baseUrl: stack.httpUrl }).refresh(user.login.refreshToken),
    ).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('logoutAll ends the other sessions too', async () => {
    const user = await signUp(stack.httpUrl, 'everywhere');
    const other = new ChatApi({ baseUrl: stack.httpUrl }).withLogin(
      await new ChatApi({ baseUrl: stack.httpUrl }).login(user.username, user.password),
    );

    await user.api.logoutAll();

    await expect(other.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('changePassword carries on in the new session and reports its tokens; the old password fails', async () => {
    const rotations: LoginResult[] = [];
    const user = await signUp(stack.httpUrl, 'passwd', { onTokens: (login) => rotations.push(login) });
    const oldToken = user.api.token as string;

    const answer = await user.api.changePassword(user.password, 'a brand new passphrase');

    expect(rotations).toEqual([answer]);
    expect(user.api.token).toBe(answer.token);
    await expect(user.api.me()).resolves.toMatchObject({ username: user.username });
    await expect(new ChatApi({ baseUrl: stack.httpUrl, token: oldToken }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(
      new ChatApi({ baseUrl: stack.httpUrl }).login(user.username, user.password),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(user.api.changePassword('not the password', 'another new passphrase')).rejects.toMatchObject(
      {
        status: 401,
        code: 'INVALID_CREDENTIALS',
      },
    );
  });

  it('wsTicket answers a ticket, refreshing first when the access token expired', async () => {
    const user = await expiredClient('ticket');
    const ticket = await user.api.wsTicket();
    expect(ticket).toEqual({ ticket: expect.any(String), expiresIn: 30 });
    expect(user.refreshes()).toBe(1);
  });

  it('deleteAccount needs the password, then signs the client out for good', async () => {
    const user = await signUp(stack.httpUrl, 'gone');
    await expect(user.api.deleteAccount('not the password')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    const token = user.api.token as string;

    await user.api.deleteAccount(user.password);

    expect(user.api.token).toBeUndefined();
    await expect(new ChatApi({ baseUrl: stack.httpUrl, token }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
