/**
 * The terminal side of `chat join` and `chat dm`. On a terminal (both ways) lines are printed above a prompt
 * that they do not overwrite, and the line the user typed is erased once entered (it comes back as a message
 * line on its ack). Otherwise lines are written as they come and input is read line by line.
 */
import {
  clearLine,
  clearScreenDown,
  createInterface,
  cursorTo,
  type Interface,
  moveCursor,
} from 'node:readline';

const PROMPT = '> ';

export class LiveTerminal {
  /** The user types at a terminal: lines starting with / are commands. */
  readonly interactive: boolean;
  /** The redrawn prompt needs a terminal on both sides. */
  private readonly fancy: boolean;
  private rl: Interface | undefined;
  private reading = false;

  constructor(
    private readonly input: NodeJS.ReadableStream & { isTTY?: boolean },
    private readonly output: NodeJS.WriteStream,
  ) {
    this.interactive = input.isTTY === true;
    this.fancy = this.interactive && output.isTTY === true;
  }

  /** Writes a line; on a terminal above the prompt, which is drawn again below it. */
  print(line: string): void {
    if (this.fancy && this.reading) {
      clearLine(this.output, 0);
      cursorTo(this.output, 0);
      this.output.write(`${line}\n`);
      this.rl?.prompt(true);
    } else {
      this.output.write(`${line}\n`);
    }
  }

  /**
   * Reads lines until `stop()`; `onEnd` is called at the end of input (Ctrl-D, a pipe's end) and at Ctrl-C,
   * which readline owns while the terminal is in raw mode.
   */
  start(onLine: (line: string) => void, onEnd: () => void): void {
    const rl = createInterface({
      input: this.input,
      output: this.fancy ? this.output : undefined,
      terminal: this.fancy,
      prompt: PROMPT,
    });
    this.rl = rl;
    this.reading = true;
    rl.on('line', (line) => {
      if (this.fancy) this.eraseTypedLine(line);
      onLine(line);
      if (this.fancy && this.reading) rl.prompt();
    });
    rl.on('SIGINT', onEnd);
    rl.on('close', () => {
      this.reading = false;
      onEnd();
    });
    if (this.fancy) rl.prompt();
  }

  /** Stops reading, leaving no prompt behind on the last line. */
  stop(): void {
    if (this.fancy) {
      clearLine(this.output, 0);
      cursorTo(this.output, 0);
    }
    this.reading = false;
    this.rl?.close();
  }

  /** Removes the line readline echoed, so that the message appears once, as `[HH:MM] me: text`, on its ack. */
  private eraseTypedLine(line: string): void {
    const columns = this.output.columns || 80;
    const rows = Math.max(1, Math.ceil((PROMPT.length + [...line].length) / columns));
    moveCursor(this.output, 0, -rows);
    cursorTo(this.output, 0);
    clearScreenDown(this.output);
  }
}
