/** `chat register`, `login`, `logout` and `whoami`: the account, and the login kept in the config file. */
import type { Command } from 'commander';
import { ChatApi } from '../http.ts';
import { type SavedLogin, writeConfig } from './config.ts';
import type { Cli } from './context.ts';
import { shortTimestamp } from './output.ts';
import { readPassword } from './password.ts';

const PASSWORD_STDIN_HELP = 'read the password from standard input (the default when it is not a terminal)';

/** Adds the account commands to `program`. */
export function addAccountCommands(program: Command, cli: Cli): void {
  program
    .command('register')
    .description('create an account (then log in with "chat login")')
    .argument('<username>', '3 to 32 letters, digits, "_", "." or "-"')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .action(
      cli.action(async (context, username: string, options: { email: string; passwordStdin?: boolean }) => {
        const { apiUrl } = context.settings().endpoints;
        const password = await readPassword(context.io, {
          fromStdin: options.passwordStdin === true,
          confirm: true,
        });
        const user = await new ChatApi({ baseUrl: apiUrl }).register({
          username,
          email: options.email,
          password,
        });
        context.say(`Registered ${user.username} on ${apiUrl}. Log in with: chat login ${user.username}`);
      }),
    );

  program
    .command('login')
    .description('log in and keep the token in the config file (mode 0600)')
    .argument('<username>', 'your username (any case)')
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .action(
      cli.action(async (context, username: string, options: { passwordStdin?: boolean }) => {
        const { directory, config, endpoints } = context.settings();
        const password = await readPassword(context.io, {
          fromStdin: options.passwordStdin === true,
          confirm: false,
        });
        const { apiUrl } = endpoints;
        const result = await new ChatApi({ baseUrl: apiUrl }).login(username, password);
        const login: SavedLogin = {
          token: result.token,
          username: result.user.username,
          userId: result.user.userId,
          apiUrl,
          expiresAt: new Date(Date.now() + result.expiresIn * 1000).toISOString(),
        };
        writeConfig(directory, { ...config, login });
        context.say(`Logged in as ${login.username} on ${apiUrl} until ${shortTimestamp(login.expiresAt)}.`);
      }),
    );

  program
    .command('logout')
    .description('forget the token kept by "chat login"')
    .action(
      cli.action(async (context) => {
        const { directory, config } = context.settings();
        const { login, ...rest } = config;
        if (login === undefined) {
          context.say('You were not logged in.');
          return;
        }
        writeConfig(directory, rest);
        context.say(`Logged out ${login.username}.`);
      }),
    );

  program
    .command('whoami')
    .description('show who you are logged in as (asks the server)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context) => {
        const { api, endpoints } = context.signedIn();
        const user = await api.me();
        if (context.options.json) context.printJson(user);
        else context.say(`${user.username} <${user.email}> on ${endpoints.apiUrl}`);
      }),
    );
}
