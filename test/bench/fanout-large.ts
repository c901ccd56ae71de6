/**
 * Large rooms: sharded fan-out against single-function fan-out and the Scan baseline, by a simulation that runs
 * the real code against a modelled poster (test/bench/fanout-model.ts): the room's connection items are real
 * (in DynamoDB Local), and so are the sender's reads and writes, the shard dispatch, the workers' claims and
 * marks, their pacing and their retries of throttled posts; the posts and Lambda's asynchronous invocation are
 * modelled. Read and write units are those the real calls consumed.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { FanOutShardRepository } from '../../lambdas/data/fanout-shards.ts';
import { roomMemberKey } from '../../lambdas/data/keys.ts';
import { MembershipRepository } from '../../lambdas/data/memberships.ts';
import { MessageRepository } from '../../lambdas/data/messages.ts';
import { RoomRepository } from '../../lambdas/data/rooms.ts';
import { sendRoomMessageFromConnection } from '../../lambdas/domain/messaging.ts';
import { type FanOutShard, runShard } from '../../lambdas/domain/sharded-fanout.ts';
import { messagingDeps } from '../../lambdas/handlers/deps.ts';
import { CONNECTION_TTL_SECONDS } from '../../lambdas/shared/config.ts';
import { environmentVariables } from '../../lambdas/shared/environment.ts';
import { fanOutWorker } from '../../lambdas/shared/functions.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { capacityRecordingClient } from './capacity.ts';
import { PRICES } from './cost.ts';
import { type BenchEnvironment, batchWrite } from './environment.ts';
import {
  AccountBudget,
  PostLog as Log,
  modelledContainer,
  modelSleep,
  type PostLog,
  type PostModel,
} from './fanout-model.ts';
import { median, nowMs, round } from './stats.ts';

/** Sharded fan-out's settings in the simulation: the deployed defaults (FANOUT_*). */
export const SHARDING = {
  threshold: environmentVariables.FANOUT_SHARD_THRESHOLD.default,
  shardSize: environmentVariables.FANOUT_SHARD_SIZE.default,
  postsPerSecond: environmentVariables.FANOUT_POSTS_PER_SECOND.default,
} as const;
const OTHER_CONNECTIONS = 2_000;
const MEMORY_GB = 512 / 1024;

export interface LargeRoomRow {
  readonly members: number;
  /** `model`: AWS's figures; `model (this machine)`: the same model with this machine's CPU, to check it. */
  readonly mode: string;
  readonly postLatencyMs: number;
  readonly jitterMs: number;
  /** Median ms from the sender's start to the last delivery. */
  readonly shardedMs: number;
  readonly singleMs: number;
  readonly scanMs: number;
  readonly shardedFasterThanSingle: number;
  readonly shardedFasterThanScan: number;
  /** Read units of one message: the room's Query (the same for sharded and single) and the Scan. */
  readonly readUnits: { readonly sharded: number; readonly single: number; readonly scan: number };
  readonly writeUnits: { readonly sharded: number; readonly single: number };
  /** Median ms of the sending function's invocation when sharded: its reads, write, ack and the Invokes. */
  readonly shardedSenderMs: number;
  /** Of which the room's Query, in DynamoDB Local (ms, one Query timed apart). */
  readonly roomQueryMs: number;
  readonly invocations: { readonly sharded: number; readonly single: number };
  /** Posts API Gateway refused for the account's rate (each retried with backoff). */
  readonly throttledPosts: number;
  /** USD per message, invocations, posts and DynamoDB included. */
  readonly costPerMessageUsd: { readonly sharded: number; readonly single: number; readonly scan: number };
  readonly trials: number;
}

interface RunResult {
  ms: number;
  senderMs: number;
  read: number;
  write: number;
  invocations: number;
  /** Billed Lambda ms, all invocations together. */
  lambdaMs: number;
  throttled: number;
}

/** Rooms of the given sizes, seeded as joins write them, and the Scan baseline's table holding them all. */
async function seedRooms(env: BenchEnvironment, sizes: readonly number[], tag: string) {
  const rooms = new RoomRepository(env.doc, env.tableName);
  const memberships = new MembershipRepository(env.doc, env.tableName);
  const expiresAt = Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
  const byMembers = new Map<number, { name: string; ids: string[] }>();
  for (const size of sizes) {
    const name = `large${size}-${tag}`;
    const room = {
      name,
      createdBy: 'bench',
      createdAt: new Date().toISOString(),
      visibility: 'public',
    } as const;
    await rooms.create({ ...room, memberCount: 1 });
    const ids = Array.from({ length: size }, (_, index) => `L${size}-${index}-${tag}`);
    await batchWrite(
      env.doc,
      env.tableName,
      ids.map((connectionId, index) => ({
        PutRequest: {
          Item: {
            ...roomMemberKey(name, connectionId),
            type: 'RoomMember',
            connectionId,
            username: `l${size}_${index}_${tag}`,
            expiresAt,
          },
        },
      })),
    );
    // The senders (one per trial: each has a rate of its own) are members.
    for (let index = 0; index < 8; index++) {
      await memberships.add(
        { ...room, memberCount: 1 },
        { username: `l${size}_${index}_${tag}`, role: 'member', joinedAt: room.createdAt },
        false,
      );
    }
    byMembers.set(size, { name, ids });
  }
  return byMembers;
}

export async function measureLargeRooms(
  env: BenchEnvironment,
  options: {
    readonly sizes: readonly number[];
    readonly trials: number;
    /** The model of AWS, and the same with this machine's CPU per post, checked at `checkAt` members. */
    readonly model: PostModel;
    readonly localModel: PostModel;
    readonly checkAt: number;
  },
): Promise<LargeRoomRow[]> {
  const tag = randomUUID().slice(0, 6);
  const rooms = await seedRooms(env, options.sizes, tag);
  const sampleTable = `sample-large-${tag}`;
  const raw = new DynamoDBClient({ endpoint: env.dynamoEndpoint, ...localAwsSettings });
  await raw.send(
    new CreateTableCommand({
      TableName: sampleTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
    }),
  );
  const counting = capacityRecordingClient(env.dynamoEndpoint);
  try {
    const everyone = [...rooms.values()].flatMap((room) =>
      room.ids.map((connectionId) => ({ connectionId, room: room.name })),
    );
    const others = Array.from({ length: OTHER_CONNECTIONS }, (_, index) => ({
      connectionId: `O-${index}-${tag}`,
      room: `other${Math.floor(index / 20)}-${tag}`,
    }));
    await batchWrite(
      env.doc,
      sampleTable,
      [...everyone, ...others].map((item) => ({ PutRequest: { Item: item } })),
    );

    const rows: LargeRoomRow[] = [];
    const run = async (members: number, mode: string, model: PostModel) => {
      const room = rooms.get(members) as { name: string; ids: string[] };
      const results = { sharded: [] as RunResult[], single: [] as RunResult[], scan: [] as RunResult[] };
      const queries: number[] = [];
      for (let trial = -1; trial < options.trials; trial++) {
        const sender = room.ids[trial + 1] as string;
        const sharded = await simulateRoomMessage(env, counting, model, room.name, sender, true);
        const single = await simulateRoomMessage(env, counting, model, room.name, sender, false);
        const scan = await simulateScanThenPost(env, counting, model, sampleTable, room.name, sender);
        const queryStarted = nowMs();
        await new ConnectionRepository(env.doc, env.tableName).members(room.name);
        const queryMs = nowMs() - queryStarted;
        if (trial < 0) continue;
        queries.push(queryMs);
        results.sharded.push(sharded);
        results.single.push(single);
        results.scan.push(scan);
      }
      const ms = (list: RunResult[]) => round(median(list.map((result) => result.ms)));
      const last = (list: RunResult[]) => list.at(-1) as RunResult;
      const cost = (list: RunResult[], acks: number) =>
        costOfMessage(members, last(list), median(list.map((result) => result.lambdaMs)), acks);
      const [shardedMs, singleMs, scanMs] = [ms(results.sharded), ms(results.single), ms(results.scan)];
      rows.push({
        members,
        mode,
        postLatencyMs: model.latencyMs,
        jitterMs: model.jitterMs,
        shardedMs,
        singleMs,
        scanMs,
        shardedSenderMs: round(median(results.sharded.map((result) => result.senderMs))),
        roomQueryMs: round(median(queries)),
        shardedFasterThanSingle: round(singleMs / shardedMs, 1),
        shardedFasterThanScan: round(scanMs / shardedMs, 1),
        readUnits: {
          sharded: last(results.sharded).read,
          single: last(results.single).read,
          scan: last(results.scan).read,
        },
        writeUnits: { sharded: last(results.sharded).write, single: last(results.single).write },
        invocations: { sharded: last(results.sharded).invocations, single: last(results.single).invocations },
        throttledPosts: [...results.sharded, ...results.single, ...results.scan].reduce(
          (sum, result) => sum + result.throttled,
          0,
        ),
        costPerMessageUsd: {
          sharded: cost(results.sharded, 1),
          single: cost(results.single, 1),
          scan: cost(results.scan, 0),
        },
        trials: options.trials,
      });
    };
    for (const members of options.sizes) await run(members, 'model', options.model);
    await run(options.checkAt, 'model (this machine)', options.localModel);
    return rows;
  } finally {
    counting.doc.destroy();
    await raw.send(new DeleteTableCommand({ TableName: sampleTable })).catch(() => {});
    raw.destroy();
  }
}

/**
 * One room message as the `message` function sends it (the real domain code and DynamoDB calls), with posts
 * modelled: single-function, or sharded with every shard run by a modelled warm worker (the real `runShard`).
 */
async function simulateRoomMessage(
  env: BenchEnvironment,
  counting: ReturnType<typeof capacityRecordingClient>,
  model: PostModel,
  room: string,
  sender: string,
  sharded: boolean,
): Promise<RunResult> {
  const budget = new AccountBudget(model);
  const log: PostLog = new Log();
  const workers: Promise<number>[] = [];
  const shards = new FanOutShardRepository(counting.doc, env.tableName);
  const base = messagingDeps(counting.doc, env.tableName, modelledContainer(model, budget, log), {
    warn: () => {},
    recordMetric: () => {},
    sharding: sharded
      ? {
          ...SHARDING,
          invoker: {
            async invoke(shard: FanOutShard) {
              await modelSleep(model.invokeMs);
              // The event as Lambda hands it on: serialized, then run by a warm worker of its own.
              const event = JSON.parse(JSON.stringify(shard)) as FanOutShard;
              workers.push(
                (async () => {
                  await modelSleep(model.workerStartMs);
                  const started = nowMs();
                  const deps = {
                    ...base,
                    poster: modelledContainer(model, budget, log, model.workerCpuPerPostMs),
                    shards,
                    leaseMs: fanOutWorker.timeoutSeconds * 1000,
                  };
                  await runShard(deps, event);
                  return nowMs() - started;
                })(),
              );
            },
          },
        }
      : undefined,
  });
  counting.calls.length = 0;
  const started = nowMs();
  await sendRoomMessageFromConnection(base, sender, room, {
    text: `large ${sharded}`,
    clientMessageId: randomUUID(),
  });
  const senderMs = nowMs() - started;
  const workerMs = await Promise.all(workers);
  return {
    ms: log.lastAt - started,
    senderMs,
    read: round(
      counting.calls.reduce((sum, call) => sum + call.read, 0),
      1,
    ),
    write: round(
      counting.calls.reduce((sum, call) => sum + call.write, 0),
      1,
    ),
    invocations: 1 + workers.length,
    lambdaMs: [senderMs, ...workerMs].reduce((sum, ms) => sum + Math.ceil(ms), 0),
    throttled: budget.throttled,
  };
}

/** The Scan baseline (test/bench/fanout.ts `sampleSendMessage`) with the same modelled posts. */
async function simulateScanThenPost(
  env: BenchEnvironment,
  counting: ReturnType<typeof capacityRecordingClient>,
  model: PostModel,
  sampleTable: string,
  room: string,
  sender: string,
): Promise<RunResult> {
  const budget = new AccountBudget(model);
  const log: PostLog = new Log();
  const poster = modelledContainer(model, budget, log);
  const messages = new MessageRepository(env.doc, env.tableName);
  counting.calls.length = 0;
  const started = nowMs();
  await messages.append({
    messageId: newMessageId(),
    room,
    from: 'sample',
    text: 'scan',
    sentAt: new Date().toISOString(),
  });
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await counting.doc.send(
      new ScanCommand({
        TableName: sampleTable,
        ProjectionExpression: 'connectionId',
        FilterExpression: 'room = :room',
        ExpressionAttributeValues: { ':room': room },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(item.connectionId as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const read = counting.calls.reduce((sum, call) => sum + call.read, 0);
  // The sample's `Promise.all`, with its SDK's own retries of a throttled post (3 attempts).
  await Promise.all(
    ids
      .filter((id) => id !== sender)
      .map(async (id) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await poster.post(id, '');
          } catch (error) {
            if (attempt >= 3) throw error;
            await modelSleep(Math.random() * 100 * 2 ** attempt);
          }
        }
      }),
  );
  return {
    ms: log.lastAt - started,
    senderMs: nowMs() - started,
    read: round(read, 1),
    write: 2,
    invocations: 1,
    lambdaMs: Math.ceil(nowMs() - started),
    throttled: budget.throttled,
  };
}

const newMessageId = monotonicFactory();

/** USD per message: WebSocket messages (in, ack, deliveries), Lambda requests and GB-seconds, DynamoDB units. */
function costOfMessage(members: number, result: RunResult, lambdaMs: number, acks: number): number {
  const webSocketMessages = 1 + acks + (members - 1);
  const usd =
    (webSocketMessages * PRICES.webSocketMessagesPerMillion) / 1e6 +
    (result.invocations * PRICES.lambdaRequestsPerMillion) / 1e6 +
    MEMORY_GB * (lambdaMs / 1000) * PRICES.lambdaArmGbSecond +
    (result.read * PRICES.dynamoReadRequestUnitsPerMillion) / 1e6 +
    (result.write * PRICES.dynamoWriteRequestUnitsPerMillion) / 1e6;
  return Number(usd.toPrecision(3));
}
