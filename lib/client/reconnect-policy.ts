/**
 * When a dropped session tries again: exponential backoff with jitter, and when it gives up. Pure: no timers
 * and no sockets, so that the delays can be checked without waiting for them.
 */

export interface ReconnectOptions {
  /** The first delay; each failed attempt doubles it. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Default 30 s. */
  readonly maxDelayMs?: number;
  /** Attempts after one drop before giving up (state `closed`). Default: no limit. */
  readonly maxAttempts?: number;
}

export type ReconnectSettings = Required<ReconnectOptions>;

export const DEFAULT_RECONNECT: ReconnectSettings = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** A number from 0 (inclusive) to 1 (exclusive), as `Math.random` returns. */
export type RandomSource = () => number;

/**
 * The delay before attempt `attempt` (1 for the first after a drop). The ceiling doubles from
 * `initialDelayMs` up to `maxDelayMs`; half of it is fixed and half random, so that clients dropped together
 * (a deployment, a network blip) do not all come back at the same instant, yet none comes back at once.
 */
export function reconnectDelayMs(
  attempt: number,
  settings: Pick<ReconnectSettings, 'initialDelayMs' | 'maxDelayMs'>,
  random: RandomSource = Math.random,
): number {
  // `0 * 2 ** 2000` is NaN: an initial delay of zero stays zero however many attempts there were.
  const growth = settings.initialDelayMs <= 0 ? 0 : settings.initialDelayMs * 2 ** (attempt - 1);
  const ceiling = Math.min(settings.maxDelayMs, growth);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Counts the attempts after one drop; `reset()` once a connection is open again. */
export class ReconnectPolicy {
  private attempts = 0;

  constructor(
    readonly settings: ReconnectSettings,
    private readonly random: RandomSource = Math.random,
  ) {}

  /** The next attempt (1-based) and how long to wait before it, or `undefined` when the attempts are used up. */
  next(): { readonly attempt: number; readonly delayMs: number } | undefined {
    if (this.attempts >= this.settings.maxAttempts) return undefined;
    this.attempts += 1;
    return { attempt: this.attempts, delayMs: reconnectDelayMs(this.attempts, this.settings, this.random) };
  }

  reset(): void {
    this.attempts = 0;
  }
}
