/** `chat join <room>` and `chat dm <username>`: the live chat window over a WebSocket session. */
import type { Command } from 'commander';
import { ChatSession } from '../session.ts';
import type { Cli, CommandContext, SignedIn } from './context.ts';
import { type LiveTarget, runLive } from './live.ts';

/** How many past messages the window shows first. */
const LIVE_HISTORY = 20;

/** Adds `join` and `dm` to `program`. */
export function addChatWindowCommands(program: Command, cli: Cli): void {
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
closes the session once every message is acknowledged (exit status 1 if one was not).
When you are removed from the room (kicked or banned) or its owner deletes it, the window
says so and ends with exit status 1.`,
    )
    .action(
      cli.action(async (context, room: string) => {
        const signedIn = context.signedIn();
        // Membership first, over HTTP: it also accepts a pending invitation to a private room, which the
        // socket's join does not.
        await signedIn.api.joinRoom(room.toLowerCase());
        return chatWindow(context, signedIn, { kind: 'room', room: room.toLowerCase() });
      }),
    );

  program
    .command('dm')
    .description('chat with one user: the conversation is created when needed; otherwise like "chat join"')
    .argument('<username>', 'who to talk to (with or without a leading @)')
    .action(
      cli.action(async (context, username: string) => {
        const signedIn = context.signedIn();
        const peer = username.replace(/^@/, '');
        const { value: conversation } = await signedIn.api.openConversation(peer);
        const peerName = conversation.participants.find((name) => name !== signedIn.login.username) ?? peer;
        return chatWindow(context, signedIn, {
          kind: 'conversation',
          conversationId: conversation.conversationId,
          peer: peerName,
        });
      }),
    );
}

/** Connects, and runs the window until it ends; resolves with the exit status. */
async function chatWindow(context: CommandContext, signedIn: SignedIn, target: LiveTarget): Promise<number> {
  const { api, login, endpoints } = signedIn;
  const session = await ChatSession.connect({ url: endpoints.wsUrl, auth: api });
  try {
    return await runLive({
      api,
      session,
      me: login.username,
      target,
      input: context.io.stdin,
      output: context.io.stdout,
      painter: context.painter,
      historyCount: LIVE_HISTORY,
    });
  } catch (error) {
    await session.close();
    throw error;
  }
}
