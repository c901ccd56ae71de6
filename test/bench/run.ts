/**
 * `npm run bench` (`-- --quick` for a run under two minutes): bundle sizes, cold starts, warm latency, fan-out and
 * DynamoDB capacity, each beside a baseline measured in the same run, against the local stack with its own DynamoDB
 * Local. Prints readable tables, then, as its last line, one JSON object with every figure. Progress goes to
 * standard error.
 *
 * Options: `--quick` (fewer samples), `--only <section,...>` (bundles, cold, latency, fanout, capacity, push),
 * `--profile <dir>` (a V8 CPU profile of every cold start, for finding where its time goes).
 */
// First: the environment the function modules read when they load.
import './process-environment.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fanOutWorker } from '../../lambdas/shared/functions.ts';
import { type BenchFunctionName, type Bundle, benchFunctionNames, buildBundles } from './bundles.ts';
import { type CapacityResult, measureCapacity } from './capacity.ts';
import { type ColdStartResult, measureColdStarts } from './cold-start.ts';
import { type CostModel, costPerMillionMessages } from './cost.ts';
import { type BenchEnvironment, startBenchEnvironment } from './environment.ts';
import { type FanOutResult, measureFanOut } from './fanout.ts';
import { type LargeRoomRow, measureLargeRooms } from './fanout-large.ts';
import { measurePostCpuMs, type PostModel } from './fanout-model.ts';
import { type LatencyResult, measureLatency } from './latency.ts';
import { measurePush, NOTIFIER_BATCH_SIZE, type PushResult } from './push.ts';
import { benchRuntimes } from './runtimes.ts';
import { round, table } from './stats.ts';

/** The issue's targets. */
const TARGETS = {
  bundleBytes: 250 * 1024,
  coldStartOverBareMs: 60,
  /** Issue 16: every function within 25 ms of the SDK floor's cold start, on Node.js 24 (Lambda's runtime). */
  coldStartOverSdkFloorMs: 25,
  httpLatencyRatio: 2,
  fanOut1000Ms: 2_000,
  /** Issue 16: a room of 10,000 delivered to the last member within 1.5 s, 5 times faster than the others. */
  largeRoomMs: 1_500,
  largeRoomFasterBy: 5,
};

/**
 * Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB (Lambda's documentation on
 * memory): a 512 MB function's post costs this many times the CPU time it costs on one of this machine's cores.
 */
const LAMBDA_CPU_SCALE = 1769 / 512;

/**
 * The fan-out section's model of API Gateway's post latency (issue 16: 15 ms; AWS answers in about 10–30 ms):
 * each post waits 15 ms ± 5, uniformly, in the local management API.
 */
const FAN_OUT_POST_LATENCY = { delayMs: 15, jitterMs: 5 } as const;

const SECTIONS = ['bundles', 'cold', 'latency', 'fanout', 'capacity', 'push'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
const quick = values.quick === true;
const only = new Set(
  (values.only?.split(',') ?? SECTIONS).map((section) => {
    if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`unknown section ${section}`);
    return section as Section;
  }),
);
const settings = quick
  ? {
      coldRuns: 5,
      latencySamples: 30,
      fanOutTrials: 3,
      sweep: [50, 500, 1000],
      sweepTrials: 2,
      moreOthers: 0,
      pushMessages: 20,
      pushMentions: 5,
    }
  : {
      coldRuns: 15,
      latencySamples: 200,
      fanOutTrials: 10,
      sweep: [16, 32, 50, 100, 250, 500, 1000],
      sweepTrials: 8,
      moreOthers: 20_000,
      pushMessages: 100,
      pushMentions: 20,
    };

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;

const bundlesDir = mkdtempSync(join(tmpdir(), 'chat-bench-bundles-'));
let bundles: Bundle[] | undefined;
let cold: ColdStartResult | undefined;
let coldByRuntime: ColdStartResult[] = [];
let latency: LatencyResult | undefined;
let fanout: FanOutResult | undefined;
let largeRooms: { model: PostModel; localCpuPerPostMs: number; rows: LargeRoomRow[] } | undefined;
let capacity: CapacityResult | undefined;
let push: PushResult | undefined;

if (only.has('bundles') || only.has('cold')) {
  progress('bundling every function with lib/bundling.ts');
  bundles = await buildBundles(bundlesDir);
}
let env: BenchEnvironment | undefined;
if (['cold', 'latency', 'fanout', 'capacity', 'push'].some((section) => only.has(section as Section))) {
  progress('starting DynamoDB Local and the local stack');
  env = await startBenchEnvironment();
}
try {
  if (env !== undefined && bundles !== undefined && only.has('cold')) {
    const runtimes = benchRuntimes(progress);
    progress(
      `cold starts: ${settings.coldRuns} rounds of ${bundles.length} bundles and a bare node on ${runtimes.map((runtime) => runtime.version).join(' and ')} (${elapsed()})`,
    );
    coldByRuntime = await measureColdStarts(env, bundles, {
      runs: settings.coldRuns,
      runtimes,
      withoutSourceMaps: !quick,
      profileDir: values.profile,
    });
    cold = coldByRuntime[0];
  }
  if (env !== undefined && only.has('latency')) {
    progress(`latency: ${settings.latencySamples} requests per route and action (${elapsed()})`);
    latency = await measureLatency(env, settings.latencySamples);
  }
  if (env !== undefined && only.has('fanout')) {
    progress(
      `fan-out: rooms of 10, 100 and 1000 members, ${settings.fanOutTrials} trials each (${elapsed()})`,
    );
    // Posts take as long as on AWS for this section only: the other sections' figures stay comparable with earlier
    // runs, and none of them is about posts.
    env.stack.setPostLatency(FAN_OUT_POST_LATENCY);
    try {
      fanout = await measureFanOut(env, {
        sizes: [10, 100, 1000],
        trials: settings.fanOutTrials,
        sweep: settings.sweep,
        sweepTrials: settings.sweepTrials,
        moreOthers: settings.moreOthers,
        postLatency: FAN_OUT_POST_LATENCY,
      });
    } finally {
      env.stack.setPostLatency({ delayMs: 0, jitterMs: 0 });
    }
  }
  if (env !== undefined && only.has('fanout')) {
    progress(`large rooms: a simulation of 10, 1,000 and 10,000 members with modelled posts (${elapsed()})`);
    const localCpuPerPostMs = await measurePostCpuMs(quick ? 2_000 : 5_000);
    const model: PostModel = {
      latencyMs: FAN_OUT_POST_LATENCY.delayMs,
      jitterMs: FAN_OUT_POST_LATENCY.jitterMs,
      socketsPerContainer: 50,
      cpuPerPostMs: localCpuPerPostMs * LAMBDA_CPU_SCALE,
      workerCpuPerPostMs: localCpuPerPostMs * (1769 / fanOutWorker.memoryMb),
      accountPerSecond: 10_000,
      accountBurst: 5_000,
      invokeMs: 20,
      workerStartMs: 30,
    };
    largeRooms = {
      model,
      localCpuPerPostMs,
      rows: await measureLargeRooms(env, {
        sizes: [10, 1_000, 10_000],
        trials: quick ? 1 : 3,
        model,
        localModel: { ...model, cpuPerPostMs: localCpuPerPostMs, workerCpuPerPostMs: localCpuPerPostMs },
        checkAt: 1_000,
      }),
    };
  }
  if (env !== undefined && only.has('capacity')) {
    progress(`capacity (${elapsed()})`);
    capacity = await measureCapacity(env.dynamoEndpoint);
  }
  if (env !== undefined && only.has('push')) {
    progress(
      `push: ${settings.pushMessages} direct messages and ${settings.pushMentions} mentions to a user with 2 devices (${elapsed()})`,
    );
    push = await measurePush(env, { messages: settings.pushMessages, mentions: settings.pushMentions });
  }
} finally {
  progress(`stopping (${elapsed()})`);
  await env?.stop();
  rmSync(bundlesDir, { recursive: true, force: true });
}

const cost: CostModel | undefined =
  capacity === undefined
    ? undefined
    : costPerMillionMessages(
        10,
        capacity.roomMessage10,
        // The function's duration for a 10-member room: this run's time from frame to last delivery, or else the
        // warm p50 of a room message with 2 members.
        fanout?.rooms.find((row) => row.members === 10)?.ms ??
          latency?.webSocket['message (room of 2)']?.p50 ??
          20,
      );

// ---- the readable report ----
const out: string[] = [];
const heading = (title: string) => out.push('', `## ${title}`, '');
out.push(
  `# Benchmark (${quick ? 'quick' : 'full'}) · Node.js ${process.version} · ${cpus().length} CPUs · ${new Date().toISOString()}`,
);
if (bundles !== undefined) {
  heading(
    `Bundles (lib/bundling.ts; target < ${TARGETS.bundleBytes / 1024} KB each; sdkFloor: the document client and one GetItem, nothing else)`,
  );
  out.push(
    table(
      ['bundle', 'KB', 'largest parts (KB)'],
      bundles.map((bundle) => [
        bundle.name,
        round(bundle.bytes / 1024),
        bundle.composition
          .slice(0, 4)
          .map((part) => `${part.part} ${round(part.bytes / 1024)}`)
          .join(', '),
      ]),
    ),
  );
}
if (cold !== undefined) {
  const withoutMaps = cold.withoutSourceMapsMs;
  heading(
    `Cold start: spawn → load → one invocation → exit, median of ${cold.runs} (target: within ${TARGETS.coldStartOverBareMs} ms of bare node; sdkFloor: the document client and one GetItem)`,
  );
  out.push(
    table(
      [
        'bundle',
        'cold ms',
        'bare node ms',
        'over bare',
        'load ms',
        'invoke ms',
        ...(withoutMaps === undefined ? [] : ['without --enable-source-maps']),
      ],
      [...benchFunctionNames, 'sdkFloor' as const].map((name) => [
        name,
        round(cold?.coldStartMs[name] ?? Number.NaN),
        round(cold?.bareNodeMs[name] ?? Number.NaN),
        round((cold?.coldStartMs[name] ?? Number.NaN) - (cold?.bareNodeMs[name] ?? Number.NaN)),
        round(cold?.loadMs[name] ?? Number.NaN),
        round(cold?.invokeMs[name] ?? Number.NaN),
        ...(withoutMaps === undefined ? [] : [round(withoutMaps[name])]),
      ]),
    ),
  );
}
if (coldByRuntime.length > 0) {
  heading(
    `Cold start minus the SDK floor's, per runtime (median of ${cold?.runs}; target on node24: within ${TARGETS.coldStartOverSdkFloorMs} ms)`,
  );
  out.push(
    table(
      [
        'bundle',
        ...coldByRuntime.flatMap((result) => [
          `${result.runtime.version} cold ms`,
          'over floor',
          'without source maps',
        ]),
      ],
      [...benchFunctionNames, 'sdkFloor' as const].map((name) => [
        name,
        ...coldByRuntime.flatMap((result) => [
          round(result.coldStartMs[name]),
          round(result.coldStartMs[name] - result.coldStartMs.sdkFloor),
          result.withoutSourceMapsMs === undefined ? '-' : round(result.withoutSourceMapsMs[name]),
        ]),
      ]),
    ),
    `(bare node: ${coldByRuntime.map((result) => `${result.runtime.version} ${round(result.bareNodeMs.sdkFloor)} ms`).join(', ')})`,
  );
}
if (latency !== undefined) {
  const { dynamoBaseline } = latency;
  heading(
    `Warm latency through the local stack, one request at a time (single GetItem p50 ${dynamoBaseline.getItemP50} ms, PutItem p50 ${dynamoBaseline.putItemP50} ms)`,
  );
  out.push(
    table(
      [
        'HTTP route',
        'p50 ms',
        'p95 ms',
        'its DynamoDB calls',
        'those in-process p50 ms',
        'ratio (target ≤ 2)',
      ],
      Object.entries(latency.http).map(([name, row]) => [
        name,
        row.p50,
        row.p95,
        row.dynamoCalls,
        row.directP50 ?? '-',
        row.ratio ?? '-',
      ]),
    ),
    '',
    table(
      ['WebSocket action', 'p50 ms', 'p95 ms', 'its DynamoDB calls'],
      Object.entries(latency.webSocket).map(([name, row]) => [name, row.p50, row.p95, row.dynamoCalls]),
    ),
  );
}
if (fanout !== undefined) {
  heading(
    `Fan-out: time to the last delivery, median (each post modelled at ${fanout.postLatencyMs} ms ± ${fanout.jitterMs}; FAN_OUT_CONCURRENCY ${fanout.concurrency}; others: connections in other rooms, in both tables)`,
  );
  out.push(
    table(
      [
        'members',
        'others',
        'frame → last, ms',
        'in-process: ours ms',
        'Scan-then-post ms',
        'times faster',
        'read units: ours',
        'Scan',
      ],
      [...fanout.rooms, ...fanout.scaling].map((row) => [
        row.members,
        row.otherConnections,
        Number.isNaN(row.ms) ? '-' : row.ms,
        row.inProcessMs,
        row.baselineMs,
        row.ratio,
        row.readUnits,
        row.baselineReadUnits,
      ]),
    ),
    '',
    table(
      [
        'FAN_OUT_CONCURRENCY',
        ...Object.keys(fanout.concurrencySweep[0]?.msByMembers ?? {}).map((size) => `ms at ${size} members`),
      ],
      fanout.concurrencySweep.map((row) => [row.concurrency, ...Object.values(row.msByMembers)]),
    ),
  );
}
if (largeRooms !== undefined) {
  const { model } = largeRooms;
  heading(
    `Large rooms: time to the last delivery, median; sharded (FANOUT_* defaults) vs single-function vs Scan-then-post. Model: posts ${model.latencyMs} ms ± ${model.jitterMs}, ${model.socketsPerContainer} sockets and ${round(model.cpuPerPostMs, 2)} ms of CPU per post per 512 MB container (${round(largeRooms.localCpuPerPostMs, 2)} ms here × ${round(LAMBDA_CPU_SCALE, 2)}), ${round(model.workerCpuPerPostMs, 2)} ms per ${fanOutWorker.memoryMb} MB worker, account ${model.accountPerSecond}/s burst ${model.accountBurst}, Invoke ${model.invokeMs} ms + ${model.workerStartMs} ms to a warm worker`,
  );
  const thousand = fanout?.rooms.find((row) => row.members === 1000);
  const rows: (string | number)[][] = largeRooms.rows.map((row) => [
    row.members,
    row.mode,
    row.shardedMs,
    row.singleMs,
    row.scanMs,
    `${row.shardedFasterThanSingle}x / ${row.shardedFasterThanScan}x`,
    `${row.readUnits.sharded} / ${row.readUnits.single} / ${row.readUnits.scan}`,
    `${row.invocations.sharded} / ${row.invocations.single}`,
    `${row.costPerMessageUsd.sharded} / ${row.costPerMessageUsd.single} / ${row.costPerMessageUsd.scan}`,
  ]);
  if (thousand !== undefined) {
    rows.push([
      1000,
      'real posts (this machine)',
      thousand.shardedMs,
      thousand.inProcessMs,
      thousand.baselineMs,
      `${round(thousand.inProcessMs / thousand.shardedMs, 1)}x / ${round(thousand.baselineMs / thousand.shardedMs, 1)}x`,
      `${thousand.readUnits} / ${thousand.readUnits} / ${thousand.baselineReadUnits}`,
      '-',
      '-',
    ]);
  }
  out.push(
    table(
      [
        'members',
        'posts',
        'sharded ms',
        'single ms',
        'Scan ms',
        'sharded faster',
        'read units s/1/Scan',
        'invocations s/1',
        'USD per message s/1/Scan',
      ],
      rows,
    ),
    '',
    ...largeRooms.rows.map((row) => JSON.stringify(row)),
  );
}
if (capacity !== undefined) {
  heading('DynamoDB capacity per operation (ReturnConsumedCapacity; request units on demand)');
  out.push(
    table(
      ['operation', 'read', 'write', 'calls'],
      Object.entries(capacity).map(([name, row]) => [name, row.read, row.write, row.calls]),
    ),
  );
}
if (cost !== undefined) {
  heading(
    `Cost per million messages in a ${cost.roomMembers}-member room (USD, ${cost.prices.region}, prices of ${cost.prices.date})`,
  );
  out.push(
    table(
      ['Lambda', 'API Gateway', 'DynamoDB', 'total'],
      [[cost.lambda, cost.apiGateway, cost.dynamodb, cost.total]],
    ),
    `(${cost.assumptions.webSocketMessagesPerMessage} WebSocket messages, 1 invocation of ${cost.assumptions.lambdaBilledMs} ms at 512 MB, ${cost.assumptions.readRequestUnits} RRU + ${cost.assumptions.writeRequestUnits} WRU per message; connection minutes: $${cost.connectionMonthUsd} per member connected for 30 days)`,
  );
}

if (push !== undefined) {
  heading(
    `Push notifications: send → local sink over ${push.messages} messages, ${push.devicesPerRecipient} devices each (the emulated mapping polls every ${push.pollIntervalMs} ms; Lambda's 4 times a second per shard; batches of up to ${NOTIFIER_BATCH_SIZE})`,
  );
  const { latencyMs, stream } = push;
  out.push(
    table(
      [
        'p50 ms',
        'p95 ms',
        'max ms',
        'GetRecords/s',
        'records read/msg',
        'matched/msg',
        'invocations/msg',
        'ms/invocation',
        'notifier ms/msg',
      ],
      [
        [
          latencyMs.p50,
          latencyMs.p95,
          latencyMs.max,
          stream.getRecordsPerSecond,
          stream.recordsReadPerMessage,
          stream.recordsMatchedPerMessage,
          stream.invocationsPerMessage,
          stream.invocationMeanMs,
          stream.notifierMsPerMessage,
        ],
      ],
    ),
    '',
    table(
      ['notifier, per message', 'read', 'write', 'SNS publishes', 'calls'],
      Object.entries(push.capacity).map(([name, row]) => [
        name,
        row.read,
        row.write,
        row.publishes,
        row.calls,
      ]),
    ),
    '',
    table(
      ['USD per million DMs', 'Lambda', 'DynamoDB', 'SNS', 'stream reads', 'total'],
      Object.entries(push.costPerMillion).map(([name, row]) => [
        name,
        row.lambda,
        row.dynamodb,
        row.sns,
        row.streamReads,
        row.total,
      ]),
    ),
    `(${push.prices.region}, prices of ${push.prices.date}; at most 1 invocation request and ${push.costPerMillion.dmOffline.assumptions.billedMs} ms at 512 MB per message; stream reads by Lambda are free)`,
  );
}

// ---- targets ----
const targets: Record<string, { met: boolean; detail: string }> = {};
if (bundles !== undefined) {
  const functionBundles = bundles.filter((bundle) => bundle.name !== 'sdkFloor');
  const worst = Math.max(...functionBundles.map((bundle) => bundle.bytes));
  const over = functionBundles
    .filter((bundle) => bundle.bytes >= TARGETS.bundleBytes)
    .map((bundle) => bundle.name);
  targets.bundlesUnder250KB = {
    met: over.length === 0,
    detail: `largest ${round(worst / 1024)} KB; over: ${over.join(', ') || 'none'}; the SDK floor alone: ${round((bundleOf('sdkFloor')?.bytes ?? Number.NaN) / 1024)} KB`,
  };
}
if (cold !== undefined) {
  const overBare = benchFunctionNames.map((name) => ({
    name,
    ms: (cold?.coldStartMs[name] ?? 0) - (cold?.bareNodeMs[name] ?? 0),
  }));
  const missed = overBare.filter((entry) => entry.ms > TARGETS.coldStartOverBareMs);
  targets.coldStartWithin60msOfBareNode = {
    met: missed.length === 0,
    detail: `worst ${round(Math.max(...overBare.map((entry) => entry.ms)))} ms over bare; over 60: ${missed.map((entry) => entry.name).join(', ') || 'none'}; the SDK floor alone: ${round(cold.coldStartMs.sdkFloor - cold.bareNodeMs.sdkFloor)} ms over bare`,
  };
}
const node24 = coldByRuntime.find((result) => result.runtime.label === 'node24');
if (node24 !== undefined) {
  const overFloor = benchFunctionNames.map((name) => ({
    name,
    ms: node24.coldStartMs[name] - node24.coldStartMs.sdkFloor,
  }));
  const missed = overFloor.filter((entry) => entry.ms > TARGETS.coldStartOverSdkFloorMs);
  targets.coldStartWithin25msOfSdkFloorOnNode24 = {
    met: missed.length === 0,
    detail: `worst ${round(Math.max(...overFloor.map((entry) => entry.ms)))} ms over the floor; over 25: ${missed.map((entry) => `${entry.name} ${round(entry.ms)}`).join(', ') || 'none'}`,
  };
}
if (latency !== undefined) {
  const missed = Object.entries(latency.http).filter(
    ([, row]) => (row.ratio ?? 0) > TARGETS.httpLatencyRatio,
  );
  targets.httpP50Within2xOfDynamoCalls = {
    met: missed.length === 0,
    detail: `worst ${Math.max(...Object.values(latency.http).map((row) => row.ratio ?? 0))}x; over 2x: ${missed.map(([name]) => name).join(', ') || 'none'}`,
  };
}
if (fanout !== undefined) {
  const thousand = fanout.rooms.find((row) => row.members === 1000);
  if (thousand !== undefined) {
    targets.fanOut1000Under2s = { met: thousand.ms < TARGETS.fanOut1000Ms, detail: `${thousand.ms} ms` };
    targets.fanOutFasterThanScanThenPost = {
      met: fanout.rooms.every((row) => row.ratio > 1),
      detail: fanout.rooms.map((row) => `${row.members}: ${row.ratio}x`).join(', '),
    };
  }
}
const tenThousand = largeRooms?.rows.find((row) => row.members === 10_000 && row.mode === 'model');
if (tenThousand !== undefined) {
  targets.largeRoom10000Under1500ms = {
    met: tenThousand.shardedMs < TARGETS.largeRoomMs,
    detail: `${tenThousand.shardedMs} ms (modelled posts)`,
  };
  targets.largeRoom10000FiveTimesFaster = {
    met:
      Math.min(tenThousand.shardedFasterThanSingle, tenThousand.shardedFasterThanScan) >=
      TARGETS.largeRoomFasterBy,
    detail: `${tenThousand.shardedFasterThanSingle}x single-function, ${tenThousand.shardedFasterThanScan}x Scan`,
  };
  targets.largeRoomReadsOnlyItsRoom = {
    met: tenThousand.readUnits.sharded === tenThousand.readUnits.single,
    detail: `${tenThousand.readUnits.sharded} RRU for 10,000 members (Scan: ${tenThousand.readUnits.scan})`,
  };
}
if (capacity !== undefined) {
  targets.roomMessageReadsOnlyItsRoom = {
    met: capacity.roomMessage10WithOtherRooms.read === capacity.roomMessage10.read,
    detail: `10 members: ${capacity.roomMessage10.read} RRU, with 2,000 other connections: ${capacity.roomMessage10WithOtherRooms.read} RRU, 100 members: ${capacity.roomMessage100.read} RRU`,
  };
}
heading('Targets');
out.push(
  table(
    ['target', 'met', 'detail'],
    Object.entries(targets).map(([name, target]) => [name, target.met ? 'yes' : 'NO', target.detail]),
  ),
);

const result = {
  mode: quick ? 'quick' : 'full',
  node: process.version,
  cpus: cpus().length,
  date: new Date().toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  bundles: bundles === undefined ? undefined : functionRecord((name) => bundleOf(name)?.bytes),
  coldStartMs: cold === undefined ? undefined : functionRecord((name) => cold?.coldStartMs[name]),
  bareNodeMs: cold === undefined ? undefined : functionRecord((name) => cold?.bareNodeMs[name]),
  coldStartPhasesMs:
    cold === undefined
      ? undefined
      : {
          load: functionRecord((name) => cold?.loadMs[name]),
          invoke: functionRecord((name) => cold?.invokeMs[name]),
          withoutSourceMaps:
            cold.withoutSourceMapsMs === undefined
              ? undefined
              : functionRecord((name) => cold?.withoutSourceMapsMs?.[name]),
        },
  coldStartByRuntime:
    coldByRuntime.length === 0
      ? undefined
      : Object.fromEntries(
          coldByRuntime.map((result) => [
            result.runtime.label,
            {
              version: result.runtime.version,
              bareNodeMs: round(result.bareNodeMs.sdkFloor),
              sdkFloorMs: round(result.coldStartMs.sdkFloor),
              coldStartMs: functionRecord((name) => result.coldStartMs[name]),
              overSdkFloorMs: functionRecord(
                (name) => result.coldStartMs[name] - result.coldStartMs.sdkFloor,
              ),
              withoutSourceMapsMs:
                result.withoutSourceMapsMs === undefined
                  ? undefined
                  : functionRecord((name) => result.withoutSourceMapsMs?.[name]),
            },
          ]),
        ),
  sdkFloor: {
    bytes: bundleOf('sdkFloor')?.bytes,
    coldStartMs: cold === undefined ? undefined : round(cold.coldStartMs.sdkFloor),
  },
  latency:
    latency === undefined
      ? undefined
      : Object.fromEntries(
          [...Object.entries(latency.http), ...Object.entries(latency.webSocket)].map(([name, row]) => [
            name,
            {
              p50: row.p50,
              p95: row.p95,
              dynamoCalls: row.dynamoCalls,
              directP50: row.directP50,
              ratio: row.ratio,
            },
          ]),
        ),
  dynamoBaseline: latency?.dynamoBaseline,
  fanout,
  largeRooms,
  capacity,
  costPerMillionMessages: cost,
  push,
  targets,
};
process.stdout.write(`${out.join('\n')}\n\n${JSON.stringify(result)}\n`);

function bundleOf(name: string): Bundle | undefined {
  return bundles?.find((bundle) => bundle.name === name);
}

/** One value per function (lib/routes.ts and the notifier), rounded to 0.1. */
function functionRecord(
  pick: (name: BenchFunctionName) => number | undefined,
): Record<string, number | undefined> {
  return Object.fromEntries(benchFunctionNames.map((name) => [name, maybeRound(pick(name))]));
}

function maybeRound(value: number | undefined): number | undefined {
  return value === undefined ? undefined : round(value);
}
