/**
 * Keeps one connection from idling out: a ping every interval, because API Gateway closes a connection after
 * 10 minutes without a data frame. A ping that times out means the connection is dead without having said so
 * (a NAT forgot it), and the caller is told so that it can end the connection and start a new one.
 */
import { isChatClientError } from './errors.ts';

export class KeepAlive {
  private timer: ReturnType<typeof setInterval> | undefined;

  /** @param intervalMs how often to ping; 0 or less turns the keep-alive off. */
  constructor(private readonly intervalMs: number) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Starts pinging (stopping any earlier run first). `onUnanswered` is called when a ping fails with
   * `TIMEOUT`; other failures (the session closed, the connection dropped) are someone else's to handle.
   */
  start(ping: () => Promise<unknown>, onUnanswered: () => void): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      ping().catch((error: unknown) => {
        if (isChatClientError(error) && error.code === 'TIMEOUT') onUnanswered();
      });
    }, this.intervalMs);
    // The keep-alive alone never keeps a Node process running (browsers' timers have no unref).
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
