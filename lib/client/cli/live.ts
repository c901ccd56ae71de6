/**
 * `chat join` and `chat dm`: recent history, who is here, then live lines while the user types. On a terminal
 * it is a small chat window (a prompt that incoming lines do not overwrite, slash commands); otherwise every
 * input line is a message and the end of input ends the session once every message has been acknowledged.
 */
import { DisconnectedError } from '../errors.ts';
import type { ChatApi } from '../http.ts';
import type { ChatSession } from '../session.ts';
import type { StateChange } from '../session-events.ts';
import type {
  InvitedFrame,
  Message,
  MessageFrame,
  MessageTarget,
  RemovedFrame,
  RoomDeletedFrame,
  TypingFrame,
  UserJoinedFrame,
  UserLeftFrame,
} from '../types.ts';
import { LiveTerminal } from './live-terminal.ts';
import { changeNotice, type MessageChangeFrame, MessageLog } from './message-actions.ts';
import { errorSentence, MessagePrinter, type Painter } from './output.ts';
import { sameTarget, WindowReadState } from './read-state.ts';
import type { LiveTarget } from './slash-commands.ts';
import { type ChatWindow, isSlashCommand, runSlashCommand } from './slash-commands.ts';

export type { LiveTarget };

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

type LiveEvent =
  | { readonly kind: 'message'; readonly frame: MessageFrame }
  | { readonly kind: 'user_joined' | 'user_left'; readonly frame: UserJoinedFrame | UserLeftFrame }
  | { readonly kind: 'invited'; readonly frame: InvitedFrame }
  | { readonly kind: 'removed' | 'room_deleted'; readonly frame: RemovedFrame | RoomDeletedFrame }
  | { readonly kind: 'change'; readonly frame: MessageChangeFrame }
  | { readonly kind: 'typing'; readonly frame: TypingFrame }
  | { readonly kind: 'state'; readonly change: StateChange };

/**
 * Runs the live view until the user quits, the input ends or the session fails for good; resolves with the
 * exit status (1 when a message could not be sent or the connection was lost for good). Joining errors
 * (e.g. `ROOM_NOT_FOUND`) are thrown before anything is shown.
 */
export async function runLive(options: LiveOptions): Promise<number> {
  const chat = new LiveChat(options);
  await chat.open();
  return chat.run();
}

class LiveChat {
  private readonly terminal: LiveTerminal;
  private readonly printer: MessagePrinter;
  private readonly historyTarget: MessageTarget;
  private readonly seen = new Set<string>();
  private readonly log = new MessageLog();
  private newestSeen = '';
  private failures = 0;
  private knownMembers: string[] = [];
  /** Events that came before the history was on screen, so that nothing shows twice or out of order. */
  private readonly buffered: LiveEvent[] = [];
  private live = false;
  /** Messages go one at a time, so that the server stores them in the order they were typed. */
  private sendChain: Promise<void> = Promise.resolve();
  private finishing = false;
  private exit: (code: number) => void = () => {};
  private readonly unsubscribe: (() => void)[];
  /** What a slash command may do here. */
  private readonly window: ChatWindow;
  private readonly readState: WindowReadState;

  constructor(private readonly options: LiveOptions) {
    const { session, target } = options;
    this.terminal = new LiveTerminal(options.input, options.output);
    this.printer = new MessagePrinter(options.painter, (line) => this.terminal.print(line), options.me);
    this.historyTarget =
      target.kind === 'room' ? { room: target.room } : { conversationId: target.conversationId };
    this.unsubscribe = [
      session.on('message', (frame) => this.handle({ kind: 'message', frame })),
      session.on('user_joined', (frame) => this.handle({ kind: 'user_joined', frame })),
      session.on('user_left', (frame) => this.handle({ kind: 'user_left', frame })),
      session.on('invited', (frame) => this.handle({ kind: 'invited', frame })),
      session.on('removed', (frame) => this.handle({ kind: 'removed', frame })),
      session.on('room_deleted', (frame) => this.handle({ kind: 'room_deleted', frame })),
      ...(['message_updated', 'message_deleted', 'reaction'] as const).map((type) =>
        session.on(type, (frame) => this.handle({ kind: 'change', frame })),
      ),
      session.on('typing', (frame) => this.handle({ kind: 'typing', frame })),
      session.on('state', (change) => this.handle({ kind: 'state', change })),
    ];
    this.readState = new WindowReadState(options.api, session, this.historyTarget, options.me, (text) =>
      this.printer.notice(text),
    );
    this.window = {
      session,
      target,
      me: options.me,
      print: (line) => this.terminal.print(line),
      printError: (prefix, error) => this.printError(prefix, error),
      rememberMembers: () => {
        this.knownMembers = this.currentMembers();
      },
      sent: () => this.sendChain,
      api: options.api,
      place: this.historyTarget,
      log: this.log,
      reply: (text, replyTo) => this.send(text, replyTo),
      finish: (code) => this.finish(code),
    };
  }

  /** Joins, then shows the history and who is here. */
  async open(): Promise<void> {
    const { api, session, target, me, painter } = this.options;
    try {
      if (target.kind === 'room') await session.join(target.room);
      const history = await api.recentMessages(this.historyTarget, this.options.historyCount);
      this.terminal.print(
        target.kind === 'room'
          ? `Joined ${painter.paint('bold', target.room)} as ${me}.`
          : `Conversation with ${painter.paint('bold', target.peer)} (you are ${me}).`,
      );
      if (history.length === 0) this.terminal.print(painter.paint('dim', 'No messages yet.'));
      for (const message of history) this.show(message);
      this.printer.endHistory();
      if (target.kind === 'room') {
        this.knownMembers = this.currentMembers();
        this.terminal.print(`Here now: ${this.knownMembers.join(', ')}`);
      }
      if (this.terminal.interactive) {
        this.terminal.print(
          painter.paint('dim', 'Type a message and press Enter; /help lists the commands.'),
        );
      }
    } catch (error) {
      for (const remove of this.unsubscribe) remove();
      throw error;
    }
  }

  /** Live until the end; resolves with the exit status. */
  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.exit = resolve;
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
      // What arrived meanwhile first.
      this.live = true;
      for (const event of this.buffered.splice(0)) this.handle(event);
      // The connection may have been lost for good while the history loaded.
      if (this.finishing) return;
      this.terminal.start(
        (line) => this.onLine(line),
        () => this.finish(0),
      );
      // On a terminal readline emits a keypress per key: typing is told to the others (paced).
      if (this.terminal.interactive) this.options.input.on('keypress', this.onKeypress);
    });
  }

  private readonly onKeypress = (_text: unknown, key?: { name?: string }) => this.readState.keypress(key);

  private readonly onSignal = () => this.finish(0);

  private finish(code: number): void {
    if (this.finishing) return;
    this.finishing = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.options.input.off('keypress', this.onKeypress);
    this.terminal.stop();
    void (async () => {
      await this.readState.flush();
      // End of input closes only after every message sent so far is acknowledged (or has failed).
      await this.sendChain;
      for (const remove of this.unsubscribe) remove();
      await this.options.session.close();
      this.exit(code === 0 && this.failures > 0 ? 1 : code);
    })();
  }

  // --- what the server says ---

  private handle(event: LiveEvent): void {
    if (!this.live) {
      this.buffered.push(event);
      return;
    }
    const { target, me } = this.options;
    switch (event.kind) {
      case 'message': {
        const { frame } = event;
        if (target.kind === 'room' && frame.room === target.room) this.show(frame);
        else if (target.kind === 'conversation' && frame.conversationId === target.conversationId)
          this.show(frame);
        else if (frame.conversationId !== undefined) this.show(frame, true);
        break;
      }
      case 'user_joined':
      case 'user_left':
        if (target.kind === 'room' && event.frame.room === target.room && event.frame.username !== me) {
          this.printer.notice(`${event.frame.username} ${event.kind === 'user_joined' ? 'joined' : 'left'}`);
        }
        this.knownMembers = this.currentMembers();
        break;
      case 'invited':
        this.printer.notice(
          `${event.frame.by} invited you to ${event.frame.room} (chat join ${event.frame.room})`,
        );
        break;
      case 'removed':
      case 'room_deleted': {
        const { frame } = event;
        this.printer.notice(
          'by' in frame
            ? `you were removed from ${frame.room} by ${frame.by}`
            : `${frame.room} was deleted by its owner`,
        );
        // The session has dropped the room: a room window has nothing more to show.
        if (target.kind === 'room' && frame.room === target.room) this.finish(1);
        break;
      }
      case 'change': {
        const { frame } = event;
        const place = target.kind === 'room' ? target.room : target.conversationId;
        if ((frame.room ?? frame.conversationId) === place)
          this.printer.notice(changeNotice(frame, this.log));
        break;
      }
      case 'typing':
        if (sameTarget(event.frame, this.historyTarget)) this.readState.typing(event.frame);
        break;
      case 'state':
        void this.onState(event.change);
        break;
    }
  }

  private async onState(change: StateChange): Promise<void> {
    if (change.state === 'reconnecting') {
      const { reason } = change;
      this.printer.notice(
        reason instanceof DisconnectedError
          ? `connection lost (close code ${reason.closeCode}); reconnecting…`
          : `could not reconnect: ${errorSentence(reason)}; trying again in ${(change.delayMs / 1000).toFixed(1)} s…`,
      );
    } else if (change.state === 'open' && change.reconnected) {
      this.printer.notice('reconnected');
      this.noticeMemberChanges();
      // Live delivery is best effort: what was said while we were away is in the history, read forward from
      // the newest message shown (every one of them, however many pages).
      try {
        const { api, historyCount } = this.options;
        const missed =
          this.newestSeen === ''
            ? await api.recentMessages(this.historyTarget, historyCount)
            : await api.messagesAfter(this.historyTarget, this.newestSeen);
        for (const message of missed) this.show(message);
      } catch (error) {
        this.printError('could not fetch the messages missed while away: ', error);
      }
    } else if (change.state === 'closed' && change.reason !== undefined) {
      this.printError('the connection is lost: ', change.reason);
      this.finish(1);
    }
  }

  /** After a reconnect: who came and went while we were away. */
  private noticeMemberChanges(): void {
    const { me } = this.options;
    const now = this.currentMembers();
    for (const name of now) {
      if (!this.knownMembers.includes(name) && name !== me) this.printer.notice(`${name} joined`);
    }
    for (const name of this.knownMembers) {
      if (!now.includes(name) && name !== me) this.printer.notice(`${name} left`);
    }
    this.knownMembers = now;
  }

  // --- what the user types ---

  private onLine(line: string): void {
    const { interactive } = this.terminal;
    if (interactive && isSlashCommand(line)) {
      void runSlashCommand(line, this.window);
    } else if (line.trim() !== '') {
      this.send(interactive && line.startsWith('//') ? line.slice(1) : line);
    }
  }

  private send(text: string, replyTo?: string): void {
    const { session, target, me } = this.options;
    this.sendChain = this.sendChain.then(async () => {
      try {
        const options = replyTo === undefined ? {} : { replyTo };
        const ack =
          target.kind === 'room'
            ? await session.sendToRoom(target.room, text, options)
            : await session.sendToConversation(target.conversationId, text, options);
        const { messageId, sentAt } = ack;
        this.show({ messageId, ...this.historyTarget, from: me, text, sentAt, ...options });
      } catch (error) {
        this.failures += 1;
        this.printError('message not sent: ', error);
      }
    });
  }

  // --- helpers ---

  private show(message: Message, direct = false): void {
    if (this.seen.has(message.messageId)) return;
    this.seen.add(message.messageId);
    if (message.messageId > this.newestSeen && !direct) this.newestSeen = message.messageId;
    this.log.remember(message);
    this.printer.message(message, { direct });
    if (!direct) this.readState.shown(message);
  }

  private printError(prefix: string, error: unknown): void {
    this.terminal.print(this.options.painter.paint('red', `Error: ${prefix}${errorSentence(error)}`));
  }

  private currentMembers(): string[] {
    const { target, session } = this.options;
    return target.kind === 'room' ? session.members(target.room) : [];
  }
}
