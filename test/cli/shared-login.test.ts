/**
 * One saved login shared by several `chat` processes (a chat window left open, commands run beside it): a
 * refresh token is single use, so a process holding a token another one has already used must take the newer
 * saved tokens instead of refreshing with it, which the server would take for a stolen token and end the
 * session. Each process here is a CommandContext of its own, built from the config file as `chat` builds it;
 * the saved access token is made unusable so that the next request must refresh.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandContext } from '../../lib/client/cli/context.ts';
import type { ChatApi } from '../../lib/client/index.ts';
import { type ChatEnvironment, loggedInChat, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();

const loggedIn = async (prefix: string): Promise<ChatEnvironment> => (await loggedInChat(stack, prefix)).env;

const configFile = (env: ChatEnvironment) => join(env.configDir, 'config.json');
const savedLogin = (env: ChatEnvironment) => JSON.parse(readFileSync(configFile(env), 'utf8')).login;

/** The saved access token replaced by one the server refuses, so that the next request must refresh. */
function spoilAccessToken(env: ChatEnvironment): void {
  const config = JSON.parse(readFileSync(configFile(env), 'utf8'));
  writeFileSync(configFile(env), JSON.stringify({ ...config, login: { ...config.login, token: 'x.y.z' } }));
}

/** A `chat` process's client, built from the config file as it is now. */
function process_(env: ChatEnvironment): ChatApi {
  const io = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: { CHAT_CONFIG_DIR: env.configDir, CHAT_API_URL: env.apiUrl, CHAT_WS_URL: env.wsUrl },
  };
  return new CommandContext(io, {}).signedIn().api;
}

describe('a login shared by several chat processes', () => {
  it('survives a process refreshing with a token another process has already used', async () => {
    const env = await loggedIn('shared');
    spoilAccessToken(env);
    const window = process_(env);
    const before = savedLogin(env).refreshToken;

    // Another command refreshes first, and saves the new tokens.
    expect(await runChat(['whoami'], env)).toMatchObject({ code: 0, stderr: '' });
    expect(savedLogin(env).refreshToken).not.toBe(before);

    // The window still holds the used refresh token: it takes the saved tokens instead of using it.
    await expect(window.me()).resolves.toMatchObject({ username: savedLogin(env).username });
    expect(await runChat(['whoami'], env)).toMatchObject({ code: 0, stderr: '' });
  });

  it('survives processes refreshing at the same moment: one refreshes, the others take its tokens', async () => {
    const env = await loggedIn('shared');
    spoilAccessToken(env);
    const processes = [process_(env), process_(env), process_(env)];

    const users = await Promise.all(processes.map((api) => api.me()));

    expect(new Set(users.map((user) => user.username)).size).toBe(1);
    expect(new Set(processes.map((api) => api.token)).size).toBe(1);
    expect(await runChat(['whoami'], env)).toMatchObject({ code: 0, stderr: '' });
  });
});
