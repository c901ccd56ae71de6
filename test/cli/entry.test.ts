/**
 * The `chat` command as `npm link` installs it: bin/chat.js, which loads the TypeScript sources through tsx's
 * loader. The other CLI tests run the same code from one bundle (test/support/cli-bundle.ts), to start faster.
 */
import { expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { newAccount } from '../support/accounts.ts';
import { newConfigDir, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();
const entry = { script: 'bin/chat.js' };

it('bin/chat.js logs in with the password on stdin and says who is logged in', async () => {
  const env = { apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, configDir: newConfigDir() };
  const account = newAccount('entry');
  await new ChatApi({ baseUrl: stack.httpUrl }).register(account);

  const login = await runChat(['login', account.username, '--password-stdin'], env, {
    ...entry,
    input: `${account.password}\n`,
  });
  const whoami = await runChat(['whoami'], env, entry);

  expect(login).toMatchObject({ code: 0, stderr: '' });
  expect(whoami.code).toBe(0);
  expect(whoami.stdout).toContain(account.username);
});
