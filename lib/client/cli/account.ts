/**
 * `chat register`, `login`, `logout`, `whoami`, `passwd`, `delete-account` and `export`: the account, and the
 * login kept in the config file.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ChatClientError, isChatClientError } from '../errors.ts';
import { ChatApi } from '../http.ts';
import { savedLogin, writeConfig } from './config.ts';
import type { Cli, CommandContext } from './context.ts';
import { shortTimestamp } from './output.ts';
import { readPassword, readPasswords } from './password.ts';

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
    .description('log in and keep the tokens in the config file (mode 0600); they renew themselves')
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
        const login = savedLogin(result, apiUrl);
        writeConfig(directory, { ...config, login });
        context.say(`Logged in as ${login.username} on ${apiUrl} until ${shortTimestamp(login.expiresAt)}.`);
      }),
    );

  program
    .command('logout')
    .description('end the session on the server and forget its tokens')
    .option('--all', 'end every session of your account, on every device')
    .action(cli.action((context, options: { all?: boolean }) => logout(context, options.all === true)));

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

  program
    .command('passwd')
    .description('change your password; every other session of your account ends, and this login is renewed')
    .option(
      '--password-stdin',
      'read the current password, then the new one, from the first two lines of standard input (the default when it is not a terminal)',
    )
    .action(cli.action((context, options: { passwordStdin?: boolean }) => changePassword(context, options)));

  program
    .command('export')
    .description(
      'download everything the server stores about you (profile, sessions, rooms, conversations, messages) as JSON',
    )
    .option('-o, --output <file>', 'write it to this new file (mode 0600) instead of standard output')
    .action(
      cli.action(async (context, options: { output?: string }) => {
        const everything = await context.signedIn().api.exportAccount();
        const json = `${JSON.stringify(everything, null, 2)}\n`;
        if (options.output === undefined) {
          context.io.stdout.write(json);
          return;
        }
        writeNewPrivateFile(options.output, json);
        const { sessions, rooms, conversations, messages } = everything;
        context.say(
          `Wrote ${options.output}: ${sessions.length} sessions, ${rooms.length} rooms, ${conversations.length} conversations, ${messages.length} messages.`,
        );
      }),
    );

  program
    .command('delete-account')
    .description(
      'delete your account for good (your messages stay, and so does your username: it cannot be registered again)',
    )
    .option('--yes', 'confirm the deletion (required)')
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .action(
      cli.action((context, options: { yes?: boolean; passwordStdin?: boolean }) =>
        deleteAccount(context, options),
      ),
    );
}

async function changePassword(
  context: CommandContext,
  options: { passwordStdin?: boolean },
): Promise<undefined> {
  // Signed in first: no point asking for passwords without a login to change them with.
  const { api, login, endpoints } = context.signedIn();
  const [currentPassword, newPassword] = await readPasswords(context.io, options.passwordStdin === true, [
    { message: 'Current password:', name: 'the current password', confirm: false },
    { message: 'New password:', name: 'the new password', confirm: true },
  ]);
  // The server ends every earlier session, this one included; the client of `signedIn` saves the new
  // session's tokens (its `onTokens`), so the saved login goes on working.
  const result = await api.changePassword(currentPassword as string, newPassword as string);
  context.say(
    `Changed the password of ${login.username}; its other sessions have ended, and this login lasts until ${shortTimestamp(savedLogin(result, endpoints.apiUrl).expiresAt)}.`,
  );
  return undefined;
}

async function deleteAccount(
  context: CommandContext,
  options: { yes?: boolean; passwordStdin?: boolean },
): Promise<undefined> {
  const { api, login } = context.signedIn();
  if (options.yes !== true) {
    throw new ChatClientError(
      'NOT_CONFIRMED',
      `Deleting the account ${login.username} cannot be undone, and the username stays taken; run "chat delete-account --yes" to go ahead. Nothing was changed.`,
    );
  }
  const password = await readPassword(context.io, {
    fromStdin: options.passwordStdin === true,
    confirm: false,
  });
  await api.deleteAccount(password);
  // Re-read: a refresh during the call may have saved rotated tokens, which are as dead as the account now.
  const { directory, config } = context.settings();
  const { login: _deleted, ...rest } = config;
  writeConfig(directory, rest);
  context.say(`Deleted the account ${login.username} and forgot its login.`);
  return undefined;
}

/**
 * Ends the session on the server, then forgets the tokens. They are forgotten even when the server cannot be
 * told (unreachable): the command then fails, saying the session may still be alive until it expires.
 */
async function logout(context: CommandContext, everywhere: boolean): Promise<number | undefined> {
  const { directory, config } = context.settings();
  const { login, ...rest } = config;
  if (login === undefined) {
    context.say('You were not logged in.');
    return;
  }
  let failure: unknown;
  try {
    // On the API the login belongs to, whichever one is configured now.
    const api = new ChatApi({ baseUrl: login.apiUrl, token: login.token, refreshToken: login.refreshToken });
    await (everywhere ? api.logoutAll() : api.logout());
  } catch (error) {
    // Refused or expired: the session is over already, which is what logout wants.
    const over = isChatClientError(error) && error.code === 'UNAUTHORIZED';
    if (!over) failure = error;
  }
  writeConfig(directory, rest);
  if (failure !== undefined) {
    context.io.stderr.write(
      `Forgot the login of ${login.username} here, but the server could not be told; its session ends by itself at ${login.expiresAt}.\n`,
    );
    throw failure;
  }
  context.say(everywhere ? `Logged out ${login.username} everywhere.` : `Logged out ${login.username}.`);
  return undefined;
}

/** Writes personal data to a new file readable by its owner only; an existing file is never written over. */
function writeNewPrivateFile(path: string, text: string): void {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new ChatClientError('FILE_EXISTS', `${path} already exists; name a new file`);
  }
}
