import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: frames are whatever the server sends; tests assert on them.
export type Frame = Record<string, any>;

/** A real WebSocket client that records every frame, so tests can wait for the ones they expect. */
export class TestSocket {
  readonly frames: Frame[] = [];
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  static open(
    url: string,
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<TestSocket> {
    const target = options.token === undefined ? url : `${url}?token=${encodeURIComponent(options.token)}`;
    const ws = new WebSocket(target, { headers: options.headers });
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_, response) => {
        reject(
          Object.assign(new Error(`handshake refused: ${response.statusCode}`), {
            status: response.statusCode,
          }),
        );
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches; fails after `timeoutMs`. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      const done = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  /** Sends a frame and waits for the first frame after it that matches; fails after `timeoutMs`. */
  sendAndAwait(frame: unknown, matches: (reply: Frame) => boolean, timeoutMs?: number): Promise<Frame> {
    const seen = this.frames.length;
    this.send(frame);
    return this.next((reply) => this.frames.indexOf(reply) >= seen && matches(reply), timeoutMs);
  }

  /** Sends a frame and waits for the reply of the given type (or an error frame). */
  request(frame: unknown, type: string): Promise<Frame> {
    return this.sendAndAwait(frame, (reply) => reply.type === type || reply.type === 'error');
  }

  /** Frames of a type received so far. */
  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  async close(): Promise<void> {
    if (this.closeCode === undefined) {
      this.ws.close(1000);
      await this.closed;
    }
  }

  /** Drops the TCP connection without a close frame, like a phone going into a tunnel. */
  async drop(): Promise<void> {
    this.ws.terminate();
    await this.closed;
  }
}

/** Waits until `condition` holds, polling; for effects that have no frame to wait on. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits a fixed time: only where nothing can be waited on (a frame that must not arrive). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
