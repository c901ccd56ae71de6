import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type EnvironmentSettings,
  type FanOutSettings,
  FUNCTION_BASE_ENVIRONMENT,
  fanOutEnvironment,
  type LoginLockoutSettings,
  limitsEnvironment,
  loginLockoutEnvironment,
} from '../../lambdas/shared/environment.ts';
import {
  type FunctionName,
  functionNames,
  functions,
  httpFallbackRoute,
  httpRouteKey,
  httpRoutes,
  webSocketRoutes,
} from '../routes.ts';
import { AccountConcurrency, ExecutionEnvironments } from './concurrency.ts';
import { type DynamoDbLocal, ensureTable, localAwsSettings, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalFanOutWorker, startLocalFanOutWorker } from './fanout-worker.ts';
import { type HttpGateway, startHttpGateway } from './http-gateway.ts';
import type { LambdaHandler } from './lambda-context.ts';
import { formatHttpEntry, formatPush, formatWebSocketEntry } from './log-lines.ts';
import { type LocalNotifier, startLocalNotifier } from './notifier.ts';
import { createPushSink, PUSH_SINK_PATH } from './push-sink.ts';
import { type SecretsManagerEmulator, startSecretsManager } from './secrets-manager.ts';
import { localJwtSecret, writeJwtSecret } from './signing-key-file.ts';
import { type PostLatency, startWebSocketGateway, type WebSocketGateway } from './websocket-gateway.ts';

export interface LocalStackOptions {
  /** Address both gateways listen on. */
  readonly host: string;
  /** HTTP API port; 0 picks a free one. */
  readonly port: number;
  /** WebSocket API port (and its management API); 0 picks a free one. */
  readonly wsPort: number;
  /** The emulated Secrets Manager's port; 0 (the default) picks a free one. */
  readonly secretsPort?: number;
  /** An existing DynamoDB to use instead of starting DynamoDB Local. */
  readonly dynamoEndpoint?: string;
  /** Keep DynamoDB Local's data (and the signing key secret's value) in this directory; in memory when absent. */
  readonly dataDir?: string;
  readonly tableName: string;
  /**
   * The signing key secret's value at start; when absent, the one kept in `dataDir`, or else a generated one
   * (kept in `dataDir` when there is one).
   */
  readonly jwtSecret?: string;
  /** WebSocket idle timeout and maximum connection time, shortened by tests. */
  readonly idleTimeoutMs?: number;
  readonly maxConnectionMs?: number;
  /** The failed-login thresholds and window, as the CDK stack takes them; tests make them small. */
  readonly loginLockout?: LoginLockoutSettings;
  /** The per-user rates and quotas, as the CDK stack takes them (the contract's defaults when absent). */
  readonly limits?: Parameters<typeof limitsEnvironment>[0];
  /** One readable line per request, invocation or management call. */
  readonly log?: (line: string) => void;
  /** Settings added to the functions' environment, such as a shorter WebSocket ticket lifetime for tests. */
  readonly environment?: EnvironmentSettings;
  /**
   * How many invocations of one function run at once; the others wait for one to end (docs/local-stack.md,
   * "How faithful the emulation is"). Default 8.
   */
  readonly environmentsPerFunction?: number;
  /**
   * How long each `@connections` post takes, as on AWS (a delay and a uniform jitter around it); none by default.
   * The benchmark models AWS's fan-out with it.
   */
  readonly postLatency?: PostLatency;
  /** The HTTP API's CORS origins (lib/local/cors.ts); no CORS when absent, as an API without a configuration. */
  readonly allowedOrigins?: readonly string[];
  /** Sharded fan-out's settings, as the CDK stack takes them (the declared defaults when absent). */
  readonly fanOut?: FanOutSettings;
  /** The emulated Lambda's waits before the retries of a failed asynchronous event (default 1 s, then 2 s). */
  readonly lambdaRetryDelaysMs?: readonly number[];
}

export interface LocalStack {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly callbackUrl: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  /** The emulated Secrets Manager (lib/local/secrets-manager.ts), and the signing key secret's ARN in it. */
  readonly secretsManagerEndpoint: string;
  readonly signingKeySecretArn: string;
  /** The notifier's dead-letter queue, what it has handled and its stream reads (lib/local/notifier.ts). */
  readonly notifier: Pick<LocalNotifier, 'deadLetters' | 'handledMessageIds' | 'stream' | 'pollIntervalMs'>;
  /** Replaces the posts' latency model while running (the benchmark models AWS for its fan-out section only). */
  setPostLatency(latency: PostLatency): void;
  /** The fan-out worker's emulated Lambda (lib/local/lambda-service.ts): its on-failure destination and counts. */
  readonly fanOutWorker: Pick<LocalFanOutWorker, 'failedEvents' | 'stats' | 'idle' | 'functionName'>;
  /** Makes the next `count` posts to a connection fail as API Gateway's own error (500): tests' faults. */
  failNextPosts(connectionId: string, count: number): void;
  /**
   * Stops in order: WebSocket connections (each $disconnect runs), HTTP, the emulated Secrets Manager, then
   * DynamoDB Local if started here.
   */
  stop(): Promise<void>;
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the whole backend in this process: the same handler modules as the Lambda functions, mounted from
 * lib/routes.ts behind the HTTP and WebSocket gateway emulators, with DynamoDB Local behind them and the signing
 * key in an emulated Secrets Manager (lib/local/secrets-manager.ts). The handlers are configured exactly as on
 * AWS, through environment variables; nothing in them knows it runs locally.
 * Handlers read their environment once, so one local stack runs per process.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
    started.length = 0;
  };
  try {
    let dynamoEndpoint = options.dynamoEndpoint;
    if (dynamoEndpoint === undefined) {
      const dynamo: DynamoDbLocal = await startDynamoDbLocal({ dataDir: options.dataDir });
      started.push(dynamo);
      dynamoEndpoint = dynamo.endpoint;
    }
    await ensureTable(dynamoEndpoint, options.tableName);

    const region = process.env.AWS_REGION ?? localAwsSettings.region;
    const signingKeySecretArn = `arn:aws:secretsmanager:${region}:000000000000:secret:${SIGNING_KEY_SECRET_NAME}-local0`;
    const secrets: SecretsManagerEmulator = await startSecretsManager({
      host: options.host,
      port: options.secretsPort ?? 0,
      secretArn: signingKeySecretArn,
      initialValue: options.jwtSecret ?? localJwtSecret(options.dataDir),
      // A rotated key is kept where the generated one is, so that a restart keeps it.
      onNewCurrentValue: (value) => {
        if (options.dataDir !== undefined) writeJwtSecret(options.dataDir, value);
      },
      onRequest: (operation, status) => log(`SM   ${operation} ${status}`),
    });
    started.push({ stop: () => secrets.close() });

    // The gateways start first so that their ports (and the callback URL) are known before the handlers
    // load and read their environment; no request can arrive before `handlers` is filled.
    const handlers = new Map<FunctionName, LambdaHandler<unknown>>();
    const account = new AccountConcurrency();
    const environments = new Map(
      functionNames.map((name) => [
        name,
        new ExecutionEnvironments(
          options.environmentsPerFunction ?? DEFAULT_ENVIRONMENTS_PER_FUNCTION,
          account,
        ),
      ]),
    );
    const target = (name: FunctionName) => ({
      functionName: `chat-${name}`,
      environments: environments.get(name),
      handler: (...[event, context, callback]: Parameters<LambdaHandler<unknown>>) => {
        const handler = handlers.get(name);
        if (handler === undefined) throw new Error(`Function ${name} is not loaded yet`);
        return handler(event, context, callback);
      },
    });
    const webSocket: WebSocketGateway = await startWebSocketGateway({
      host: options.host,
      port: options.wsPort,
      routes: webSocketRoutes.map((route) => ({ routeKey: route.routeKey, ...target(route.function) })),
      idleTimeoutMs: options.idleTimeoutMs,
      maxConnectionMs: options.maxConnectionMs,
      postLatency: options.postLatency,
      onEvent: (entry) => log(formatWebSocketEntry(entry)),
    });
    started.push({ stop: () => webSocket.close() });
    const pushSink = createPushSink((push) => log(formatPush(push)));
    const http: HttpGateway = await startHttpGateway({
      host: options.host,
      port: options.port,
      routes: [
        ...httpRoutes.map((route) => ({ routeKey: httpRouteKey(route), ...target(route.function) })),
        { routeKey: httpFallbackRoute.routeKey, ...target(httpFallbackRoute.function) },
      ],
      onRequest: (entry) => log(formatHttpEntry(entry)),
      localEndpoints: pushSink.handle,
      allowedOrigins: options.allowedOrigins,
    });
    started.push({ stop: () => http.close() });

    const fanOutWorker = await startLocalFanOutWorker({
      host: options.host,
      repositoryRoot,
      environments: new ExecutionEnvironments(
        options.environmentsPerFunction ?? DEFAULT_ENVIRONMENTS_PER_FUNCTION,
        account,
      ),
      retryDelaysMs: options.lambdaRetryDelaysMs,
      log,
    });
    started.push({ stop: () => fanOutWorker.close() });

    const settings: EnvironmentSettings = {
      TABLE_NAME: options.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      WEBSOCKET_CALLBACK_URL: webSocket.callbackUrl,
      // As on AWS, the functions read the key from its secret (with the real SDK client), never the key itself.
      JWT_SECRET_ARN: signingKeySecretArn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // What Lambda provides on AWS; the machine's own settings win, as they would for the SDK anywhere.
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? localAwsSettings.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY:
        process.env.AWS_SECRET_ACCESS_KEY ?? localAwsSettings.credentials.secretAccessKey,
      POWERTOOLS_SERVICE_NAME:
        process.env.POWERTOOLS_SERVICE_NAME ?? FUNCTION_BASE_ENVIRONMENT.POWERTOOLS_SERVICE_NAME,
      ...loginLockoutEnvironment(options.loginLockout),
      // Without explicit limits (`npm start`), a RATE_* or MAX_* variable of the caller's environment wins.
      ...(options.limits === undefined
        ? callersFirst(limitsEnvironment())
        : limitsEnvironment(options.limits)),
      // The senders hand shards to the worker through the emulated Lambda, with the real Lambda client.
      AWS_ENDPOINT_URL_LAMBDA: fanOutWorker.endpoint,
      ...(options.fanOut === undefined
        ? callersFirst(fanOutEnvironment(fanOutWorker.functionName))
        : fanOutEnvironment(fanOutWorker.functionName, options.fanOut)),
      // Pushes go to the sink on the local HTTP port instead of Amazon SNS.
      PUSH_PROVIDER: 'local',
      PUSH_LOCAL_SINK_URL: `${http.url}${PUSH_SINK_PATH}`,
      // Settings given outright win over the rest (tests shorten lifetimes with them).
      ...options.environment,
    };
    Object.assign(process.env, settings);
    // A JWT_SECRET left in the environment (the caller's shell) would win over the secret: it is its value instead.
    if (options.environment?.JWT_SECRET === undefined) delete process.env.JWT_SECRET;
    for (const name of functionNames) {
      const module = (await import(pathToFileURL(resolve(repositoryRoot, functions[name].entry)).href)) as {
        handler: LambdaHandler<unknown>;
      };
      handlers.set(name, module.handler);
    }
    await fanOutWorker.load();
    const notifier = await startLocalNotifier({
      repositoryRoot,
      dynamoEndpoint,
      tableName: options.tableName,
      log,
    });
    // Stopped before the gateways: no push is posted to a sink that is gone.
    started.push(notifier);

    return {
      httpUrl: http.url,
      wsUrl: webSocket.url,
      callbackUrl: webSocket.callbackUrl,
      dynamoEndpoint,
      tableName: options.tableName,
      secretsManagerEndpoint: secrets.endpoint,
      signingKeySecretArn,
      notifier,
      setPostLatency: (latency) => webSocket.setPostLatency(latency),
      fanOutWorker,
      failNextPosts: (connectionId, count) => webSocket.failNextPosts(connectionId, count),
      stop: stopAll,
    };
  } catch (error) {
    // A half-started stack must not leave DynamoDB Local's Java process holding its port.
    await stopAll();
    throw error;
  }
}

/**
 * Emulated execution environments per function. An invocation makes its DynamoDB calls one or two at a time (a
 * room message: a Query, then a conditional write, then its posts), so 8 keep each function's calls well within
 * its client's 50 sockets and no SDK timer runs while a call waits for one; more only lengthen DynamoDB Local's
 * own queue on two cores. docs/local-stack.md ("Bursts") gives the measurements.
 */
const DEFAULT_ENVIRONMENTS_PER_FUNCTION = 8;

/** The name of the signing key's secret in the emulated Secrets Manager: what `--secret-id` takes. */
export const SIGNING_KEY_SECRET_NAME = 'chat-local-signing-key';

function callersFirst(settings: EnvironmentSettings): EnvironmentSettings {
  const merged: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(settings)) merged[name] = process.env[name] || value;
  return merged as EnvironmentSettings;
}
