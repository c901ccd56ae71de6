/**
 * Fan-out: rooms of 10, 100 and 1000 connected members (real WebSocket clients in a process of their own), the
 * time from a member's `message` frame to the last delivery to the others, through the local stack. Beside it, in
 * the same run, the algorithm of AWS's public sample (aws-samples/simple-websockets-chat-app, `sendmessage`): Scan
 * every connection, then post to each, against the same members plus 2,000 connections in other rooms.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { type Connection, ConnectionRepository } from '../../lambdas/data/connections.ts';
import { connectionKey, roomMemberKey, userConnectionsIndexKey } from '../../lambdas/data/keys.ts';
import { MembershipRepository } from '../../lambdas/data/memberships.ts';
import { MessageRepository } from '../../lambdas/data/messages.ts';
import { RoomRepository } from '../../lambdas/data/rooms.ts';
import { sendRoomMessageFromConnection } from '../../lambdas/domain/messaging.ts';
import { buildMessagingDeps, FAN_OUT_CONCURRENCY } from '../../lambdas/handlers/deps.ts';
import { shardingFromConfig } from '../../lambdas/handlers/invoker.ts';
import { CONNECTION_TTL_SECONDS } from '../../lambdas/shared/config.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import type { PostLatency } from '../../lib/local/websocket-gateway.ts';
import { capacityRecordingClient } from './capacity.ts';
import { type BenchEnvironment, batchWrite } from './environment.ts';
import type { Command, Reply } from './fanout-clients.ts';
import { inBatches, median, nowMs, round } from './stats.ts';

/** Connections in rooms other than the measured ones, in both tables. */
const OTHER_CONNECTIONS = 2_000;
const OTHER_ROOM_SIZE = 20;

export interface FanOutRow {
  readonly members: number;
  /** Connections in other rooms, in both tables. */
  readonly otherConnections: number;
  /**
   * Median ms from a member's `message` frame to the last of the other members' deliveries, through the stack
   * (NaN where not measured).
   */
  readonly ms: number;
  /** Median ms from the start of the function's room message (store, Query, ack, posts), in-process, to the last. */
  readonly inProcessMs: number;
  /**
   * The same with sharded fan-out (above the threshold only, else NaN): the function hands shards to the fan-out
   * worker through the local stack's emulated Lambda, whose workers run in this process too.
   */
  readonly shardedMs: number;
  /** The same for the sample's store, Scan, posts, in-process. */
  readonly baselineMs: number;
  /** baselineMs / inProcessMs: how many times faster, like for like. */
  readonly ratio: number;
  /** Read units of our member Query, and of the sample's Scan of every connection. */
  readonly readUnits: number;
  readonly baselineReadUnits: number;
  readonly trials: number;
}

export interface FanOutResult {
  readonly rooms: FanOutRow[];
  /** The smallest room again after `moreOthers` more connections joined other rooms (empty when none). */
  readonly scaling: FanOutRow[];
  /** FAN_OUT_CONCURRENCY as the functions use it. */
  readonly concurrency: number;
  /** Median ms of the function's room message (store, Query, ack, posts) per bound on posts, in rooms of ≥ 100. */
  readonly concurrencySweep: {
    readonly concurrency: number;
    /** Median ms by room size. */
    readonly msByMembers: Record<number, number>;
    readonly trials: number;
  }[];
  readonly otherConnections: number;
  /** The modelled latency of each post (the local management API's), and its uniform jitter either way. */
  readonly postLatencyMs: number;
  readonly jitterMs: number;
}

/** Rooms of connected members, the sample's table, and the clients' process; `close` undoes it all. */
export interface FanOutFixture {
  readonly tag: string;
  readonly clients: ClientsProcess;
  readonly rooms: ReadonlyMap<number, { readonly name: string; readonly ids: readonly string[] }>;
  /** Adds connections in other rooms of 20, in both tables. */
  addOthers(count: number): Promise<void>;
  otherConnections(): number;
  /** The sample's `sendmessage` for a room, skipping the sender; resolves with the read units of its Scan. */
  readonly sample: (room: string, senderId: string, text: string, clientMessageId: string) => Promise<number>;
  close(): Promise<void>;
}

export async function setUpFanOut(env: BenchEnvironment, sizes: readonly number[]): Promise<FanOutFixture> {
  const tag = randomUUID().slice(0, 6);
  const clients = await ClientsProcess.start();
  const sampleTable = `sample-connections-${tag}`;
  const rawClient = new DynamoDBClient({ endpoint: env.dynamoEndpoint, ...localAwsSettings });
  const memberIds: string[] = [];
  const close = async () => {
    // Forget the members' connection items first, so that each close's $disconnect is one DeleteItem instead of
    // telling a thousand members that someone left.
    await batchWrite(
      env.doc,
      env.tableName,
      memberIds.map((connectionId) => ({ DeleteRequest: { Key: connectionKey(connectionId) } })),
    );
    await clients.close();
    await rawClient.send(new DeleteTableCommand({ TableName: sampleTable })).catch(() => {});
    rawClient.destroy();
  };
  try {
    // The rooms and their members: real connections ($connect through the gateway), joined through the
    // repository (the join's own `user_joined` notices would cost n²/2 posts to set up a room of n).
    const connections = new ConnectionRepository(env.doc, env.tableName);
    const rooms = new RoomRepository(env.doc, env.tableName);
    const memberships = new MembershipRepository(env.doc, env.tableName);
    const roomsBySize = new Map<number, { name: string; ids: string[] }>();
    for (const size of sizes) {
      const name = `fan${size}-${tag}`;
      const room = {
        name,
        createdBy: 'bench',
        createdAt: new Date().toISOString(),
        visibility: 'public',
        memberCount: 1,
      } as const;
      await rooms.create(room);
      const usernames = Array.from({ length: size }, (_, index) => `f${size}_${index}_${tag}`);
      // Sending needs membership (the function checks the sender's); the others only need to be present.
      await memberships.add(
        room,
        { username: usernames[0] as string, role: 'member', joinedAt: room.createdAt },
        false,
      );
      const opened = await clients.request({
        type: 'open',
        url: env.stack.wsUrl,
        group: name,
        tokens: await Promise.all(usernames.map((username) => env.tokenFor(username))),
        concurrency: 25,
      });
      if (opened.type !== 'opened' || opened.error !== undefined) {
        throw new Error(
          `could not open ${size} connections: ${opened.type === 'opened' ? opened.error : opened.type}` +
            ' (if EMFILE: raise `ulimit -n`, 1000 members need about 2,300 descriptors)',
        );
      }
      const ids = await inBatches(usernames, 16, async (username) => {
        const [connectionId] = await connections.connectionIdsOf(username);
        if (connectionId === undefined) throw new Error(`no connection recorded for ${username}`);
        return connectionId;
      });
      memberIds.push(...ids);
      const expiresAt = Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
      await inBatches(ids, 16, async (connectionId, index) => {
        const connection: Connection = {
          connectionId,
          userId: `u-${usernames[index]}`,
          username: usernames[index] as string,
          connectedAt: new Date().toISOString(),
          expiresAt,
        };
        await connections.join(name, connection);
      });
      roomsBySize.set(size, { name, ids });
    }

    await rawClient.send(
      new CreateTableCommand({
        TableName: sampleTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      }),
    );
    await batchWrite(
      env.doc,
      sampleTable,
      [...roomsBySize.values()].flatMap((room) =>
        room.ids.map((connectionId) => ({ PutRequest: { Item: { connectionId, room: room.name } } })),
      ),
    );
    let othersAdded = 0;
    const addOthers = async (count: number) => {
      await addOtherConnections(env, sampleTable, tag, othersAdded, count);
      othersAdded += count;
    };
    // 2,000 connections in other rooms.
    await addOthers(OTHER_CONNECTIONS);
    return {
      tag,
      clients,
      rooms: roomsBySize,
      sample: sampleSendMessage(env, sampleTable),
      addOthers,
      otherConnections: () => othersAdded,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function measureFanOut(
  env: BenchEnvironment,
  options: {
    sizes: readonly number[];
    trials: number;
    sweep: readonly number[];
    sweepTrials: number;
    /** Connections added in other rooms after the main trials, to show how each algorithm scales. */
    moreOthers: number;
    /** The post latency the stack models during the run (set by the caller), reported with the figures. */
    postLatency: PostLatency;
  },
): Promise<FanOutResult> {
  const fixture = await setUpFanOut(env, options.sizes);
  const { clients, tag } = fixture;
  // As the `message` function builds them: sharded above FANOUT_SHARD_THRESHOLD. Single-function fan-out is the
  // same without sharding.
  const sharded = buildMessagingDeps({ sharding: shardingFromConfig() });
  const deps = { ...sharded, sharding: undefined };
  const threshold = sharded.sharding?.threshold ?? Number.POSITIVE_INFINITY;
  const counting = capacityRecordingClient(env.dynamoEndpoint);
  // clientMessageIds must be new, or the message is acknowledged and delivered to nobody.
  let lastId = 0;
  const nextId = () => ++lastId;
  try {
    // Per trial, in turn (so that drift on this shared machine hits all three alike): a member's frame through
    // the stack; the same room message as the function runs it, started in-process; the sample's, in-process.
    const compare = async (size: number, trials: number, throughStack: boolean): Promise<FanOutRow> => {
      const room = fixture.rooms.get(size) as { name: string; ids: string[] };
      const sender = room.ids[0] as string;
      const viaStack: number[] = [];
      const ours: number[] = [];
      const theirs: number[] = [];
      const inShards: number[] = [];
      let baselineReadUnits = 0;
      for (let trial = -1; trial < trials; trial++) {
        const text = `fan ${size} ${fixture.otherConnections()} ${trial} ${tag}`;
        if (throughStack) {
          const done = await clients.trial({
            group: room.name,
            text,
            expected: size - 1,
            timeoutMs: 30_000,
            send: {
              from: 0,
              frame: { action: 'message', room: room.name, text, clientMessageId: `f${nextId()}` },
            },
          });
          if (trial >= 0) viaStack.push(done.ms);
        }
        const direct = `direct ${text}`;
        const inProcess = await clients.trial(
          { group: room.name, text: direct, expected: size - 1, timeoutMs: 30_000 },
          () =>
            sendRoomMessageFromConnection(deps, sender, room.name, {
              text: direct,
              clientMessageId: `d${nextId()}`,
            }),
        );
        if (size - 1 > threshold) {
          const shardedText = `sharded ${text}`;
          const viaWorkers = await clients.trial(
            { group: room.name, text: shardedText, expected: size - 1, timeoutMs: 30_000 },
            () =>
              sendRoomMessageFromConnection(sharded, sender, room.name, {
                text: shardedText,
                clientMessageId: `h${nextId()}`,
              }),
          );
          if (trial >= 0) inShards.push(viaWorkers.ms);
        }
        const sampleText = `sample ${text}`;
        let readUnits = 0;
        const baseline = await clients.trial(
          { group: room.name, text: sampleText, expected: size - 1, timeoutMs: 60_000 },
          async () => {
            readUnits = await fixture.sample(room.name, sender, sampleText, `s${nextId()}`);
          },
        );
        if (trial >= 0) {
          ours.push(inProcess.ms);
          theirs.push(baseline.ms);
          baselineReadUnits = readUnits;
        }
      }
      counting.calls.length = 0;
      await new ConnectionRepository(counting.doc, env.tableName).members(room.name);
      const inProcessMs = median(ours);
      const baselineMs = median(theirs);
      return {
        members: size,
        otherConnections: fixture.otherConnections(),
        ms: throughStack ? round(median(viaStack)) : Number.NaN,
        inProcessMs: round(inProcessMs),
        shardedMs: inShards.length > 0 ? round(median(inShards)) : Number.NaN,
        baselineMs: round(baselineMs),
        ratio: round(baselineMs / inProcessMs, 1),
        readUnits: counting.calls.reduce((sum, call) => sum + call.read, 0),
        baselineReadUnits,
        trials: ours.length,
      };
    };
    const rows: FanOutRow[] = [];
    for (const size of options.sizes) rows.push(await compare(size, options.trials, true));

    // The bound on posts in flight, in the rooms of 100 members and more: the function's room message with each
    // bound, in turn.
    const sweepSizes = options.sizes.filter((size) => size >= 100);
    const durations = new Map<string, number[]>();
    for (let trial = -1; trial < options.sweepTrials; trial++) {
      for (const size of sweepSizes) {
        const room = fixture.rooms.get(size) as { name: string; ids: string[] };
        for (const concurrency of options.sweep) {
          const text = `sweep ${size} ${concurrency} ${trial} ${tag}`;
          const withBound = { ...deps, fanOutConcurrency: concurrency };
          const done = await clients.trial(
            { group: room.name, text, expected: size - 1, timeoutMs: 60_000 },
            () => sendRoomMessageFromConnection(withBound, room.ids[0] as string, room.name, { text }),
          );
          if (trial < 0) continue;
          const key = `${size}/${concurrency}`;
          durations.set(key, [...(durations.get(key) ?? []), done.ms]);
        }
      }
    }
    const sweep = options.sweep.map((concurrency) => ({
      concurrency,
      msByMembers: Object.fromEntries(
        sweepSizes.map((size) => [size, round(median(durations.get(`${size}/${concurrency}`) ?? []))]),
      ),
      trials: options.sweepTrials,
    }));
    // The sample's Scan grows with every connection of the API, ours with the room only: the smallest room again
    // with many more connections elsewhere.
    const scaling: FanOutRow[] = [];
    if (options.moreOthers > 0) {
      await fixture.addOthers(options.moreOthers);
      scaling.push(await compare(Math.min(...options.sizes), options.trials, false));
    }
    return {
      rooms: rows,
      scaling,
      concurrency: FAN_OUT_CONCURRENCY,
      concurrencySweep: sweep,
      otherConnections: OTHER_CONNECTIONS,
      postLatencyMs: options.postLatency.delayMs,
      jitterMs: options.postLatency.jitterMs,
    };
  } finally {
    counting.doc.destroy();
    await fixture.close();
  }
}

/**
 * Connections in rooms of 20 other than the measured ones: in our table (connection and member items, as a join
 * writes them; they cost our fan-out nothing) and in the sample's (where its Scan reads them all).
 */
async function addOtherConnections(
  env: BenchEnvironment,
  sampleTable: string,
  tag: string,
  from: number,
  count: number,
): Promise<void> {
  const others = Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    return {
      connectionId: `other-${index}-${tag}`,
      room: `other${Math.floor(index / OTHER_ROOM_SIZE)}-${tag}`,
      username: `o${index}_${tag}`,
    };
  });
  const expiresAt = Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
  await batchWrite(
    env.doc,
    env.tableName,
    others.flatMap((other) => [
      {
        PutRequest: {
          Item: {
            ...connectionKey(other.connectionId),
            type: 'Connection',
            GSI1PK: userConnectionsIndexKey(other.username),
            GSI1SK: other.connectionId,
            connectionId: other.connectionId,
            userId: `u-${other.username}`,
            username: other.username,
            connectedAt: new Date().toISOString(),
            expiresAt,
            rooms: new Set([other.room]),
          },
        },
      },
      {
        PutRequest: {
          Item: {
            ...roomMemberKey(other.room, other.connectionId),
            type: 'RoomMember',
            connectionId: other.connectionId,
            username: other.username,
            expiresAt,
          },
        },
      },
    ]),
  );
  await batchWrite(
    env.doc,
    sampleTable,
    others.map((other) => ({ PutRequest: { Item: { connectionId: other.connectionId, room: other.room } } })),
  );
}

/**
 * The sample's `sendmessage` (aws-samples/simple-websockets-chat-app): Scan the connections table, then post to
 * each connection with `Promise.all` (the SDK's agent allowing 50 sockets), deleting those found gone. Given what
 * ours does besides, so that only the fan-out differs: the message is stored first (the same transaction as ours),
 * and the sender is skipped. Its bugs are fixed in its favour: it reads every page of the Scan (the sample reads
 * the first only), and it filters to the room (the sample broadcasts to every connection; the filter still reads,
 * and bills, every item). The clients are built once, like a warm container's. Resolves with the read units the
 * Scan consumed.
 */
function sampleSendMessage(env: BenchEnvironment, tableName: string) {
  const management = new ApiGatewayManagementApiClient({
    endpoint: env.stack.callbackUrl,
    region: localAwsSettings.region,
    credentials: localAwsSettings.credentials,
  });
  const messages = new MessageRepository(env.doc, env.tableName);
  const newMessageId = monotonicFactory();
  return async (room: string, senderId: string, text: string, clientMessageId: string): Promise<number> => {
    const message = {
      messageId: newMessageId(),
      room,
      from: 'sample',
      text,
      sentAt: new Date().toISOString(),
      clientMessageId,
    };
    await messages.append(message);
    const connections: { connectionId: string }[] = [];
    let readUnits = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await env.doc.send(
        new ScanCommand({
          TableName: tableName,
          ProjectionExpression: 'connectionId',
          FilterExpression: 'room = :room',
          ExpressionAttributeValues: { ':room': room },
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of page.Items ?? []) connections.push({ connectionId: item.connectionId as string });
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const data = JSON.stringify({ type: 'message', ...message });
    await Promise.all(
      connections
        .filter((connection) => connection.connectionId !== senderId)
        .map(async ({ connectionId }) => {
          try {
            await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
          } catch (error) {
            if ((error as Error).name !== 'GoneException') throw error;
            await env.doc.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
          }
        }),
    );
    return readUnits;
  };
}

/** The clients' process (test/bench/fanout-clients.ts), driven over IPC. */
export class ClientsProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { type: Reply['type']; resolve: (reply: Reply) => void }[]>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const waiters = this.pending.get(reply.id) ?? [];
      const index = waiters.findIndex((waiter) => waiter.type === reply.type);
      if (index === -1) return;
      const [waiter] = waiters.splice(index, 1);
      if (waiters.length === 0) this.pending.delete(reply.id);
      waiter?.resolve(reply);
    });
  }

  static async start(): Promise<ClientsProcess> {
    const script = fileURLToPath(new URL('./fanout-clients.ts', import.meta.url));
    const child = fork(script, [], {
      // tsx by its resolved location, so that the benchmark runs from any working directory.
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new ClientsProcess(child);
  }

  private expect(id: number, type: Reply['type']): Promise<Reply> {
    return new Promise((resolve) => {
      const waiters = this.pending.get(id) ?? [];
      waiters.push({ type, resolve });
      this.pending.set(id, waiters);
    });
  }

  request(command: Omit<Extract<Command, { type: 'open' }>, 'id'>): Promise<Reply> {
    const id = this.nextId++;
    const answer = this.expect(id, 'opened');
    this.child.send({ ...command, id } satisfies Command);
    return answer;
  }

  /**
   * One delivery measurement: arms the counter, then either the clients send the frame (`send`, timed from just
   * before the send) or `trigger` runs here (timed from just before it starts). Resolves with the time to the last
   * delivery; fails if not every expected delivery arrived.
   */
  async trial(
    command: Omit<Extract<Command, { type: 'arm' }>, 'id' | 'type'>,
    trigger?: () => Promise<unknown>,
  ): Promise<{ ms: number }> {
    const id = this.nextId++;
    const armed = this.expect(id, 'armed');
    const done = this.expect(id, 'done');
    this.child.send({ ...command, type: 'arm', id } satisfies Command);
    await armed;
    let startedAt: number | undefined;
    if (trigger !== undefined) {
      startedAt = nowMs();
      await trigger();
    }
    const result = (await done) as Extract<Reply, { type: 'done' }>;
    if (result.received !== command.expected) {
      throw new Error(`${command.text}: ${result.received} of ${command.expected} deliveries arrived`);
    }
    const from = startedAt ?? result.sentAt;
    if (from === undefined) throw new Error('a trial with neither a sender nor a trigger');
    return { ms: result.lastAt - from };
  }

  async close(): Promise<void> {
    const id = this.nextId++;
    const closed = this.expect(id, 'closed');
    this.child.send({ type: 'close', id } satisfies Command);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill();
    });
  }
}
