/**
 * The read state of the chat window: the read marker moved as messages are shown, the typing line shown when
 * others type, and this user's own typing told to the others, each paced so that the server is not flooded.
 */
import type { ChatApi } from '../http.ts';
import type { ChatSession } from '../session.ts';
import type { MessageTarget, TypingFrame } from '../types.ts';

/** How long after the newest shown message the marker moves: a burst of messages moves it once. */
const MARK_DELAY_MS = 500;
/** The server relays one typing notice per user and place every 2 seconds; sending more is wasted. */
const TYPING_EVERY_MS = 2_000;
/** A typing line is shown again for the same user only after this long. */
const TYPING_LINE_EVERY_MS = 5_000;

export class WindowReadState {
  private newestShown = '';
  private marked = '';
  private timer: NodeJS.Timeout | undefined;
  private lastTypingSent = 0;
  private readonly typingShown = new Map<string, number>();

  constructor(
    private readonly api: ChatApi,
    private readonly session: ChatSession,
    private readonly target: MessageTarget,
    private readonly me: string,
    private readonly notice: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A message of this window was shown: the marker follows, shortly, for others' messages. */
  shown(message: { readonly messageId: string; readonly from: string }): void {
    if (message.from.toLowerCase() === this.me.toLowerCase() || message.messageId <= this.newestShown) return;
    this.newestShown = message.messageId;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.mark();
    }, MARK_DELAY_MS);
  }

  /**
   * Moves the marker now if a newer message was shown (when the window closes): over HTTP, so that it has
   * moved when this resolves.
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.mark(false);
  }

  /** Someone typing: one line per user every few seconds, never this user's own notices. */
  typing(frame: TypingFrame): void {
    if (frame.username.toLowerCase() === this.me.toLowerCase()) return;
    const last = this.typingShown.get(frame.username) ?? 0;
    if (this.now() - last < TYPING_LINE_EVERY_MS) return;
    this.typingShown.set(frame.username, this.now());
    this.notice(`${frame.username} is typing…`);
  }

  /** This user pressed a key (Enter sends rather than types): the others are told, at most once per interval. */
  keypress(key: { readonly name?: string } | undefined): void {
    if (key?.name === 'return' || key?.name === 'enter') return;
    if (this.now() - this.lastTypingSent < TYPING_EVERY_MS) return;
    if (this.session.typing(this.target)) this.lastTypingSent = this.now();
  }

  private async mark(overSocket = true): Promise<void> {
    const messageId = this.newestShown;
    if (messageId === '' || messageId <= this.marked) return;
    this.marked = messageId;
    // Over the socket when it is open (no answer needed); otherwise over HTTP, which answers.
    if (overSocket && this.session.markRead(this.target, messageId)) return;
    try {
      await this.api.markRead(this.target, messageId);
    } catch {
      // A marker that could not move now moves with the next message shown.
      this.marked = '';
    }
  }
}

/** Whether a frame is about the room or conversation of a window. */
export function sameTarget(
  frame: { room?: string; conversationId?: string },
  target: MessageTarget,
): boolean {
  return 'room' in target ? frame.room === target.room : frame.conversationId === target.conversationId;
}
