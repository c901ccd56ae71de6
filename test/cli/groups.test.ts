/** `chat group create | add | rename | leave` and groups in `chat conversations`, against the local stack. */
import { describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { newAccount } from '../support/accounts.ts';
import { loggedInChat, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();

/** Users to add: registered only (adding a user needs their name, not their login). */
async function registered(...prefixes: string[]): Promise<string[]> {
  const accounts = prefixes.map((prefix) => newAccount(prefix));
  for (const account of accounts) await new ChatApi({ baseUrl: stack.httpUrl }).register(account);
  return accounts.map((account) => account.username);
}

describe('chat group', () => {
  it('creates a group and lists it by title; adds a user; refuses one who is in', async () => {
    const { env } = await loggedInChat(stack, 'ga');
    const [bob, carol, dave] = await registered('gb', 'gc', 'gd');

    const created = await runChat(['group', 'create', 'Ski trip', bob as string, carol as string], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Created Ski trip \(c_[A-Za-z0-9_-]{22}\) with 3 participants\.\n$/);
    expect((await runChat(['conversations'], env)).stdout).toMatch(/\nSki trip \(group\)\s/);
    expect((await runChat(['group', 'add', 'ski TRIP', dave as string], env)).stdout).toBe(
      `Added ${dave} to Ski trip.\n`,
    );
    const again = await runChat(['group', 'add', 'Ski trip', bob as string], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\(ALREADY_MEMBER\)\n$/);
  });

  it('renames a group and leaves it; a title that names none of your groups is refused', async () => {
    const { env } = await loggedInChat(stack, 'ga');
    const [bob, carol] = await registered('gb', 'gc');
    expect((await runChat(['group', 'create', 'Trip', bob as string, carol as string], env)).code).toBe(0);

    expect((await runChat(['group', 'rename', 'trip', 'Alps', '2027'], env)).stdout).toBe(
      'Renamed to Alps 2027.\n',
    );
    expect((await runChat(['group', 'leave', 'alps 2027'], env)).stdout).toBe('You left alps 2027.\n');
    const unknown = await runChat(['group', 'leave', 'Alps 2027'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no group titled "Alps 2027"/);
  });
});
