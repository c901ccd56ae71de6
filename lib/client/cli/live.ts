/**
 * `chat join` and `chat dm`: recent history, who is here, then live lines while the user types. On a terminal
 * it is a small chat window (a prompt that incoming lines do not overwrite, slash commands); otherwise every
 * input line is a message and the end of input ends the session once every message has been acknowledged.
 */
import {
  clearLine,
  clearScreenDown,
  createInterface,
  cursorTo,
  type Interface,
  moveCursor,
} from 'node:readline';
import { DisconnectedError } from '../errors.ts';
import type { ChatApi } from '../http.ts';
import type { ChatSession } from '../session.ts';
import type { StateChange } from '../session-events.ts';
import type { Message, MessageFrame, UserJoinedFrame, UserLeftFrame } from '../types.ts';
import { errorSentence, MessagePrinter, type Painter } from './output.ts';

export type LiveTarget =
  | { readonly kind: 'room'; readonly room: string }
  | { readonly kind: 'conversation'; readonly conversationId: string; readonly peer: string };

export interface LiveOptions {
  /** Signed in as `me`. */
  readonly api: ChatApi;
  /** Connected as `me`; for a room, not yet joined. */
  readonly session: ChatSession;
  readonly me: string;
  readonly target: LiveTarget;
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WriteStream;
  readonly painter: Painter;
  /** How many past messages to show first. */
  readonly historyCount: number;
}

const PROMPT = '> ';

const HELP = [
  'Type a message and press Enter to send it. Commands:',
  '  /who     who is here',
  '  /leave   leave the room and quit',
  '  /quit    quit (the others see you leave)',
  '  /help    this list',
  'Start a message with // to send a line that begins with /.',
];

type LiveEvent =
  | { readonly kind: 'message'; readonly frame: MessageFrame }
  | { readonly kind: 'user_joined'; readonly frame: UserJoinedFrame }
  | { readonly kind: 'user_left'; readonly frame: UserLeftFrame }
  | { readonly kind: 'state'; readonly change: StateChange };

/**
 * Runs the live view until the user quits, the input ends or the session fails for good; resolves with the
 * exit status (1 when a message could not be sent or the connection was lost for good). Joining errors
 * (e.g. `ROOM_NOT_FOUND`) are thrown before anything is shown.
 */
export async function runLive(options: LiveOptions): Promise<number> {
  const { api, session, me, target, input, output, painter } = options;
  const interactive = input.isTTY === true;
  // The redrawn prompt needs a terminal on both sides.
  const fancy = interactive && output.isTTY === true;
  const historyTarget =
    target.kind === 'room' ? { room: target.room } : { conversationId: target.conversationId };
  const where = target.kind === 'room' ? target.room : `your conversation with ${target.peer}`;

  let rl: Interface | undefined;
  let rlClosed = false;
  const print = (line: string) => {
    if (fancy && rl !== undefined && !rlClosed) {
      clearLine(output, 0);
      cursorTo(output, 0);
      output.write(`${line}\n`);
      rl.prompt(true);
    } else {
      output.write(`${line}\n`);
    }
  };
  const printer = new MessagePrinter(painter, print, me);
  const seen = new Set<string>();
  let newestSeen = '';
  let failures = 0;
  let knownMembers: string[] = [];

  const show = (message: Message, direct = false) => {
    if (seen.has(message.messageId)) return;
    seen.add(message.messageId);
    if (message.messageId > newestSeen) newestSeen = message.messageId;
    printer.message(message, { direct });
  };
  const printError = (prefix: string, error: unknown) =>
    print(painter.paint('red', `Error: ${prefix}${errorSentence(error)}`));

  // --- events: buffered until history is on screen, so that nothing shows twice or out of order ---
  const buffered: LiveEvent[] = [];
  let live = false;
  let finish: (code: number) => void = () => {};

  const handle = (event: LiveEvent) => {
    if (!live) {
      buffered.push(event);
      return;
    }
    switch (event.kind) {
      case 'message': {
        const { frame } = event;
        if (target.kind === 'room' && frame.room === target.room) show(frame);
        else if (target.kind === 'conversation' && frame.conversationId === target.conversationId)
          show(frame);
        else if (frame.conversationId !== undefined) show(frame, true);
        break;
      }
      case 'user_joined':
        if (target.kind === 'room' && event.frame.room === target.room && event.frame.username !== me) {
          printer.notice(`${event.frame.username} joined`);
        }
        knownMembers = currentMembers();
        break;
      case 'user_left':
        if (target.kind === 'room' && event.frame.room === target.room && event.frame.username !== me) {
          printer.notice(`${event.frame.username} left`);
        }
        knownMembers = currentMembers();
        break;
      case 'state':
        void onState(event.change);
        break;
    }
  };
  const currentMembers = () => (target.kind === 'room' ? session.members(target.room) : []);

  const onState = async (change: StateChange) => {
    if (change.state === 'reconnecting') {
      const { reason } = change;
      printer.notice(
        reason instanceof DisconnectedError
          ? `connection lost (close code ${reason.closeCode}); reconnecting…`
          : `could not reconnect: ${errorSentence(reason)}; trying again in ${(change.delayMs / 1000).toFixed(1)} s…`,
      );
    } else if (change.state === 'open' && change.reconnected) {
      printer.notice('reconnected');
      const now = currentMembers();
      for (const name of now)
        if (!knownMembers.includes(name) && name !== me) printer.notice(`${name} joined`);
      for (const name of knownMembers) if (!now.includes(name) && name !== me) printer.notice(`${name} left`);
      knownMembers = now;
      // Live delivery is best effort: what was said while we were away is in the history.
      try {
        const recent = await api.recentMessages(historyTarget, 50);
        for (const message of recent) if (message.messageId > newestSeen) show(message);
      } catch (error) {
        printError('could not fetch the messages missed while away: ', error);
      }
    } else if (change.state === 'closed' && change.reason !== undefined) {
      printError('the connection is lost: ', change.reason);
      finish(1);
    }
  };

  const unsubscribe = [
    session.on('message', (frame) => handle({ kind: 'message', frame })),
    session.on('user_joined', (frame) => handle({ kind: 'user_joined', frame })),
    session.on('user_left', (frame) => handle({ kind: 'user_left', frame })),
    session.on('state', (change) => handle({ kind: 'state', change })),
  ];

  try {
    // --- join, then history, then presence ---
    if (target.kind === 'room') await session.join(target.room);
    const history = await api.recentMessages(historyTarget, options.historyCount);
    print(
      target.kind === 'room'
        ? `Joined ${painter.paint('bold', target.room)} as ${me}.`
        : `Conversation with ${painter.paint('bold', target.peer)} (you are ${me}).`,
    );
    if (history.length === 0) print(painter.paint('dim', 'No messages yet.'));
    for (const message of history) show(message);
    printer.endHistory();
    if (target.kind === 'room') {
      knownMembers = currentMembers();
      print(`Here now: ${knownMembers.join(', ')}`);
    }
    if (interactive) print(painter.paint('dim', 'Type a message and press Enter; /help lists the commands.'));
  } catch (error) {
    for (const remove of unsubscribe) remove();
    throw error;
  }

  return new Promise<number>((resolve) => {
    let sendChain: Promise<void> = Promise.resolve();
    let finishing = false;

    finish = (code: number) => {
      if (finishing) return;
      finishing = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (fancy) {
        // No prompt left behind on the last line.
        clearLine(output, 0);
        cursorTo(output, 0);
      }
      rl?.close();
      void (async () => {
        // End of input closes only after every message sent so far is acknowledged (or has failed).
        await sendChain;
        for (const remove of unsubscribe) remove();
        await session.close();
        resolve(code === 0 && failures > 0 ? 1 : code);
      })();
    };
    const onSignal = () => finish(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    // --- live: what arrived meanwhile first ---
    live = true;
    for (const event of buffered.splice(0)) handle(event);
    // The connection may have been lost for good while the history loaded.
    if (finishing) return;

    const send = (text: string) => {
      // One at a time, so that the server stores them in the order they were typed.
      sendChain = sendChain.then(async () => {
        try {
          const ack =
            target.kind === 'room'
              ? await session.sendToRoom(target.room, text)
              : await session.sendToConversation(target.conversationId, text);
          const message: Message =
            target.kind === 'room'
              ? { messageId: ack.messageId, room: target.room, from: me, text, sentAt: ack.sentAt }
              : {
                  messageId: ack.messageId,
                  conversationId: target.conversationId,
                  from: me,
                  text,
                  sentAt: ack.sentAt,
                };
          show(message);
        } catch (error) {
          failures += 1;
          printError('message not sent: ', error);
        }
      });
    };

    const command = async (line: string) => {
      const [name] = line.trim().split(/\s+/);
      switch (name) {
        case '/help':
          for (const helpLine of HELP) print(helpLine);
          return;
        case '/who':
          if (target.kind === 'conversation') {
            print(`In ${where}: ${[me, target.peer].sort().join(', ')}`);
            return;
          }
          try {
            // The server has no "who is here" query; joining again is harmless and answers with the members.
            await session.join(target.room);
            knownMembers = currentMembers();
          } catch (error) {
            printError('could not refresh the member list: ', error);
          }
          print(`In ${target.room}: ${currentMembers().join(', ')}`);
          return;
        case '/leave':
          if (target.kind === 'room') {
            await sendChain;
            try {
              await session.leave(target.room);
              print(`Left ${target.room}.`);
            } catch (error) {
              printError('could not leave: ', error);
            }
          }
          finish(0);
          return;
        case '/quit':
        case '/exit':
          finish(0);
          return;
        default:
          print(`Unknown command ${name}; /help lists the commands.`);
      }
    };

    rl = createInterface({ input, output: fancy ? output : undefined, terminal: fancy, prompt: PROMPT });
    rl.on('line', (line) => {
      if (fancy) eraseTypedLine(output, line);
      if (interactive && line.startsWith('/') && !line.startsWith('//')) {
        void command(line);
      } else if (line.trim() !== '') {
        send(interactive && line.startsWith('//') ? line.slice(1) : line);
      }
      if (fancy && !finishing) rl?.prompt();
    });
    // Ctrl-C on the terminal (readline owns it in raw mode), and the end of input (Ctrl-D, or a pipe's end).
    rl.on('SIGINT', () => finish(0));
    rl.on('close', () => {
      rlClosed = true;
      finish(0);
    });
    if (fancy) rl.prompt();
  });
}

/** Removes the line readline echoed, so that the message appears once, as `[HH:MM] me: text`, on its ack. */
function eraseTypedLine(output: NodeJS.WriteStream, line: string): void {
  const columns = output.columns || 80;
  const rows = Math.max(1, Math.ceil((PROMPT.length + [...line].length) / columns));
  moveCursor(output, 0, -rows);
  cursorTo(output, 0);
  clearScreenDown(output);
}
