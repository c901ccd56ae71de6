/**
 * `npm run test:load`: the full load run against a local stack started here, on a DynamoDB Local of its own
 * (in memory), in two modes one after the other: sequential (each client waits for its ack before sending
 * again: saturation throughput) and pipelined (each client writes all its messages at once: a burst), then one
 * user flooding a room (test/load/flood.ts). Prints a readable report and one JSON line for each, and exits
 * non-zero if any message of a burst was refused, any acknowledged message was missing or duplicated, live or
 * in the history, or if the flood slowed anyone but the flooder.
 *
 * Options: --clients N (200), --rooms N (20), --messages N (20 per client) for the sequential run;
 * --burst-clients N (40), --burst-rooms N (5), --burst-messages N (10 per client) for the pipelined one;
 * --mode both|sequential|pipelined (both).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '20' },
    messages: { type: 'string', default: '20' },
    'burst-clients': { type: 'string', default: '40' },
    'burst-rooms': { type: 'string', default: '5' },
    'burst-messages': { type: 'string', default: '10' },
    mode: { type: 'string', default: 'both' },
  },
});
const sizes = {
  clients: Number(values.clients),
  rooms: Number(values.rooms),
  messages: Number(values.messages),
  'burst-clients': Number(values['burst-clients']),
  'burst-rooms': Number(values['burst-rooms']),
  'burst-messages': Number(values['burst-messages']),
};
for (const [name, value] of Object.entries(sizes)) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
}
if (!['both', 'sequential', 'pipelined'].includes(values.mode)) {
  console.error('--mode must be both, sequential or pipelined');
  process.exit(2);
}
const runs = [
  { pipelined: false, clients: sizes.clients, rooms: sizes.rooms, messagesPerClient: sizes.messages },
  {
    pipelined: true,
    clients: sizes['burst-clients'],
    rooms: sizes['burst-rooms'],
    messagesPerClient: sizes['burst-messages'],
  },
].filter((run) => values.mode === 'both' || run.pipelined === (values.mode === 'pipelined'));

// Before the handlers load (they read their environment once): quiet logs, no metrics, and the bcrypt cost
// the tests use, so that registering hundreds of users is not the thing measured.
Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  BCRYPT_COST: process.env.BCRYPT_COST ?? '4',
});

const { startLocalStack } = await import('../../lib/local/stack.ts');
const { keptPromises, runLoad } = await import('./load.ts');
const { floodHeld, runFlood } = await import('./flood.ts');
const { rateLimitDefaults } = await import('../../lib/contract/index.ts');

const time = () => new Date().toISOString().slice(11, 19);
console.log(`${time()} starting the local stack (its own DynamoDB Local)`);
const stack = await startLocalStack({ host: '127.0.0.1', port: 0, wsPort: 0, tableName: 'chat-load' });
let exitCode = 0;
try {
  for (const run of runs) {
    const mode = run.pipelined ? 'pipelined' : 'sequential';
    // The stack, DynamoDB Local's client side and the clients share this process: its event-loop delay is part
    // of every latency below, and is reported with them.
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    const result = await runLoad({ ...run, stack, log: (line) => console.log(`${time()} ${mode}: ${line}`) });
    loopDelay.disable();
    const eventLoopDelayMs = {
      p50: Math.round(loopDelay.percentile(50) / 1e6),
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    };
    // A burst must be absorbed: a retry there means a message was refused (or not answered) at first.
    const ok = keptPromises(result) && (!run.pipelined || result.retries === 0);
    const sending = run.pipelined
      ? 'all at once (pipelined: no client waits for an ack before sending again)'
      : 'each after the previous ack (sequential)';
    console.log(`
Load run, ${mode}: ${result.clients} WebSocket clients in ${result.rooms} rooms, ${result.messagesPerClient} messages each, ${sending}
  acknowledged          ${result.acked} of ${result.clients * result.messagesPerClient} (${result.retries} retries, ${result.unacknowledged} never acknowledged)
  live deliveries       ${result.delivered} of ${result.expectedDeliveries} expected
    missing             ${result.missing}
    duplicated          ${result.duplicates}
    unexpected ids      ${result.unexpected}
  history               missing ${result.historyMissing}, duplicated ${result.historyDuplicates}
  clients dropped       ${result.disconnected}
  throughput            ${result.messagesPerSecond} messages/s (send phase ${(result.sendPhaseMs / 1000).toFixed(1)} s)
  delivery latency      p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms
  event-loop delay      p50 ${eventLoopDelayMs.p50} ms, p99 ${eventLoopDelayMs.p99} ms, max ${eventLoopDelayMs.max} ms (stack and clients in one process)
  result                ${ok ? 'PASS: every message acknowledged, delivered and stored exactly once' : 'FAIL'}
`);
    console.log(JSON.stringify({ ok, ...result, eventLoopDelayMs }));
    if (!ok) exitCode = 1;
  }
  console.log(`${time()} one user flooding a room while another sends at 4 messages a second`);
  // Frames fired at once at one connection queue in the local gateway: more than this and, on a shared
  // machine, the last of them wait past the client's 15 s ack timeout.
  const FLOOD_SIZE = 100;
  const steadyMessages = 40;
  const flood = await runFlood(
    { stack, floodSize: FLOOD_SIZE, steadyMessages, steadyIntervalMs: 250 },
    rateLimitDefaults.message,
  );
  const held = floodHeld(flood, steadyMessages);
  console.log(`
Flood: one user firing ${2 * FLOOD_SIZE} messages at once (half over the WebSocket, half over HTTP) into a room
  flooder               ${flood.floodAccepted} accepted (at most ${flood.floodAllowance} allowed), ${flood.floodLimited} refused RATE_LIMITED, ${flood.floodOther} other answers ${flood.floodOtherSamples.join('; ')}
  steady member         ${flood.steadyAcked} of ${steadyMessages + 1} acknowledged, ${flood.steadyErrors} errors, ${flood.steadyDelivered} delivered to the listener
  listener              ${flood.floodDeliveredUnaccepted} refused messages received; history ${flood.historyMatches ? 'holds exactly the accepted ones' : 'DIFFERS'}
  result                ${held ? 'PASS: only the flooder was slowed' : 'FAIL'}
`);
  console.log(JSON.stringify({ held, ...flood }));
  if (!held) exitCode = 1;
} catch (error) {
  console.error('The load run failed:', error);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
