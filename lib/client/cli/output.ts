/**
 * How the CLI writes: message lines (`[HH:MM] user: text`), tables, and error sentences. Colour only on a
 * terminal and never with NO_COLOR; text from the server is stripped of control characters, so that a message
 * cannot move the cursor or recolour the terminal.
 */
import { styleText } from 'node:util';
import { limits } from '../../contract/limits.ts';
import { ApiError, isChatClientError } from '../errors.ts';
import type { Message } from '../types.ts';

type Style = Parameters<typeof styleText>[0];

/** https://no-color.org: present and not empty turns colour off. */
export function colourWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export class Painter {
  constructor(readonly enabled: boolean) {}

  paint(style: Style, text: string): string {
    // Our own check decides (Node 20's styleText always colours; Node 22+ would check stdout again).
    return this.enabled ? styleText(style, text, { validateStream: false }) : text;
  }
}

// C0 and C1 controls except tab and newline, and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Server text made safe to print on a terminal. */
export function clean(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '\ufffd');
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `HH:MM` in local time. */
export function clockTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** `YYYY-MM-DD` in local time. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/** `YYYY-MM-DD HH:MM` in local time, or `HH:MM` for today. */
export function shortTimestamp(iso: string, now = new Date()): string {
  const date = new Date(iso);
  return localDay(date) === localDay(now) ? clockTime(date) : `${localDay(date)} ${clockTime(date)}`;
}

/**
 * Writes message lines, with a `--- YYYY-MM-DD ---` line whenever the day changes (and before the first
 * message when it is not from today), so that `[HH:MM]` is never ambiguous.
 */
export class MessagePrinter {
  private lastDay: string;

  constructor(
    private readonly painter: Painter,
    private readonly write: (line: string) => void,
    /** The signed-in user: their own lines are highlighted. */
    private readonly me?: string,
  ) {
    this.lastDay = localDay(new Date());
  }

  message(message: Message, options: { direct?: boolean } = {}): void {
    const sentAt = new Date(message.sentAt);
    this.dayChange(sentAt);
    const time = this.painter.paint('dim', `[${clockTime(sentAt)}]`);
    const marker = options.direct ? `${this.painter.paint('magenta', '(dm)')} ` : '';
    const name = this.painter.paint(
      message.from === this.me ? ['bold', 'green'] : ['bold', 'cyan'],
      clean(message.from),
    );
    // Continuation lines of a multi-line message are indented under the text.
    const text = message.deleted
      ? this.painter.paint('dim', '(deleted)')
      : clean(message.text).replaceAll('\n', '\n        ');
    this.write(`${time} ${marker}${name}: ${this.replyMark(message)}${text}${this.annotations(message)}`);
  }

  /** `↪ ` before a reply. */
  private replyMark(message: Message): string {
    return message.replyTo === undefined || message.deleted ? '' : this.painter.paint('dim', '↪ ');
  }

  /** ` (edited)` and ` [👍 2, 🎉 1]` after the text. */
  private annotations(message: Message): string {
    const edited = message.editedAt === undefined ? '' : this.painter.paint('dim', ' (edited)');
    const reactions = (message.reactions ?? []).map((r) => `${clean(r.emoji)} ${r.count}`).join(', ');
    return `${edited}${reactions === '' ? '' : this.painter.paint('dim', ` [${reactions}]`)}`;
  }

  /** `[HH:MM] * bob joined` */
  notice(text: string, at = new Date()): void {
    this.dayChange(at);
    this.write(
      `${this.painter.paint('dim', `[${clockTime(at)}]`)} ${this.painter.paint('yellow', `* ${text}`)}`,
    );
  }

  private dayChange(at: Date): void {
    const day = localDay(at);
    if (day === this.lastDay) return;
    this.lastDay = day;
    this.write(this.painter.paint('dim', `--- ${day} ---`));
  }

  /** After history from other days, a line for today, so that the live lines that follow are not misread. */
  endHistory(): void {
    const today = localDay(new Date());
    if (this.lastDay !== today && this.lastDay !== '')
      this.write(this.painter.paint('dim', `--- ${today} ---`));
    this.lastDay = today;
  }
}

/** A plain text table: a header and left-aligned columns. */
export function table(
  painter: Painter,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
  return [painter.paint('bold', line(header)), ...rows.map(line)].join('\n');
}

/** `text` cut to `max` characters with an ellipsis, on one line. */
export function truncate(text: string, max: number): string {
  const oneLine = clean(text).replace(/\s+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/**
 * One sentence with the code: `the username or password is incorrect (INVALID_CREDENTIALS)`. Validation
 * details are part of the sentence; anything that is not a client error says only that it is unexpected.
 */
export function errorSentence(error: unknown): string {
  if (!isChatClientError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return `unexpected failure: ${clean(sentenceCase(message))} (INTERNAL)`;
  }
  // Over a rate limit: what to do matters more than what the server said.
  if (error.code === 'RATE_LIMITED' && error.retryAfterMs !== undefined) {
    return `slow down, try again in ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s (${error.code})`;
  }
  let text = sentenceCase(error.message);
  if (error instanceof ApiError && error.details.length > 0) {
    text += `: ${error.details.map((detail) => `${detail.field} ${detail.problem}`).join('; ')}`;
  }
  return `${clean(text)} (${error.code})`;
}

/** "The room was not found." becomes "the room was not found": the start and end of the CLI's sentence. */
function sentenceCase(message: string): string {
  const trimmed = message.trim().replace(/\.$/, '');
  // Keep the capital of an acronym or a name ("JSON", "HTTP").
  if (/^[A-Z][a-z\s]/.test(trimmed)) return trimmed[0]?.toLowerCase() + trimmed.slice(1);
  return trimmed;
}

/** An unread count as a list shows it: `-` for none (or not a member), `100+` at the server's cap. */
export function unreadLabel(count: number | undefined): string {
  if (count === undefined || count === 0) return '-';
  return count >= limits.unreadCountCap ? `${limits.unreadCountCap}+` : String(count);
}
