import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/accounts.ts';
import { type ChatEnvironment, closedPort, newConfigDir, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();
let counter = 0;
function uniqueUser(): string {
  counter += 1;
  return `cli${counter}_${Math.random().toString(36).slice(2, 8)}`;
}
function environment(): ChatEnvironment {
  return { apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, configDir: newConfigDir() };
}

/** An error is one line on standard error: a sentence ending with the code, and no stack trace. */
function expectOneErrorLine(stderr: string, code: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^Error: .+ \\(${code}\\)$`));
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0] as string;
}

describe('chat register, login, whoami, logout', () => {
  it('registers with the password on stdin, logs in, keeps the token in a 0600 file, and logs out', async () => {
    const env = environment();
    const username = uniqueUser();

    const registered = await runChat(['register', username, '--email', `${username}@example.com`], env, {
      input: `${PASSWORD}\n`,
    });
    expect(registered).toMatchObject({ code: 0, stderr: '' });
    expect(registered.stdout).toContain(`Registered ${username}`);

    const loggedIn = await runChat(['login', username.toUpperCase(), '--password-stdin'], env, {
      input: `${PASSWORD}\n`,
    });
    expect(loggedIn).toMatchObject({ code: 0, stderr: '' });
    expect(loggedIn.stdout).toContain(`Logged in as ${username}`);

    const file = join(env.configDir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(env.configDir).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.login).toMatchObject({ username, apiUrl: stack.httpUrl, token: expect.any(String) });

    const [whoami, whoamiJson] = await Promise.all([
      runChat(['whoami'], env),
      runChat(['whoami', '--json'], env),
    ]);
    expect(whoami).toMatchObject({
      code: 0,
      stdout: `${username} <${username}@example.com> on ${stack.httpUrl}\n`,
    });
    expect(JSON.parse(whoamiJson.stdout)).toMatchObject({ username, email: `${username}@example.com` });

    const loggedOut = await runChat(['logout'], env);
    expect(loggedOut).toMatchObject({ code: 0, stdout: `Logged out ${username}.\n` });
    const after = await runChat(['whoami'], env);
    expect(after.code).not.toBe(0);
    expectOneErrorLine(after.stderr, 'NOT_LOGGED_IN');
  });

  it('says the credentials are wrong in one line and exits non-zero', async () => {
    const env = environment();
    const username = uniqueUser();
    await runChat(['register', username, '--email', `${username}@example.com`], env, {
      input: `${PASSWORD}\n`,
    });

    const result = await runChat(['login', username], env, { input: 'not the password\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(expectOneErrorLine(result.stderr, 'INVALID_CREDENTIALS')).toBe(
      'Error: the username or password is incorrect (INVALID_CREDENTIALS)',
    );
  });

  it('reports a taken username and invalid fields with the server code', async () => {
    const env = environment();
    const username = uniqueUser();
    await runChat(['register', username, '--email', `${username}@example.com`], env, {
      input: `${PASSWORD}\n`,
    });

    const [taken, invalid] = await Promise.all([
      runChat(['register', username, '--email', `x${username}@example.com`], env, { input: `${PASSWORD}\n` }),
      runChat(['register', 'x', '--email', 'nope'], env, { input: 'short\n' }),
    ]);
    expect(taken.code).toBe(1);
    expectOneErrorLine(taken.stderr, 'ACCOUNT_EXISTS');

    expect(invalid.code).toBe(1);
    const line = expectOneErrorLine(invalid.stderr, 'VALIDATION_FAILED');
    expect(line).toContain('username must be 3 to 32 characters');
  });

  it('names the URL in one line when the server cannot be reached', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    const env = { ...environment(), apiUrl };
    const result = await runChat(['login', 'someone'], env, { input: `${PASSWORD}\n` });
    expect(result.code).toBe(1);
    expect(expectOneErrorLine(result.stderr, 'UNREACHABLE')).toBe(
      `Error: cannot reach the chat server at ${apiUrl}: connection refused (UNREACHABLE)`,
    );
  });
});

describe('chat config', () => {
  it('saves the URLs, which then apply unless an option or the environment says otherwise', async () => {
    const env = environment();
    const saved = await runChat(['config', '--api-url', `${stack.httpUrl}/`, '--ws-url', stack.wsUrl], env, {
      env: { CHAT_API_URL: '', CHAT_WS_URL: '' },
    });
    expect(saved.code).toBe(0);
    const file = join(env.configDir, 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ apiUrl: stack.httpUrl, wsUrl: stack.wsUrl });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const shown = await runChat(['config'], env, { env: { CHAT_API_URL: '', CHAT_WS_URL: '' } });
    expect(shown.stdout).toContain(`HTTP API       ${stack.httpUrl}  (config file)`);
    expect(shown.stdout).toContain(`WebSocket API  ${stack.wsUrl}  (config file)`);

    const [fromEnvironment, bad] = await Promise.all([
      runChat(['config'], env, { env: { CHAT_API_URL: 'http://127.0.0.1:9' } }),
      runChat(['config', '--api-url', 'ftp://nope'], env),
    ]);
    expect(fromEnvironment.stdout).toContain('HTTP API       http://127.0.0.1:9  (environment)');
    expect(bad.code).toBe(1);
    expectOneErrorLine(bad.stderr, 'INVALID_URL');
  });
});

describe('chat --help', () => {
  it('documents the commands, at the top and on each command', async () => {
    const env = environment();
    const top = await runChat(['--help'], env);
    expect(top.code).toBe(0);
    for (const command of [
      'register',
      'login',
      'logout',
      'whoami',
      'passwd',
      'delete-account',
      'rooms',
      'invite',
      'members',
      'join',
      'dm',
      'conversations',
      'history',
      'send',
      'config',
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    // Each child costs a TypeScript start-up: a sample of the commands, nested ones included.
    const commands = [['rooms', 'create'], ['join'], ['history']];
    const results = await Promise.all(commands.map((command) => runChat([...command, '--help'], env)));
    for (const [index, result] of results.entries()) {
      expect(result.code, `chat ${commands[index]?.join(' ')} --help`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: chat ${commands[index]?.join(' ')}`));
      expect(result.stdout).toContain('--api-url');
    }
  });
});
