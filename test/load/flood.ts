/**
 * One user flooding a room, shared by `npm run test:load` (after the load run) and `npm test`
 * (test/reliability/load-small.test.ts): the flooder sends as fast as it can, over the WebSocket and over HTTP
 * at once, while another member of the same room sends at a human pace and a third only listens. The per-user
 * message rate must refuse the flooder's excess, and only theirs: every message of the steady sender is
 * acknowledged at the first send and reaches the listener, which receives exactly what was acknowledged.
 */
import { performance } from 'node:perf_hooks';
import { http, LoadClient, signUp } from './load.ts';

export interface FloodOptions {
  readonly stack: { readonly httpUrl: string; readonly wsUrl: string };
  /** Messages the flooder fires at once over the WebSocket, and again over HTTP. */
  readonly floodSize: number;
  /** Messages the steady sender sends, one every `steadyIntervalMs`. */
  readonly steadyMessages: number;
  readonly steadyIntervalMs: number;
}

export interface FloodResult {
  /** The flooder's messages acknowledged (WebSocket ack or HTTP 201), and refused with RATE_LIMITED. */
  readonly floodAccepted: number;
  readonly floodLimited: number;
  /** Any other answer to the flooder (an error of another code, no answer): must be none. */
  readonly floodOther: number;
  /** What those other answers were (a few). */
  readonly floodOtherSamples: string[];
  /** The most a bucket of the deployment's message rate could have admitted in the time the flood took. */
  readonly floodAllowance: number;
  readonly steadyAcked: number;
  /** Error frames (or no answer) the steady sender met: must be none. */
  readonly steadyErrors: number;
  /** At the listener: the steady sender's messages that arrived, and the flooder's beyond those accepted. */
  readonly steadyDelivered: number;
  readonly floodDeliveredUnaccepted: number;
  /** Every acknowledged message of either in the room's history, and nothing refused. */
  readonly historyMatches: boolean;
  readonly durationMs: number;
}

/**
 * Runs the flood against a stack whose message rate is `rate` (the contract's defaults unless the stack was
 * started with others).
 */
export async function runFlood(
  options: FloodOptions,
  rate: { readonly perMinute: number; readonly burst: number },
): Promise<FloodResult> {
  const { stack } = options;
  const run = Math.random().toString(36).slice(2, 8);
  const [flooder, steady, listener] = await Promise.all(
    ['flood', 'steady', 'listen'].map((role) => signUp(stack.httpUrl, `${role}${run}`)),
  );
  const room = `flood-${run}`;
  await http(stack.httpUrl, 'POST', '/rooms', steady?.token, { name: room });
  const clients = await Promise.all(
    [flooder, steady, listener].map(async (user, index) => {
      const { username, token } = user as { username: string; token: string };
      const client = await LoadClient.open(stack.wsUrl, index, username, token, room);
      await client.join();
      return client;
    }),
  );
  const [floodClient, steadyClient, listenClient] = clients as [LoadClient, LoadClient, LoadClient];

  const started = performance.now();
  const accepted = new Set<string>();
  let limited = 0;
  let other = 0;
  const otherSamples: string[] = [];
  const noteOther = (what: string) => {
    other++;
    if (otherSamples.length < 5) otherSamples.push(what);
  };
  const flood = Promise.all([
    ...Array.from({ length: options.floodSize }, async (_, n) => {
      const reply = await floodClient.message(`f${n}`, `flood ${n}`);
      if (reply.messageId !== undefined) accepted.add(reply.messageId);
      else if (reply.retryAfterMs !== undefined) limited++;
      else noteOther('WebSocket: no ack and no RATE_LIMITED');
    }),
    ...Array.from({ length: options.floodSize }, async (_, n) => {
      const response = await fetch(`${stack.httpUrl}/rooms/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${flooder?.token}` },
        body: JSON.stringify({ text: `flood over http ${n}` }),
      });
      const body = (await response.json()) as { message?: { messageId: string }; code?: string };
      if (response.status === 201 && body.message) accepted.add(body.message.messageId);
      else if (response.status === 429 && body.code === 'RATE_LIMITED') limited++;
      else noteOther(`HTTP ${response.status} ${body.code}`);
    }),
  ]).then(() => performance.now());

  const steadyIds = new Set<string>();
  let steadyErrors = 0;
  for (let n = 0; n < options.steadyMessages; n++) {
    const reply = await steadyClient.message(`s${n}`, `steady ${n}`);
    if (reply.messageId === undefined) steadyErrors++;
    else steadyIds.add(reply.messageId);
    await new Promise((resolve) => setTimeout(resolve, options.steadyIntervalMs));
  }
  const floodEnded = await flood;
  const durationMs = performance.now() - started;

  // The listener must hold every acknowledged message; a last message of the steady sender marks the end.
  const last = await steadyClient.message('s-last', 'that is all');
  if (last.messageId === undefined) steadyErrors++;
  else steadyIds.add(last.messageId);
  const deadline = performance.now() + 10_000;
  while (
    !listenClient.deliveries.some((delivery) => delivery.messageId === last.messageId) &&
    performance.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const delivered = new Set(listenClient.deliveries.map((delivery) => delivery.messageId));
  const history: string[] = [];
  let before: string | null = null;
  do {
    const query: string = before === null ? '' : `&before=${before}`;
    const page = await http(stack.httpUrl, 'GET', `/rooms/${room}/messages?limit=100${query}`, steady?.token);
    history.push(...(page.messages as { messageId: string }[]).map((message) => message.messageId));
    before = page.nextCursor;
  } while (before !== null);
  const stored = new Set([...accepted, ...steadyIds]);
  await Promise.all(clients.map((client) => client.close()));

  const intervalMs = 60_000 / rate.perMinute;
  return {
    floodAccepted: accepted.size,
    floodLimited: limited,
    floodOther: other,
    floodOtherSamples: otherSamples,
    // The burst, and one more token for every interval the flood lasted (and one for the edge).
    floodAllowance: rate.burst + Math.floor((floodEnded - started) / intervalMs) + 1,
    steadyAcked: steadyIds.size,
    steadyErrors,
    steadyDelivered: [...steadyIds].filter((id) => delivered.has(id)).length,
    floodDeliveredUnaccepted: listenClient.deliveries.filter(
      (delivery) => delivery.from === flooder?.username && !accepted.has(delivery.messageId),
    ).length,
    historyMatches: history.length === stored.size && history.every((id) => stored.has(id)),
    durationMs: Math.round(durationMs),
  };
}

/** Whether the flood was held to the flooder alone: excess refused, the rest untouched. */
export function floodHeld(result: FloodResult, steadyMessages: number): boolean {
  return (
    result.floodLimited > 0 &&
    result.floodOther === 0 &&
    result.floodAccepted <= result.floodAllowance &&
    result.steadyAcked === steadyMessages + 1 &&
    result.steadyErrors === 0 &&
    result.steadyDelivered === result.steadyAcked &&
    result.floodDeliveredUnaccepted === 0 &&
    result.historyMatches
  );
}
