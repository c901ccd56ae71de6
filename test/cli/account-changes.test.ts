/**
 * `chat passwd` and `chat delete-account` against the local stack: what the server ends up holding (which
 * password logs in, whether the account exists) and what the config file keeps.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { VOLUME_LIMITS } from '../support/local-stack.ts';
import { type ChatEnvironment, loggedInChat, runChat, startCliTestStack } from './harness.ts';

// One user sends 120 messages, to be exported over several pages.
const stack = await startCliTestStack({ limits: VOLUME_LIMITS });

function configFile(env: ChatEnvironment): Record<string, unknown> {
  return JSON.parse(readFileSync(join(env.configDir, 'config.json'), 'utf8'));
}

const loggedIn = (prefix: string) => loggedInChat(stack, prefix);

const anonymous = () => new ChatApi({ baseUrl: stack.httpUrl });

describe('chat passwd', () => {
  it('changes the password and keeps the CLI logged in with the new session', async () => {
    const { env, account } = await loggedIn('pw');
    const before = configFile(env).login as { token: string; refreshToken: string };
    const newPassword = 'a new and longer password';

    const changed = await runChat(['passwd'], env, { input: `${account.password}\n${newPassword}\n` });
    expect(changed).toMatchObject({ code: 0, stderr: '' });
    expect(changed.stdout).toMatch(new RegExp(`^Changed the password of ${account.username};`));

    const after = configFile(env).login as { token: string; refreshToken: string };
    expect(after.token).not.toBe(before.token);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The old session is over on the server: the tokens saved before would no longer do.
    await expect(new ChatApi({ baseUrl: stack.httpUrl, token: before.token }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });

    await expect(anonymous().login(account.username, account.password)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(anonymous().login(account.username, newPassword)).resolves.toMatchObject({
      user: { username: account.username },
    });
    const whoami = await runChat(['whoami'], env);
    expect(whoami).toMatchObject({ code: 0, stderr: '' });
    expect(whoami.stdout).toMatch(new RegExp(`^${account.username} <`));
  });

  it('refuses a wrong current password, or a missing new one, and changes nothing', async () => {
    const { env, account } = await loggedIn('pw');
    const before = configFile(env);

    const [wrong, missing] = await Promise.all([
      runChat(['passwd'], env, { input: 'not the password\nanother new password\n' }),
      runChat(['passwd', '--password-stdin'], env, { input: `${account.password}\n` }),
    ]);
    expect(wrong).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Error: the username or password is incorrect (INVALID_CREDENTIALS)\n',
    });
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Error: expected the new password on line 2 of standard input (NO_PASSWORD)\n',
    });

    expect(configFile(env)).toEqual(before);
    await expect(anonymous().login(account.username, account.password)).resolves.toBeDefined();
    expect(await runChat(['whoami'], env)).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('chat delete-account', () => {
  it('refuses without --yes and changes nothing', async () => {
    const { env, account } = await loggedIn('del');
    const before = configFile(env);

    const refused = await runChat(['delete-account'], env, { input: `${account.password}\n` });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^Error: deleting the account .+ "chat delete-account --yes" .+ \(NOT_CONFIRMED\)\n$/,
    );

    expect(configFile(env)).toEqual(before);
    await expect(anonymous().login(account.username, account.password)).resolves.toBeDefined();
  });

  it('with --yes and a wrong password, changes nothing', async () => {
    const { env, account } = await loggedIn('del');
    const before = configFile(env);

    const wrong = await runChat(['delete-account', '--yes'], env, { input: 'not the password\n' });
    expect(wrong).toMatchObject({
      code: 1,
      stderr: 'Error: the username or password is incorrect (INVALID_CREDENTIALS)\n',
    });

    expect(configFile(env)).toEqual(before);
    await expect(anonymous().login(account.username, account.password)).resolves.toBeDefined();
  });

  it('with --yes, deletes the account for good and forgets the login', async () => {
    const { env, account } = await loggedIn('del');

    const deleted = await runChat(['delete-account', '--yes'], env, { input: `${account.password}\n` });
    expect(deleted).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `Deleted the account ${account.username} and forgot its login.\n`,
    });

    expect(configFile(env)).not.toHaveProperty('login');
    await expect(anonymous().login(account.username, account.password)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(anonymous().register({ ...account, email: `again.${account.email}` })).rejects.toMatchObject(
      { code: 'ACCOUNT_EXISTS' },
    );
    const whoami = await runChat(['whoami'], env);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain('(NOT_LOGGED_IN)');
  });
});

describe('chat export', () => {
  it('prints the whole export as JSON, every page of it, with the messages the user sent', async () => {
    const { env, account } = await loggedIn('exp');
    const api = await anonymous()
      .login(account.username, account.password)
      .then((login) => anonymous().withLogin(login));
    const room = await api.createRoom(`exp-${Date.now().toString(36)}`);
    const texts = Array.from({ length: 120 }, (_, index) => `message ${index}`);
    for (const text of texts) await api.postRoomMessage(room.name, text);

    const exported = await runChat(['export'], env);

    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const everything = JSON.parse(exported.stdout);
    expect(everything.user).toMatchObject({ username: account.username, email: account.email });
    expect(everything.rooms).toEqual([{ room: room.name, role: 'owner', joinedAt: room.createdAt }]);
    // Two logins: chat login's and this test's.
    expect(everything.sessions).toHaveLength(2);
    expect(everything.messages.map((message: { text: string }) => message.text)).toEqual(texts);
    expect(everything).not.toHaveProperty('nextCursor');
  });

  it('writes it to a new file readable by its owner only, and never over an existing one', async () => {
    const { env, account } = await loggedIn('exp');
    const file = join(env.configDir, 'export.json');

    const written = await runChat(['export', '--output', file], env);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    expect(written.stdout).toBe(`Wrote ${file}: 1 sessions, 0 rooms, 0 conversations, 0 messages.\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(JSON.parse(content).user.username).toBe(account.username);

    const again = await runChat(['export', '--output', file], env);
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Error: ${file} already exists; name a new file (FILE_EXISTS)\n`,
    });
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});

describe('chat block, chat blocks and chat unblock', () => {
  it('block a user from sending to you, list the block, and lift it', async () => {
    const alice = await loggedIn('blk');
    const mallory = await loggedIn('blkd');
    expect(await runChat(['send', `@${alice.account.username}`, 'hello'], mallory.env)).toMatchObject({
      code: 0,
    });

    const blocked = await runChat(['block', mallory.account.username], alice.env);
    expect(blocked).toMatchObject({ code: 0, stderr: '' });
    expect(blocked.stdout).toBe(
      `Blocked ${mallory.account.username}. Undo with: chat unblock ${mallory.account.username}\n`,
    );
    const refused = await runChat(['send', `@${alice.account.username}`, 'again'], mallory.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(BLOCKED\)\n$/);
    const listed = await runChat(['blocks', '--json'], alice.env);
    expect(JSON.parse(listed.stdout)).toEqual([
      { username: mallory.account.username, blockedAt: expect.any(String) },
    ]);

    expect(await runChat(['unblock', mallory.account.username], alice.env)).toMatchObject({ code: 0 });
    expect(await runChat(['send', `@${alice.account.username}`, 'after'], mallory.env)).toMatchObject({
      code: 0,
    });
    expect((await runChat(['blocks'], alice.env)).stdout).toBe('You block no one.\n');
  });
});

describe('chat users', () => {
  it('lists the usernames that start with a prefix, and says when none does', async () => {
    const { env, account } = await loggedIn('usr');

    const found = await runChat(['users', account.username.slice(0, 6).toUpperCase()], env);
    expect(found).toMatchObject({ code: 0, stderr: '' });
    expect(found.stdout.split('\n')).toContain(account.username);
    const none = await runChat(['users', 'zz9zz9zz9'], env);
    expect(none).toMatchObject({ code: 0, stdout: 'No username starts with "zz9zz9zz9".\n' });
  });
});
