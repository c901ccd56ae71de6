/**
 * Lambda's concurrency, emulated for functions that all run in one process. On AWS every in-flight request of a
 * function has an execution environment of its own, which serves one request at a time; a burst is absorbed by
 * new environments (up to 1,000 per function every 10 seconds, within the account's concurrency of 1,000 by
 * default), and a request beyond those is refused with a throttling error (429, `TooManyRequestsException`).
 *
 * Locally a function is one module with one set of SDK clients, whatever the number of requests. Run without a
 * bound, a burst of 400 frames makes ~800 DynamoDB calls wait for the 50 sockets of one client while the SDK's
 * connection and request timers already run, and they time out: a failure AWS never shows. So each function
 * gets a few emulated environments: at most `size` invocations run at once, the others wait in arrival order
 * for one to free (as a request on AWS waits for a new environment's cold start), and an invocation that would
 * take the account past its concurrency is refused, as on AWS.
 */

/** The account's concurrency: how many invocations of all functions may be under way at once. */
export class AccountConcurrency {
  private inFlight = 0;

  /** `limit`: AWS's default account concurrency, 1,000. */
  constructor(readonly limit = 1_000) {}

  /** Counts one invocation in; false when the account is at its limit (the invocation is throttled). */
  enter(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight--;
  }
}

/** What Lambda answers an invocation it throttles; the gateways report it as a failed invocation. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsException';
  constructor(functionName: string) {
    super(`Rate Exceeded: ${functionName} has no concurrency left (ConcurrentInvocationLimitExceeded)`);
  }
}

/** The execution environments of one function: at most `size` invocations run at once, the rest wait their turn. */
export class ExecutionEnvironments {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly size: number,
    private readonly account: AccountConcurrency,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`environments must be a positive integer: ${size}`);
  }

  /** How many invocations wait for an environment. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `invocation` in a free environment, waiting for one in arrival order; throws TooManyRequestsError
   * at once when the account has no concurrency left.
   */
  async run<T>(functionName: string, invocation: () => Promise<T>): Promise<T> {
    if (!this.account.enter()) throw new TooManyRequestsError(functionName);
    try {
      if (this.running < this.size) this.running++;
      // The environment that frees hands itself over: `running` stays the same.
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
      try {
        return await invocation();
      } finally {
        const next = this.waiting.shift();
        if (next === undefined) this.running--;
        else next();
      }
    } finally {
      this.account.leave();
    }
  }
}
