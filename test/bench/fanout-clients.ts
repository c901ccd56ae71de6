/**
 * The fan-out benchmark's WebSocket clients, in a process of their own (forked by test/bench/fanout.ts) so that
 * receiving a thousand frames does not compete for the event loop that runs the gateway and the functions, as on
 * AWS, where the clients are elsewhere. It opens connections, counts the deliveries of one message at a time, and
 * stamps them on the machine-wide monotonic clock that the parent uses too.
 *
 * Messages from the parent: `open`, `arm`, `close` (see {@link Command}); every answer carries the command's id.
 */
import WebSocket from 'ws';
import { nowMs } from './stats.ts';

export type Command =
  /** Opens one connection per token, `concurrency` handshakes at a time, as group `group`. */
  | {
      readonly type: 'open';
      readonly id: number;
      readonly url: string;
      readonly group: string;
      readonly tokens: string[];
      readonly concurrency: number;
    }
  /**
   * Starts counting `message` frames whose text is `text` on the group's connections, then, when `send` is given,
   * sends that frame from the group's connection number `from` and stamps the time just before.
   */
  | {
      readonly type: 'arm';
      readonly id: number;
      readonly group: string;
      readonly text: string;
      readonly expected: number;
      readonly timeoutMs: number;
      readonly send?: { readonly from: number; readonly frame: unknown };
    }
  | { readonly type: 'close'; readonly id: number };

export type Reply =
  | { readonly type: 'opened'; readonly id: number; readonly count: number; readonly error?: string }
  | { readonly type: 'armed'; readonly id: number }
  | {
      readonly type: 'done';
      readonly id: number;
      /** When the frame was sent (with `send`). */
      readonly sentAt?: number;
      /** When the last expected delivery arrived (or the time-out struck). */
      readonly lastAt: number;
      readonly received: number;
    }
  | { readonly type: 'closed'; readonly id: number };

interface Trial {
  readonly id: number;
  readonly expected: number;
  received: number;
  sentAt?: number;
  timer: NodeJS.Timeout;
}

const groups = new Map<string, WebSocket[]>();
/** Armed trials by message text. */
const trials = new Map<string, Trial>();

function reply(message: Reply): void {
  process.send?.(message);
}

function finish(text: string, trial: Trial): void {
  clearTimeout(trial.timer);
  trials.delete(text);
  reply({ type: 'done', id: trial.id, sentAt: trial.sentAt, lastAt: nowMs(), received: trial.received });
}

function onFrame(data: WebSocket.RawData): void {
  if (trials.size === 0) return;
  const frame = JSON.parse(data.toString()) as { type?: string; text?: string };
  if (frame.type !== 'message' || frame.text === undefined) return;
  const trial = trials.get(frame.text);
  if (trial === undefined) return;
  trial.received++;
  if (trial.received === trial.expected) finish(frame.text, trial);
}

function openOne(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      ws.on('message', onFrame);
      resolve(ws);
    });
    ws.once('unexpected-response', (_, response) => {
      ws.terminate();
      reject(new Error(`handshake refused: ${response.statusCode}`));
    });
    ws.once('error', reject);
  });
}

async function open(command: Extract<Command, { type: 'open' }>): Promise<void> {
  const sockets: WebSocket[] = new Array(command.tokens.length);
  let next = 0;
  try {
    const worker = async () => {
      while (next < command.tokens.length) {
        const index = next++;
        sockets[index] = await openOne(command.url, command.tokens[index] as string);
      }
    };
    await Promise.all(Array.from({ length: command.concurrency }, worker));
    groups.set(command.group, sockets);
    reply({ type: 'opened', id: command.id, count: sockets.length });
  } catch (error) {
    reply({ type: 'opened', id: command.id, count: 0, error: String((error as Error).message ?? error) });
  }
}

function arm(command: Extract<Command, { type: 'arm' }>): void {
  const trial: Trial = {
    id: command.id,
    expected: command.expected,
    received: 0,
    timer: setTimeout(() => finish(command.text, trial), command.timeoutMs),
  };
  trials.set(command.text, trial);
  if (command.send !== undefined) {
    const socket = groups.get(command.group)?.[command.send.from];
    if (socket === undefined) throw new Error(`no connection ${command.send.from} in ${command.group}`);
    const data = JSON.stringify(command.send.frame);
    trial.sentAt = nowMs();
    socket.send(data);
  }
  reply({ type: 'armed', id: command.id });
}

async function close(command: Extract<Command, { type: 'close' }>): Promise<void> {
  const all = [...groups.values()].flat();
  await Promise.all(
    all.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 5_000).unref();
        }),
    ),
  );
  reply({ type: 'closed', id: command.id });
  process.disconnect?.();
}

process.on('message', (command: Command) => {
  if (command.type === 'open') void open(command);
  else if (command.type === 'arm') arm(command);
  else void close(command);
});
