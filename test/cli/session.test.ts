/**
 * The CLI's login over time: commands keep working past the access token's end, refreshing and saving the
 * rotated tokens, and `chat logout` ends the session on the server, not only in the config file.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueToken } from '../../lambdas/shared/tokens.ts';
import { ChatApi } from '../../lib/client/index.ts';
import { newAccount, sessionIdOf } from '../support/accounts.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';
import { type ChatEnvironment, newConfigDir, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();

function environment(): ChatEnvironment {
  return { apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, configDir: newConfigDir() };
}

interface SavedTokens {
  readonly token: string;
  readonly refreshToken: string;
}

function savedLogin(env: ChatEnvironment): SavedTokens | undefined {
  return JSON.parse(readFileSync(join(env.configDir, 'config.json'), 'utf8')).login;
}

/** Registers a fresh user through the client and logs in with `chat login`; returns the saved tokens. */
async function loggedIn(env: ChatEnvironment, prefix: string) {
  const account = newAccount(prefix);
  await new ChatApi({ baseUrl: stack.httpUrl }).register(account);
  const login = await runChat(['login', account.username, '--password-stdin'], env, {
    input: `${account.password}\n`,
  });
  expect(login).toMatchObject({ code: 0, stderr: '' });
  return { ...account, saved: savedLogin(env) as SavedTokens };
}

/** The server's answer to `GET /auth/me` with `token`. */
const meWith = (token: string) => new ChatApi({ baseUrl: stack.httpUrl, token }).me();

describe('chat login over time', () => {
  it('keeps working after the access token expires, saving the rotated tokens in a 0600 file', async () => {
    const env = environment();
    const { username, saved } = await loggedIn(env, 'later');
    expect(saved.refreshToken).toEqual(expect.any(String));
    // The saved access token as it is once its lifetime is over: the same user and session, expired 10 s ago
    // (signed with the test stack's key; waiting out the shortest lifetime the server allows would take a
    // minute).
    const { userId } = await meWith(saved.token);
    const expired = issueToken(
      TEST_JWT_SECRET,
      { userId, username, sessionId: sessionIdOf(saved.token) },
      -10,
    );
    const file = join(env.configDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...config, login: { ...config.login, token: expired.token } }), {
      mode: 0o600,
    });
    await expect(meWith(expired.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const whoami = await runChat(['whoami'], env);
    expect(whoami).toMatchObject({ code: 0, stderr: '' });
    expect(whoami.stdout).toContain(username);

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rotated = savedLogin(env) as SavedTokens;
    expect(rotated.token).not.toBe(expired.token);
    expect(rotated.refreshToken).not.toBe(saved.refreshToken);
    await expect(meWith(rotated.token)).resolves.toMatchObject({ username });

    // The saved tokens are the live ones: the next command uses them as they are.
    expect(await runChat(['rooms'], env)).toMatchObject({ code: 0, stderr: '' });
    expect(savedLogin(env)).toEqual(rotated);
  });
});

describe('chat logout', () => {
  it('ends the session on the server: the old tokens are refused, and none is kept', async () => {
    const env = environment();
    const { username, saved } = await loggedIn(env, 'bye');

    const result = await runChat(['logout'], env);

    expect(result).toMatchObject({ code: 0, stdout: `Logged out ${username}.\n`, stderr: '' });
    expect(savedLogin(env)).toBeUndefined();
    await expect(meWith(saved.token)).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(new ChatApi({ baseUrl: stack.httpUrl }).refresh(saved.refreshToken)).rejects.toMatchObject({
      code: 'INVALID_REFRESH_TOKEN',
    });
  });

  it('--all ends the sessions of the other devices too', async () => {
    const here = environment();
    const there = environment();
    const account = await loggedIn(here, 'all');
    await runChat(['login', account.username, '--password-stdin'], there, { input: `${account.password}\n` });
    const elsewhere = savedLogin(there) as SavedTokens;

    const result = await runChat(['logout', '--all'], here);

    expect(result).toMatchObject({ code: 0, stdout: `Logged out ${account.username} everywhere.\n` });
    await expect(meWith(elsewhere.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const refused = await runChat(['whoami'], there);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(UNAUTHORIZED\)\n$/);
  });

  it('forgets a session the server has already ended, and says so without failing', async () => {
    const env = environment();
    const { username, saved } = await loggedIn(env, 'ended');
    await new ChatApi({ baseUrl: stack.httpUrl, token: saved.token }).logout();

    const result = await runChat(['logout'], env);

    expect(result).toMatchObject({ code: 0, stdout: `Logged out ${username}.\n`, stderr: '' });
    expect(savedLogin(env)).toBeUndefined();
  });
});
