/**
 * Cold starts: for each function, a fresh `node` process loads the bundle and runs one invocation with a real
 * event against the local stack's DynamoDB Local and management API, timed from spawn to exit; beside it, a bare
 * `node -e 0` timed the same way, in the same rounds (so drift on this shared machine hits both alike). Every
 * round runs on each runtime given (the running Node.js and Node.js 24, test/bench/runtimes.ts), interleaved.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { BlockRepository } from '../../lambdas/data/blocks.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { ConversationRepository } from '../../lambdas/data/conversations.ts';
import { DeviceRepository } from '../../lambdas/data/devices.ts';
import { MessageRepository } from '../../lambdas/data/messages.ts';
import { RoomRepository } from '../../lambdas/data/rooms.ts';
import { UserRepository } from '../../lambdas/data/users.ts';
import { register } from '../../lambdas/domain/accounts.ts';
import { openConversation } from '../../lambdas/domain/conversations.ts';
import { openConnection } from '../../lambdas/domain/presence.ts';
import { limitDeps } from '../../lambdas/handlers/limit-deps.ts';
import { type EnvironmentSettings, FUNCTION_BASE_ENVIRONMENT } from '../../lambdas/shared/environment.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { PUSH_SINK_PATH } from '../../lib/local/push-sink.ts';
import { type FunctionSpec, functions, tableAccessOf } from '../../lib/routes.ts';
import { httpEvent } from '../support/events.ts';
import type { Bundle, BundleName } from './bundles.ts';
import { type BenchEnvironment, BenchSocket } from './environment.ts';
import type { Runtime } from './runtimes.ts';
import { median, nowMs } from './stats.ts';

const childScript = fileURLToPath(new URL('./cold-start-child.cjs', import.meta.url));

/** bcrypt cost of the accounts a cold start registers or logs in (production: 11, measured under latency). */
const COLD_BCRYPT_COST = 4;

export interface ColdStartResult {
  /** The Node.js these were measured on. */
  readonly runtime: Runtime;
  /** Per bundle: median ms from spawn to exit of a process that loads the bundle and runs one invocation. */
  readonly coldStartMs: Record<BundleName, number>;
  /** Per bundle: the same run's median of a bare `node -e 0` (one figure, repeated per function). */
  readonly bareNodeMs: Record<BundleName, number>;
  /** Per bundle: median ms to `require` the bundle, and of the one invocation (measured inside the process). */
  readonly loadMs: Record<BundleName, number>;
  readonly invokeMs: Record<BundleName, number>;
  /** Per bundle: the cold start again without `NODE_OPTIONS=--enable-source-maps` (when measured). */
  readonly withoutSourceMapsMs?: Record<BundleName, number>;
  readonly runs: number;
}

/** Everything the functions' first invocations need: accounts, a room with history, live connections. */
interface Fixtures {
  readonly token: string;
  readonly username: string;
  readonly password: string;
  readonly room: string;
  /** A conversation whose peer has a push device and no connection: the notifier's cold invocation pushes. */
  readonly conversationId: string;
  readonly peer: string;
  /** A live connection that has joined `room` (join, message and ping run as it). */
  readonly liveConnectionId: string;
  readonly sockets: BenchSocket[];
  readonly connections: ConnectionRepository;
  /** The seeding calls the domain, which checks the per-user limits as the functions do. */
  readonly limits: ReturnType<typeof limitDeps>;
  /** A token for another user: each `$connect` cold start is its own user's, under the per-user quota. */
  readonly tokenFor: BenchEnvironment['tokenFor'];
}

export async function measureColdStarts(
  env: BenchEnvironment,
  bundles: readonly Pick<Bundle, 'name' | 'file'>[],
  options: {
    runs: number;
    /** Each round runs every bundle on each of these, in turn. */
    runtimes: readonly Runtime[];
    /** Also cold-start each bundle without `--enable-source-maps`, to show what the stack's setting costs. */
    withoutSourceMaps?: boolean;
    /** Write a V8 CPU profile of every cold start here (for finding where the time goes). */
    profileDir?: string;
  },
): Promise<ColdStartResult[]> {
  const fixtures = await prepareFixtures(env);
  type Samples = { wall: number[]; load: number[]; invoke: number[] };
  const samples = new Map<string, Samples>();
  const sample = (key: string): Samples => {
    const entry = samples.get(key) ?? { wall: [], load: [], invoke: [] };
    samples.set(key, entry);
    return entry;
  };
  const variants = options.withoutSourceMaps ? ['', 'withoutSourceMaps'] : [''];
  try {
    // One untimed round: the first spawns pay for the disk cache. Every round runs everything once, so that drift
    // on this shared machine hits all alike.
    for (let round = -1; round < options.runs; round++) {
      for (const runtime of options.runtimes) {
        const key = (name: string) => `${runtime.label}:${name}`;
        const bare = await runProcess(runtime.execPath, ['-e', '0'], baseEnvironment());
        if (round >= 0) sample(key('bare')).wall.push(bare.wallMs);
        for (const bundle of bundles) {
          for (const variant of variants) {
            const event = await eventFor(bundle.name, fixtures, round);
            const environment = functionEnvironment(bundle.name, env);
            if (variant === 'withoutSourceMaps') delete environment.NODE_OPTIONS;
            const profile =
              options.profileDir === undefined || variant !== ''
                ? []
                : [
                    '--cpu-prof',
                    '--cpu-prof-interval=100',
                    `--cpu-prof-dir=${options.profileDir}/${runtime.label}/${bundle.name}`,
                  ];
            const run = await runProcess(
              runtime.execPath,
              [...profile, childScript, bundle.file, JSON.stringify(event)],
              environment,
            );
            if (run.report === undefined) {
              throw new Error(
                `${bundle.name} on ${runtime.version}: the cold start printed no report\n${run.stderr}`,
              );
            }
            const statusCode = run.report.statusCode as number | undefined;
            const failures = run.report.batchItemFailures as number | undefined;
            if ((statusCode !== undefined && statusCode >= 400) || (failures ?? 0) > 0) {
              throw new Error(
                `${bundle.name}: the cold invocation failed (${statusCode ?? failures})\n${run.stdout}`,
              );
            }
            if (round >= 0) {
              const entry = sample(key(`${bundle.name}${variant}`));
              entry.wall.push(run.wallMs);
              entry.load.push(run.report.loadMs as number);
              entry.invoke.push(run.report.invokeMs as number);
            }
          }
        }
      }
    }
  } finally {
    await Promise.all(fixtures.sockets.map((socket) => socket.close()));
  }
  return options.runtimes.map((runtime) => {
    const key = (name: string) => `${runtime.label}:${name}`;
    const bareMedian = median(sample(key('bare')).wall);
    const byBundle = (pick: (entry: Samples) => number[], variant = '') =>
      Object.fromEntries(
        bundles.map((bundle) => [bundle.name, median(pick(sample(key(`${bundle.name}${variant}`))))]),
      ) as Record<BundleName, number>;
    return {
      runtime,
      coldStartMs: byBundle((entry) => entry.wall),
      bareNodeMs: Object.fromEntries(bundles.map((bundle) => [bundle.name, bareMedian])) as Record<
        BundleName,
        number
      >,
      loadMs: byBundle((entry) => entry.load),
      invokeMs: byBundle((entry) => entry.invoke),
      withoutSourceMapsMs: options.withoutSourceMaps
        ? byBundle((entry) => entry.wall, 'withoutSourceMaps')
        : undefined,
      runs: options.runs,
    };
  });
}

/** What every Lambda function's process has (no `AWS_*` of this machine leaks in). */
function baseEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, TZ: ':UTC', LANG: 'en_US.UTF-8' };
}

/**
 * The environment the CDK stack gives a function (lib/constructs/chat-function.ts and the APIs' additions),
 * pointed at the local stack: `JWT_SECRET` in place of `JWT_SECRET_ARN` (the key of the local stack), DynamoDB
 * Local's endpoint, and static credentials as Lambda provides them, in environment variables.
 */
function functionEnvironment(name: BundleName, env: BenchEnvironment): NodeJS.ProcessEnv {
  // The SDK floor is configured like a function that only reads the table; the notifier is given what
  // lib/constructs/notifier.ts gives it, with the local sink in place of SNS.
  const spec: FunctionSpec =
    name === 'sdkFloor' || name === 'notifier'
      ? { entry: '', api: 'http', postsToConnections: false, closesConnections: false, usesSigningKey: false }
      : functions[name];
  const settings: EnvironmentSettings = {
    AWS_REGION: localAwsSettings.region,
    AWS_ACCESS_KEY_ID: localAwsSettings.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localAwsSettings.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: env.dynamoEndpoint,
    // Node.js 20 is past its end of life and the SDK would say so; the Lambda runtime is Node.js 24.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...FUNCTION_BASE_ENVIRONMENT,
    BCRYPT_COST: String(COLD_BCRYPT_COST),
    ...(name === 'sdkFloor' || name === 'notifier' || tableAccessOf(name) !== 'none'
      ? { TABLE_NAME: env.tableName }
      : {}),
    ...(name === 'notifier'
      ? { PUSH_PROVIDER: 'local', PUSH_LOCAL_SINK_URL: `${env.stack.httpUrl}${PUSH_SINK_PATH}` }
      : {}),
    ...(spec.usesSigningKey ? { JWT_SECRET: env.jwtSecret } : {}),
    ...(spec.postsToConnections || spec.closesConnections
      ? { WEBSOCKET_CALLBACK_URL: env.stack.callbackUrl }
      : {}),
  };
  return {
    ...baseEnvironment(),
    // Set by the Lambda runtime itself, not by the stack.
    AWS_LAMBDA_FUNCTION_NAME: `chat-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_DEFAULT_REGION: localAwsSettings.region,
    AWS_SESSION_TOKEN: 'local',
    ...settings,
  };
}

interface ProcessRun {
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report?: Record<string, unknown>;
}

function runProcess(
  execPath: string,
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const child = spawn(execPath, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('exit', () => {
      const wallMs = nowMs() - started;
      // 'exit' can come before the pipes are drained; 'close' comes after both.
      child.once('close', () => {
        const out = Buffer.concat(stdout).toString('utf8');
        const line = out.split('\n').find((text) => text.startsWith('BENCH '));
        resolve({
          wallMs,
          stdout: out,
          stderr: Buffer.concat(stderr).toString('utf8'),
          report: line === undefined ? undefined : JSON.parse(line.slice('BENCH '.length)),
        });
      });
    });
  });
}

async function prepareFixtures(env: BenchEnvironment): Promise<Fixtures> {
  const { doc, tableName } = env;
  const users = new UserRepository(doc, tableName);
  const rooms = new RoomRepository(doc, tableName);
  const connections = new ConnectionRepository(doc, tableName);
  const messages = new MessageRepository(doc, tableName);
  const conversations = new ConversationRepository(doc, tableName);
  const limits = limitDeps(doc, tableName);
  const now = () => new Date();

  const password = 'correct horse battery';
  const username = `cold_${randomUUID().slice(0, 6)}`;
  const accountDeps = { users, now, newUserId: randomUUID, bcryptCost: COLD_BCRYPT_COST };
  const user = await register(accountDeps, { username, email: `${username}@example.com`, password });
  const peer = await register(accountDeps, {
    username: `${username}_peer`,
    email: `${username}_peer@example.com`,
    password,
  });
  const blocks = new BlockRepository(doc, tableName);
  const { conversation } = await openConversation(
    { users, conversations, blocks, now, ...limits },
    { ...user, sessionId: 'cold-start' },
    peer.username,
  );
  await new DeviceRepository(doc, tableName).register(
    { username: peer.username, deviceId: 'cold-phone', platform: 'fcm', token: `fcm-${randomUUID()}` },
    now().toISOString(),
    10,
  );

  const room = `cold-${randomUUID().slice(0, 6)}`;
  await rooms.create({
    name: room,
    createdBy: username,
    createdAt: now().toISOString(),
    visibility: 'public',
    memberCount: 1,
  });
  const newMessageId = monotonicFactory();
  for (let index = 0; index < 30; index++) {
    await messages.append({
      messageId: newMessageId(),
      room,
      from: username,
      text: `history ${index}`,
      sentAt: now().toISOString(),
    });
  }

  // Three live members: join, message and ping run as the first; the others receive its messages.
  const sockets: BenchSocket[] = [];
  for (let index = 0; index < 3; index++) {
    const socket = await BenchSocket.open(env.stack.wsUrl, await env.tokenFor(`${username}_live${index}`));
    await socket.request({ action: 'join', room }, (frame) => frame.type === 'joined');
    sockets.push(socket);
  }
  const [liveConnectionId] = await connections.connectionIdsOf(`${username}_live0`);
  if (liveConnectionId === undefined) throw new Error('the live connection was not recorded');
  return {
    token: await env.tokenFor(user.username, user.userId),
    username,
    password,
    room,
    conversationId: conversation.conversationId,
    peer: peer.username,
    liveConnectionId,
    sockets,
    connections,
    limits,
    tokenFor: env.tokenFor,
  };
}

/** A realistic first event for each function; `round` keeps what must be unique unique. */
async function eventFor(name: BundleName, fixtures: Fixtures, round: number): Promise<unknown> {
  const unique = `${round + 1}_${randomUUID().slice(0, 6)}`;
  switch (name) {
    case 'sdkFloor':
      return {};
    case 'register':
      return httpEvent({
        routeKey: 'POST /auth/register',
        body: {
          username: `coldreg_${unique}`,
          email: `coldreg_${unique}@example.com`,
          password: 'a long password',
        },
      });
    case 'login':
      return httpEvent({
        routeKey: 'POST /auth/login',
        body: { username: fixtures.username, password: fixtures.password },
      });
    case 'me':
      return httpEvent({ routeKey: 'GET /auth/me', token: fixtures.token });
    case 'rooms':
      return httpEvent({
        routeKey: 'GET /rooms/{name}/messages',
        pathParameters: { name: fixtures.room },
        query: { limit: '20' },
        token: fixtures.token,
      });
    case 'conversations':
      return httpEvent({ routeKey: 'GET /conversations', token: fixtures.token });
    case 'sessions':
      return httpEvent({ routeKey: 'POST /auth/ws-ticket', token: fixtures.token });
    case 'connect':
      return {
        ...webSocketEvent('$connect', 'CONNECT', `cold-connect-${unique}`),
        headers: { Host: 'localhost' },
        queryStringParameters: { token: await fixtures.tokenFor(`coldconn_${unique}`) },
      };
    case 'join':
      return webSocketEvent('join', 'MESSAGE', fixtures.liveConnectionId, {
        action: 'join',
        room: fixtures.room,
      });
    case 'message':
      return webSocketEvent('message', 'MESSAGE', fixtures.liveConnectionId, {
        action: 'message',
        room: fixtures.room,
        text: `cold start ${unique}`,
        clientMessageId: `cold-${unique}`,
      });
    case 'disconnect': {
      // A connection that joined the room and then closed: its item, membership and presence are forgotten and
      // the room's live members are told its user left.
      const connectionId = `cold-disconnect-${unique}`;
      const deps = { connections: fixtures.connections, now: () => new Date(), ...fixtures.limits };
      await openConnection(deps, connectionId, {
        userId: `u-${unique}`,
        username: `colddisc_${unique}`,
        sessionId: 'cold-start',
      });
      const connection = await fixtures.connections.get(connectionId);
      if (connection === undefined) throw new Error('the seeded connection vanished');
      await fixtures.connections.join(fixtures.room, connection);
      return webSocketEvent('$disconnect', 'DISCONNECT', connectionId);
    }
    case 'ping':
      return webSocketEvent('ping', 'MESSAGE', fixtures.liveConnectionId, { action: 'ping' });
    case 'notifier':
      // The stream's record of a new direct message to the peer, who has a device and no connection: one push.
      return {
        Records: [
          {
            eventID: unique,
            eventName: 'INSERT',
            eventSource: 'aws:dynamodb',
            dynamodb: {
              SequenceNumber: `${round + 2}00`,
              NewImage: {
                type: { S: 'Message' },
                messageId: { S: monotonicFactory()() },
                conversationId: { S: fixtures.conversationId },
                from: { S: fixtures.username },
                text: { S: `cold start ${unique}` },
                sentAt: { S: new Date().toISOString() },
              },
            },
          },
        ],
      };
  }
}

function webSocketEvent(
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  connectionId: string,
  body?: unknown,
): APIGatewayProxyWebsocketEventV2 {
  const now = Date.now();
  return {
    requestContext: {
      routeKey,
      eventType,
      messageId: eventType === 'MESSAGE' ? randomUUID() : undefined,
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN',
      stage: 'prod',
      connectedAt: now,
      requestTimeEpoch: now,
      requestId: randomUUID(),
      domainName: 'localhost',
      connectionId,
      apiId: 'bench',
    } as APIGatewayProxyWebsocketEventV2['requestContext'],
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
