/**
 * The CLI's login over time, against a local stack whose access tokens last one minute (the shortest the
 * server allows): commands keep working past the token's end, refreshing and saving the rotated tokens, and
 * `chat logout` ends the session on the server, not only in the config file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { newAccount } from '../support/accounts.ts';
import { type ChatEnvironment, newConfigDir, runChat, startCliTestStack } from './harness.ts';

const TOKEN_SECONDS = 60;
const stack = await startCliTestStack({ environment: { TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) } });

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
  it(
    'keeps working after the access token expires, saving the rotated tokens in a 0600 file',
    async () => {
      const env = environment();
      const { username, saved } = await loggedIn(env, 'later');
      expect(saved.refreshToken).toEqual(expect.any(String));

      // Past the token's lifetime, with a second's margin for the epoch-second rounding of its expiry.
      await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS + 1) * 1000));
      await expect(meWith(saved.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

      const whoami = await runChat(['whoami'], env);
      expect(whoami).toMatchObject({ code: 0, stderr: '' });
      expect(whoami.stdout).toContain(username);

      const file = join(env.configDir, 'config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const rotated = savedLogin(env) as SavedTokens;
      expect(rotated.token).not.toBe(saved.token);
      expect(rotated.refreshToken).not.toBe(saved.refreshToken);
      await expect(meWith(rotated.token)).resolves.toMatchObject({ username });

      // The saved tokens are the live ones: the next command uses them as they are.
      expect(await runChat(['rooms'], env)).toMatchObject({ code: 0, stderr: '' });
      expect(savedLogin(env)).toEqual(rotated);
    },
    (TOKEN_SECONDS + 30) * 1000,
  );
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
