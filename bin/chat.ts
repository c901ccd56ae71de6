#!/usr/bin/env node
/**
 * `chat`: the command-line chat client. It speaks only the public contract, through lib/client.
 * Run it with `npm run chat -- <command>` or `node_modules/.bin/tsx bin/chat.ts <command>`.
 */
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import {
  type CliConfig,
  checkUrl,
  configDirectory,
  configPath,
  type Endpoints,
  readConfig,
  resolveEndpoints,
  type SavedLogin,
  writeConfig,
} from '../lib/client/cli/config.ts';
import { runLive } from '../lib/client/cli/live.ts';
import {
  clean,
  colourWanted,
  errorSentence,
  MessagePrinter,
  Painter,
  shortTimestamp,
  table,
  truncate,
} from '../lib/client/cli/output.ts';
import { ChatApi, ChatClientError, ChatSession, isChatClientError } from '../lib/client/index.ts';
import type { ConversationSummary, Message } from '../lib/client/types.ts';

const LIVE_HISTORY = 20;

// `chat history general | head -1`: a closed pipe is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
// A bug should still read as one line; CHAT_DEBUG=1 shows the stack.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    if (process.env.CHAT_DEBUG) console.error(error);
    process.stderr.write(`Error: ${errorSentence(error)}\n`);
    process.exit(1);
  });
}

const stdoutPainter = new Painter(colourWanted(process.stdout));
const stderrPainter = new Painter(colourWanted(process.stderr));

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function printJson(value: unknown): void {
  say(JSON.stringify(value, null, 2));
}

// --- context: configuration, endpoints, login ---

interface Context {
  readonly directory: string;
  readonly config: CliConfig;
  readonly endpoints: Endpoints;
}

/** The login in use, so that an UNAUTHORIZED answer can name the user to log in again as. */
let activeLogin: SavedLogin | undefined;

function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<{ apiUrl?: string; wsUrl?: string }>();
  const directory = configDirectory();
  const config = readConfig(directory);
  return { directory, config, endpoints: resolveEndpoints(options, process.env, config) };
}

function signedIn(context: Context): { api: ChatApi; login: SavedLogin } {
  const { login } = context.config;
  const { apiUrl } = context.endpoints;
  if (login === undefined) {
    throw new ChatClientError('NOT_LOGGED_IN', 'You are not logged in; run "chat login <username>" first.');
  }
  if (login.apiUrl !== apiUrl) {
    throw new ChatClientError(
      'NOT_LOGGED_IN',
      `You are logged in on ${login.apiUrl}, not on ${apiUrl}; run "chat login ${login.username}" with this URL, or "chat config --api-url ${login.apiUrl}" to go back.`,
    );
  }
  if (Date.parse(login.expiresAt) <= Date.now()) {
    throw new ChatClientError(
      'LOGIN_EXPIRED',
      `Your login as ${login.username} expired at ${login.expiresAt}; run "chat login ${login.username}" again.`,
    );
  }
  activeLogin = login;
  return { api: new ChatApi({ baseUrl: apiUrl, token: login.token }), login };
}

// --- errors: one sentence with the code on standard error, and a non-zero status ---

function report(error: unknown): void {
  let sentence = errorSentence(error);
  if (isChatClientError(error) && error.code === 'UNAUTHORIZED' && activeLogin !== undefined) {
    sentence = `the server no longer accepts your login as ${activeLogin.username}; run "chat login ${activeLogin.username}" again (UNAUTHORIZED)`;
  }
  process.stderr.write(`${stderrPainter.paint(['bold', 'red'], 'Error:')} ${sentence}\n`);
  process.exitCode = 1;
}

/** Wraps an action so that every failure is reported the same way. */
function action<Args extends unknown[]>(
  run: (this: Command, ...args: Args) => Promise<void>,
): (this: Command, ...args: Args) => Promise<void> {
  return async function (this: Command, ...args: Args) {
    try {
      await run.apply(this, args);
    } catch (error) {
      if ((error as Error)?.name === 'ExitPromptError') {
        // Ctrl-C at a password prompt.
        process.stderr.write('Cancelled.\n');
        process.exitCode = 130;
        return;
      }
      report(error);
    }
  };
}

// --- passwords: a prompt without echo on a terminal, the first line of standard input otherwise ---

async function readPassword(options: { fromStdin: boolean; confirm: boolean }): Promise<string> {
  if (options.fromStdin || !process.stdin.isTTY) {
    const line = await readFirstLine(process.stdin);
    if (line === undefined || line === '') {
      throw new ChatClientError('NO_PASSWORD', 'Expected the password on the first line of standard input.');
    }
    return line;
  }
  // Loaded only when needed: most commands never prompt.
  const { default: password } = await import('@inquirer/password');
  const first = await password({ message: 'Password:' });
  if (options.confirm && (await password({ message: 'Repeat the password:' })) !== first) {
    throw new ChatClientError('PASSWORD_MISMATCH', 'The two passwords differ; nothing was changed.');
  }
  return first;
}

function readFirstLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      resolve(line.replace(/\r$/, ''));
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
    stream.once('error', reject);
  });
}

// --- argument parsers ---

function roomOrUser(value: string): { room: string } | { peer: string } {
  if (value.startsWith('@')) {
    const peer = value.slice(1);
    if (peer === '') throw new InvalidArgumentError('give a username after "@".');
    return { peer };
  }
  return { room: value };
}

function historyLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 1000.');
  }
  return limit;
}

/** The conversation with `peer`, if there is one (reading history should not create it). */
async function findConversation(api: ChatApi, peer: string): Promise<ConversationSummary | undefined> {
  const conversations = await api.listAllConversations();
  return conversations.find((conversation) => conversation.peer.toLowerCase() === peer.toLowerCase());
}

// --- the program ---

const program = new Command('chat')
  .description('Chat from the terminal with the serverless chat backend (local or deployed).')
  .option(
    '--api-url <url>',
    'HTTP API URL (default: $CHAT_API_URL, then the config file, then http://127.0.0.1:3000)',
  )
  .option(
    '--ws-url <url>',
    'WebSocket API URL (default: $CHAT_WS_URL, then the config file, then ws://127.0.0.1:3001)',
  )
  .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Getting started against the local stack (npm start):
  chat register alice --email alice@example.com
  chat login alice
  chat rooms create general
  chat join general

Configuration is kept in $CHAT_CONFIG_DIR/config.json (default ~/.config/serverless-chat/).
Errors end with the server's code, e.g. (INVALID_CREDENTIALS); the exit status is then non-zero.`,
  );

program
  .command('register')
  .description('create an account (then log in with "chat login")')
  .argument('<username>', '3 to 32 letters, digits, "_", "." or "-"')
  .requiredOption('--email <email>', 'your email address')
  .option('--password-stdin', 'read the password from standard input (the default when it is not a terminal)')
  .action(
    action(async function (username: string, options: { email: string; passwordStdin?: boolean }) {
      const context = contextOf(this);
      const password = await readPassword({ fromStdin: options.passwordStdin === true, confirm: true });
      const api = new ChatApi({ baseUrl: context.endpoints.apiUrl });
      const user = await api.register({ username, email: options.email, password });
      say(
        `Registered ${user.username} on ${context.endpoints.apiUrl}. Log in with: chat login ${user.username}`,
      );
    }),
  );

program
  .command('login')
  .description('log in and keep the token in the config file (mode 0600)')
  .argument('<username>', 'your username (any case)')
  .option('--password-stdin', 'read the password from standard input (the default when it is not a terminal)')
  .action(
    action(async function (username: string, options: { passwordStdin?: boolean }) {
      const context = contextOf(this);
      const password = await readPassword({ fromStdin: options.passwordStdin === true, confirm: false });
      const { apiUrl } = context.endpoints;
      const result = await new ChatApi({ baseUrl: apiUrl }).login(username, password);
      const login: SavedLogin = {
        token: result.token,
        username: result.user.username,
        userId: result.user.userId,
        apiUrl,
        expiresAt: new Date(Date.now() + result.expiresIn * 1000).toISOString(),
      };
      writeConfig(context.directory, { ...context.config, login });
      say(`Logged in as ${login.username} on ${apiUrl} until ${shortTimestamp(login.expiresAt)}.`);
    }),
  );

program
  .command('logout')
  .description('forget the token kept by "chat login"')
  .action(
    action(async function () {
      const context = contextOf(this);
      const { login, ...rest } = context.config;
      if (login === undefined) {
        say('You were not logged in.');
        return;
      }
      writeConfig(context.directory, rest);
      say(`Logged out ${login.username}.`);
    }),
  );

program
  .command('whoami')
  .description('show who you are logged in as (asks the server)')
  .option('--json', 'print JSON')
  .action(
    action(async function (options: { json?: boolean }) {
      const context = contextOf(this);
      const { api } = signedIn(context);
      const user = await api.me();
      if (options.json) printJson(user);
      else say(`${user.username} <${user.email}> on ${context.endpoints.apiUrl}`);
    }),
  );

const rooms = program
  .command('rooms')
  .description('list the rooms (a table), or create one with "chat rooms create <name>"')
  .option('--json', 'print JSON')
  .action(
    action(async function (options: { json?: boolean }) {
      const { api } = signedIn(contextOf(this));
      const list = await api.listAllRooms();
      if (options.json) {
        printJson(list);
        return;
      }
      if (list.length === 0) {
        say('No rooms yet. Create one with: chat rooms create <name>');
        return;
      }
      say(
        table(
          stdoutPainter,
          ['NAME', 'CREATED BY', 'CREATED'],
          list.map((room) => [room.name, clean(room.createdBy), shortTimestamp(room.createdAt)]),
        ),
      );
    }),
  );

rooms
  .command('create')
  .description('create a room')
  .argument('<name>', '1 to 64 of a-z, 0-9, "_" and "-", starting with a letter or digit (lower-cased)')
  .action(
    action(async function (name: string) {
      const { api } = signedIn(contextOf(this));
      const room = await api.createRoom(name);
      if (this.optsWithGlobals<{ json?: boolean }>().json) printJson(room);
      else say(`Created room ${room.name}. Join it with: chat join ${room.name}`);
    }),
  );

program
  .command('join')
  .description(
    `chat in a room: the last ${LIVE_HISTORY} messages, who is here, then live messages; type to send (/help)`,
  )
  .argument('<room>', 'the room name')
  .addHelpText(
    'after',
    `
On a terminal, lines starting with / are commands: /who, /leave, /quit, /help.
When standard input is not a terminal, each line is sent as a message and the end of input
closes the session once every message is acknowledged (exit status 1 if one was not).`,
  )
  .action(
    action(async function (room: string) {
      const context = contextOf(this);
      const { api, login } = signedIn(context);
      const session = await ChatSession.connect({ url: context.endpoints.wsUrl, token: login.token });
      await live(session, api, login, { kind: 'room', room: room.toLowerCase() });
    }),
  );

program
  .command('dm')
  .description('chat with one user: the conversation is created when needed; otherwise like "chat join"')
  .argument('<username>', 'who to talk to (with or without a leading @)')
  .action(
    action(async function (username: string) {
      const context = contextOf(this);
      const { api, login } = signedIn(context);
      const peer = username.replace(/^@/, '');
      const { value: conversation } = await api.openConversation(peer);
      const peerName = conversation.participants.find((name) => name !== login.username) ?? peer;
      const session = await ChatSession.connect({ url: context.endpoints.wsUrl, token: login.token });
      await live(session, api, login, {
        kind: 'conversation',
        conversationId: conversation.conversationId,
        peer: peerName,
      });
    }),
  );

async function live(
  session: ChatSession,
  api: ChatApi,
  login: SavedLogin,
  target: Parameters<typeof runLive>[0]['target'],
): Promise<void> {
  let code: number;
  try {
    code = await runLive({
      api,
      session,
      me: login.username,
      target,
      input: process.stdin,
      output: process.stdout,
      painter: stdoutPainter,
      historyCount: LIVE_HISTORY,
    });
  } catch (error) {
    await session.close();
    throw error;
  }
  process.exitCode = code;
  // Everything is closed; should a handle linger (a paused terminal), do not hang on it.
  setTimeout(() => process.exit(), 1000).unref();
}

program
  .command('conversations')
  .description('list your conversations, most recent first')
  .option('--json', 'print JSON')
  .action(
    action(async function (options: { json?: boolean }) {
      const { api } = signedIn(contextOf(this));
      const list = await api.listAllConversations();
      if (options.json) {
        printJson(list);
        return;
      }
      if (list.length === 0) {
        say('No conversations yet. Start one with: chat dm <username>');
        return;
      }
      say(
        table(
          stdoutPainter,
          ['WITH', 'LAST MESSAGE', 'WHEN'],
          list.map((conversation) => [
            clean(conversation.peer),
            conversation.lastMessage === null
              ? '-'
              : truncate(`${conversation.lastMessage.from}: ${conversation.lastMessage.text}`, 60),
            shortTimestamp(conversation.lastMessage?.sentAt ?? conversation.createdAt),
          ]),
        ),
      );
    }),
  );

program
  .command('history')
  .description('show the recent messages of a room, or of your conversation with @username')
  .argument('<target>', 'a room name, or @username', roomOrUser)
  .option('--limit <n>', 'how many messages (1 to 1000)', historyLimit, 50)
  .option('--json', 'print JSON')
  .action(
    action(async function (
      target: { room: string } | { peer: string },
      options: { limit: number; json?: boolean },
    ) {
      const { api, login } = signedIn(contextOf(this));
      let messages: Message[];
      if ('room' in target) {
        messages = await api.recentMessages({ room: target.room }, options.limit);
      } else {
        const conversation = await findConversation(api, target.peer);
        messages =
          conversation === undefined
            ? []
            : await api.recentMessages({ conversationId: conversation.conversationId }, options.limit);
      }
      if (options.json) {
        printJson(messages);
        return;
      }
      if (messages.length === 0) {
        say('No messages yet.');
        return;
      }
      const printer = new MessagePrinter(stdoutPainter, say, login.username);
      for (const message of messages) printer.message(message);
    }),
  );

program
  .command('send')
  .description('send one message over HTTP to a room or to @username, without joining')
  .argument('<target>', 'a room name, or @username', roomOrUser)
  .argument('<text...>', 'the message (the words are joined with spaces)')
  .action(
    action(async function (target: { room: string } | { peer: string }, words: string[]) {
      const { api } = signedIn(contextOf(this));
      const text = words.join(' ');
      if ('room' in target) {
        const { value } = await api.postRoomMessage(target.room, text);
        say(`Sent to ${value.room} at ${shortTimestamp(value.sentAt)}.`);
      } else {
        const { value: conversation } = await api.openConversation(target.peer);
        const { value } = await api.postConversationMessage(conversation.conversationId, text);
        say(`Sent to ${target.peer} at ${shortTimestamp(value.sentAt)}.`);
      }
    }),
  );

program
  .command('config')
  .description('save --api-url and --ws-url (e.g. the stack outputs after cdk deploy), or show the settings')
  .addHelpText(
    'after',
    `
Examples:
  chat config --api-url https://abc123.execute-api.eu-west-1.amazonaws.com \\
              --ws-url wss://def456.execute-api.eu-west-1.amazonaws.com/prod
  chat config                      show the URLs in use, where they come from, and the login`,
  )
  .action(
    action(async function () {
      const options = this.optsWithGlobals<{ apiUrl?: string; wsUrl?: string }>();
      const directory = configDirectory();
      const config = readConfig(directory);
      if (options.apiUrl !== undefined || options.wsUrl !== undefined) {
        const updated: CliConfig = {
          ...config,
          ...(options.apiUrl === undefined
            ? {}
            : { apiUrl: checkUrl(options.apiUrl, ['http:', 'https:'], 'HTTP API URL') }),
          ...(options.wsUrl === undefined
            ? {}
            : { wsUrl: checkUrl(options.wsUrl, ['ws:', 'wss:'], 'WebSocket URL') }),
        };
        const path = writeConfig(directory, updated);
        say(`Saved in ${path}:`);
        if (updated.apiUrl !== undefined) say(`  HTTP API       ${updated.apiUrl}`);
        if (updated.wsUrl !== undefined) say(`  WebSocket API  ${updated.wsUrl}`);
        return;
      }
      const endpoints = resolveEndpoints({}, process.env, config);
      const login = config.login;
      say(`HTTP API       ${endpoints.apiUrl}  (${endpoints.apiUrlSource})`);
      say(`WebSocket API  ${endpoints.wsUrl}  (${endpoints.wsUrlSource})`);
      say(
        `Logged in as   ${login === undefined ? '-' : `${login.username} on ${login.apiUrl} until ${shortTimestamp(login.expiresAt)}`}`,
      );
      say(`Config file    ${configPath(directory)}`);
    }),
  );

await program.parseAsync(process.argv);
