/**
 * The load run, shared by `npm run test:load` (test/load/run.ts, the full size) and `npm test`
 * (test/reliability/load-small.test.ts, a small one): many WebSocket clients in several rooms, each sending
 * messages with clientMessageIds (retried with the same id when refused or unanswered), then a count of what
 * every member received live and of what the history holds. Latency is the time from a message's first send
 * to its arrival at a receiver, both measured in this process.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface LoadOptions {
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  /**
   * Each client sends all its messages at once, without waiting for an ack in between (a burst), instead of
   * one after another. Default false.
   */
  readonly pipelined?: boolean;
  readonly stack: { readonly httpUrl: string; readonly wsUrl: string };
  /** Progress lines; silent when absent. */
  readonly log?: (line: string) => void;
}

export interface LoadResult {
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  readonly pipelined: boolean;
  /** Messages acknowledged (WebSocket `ack`), out of clients × messagesPerClient. */
  readonly acked: number;
  /** Messages that still had no ack after every retry. */
  readonly unacknowledged: number;
  /** Sends repeated with the same clientMessageId after an error frame or no answer. */
  readonly retries: number;
  /** (receiver, acknowledged message) pairs expected: every other member of the room, connected throughout. */
  readonly expectedDeliveries: number;
  /** Message frames received for acknowledged messages, duplicates included. */
  readonly delivered: number;
  /** Deliveries beyond the first of one message to one receiver. */
  readonly duplicates: number;
  /** Expected (receiver, message) pairs that never arrived. */
  readonly missing: number;
  /**
   * Message frames for ids no ack named: a retried clientMessageId stored twice, under two ids, shows here
   * (the ack names only one of them).
   */
  readonly unexpected: number;
  /** Acknowledged messages absent from their room's history. */
  readonly historyMissing: number;
  /** History entries beyond the first of one message id, or of one sender and clientMessageId. */
  readonly historyDuplicates: number;
  /** Clients whose socket closed before the end (they are left out of the expected deliveries). */
  readonly disconnected: number;
  /** Acknowledged messages per second over the send phase. */
  readonly messagesPerSecond: number;
  /** Delivery latency percentiles, milliseconds. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly sendPhaseMs: number;
}

const PASSWORD = 'correct horse battery';
/**
 * How long a client waits for an ack before sending again: API Gateway's 29 s integration timeout, after which
 * no answer would come on AWS either. A pipelined frame waits locally behind the others for one of its
 * function's few emulated environments (lib/local/concurrency.ts), which AWS would not make it do.
 */
const ACK_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 5;
/** How long the drain waits without any new delivery before it stops waiting for missing ones. */
const QUIET_MS = 3_000;
const DRAIN_LIMIT_MS = 60_000;

interface Delivery {
  readonly messageId: string;
  readonly from: string;
  readonly clientMessageId: string | undefined;
  readonly receivedAt: number;
}

/** One chat client: a WebSocket that records every message frame and answers ack/joined waiters. */
export class LoadClient {
  readonly deliveries: Delivery[] = [];
  closed = false;
  private readonly replies = new Map<string, (frame: Record<string, unknown>) => void>();

  private constructor(
    readonly index: number,
    readonly username: string,
    readonly room: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const receivedAt = performance.now();
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.type === 'message') {
        this.deliveries.push({
          messageId: frame.messageId as string,
          from: frame.from as string,
          clientMessageId: frame.clientMessageId as string | undefined,
          receivedAt,
        });
      } else if (frame.type === 'ack' || (frame.type === 'error' && frame.clientMessageId !== undefined)) {
        this.replies.get(`message:${frame.clientMessageId}`)?.(frame);
      } else if (frame.type === 'joined' || (frame.type === 'error' && frame.action === 'join')) {
        this.replies.get('join')?.(frame);
      }
    });
    ws.on('close', () => {
      this.closed = true;
    });
  }

  static open(
    wsUrl: string,
    index: number,
    username: string,
    token: string,
    room: string,
  ): Promise<LoadClient> {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new LoadClient(index, username, room, ws)));
      ws.once('unexpected-response', (_, response) =>
        reject(new Error(`handshake refused: ${response.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  /** Sends a frame and waits for the reply under `key`, or undefined after `timeoutMs`. */
  private ask(key: string, frame: unknown, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replies.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.replies.set(key, (reply) => {
        clearTimeout(timer);
        this.replies.delete(key);
        resolve(reply);
      });
      this.ws.send(JSON.stringify(frame));
    });
  }

  async join(): Promise<void> {
    const reply = await this.ask('join', { action: 'join', room: this.room }, ACK_TIMEOUT_MS);
    if (reply?.type !== 'joined')
      throw new Error(`${this.username} could not join ${this.room}: ${JSON.stringify(reply)}`);
  }

  /**
   * Sends one message; the ack's messageId, or undefined for an error frame or no answer in time, with the wait
   * a `RATE_LIMITED` frame asked for.
   */
  async message(
    clientMessageId: string,
    text: string,
  ): Promise<{ messageId?: string; retryAfterMs?: number }> {
    const reply = await this.ask(
      `message:${clientMessageId}`,
      { action: 'message', room: this.room, text, clientMessageId },
      ACK_TIMEOUT_MS,
    );
    if (reply?.type === 'ack') return { messageId: reply.messageId as string };
    return { retryAfterMs: typeof reply?.retryAfterMs === 'number' ? reply.retryAfterMs : undefined };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function bounded<T>(limit: number, count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export async function http(baseUrl: string, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the contract's JSON, read field by field below.
  const json = (await response.json()) as any;
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Registers a user and logs them in. */
export async function signUp(
  baseUrl: string,
  username: string,
): Promise<{ username: string; token: string }> {
  await http(baseUrl, 'POST', '/auth/register', undefined, {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
  });
  const login = await http(baseUrl, 'POST', '/auth/login', undefined, { username, password: PASSWORD });
  return { username, token: login.token as string };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[rank] as number) * 10) / 10;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { clients, rooms, messagesPerClient, stack } = options;
  const pipelined = options.pipelined ?? false;
  const log = options.log ?? (() => {});
  const run = Math.random().toString(36).slice(2, 8);

  log(`registering ${clients} users`);
  const users = await bounded(8, clients, (index) => signUp(stack.httpUrl, `load${run}_${index}`));
  const roomNames = Array.from({ length: rooms }, (_, index) => `load-${run}-${index}`);
  // Each room by another user: room creation is limited per user (10 a minute, burst 10).
  for (const [index, name] of roomNames.entries()) {
    await http(stack.httpUrl, 'POST', '/rooms', users[index % users.length]?.token, { name });
  }

  log(`connecting ${clients} WebSocket clients and joining ${rooms} rooms`);
  const connected = await bounded(16, clients, async (index) => {
    const user = users[index] as { username: string; token: string };
    const client = await LoadClient.open(
      stack.wsUrl,
      index,
      user.username,
      user.token,
      roomNames[index % rooms] as string,
    );
    await client.join();
    return client;
  });

  log(
    `sending ${clients * messagesPerClient} messages${pipelined ? ', each client sending all of its own at once' : ''}`,
  );
  const firstSentAt = new Map<string, number>();
  const acked = new Map<string, { messageId: string; room: string; sender: number }>();
  let retries = 0;
  const started = performance.now();
  /** Sends one message until it is acknowledged, retrying with the same clientMessageId. */
  const send = async (client: LoadClient, n: number) => {
    const clientMessageId = `c${client.index}-m${n}`;
    firstSentAt.set(clientMessageId, performance.now());
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) retries++;
      const reply = await client.message(clientMessageId, `message ${n} from ${client.username}`);
      if (reply.messageId !== undefined) {
        acked.set(clientMessageId, { messageId: reply.messageId, room: client.room, sender: client.index });
        return;
      }
      // Over the user's rate (more messages each than its burst): wait as told; otherwise back off.
      const wait = reply.retryAfterMs ?? Math.random() * 100 * 2 ** attempt;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const numbers = Array.from({ length: messagesPerClient }, (_, n) => n);
  await Promise.all(
    connected.map(async (client) => {
      // Pipelined: every frame of the client is written before any ack is read.
      if (pipelined) await Promise.all(numbers.map((n) => send(client, n)));
      else for (const n of numbers) await send(client, n);
    }),
  );
  const sendPhaseMs = performance.now() - started;

  // Expected: every acknowledged message at every other member of its room that stayed connected throughout.
  const expected = new Map<number, Set<string>>();
  for (const client of connected) expected.set(client.index, new Set());
  for (const { messageId, room, sender } of acked.values()) {
    for (const client of connected) {
      if (client.room === room && client.index !== sender) expected.get(client.index)?.add(messageId);
    }
  }
  const received = (client: LoadClient) => new Set(client.deliveries.map((delivery) => delivery.messageId));
  const missingNow = () =>
    connected.reduce((sum, client) => {
      const got = received(client);
      let missing = 0;
      for (const id of expected.get(client.index) ?? []) if (!got.has(id)) missing++;
      return sum + missing;
    }, 0);
  log('waiting for the last deliveries');
  const drainStarted = performance.now();
  let lastCount = -1;
  let lastChange = performance.now();
  while (missingNow() > 0 && performance.now() - drainStarted < DRAIN_LIMIT_MS) {
    const count = connected.reduce((sum, client) => sum + client.deliveries.length, 0);
    if (count !== lastCount) {
      lastCount = count;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > QUIET_MS) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A moment more for duplicates that would trail the last expected delivery.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const ackedIds = new Set([...acked.values()].map((entry) => entry.messageId));
  const disconnected = connected.filter((client) => client.closed);
  let delivered = 0;
  let duplicates = 0;
  let missing = 0;
  let unexpected = 0;
  const latencies: number[] = [];
  for (const client of connected) {
    if (client.closed) continue;
    const byId = new Map<string, number>();
    for (const delivery of client.deliveries) {
      if (!ackedIds.has(delivery.messageId)) {
        unexpected++;
        continue;
      }
      delivered++;
      byId.set(delivery.messageId, (byId.get(delivery.messageId) ?? 0) + 1);
      if (byId.get(delivery.messageId) === 1) {
        const sentAt = firstSentAt.get(delivery.clientMessageId ?? '');
        if (sentAt !== undefined) latencies.push(delivery.receivedAt - sentAt);
      }
    }
    for (const count of byId.values()) duplicates += count - 1;
    for (const id of expected.get(client.index) ?? []) if (!byId.has(id)) missing++;
  }

  log('reading the history of every room');
  let historyMissing = 0;
  let historyDuplicates = 0;
  const reader = users[0]?.token;
  for (const room of roomNames) {
    const ids = new Map<string, number>();
    const clientIds = new Map<string, number>();
    let before: string | null = null;
    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const page = await http(stack.httpUrl, 'GET', `/rooms/${room}/messages?limit=100${query}`, reader);
      for (const message of page.messages as {
        messageId: string;
        from: string;
        clientMessageId?: string;
      }[]) {
        ids.set(message.messageId, (ids.get(message.messageId) ?? 0) + 1);
        const key = `${message.from}\n${message.clientMessageId}`;
        if (message.clientMessageId !== undefined) clientIds.set(key, (clientIds.get(key) ?? 0) + 1);
      }
      before = page.nextCursor;
    } while (before !== null);
    for (const count of ids.values()) historyDuplicates += count - 1;
    for (const count of clientIds.values()) historyDuplicates += count - 1;
    for (const entry of acked.values())
      if (entry.room === room && !ids.has(entry.messageId)) historyMissing++;
  }

  const expectedDeliveries = connected
    .filter((client) => !disconnected.includes(client))
    .reduce((sum, client) => sum + (expected.get(client.index)?.size ?? 0), 0);
  await bounded(32, connected.length, (index) => (connected[index] as LoadClient).close());
  latencies.sort((a, b) => a - b);
  return {
    clients,
    rooms,
    messagesPerClient,
    pipelined,
    acked: acked.size,
    unacknowledged: clients * messagesPerClient - acked.size,
    retries,
    expectedDeliveries,
    delivered,
    duplicates,
    missing,
    unexpected,
    historyMissing,
    historyDuplicates,
    disconnected: disconnected.length,
    messagesPerSecond: Math.round((acked.size / (sendPhaseMs / 1000)) * 10) / 10,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    sendPhaseMs: Math.round(sendPhaseMs),
  };
}

/** Whether a run kept every promise: each acknowledged message delivered and stored exactly once. */
/**
 * What a run that kept every promise reports, for a test's `toMatchObject`: every message acknowledged at the
 * first send (a send is retried only after an error frame or no answer), delivered once to every other member
 * of its room and stored once, no client dropped.
 */
export function exactlyOnce(messages: number, otherMembersPerRoom: number) {
  return {
    acked: messages,
    unacknowledged: 0,
    retries: 0,
    expectedDeliveries: messages * otherMembersPerRoom,
    delivered: messages * otherMembersPerRoom,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    historyMissing: 0,
    historyDuplicates: 0,
    disconnected: 0,
  };
}

export function keptPromises(result: LoadResult): boolean {
  return (
    result.unacknowledged === 0 &&
    result.missing === 0 &&
    result.duplicates === 0 &&
    result.unexpected === 0 &&
    result.historyMissing === 0 &&
    result.historyDuplicates === 0 &&
    result.disconnected === 0
  );
}
