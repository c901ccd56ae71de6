/**
 * The `chat` program: the global options and help, and every command group added to it. `runChat` parses
 * one command line and resolves with the exit status; nothing here is shared between runs.
 */
import { Command } from 'commander';
import { addAccountCommands } from './account.ts';
import { addChatWindowCommands } from './chat-window.ts';
import { addConfigCommand } from './config-command.ts';
import { Cli, type CliIo } from './context.ts';
import { addConversationCommands } from './conversations.ts';
import { addGroupCommands } from './groups.ts';
import { addModerationCommands } from './moderation.ts';
import { errorSentence } from './output.ts';
import { addPushCommands } from './push.ts';
import { addRoomCommands } from './rooms.ts';

/** The commander program of one run, writing through `cli`. */
export function buildProgram(cli: Cli): Command {
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
  // In the order `chat --help` lists them.
  addAccountCommands(program, cli);
  addRoomCommands(program, cli);
  addModerationCommands(program, cli);
  addChatWindowCommands(program, cli);
  addConversationCommands(program, cli);
  addPushCommands(program, cli);
  addGroupCommands(program, cli);
  addConfigCommand(program, cli);
  return program;
}

/** Runs the command of `argv` (as in `process.argv`); resolves with its exit status. */
export async function runChat(argv: readonly string[], io: CliIo): Promise<number> {
  const cli = new Cli(io);
  await buildProgram(cli).parseAsync([...argv]);
  return cli.exitCode;
}

/**
 * The process-wide parts: a closed pipe (`chat history general | head -1`) ends quietly, and a bug still
 * reads as one line (`CHAT_DEBUG=1` shows the stack).
 */
export function guardProcess(io: CliIo): void {
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      if (io.env.CHAT_DEBUG) console.error(error);
      io.stderr.write(`Error: ${errorSentence(error)}\n`);
      process.exit(1);
    });
  }
}

/** The streams and environment of this process. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
