/**
 * Delivery of frames to WebSocket connections through API Gateway's management API.
 */

import type { ServerFrame } from '../../lib/contract/index.ts';
import type { ConnectionPoster } from '../shared/management.ts';

export type { ConnectionPoster };

export interface FanOutOptions {
  readonly poster: ConnectionPoster;
  /** How many posts are in flight at once. */
  readonly concurrency: number;
  /** Called once per connection found gone (HTTP 410), after every post has been tried. */
  readonly onGone: (connectionIds: string[]) => Promise<void>;
  /** Called for a post that failed for another reason; it never fails the send. */
  readonly onFailure: (connectionId: string, error: unknown) => void;
  /** Retries of a throttled post (`LimitExceededException`), with exponential backoff and full jitter. */
  readonly maxRetries?: number;
  readonly baseDelayMs?: number;
}

export interface FanOutResult {
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
}

/** The frames the server sends: exactly the contract's (lib/contract), so a frame of another shape fails tsc. */
export type { ServerFrame };

/**
 * Posts one frame to each connection, at most `concurrency` at a time, with `Promise.allSettled` semantics:
 * a dead connection (`GoneException`, matched by name: SDK v3 errors carry no `statusCode`) is handed to
 * `onGone` to be pruned, a throttled one is retried with backoff and jitter, and no single failure fails the
 * send for the others.
 */
export async function fanOut(
  options: FanOutOptions,
  connectionIds: readonly string[],
  frame: ServerFrame,
): Promise<FanOutResult> {
  const data = JSON.stringify(frame);
  const gone: string[] = [];
  let delivered = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < connectionIds.length) {
      const connectionId = connectionIds[next++] as string;
      try {
        await postWithRetry(options, connectionId, data);
        delivered++;
      } catch (error) {
        if ((error as Error)?.name === 'GoneException') {
          gone.push(connectionId);
        } else {
          failed++;
          options.onFailure(connectionId, error);
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, connectionIds.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (gone.length > 0) await options.onGone(gone);
  return { delivered, gone: gone.length, failed };
}

async function postWithRetry(options: FanOutOptions, connectionId: string, data: string): Promise<void> {
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      await options.poster.post(connectionId, data);
      return;
    } catch (error) {
      if ((error as Error)?.name !== 'LimitExceededException' || attempt >= maxRetries) throw error;
      // Full jitter: a random delay up to the exponential cap, so throttled posts do not retry in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * baseDelayMs * 2 ** attempt));
    }
  }
}
