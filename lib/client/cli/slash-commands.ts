/** The chat window's commands: a line typed at a terminal that starts with one `/`. */
import type { ChatSession } from '../session.ts';
import { MESSAGE_ACTIONS_HELP, type MessageActionWindow, runMessageAction } from './message-actions.ts';

/** What the chat window is open on: a room, or a direct conversation with `peer`. */
export type LiveTarget =
  | { readonly kind: 'room'; readonly room: string }
  | { readonly kind: 'conversation'; readonly conversationId: string; readonly peer: string };

const HELP = [
  'Type a message and press Enter to send it. Commands:',
  '  /who     who is here',
  '  /leave   leave the room and quit',
  '  /quit    quit (the others see you leave)',
  '  /help    this list',
  ...MESSAGE_ACTIONS_HELP,
  'Start a message with // to send a line that begins with /.',
];

/** What a command may do to the chat window it was typed in. */
export interface ChatWindow extends MessageActionWindow {
  readonly session: ChatSession;
  readonly target: LiveTarget;
  readonly me: string;
  print(line: string): void;
  printError(prefix: string, error: unknown): void;
  /** Takes the session's member list of the room as the one known. */
  rememberMembers(): void;
  /** Resolves once every message typed so far is acknowledged or has failed. */
  sent(): Promise<void>;
  /** Ends the chat window with an exit status. */
  finish(code: number): void;
}

/** Whether an input line is a command rather than a message (`//` escapes a message starting with `/`). */
export function isSlashCommand(line: string): boolean {
  return line.startsWith('/') && !line.startsWith('//');
}

/** Runs the command on `line`; an unknown one is answered with a hint. */
export async function runSlashCommand(line: string, window: ChatWindow): Promise<void> {
  const { session, target, me } = window;
  const [name] = line.trim().split(/\s+/);
  switch (name) {
    case '/help':
      for (const helpLine of HELP) window.print(helpLine);
      return;
    case '/who':
      if (target.kind === 'conversation') {
        window.print(`In your conversation with ${target.peer}: ${[me, target.peer].sort().join(', ')}`);
        return;
      }
      try {
        // Joining again is harmless and answers with who is here; a large room's answer lists only the first
        // of them, and its presence route pages the rest (the first page is shown).
        const joined = await session.join(target.room);
        window.rememberMembers();
        if (joined.membersTruncated) {
          const page = await window.api.roomPresence(target.room, { limit: 100 });
          const names = page.items.map((user) => user.username);
          const more = (joined.memberCount ?? names.length) - names.length;
          window.print(`In ${target.room}: ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
          return;
        }
      } catch (error) {
        window.printError('could not refresh the member list: ', error);
      }
      window.print(`In ${target.room}: ${session.members(target.room).join(', ')}`);
      return;
    case '/leave':
      if (target.kind === 'room') {
        await window.sent();
        try {
          await session.leave(target.room);
          window.print(`Left ${target.room}.`);
        } catch (error) {
          window.printError('could not leave: ', error);
        }
      }
      window.finish(0);
      return;
    case '/quit':
    case '/exit':
      window.finish(0);
      return;
    default:
      if (await runMessageAction(name ?? '', line.trim().slice(name?.length ?? 0), window)) return;
      window.print(`Unknown command ${name}; /help lists the commands.`);
  }
}
