/**
 * The requests a session has made and not yet had answered. Each waits for the server frame that answers it
 * (or an `error` frame naming it), fails after a time limit, and remembers whether it went out on the current
 * connection, so that what a dropped connection lost can go again on the next. No socket here: the session
 * says when a frame may go and how to send it.
 */
import { type ChatClientError, SocketFrameError, TimeoutError } from './errors.ts';
import type { ClientFrame, ServerFrame } from './types.ts';

/**
 * `user` requests go out in order once the session is open; `rejoin` requests are the session's own joins
 * after a reconnect, which go first; `message`s wait until the rooms are re-joined.
 */
export type RequestKind = 'user' | 'rejoin' | 'message';

interface PendingRequest {
  readonly kind: RequestKind;
  readonly frame: ClientFrame;
  /** Whether a server frame answers this request. */
  readonly answers: (frame: ServerFrame) => boolean;
  readonly resolve: (frame: ServerFrame) => void;
  readonly reject: (error: ChatClientError) => void;
  readonly timer: NodeJS.Timeout;
  /** Resolves when the request has settled either way; `drain()` waits on it. */
  readonly settled: Promise<void>;
  /** Sent on the current connection; cleared when it drops, so that the request goes again on the next. */
  sent: boolean;
}

export class PendingRequests {
  /** In the order they were made, which is the order they are sent in. */
  private readonly requests = new Set<PendingRequest>();

  /** @param timeoutMs how long a request may wait for its answer, from when it is made. */
  constructor(private readonly timeoutMs: number) {}

  /** How many requests are waiting. */
  get size(): number {
    return this.requests.size;
  }

  /**
   * Adds a request. It resolves with the first frame, received after it was sent, that `answers` accepts;
   * it rejects with `SocketFrameError` for an `error` frame that names it, or with `TIMEOUT`.
   */
  add<T extends ServerFrame>(
    kind: RequestKind,
    frame: ClientFrame,
    answers: (frame: ServerFrame) => boolean,
  ): Promise<T> {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    return new Promise<T>((resolve, reject) => {
      const request: PendingRequest = {
        kind,
        frame,
        answers: (reply) => answers(reply) || errorAnswers(reply, frame),
        resolve: (reply) => {
          this.forget(request);
          settle();
          resolve(reply as T);
        },
        reject: (error) => {
          this.forget(request);
          settle();
          reject(error);
        },
        timer: setTimeout(
          () => request.reject(new TimeoutError(describe(frame), this.timeoutMs)),
          this.timeoutMs,
        ),
        settled,
        sent: false,
      };
      this.requests.add(request);
    });
  }

  /** Sends, in order, every request that has not gone out on the current connection and whose kind may go. */
  sendDue(mayGo: (kind: RequestKind) => boolean, send: (frame: ClientFrame) => void): void {
    for (const request of this.requests) {
      if (request.sent || !mayGo(request.kind)) continue;
      request.sent = true;
      send(request.frame);
    }
  }

  /** Settles every sent request that `frame` answers. */
  settle(frame: ServerFrame): void {
    for (const request of [...this.requests]) {
      if (!request.sent || !request.answers(frame)) continue;
      if (frame.type === 'error') {
        request.reject(
          new SocketFrameError(
            frame.code,
            frame.message,
            frame.action,
            frame.clientMessageId,
            frame.retryAfterMs,
          ),
        );
      } else {
        request.resolve(frame);
      }
    }
  }

  /**
   * The connection dropped. The session's own re-joins fail with `reason` (they start over on the next
   * connection); everything else waits to be sent again there.
   */
  connectionLost(reason: ChatClientError): void {
    for (const request of [...this.requests]) {
      if (request.kind === 'rejoin') request.reject(reason);
      else request.sent = false;
    }
  }

  /** Every waiting request fails with `reason`. */
  failAll(reason: ChatClientError): void {
    for (const request of [...this.requests]) request.reject(reason);
  }

  /** Waits until every request made so far has been answered, has failed or has timed out. */
  async drain(): Promise<void> {
    await Promise.all([...this.requests].map((request) => request.settled));
  }

  private forget(request: PendingRequest): void {
    clearTimeout(request.timer);
    this.requests.delete(request);
  }
}

/**
 * An error frame names a message by its clientMessageId. It does not name the room of a join or leave, so it
 * answers the one under way by its action: the session sends those one at a time for this reason.
 */
function errorAnswers(reply: ServerFrame, frame: ClientFrame): boolean {
  if (reply.type !== 'error') return false;
  if ('clientMessageId' in frame) return reply.clientMessageId === frame.clientMessageId;
  return reply.action === frame.action && reply.clientMessageId === undefined;
}

/** What a request was, for the sentence of its timeout. */
function describe(frame: ClientFrame): string {
  switch (frame.action) {
    case 'join':
      return `joining ${frame.room}`;
    case 'leave':
      return `leaving ${frame.room}`;
    case 'ping':
      return 'a ping';
    case 'message':
      return 'room' in frame ? `a message to ${frame.room}` : 'a direct message';
    case 'read':
      return 'marking read';
    case 'typing':
      return 'a typing notice';
  }
}
