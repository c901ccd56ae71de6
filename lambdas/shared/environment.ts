/**
 * Every environment variable a chat function is given, declared once. The CDK constructs, the local stack, the
 * tests and the benchmark set them through {@link EnvironmentSettings}; lambdas/shared/config.ts is the one
 * module that reads them. A misspelt name fails to compile on either side. This file imports only the contract's
 * limits (a leaf), so the CDK app imports it without pulling in any runtime code.
 *
 * Some variables belong to a library or a runtime that reads them itself (`readBy` says which). They are
 * declared here all the same because we set them, from CDK, the local stack or the tests, and those settings
 * must be checked like ours.
 */

// The contract's limits module is a leaf that imports nothing either.
import { limits, quotaDefaults, type RateLimitKind, rateLimitDefaults } from '../../lib/contract/limits.ts';

interface Declared {
  /** What the variable means, for whoever sets it. */
  readonly meaning: string;
  /** `chat`: read by lambdas/shared/config.ts; otherwise the library or runtime that reads it itself. */
  readonly readBy: 'chat' | 'powertools' | 'aws-sdk' | 'node';
}

interface TextVariable extends Declared {
  readonly kind: 'text';
  /** The value assumed when it is unset, and the one the CDK stack sets. */
  readonly default?: string;
}

interface IntegerVariable extends Declared {
  readonly kind: 'integer';
  /** The value assumed when it is unset. */
  readonly default: number;
  /** Inclusive range; a value outside it fails the function at cold start. */
  readonly min: number;
  readonly max: number;
}

export type EnvironmentVariable = TextVariable | IntegerVariable;

/**
 * The two variables of one per-user rate limit (lambdas/domain/limits.ts): `<PREFIX>_PER_MINUTE`, the steady
 * rate, and `<PREFIX>_BURST`, how many may come at once; the contract gives the defaults.
 */
function rateVariables<Prefix extends string>(
  prefix: Prefix,
  what: string,
  defaults: { readonly perMinute: number; readonly burst: number },
): Record<`${Prefix}_PER_MINUTE` | `${Prefix}_BURST`, IntegerVariable> {
  const common = { kind: 'integer', readBy: 'chat', min: 1 } as const;
  return {
    [`${prefix}_PER_MINUTE`]: {
      ...common,
      meaning: `${what} one user may make per minute, steadily (over it: RATE_LIMITED).`,
      default: defaults.perMinute,
      max: 600_000,
    },
    [`${prefix}_BURST`]: {
      ...common,
      meaning: `${what} one user may make at once, above the steady rate.`,
      default: defaults.burst,
      max: 100_000,
    },
  } as Record<`${Prefix}_PER_MINUTE` | `${Prefix}_BURST`, IntegerVariable>;
}

/** The prefix of each rate limit's variables. A new kind of rate is one line here. */
export const rateLimitVariablePrefixes = {
  message: 'RATE_MESSAGES',
  join: 'RATE_JOINS',
  roomCreation: 'RATE_ROOM_CREATIONS',
  conversationOpen: 'RATE_CONVERSATION_OPENS',
  reaction: 'RATE_REACTIONS',
} as const satisfies Record<RateLimitKind, string>;

export const environmentVariables = {
  TABLE_NAME: {
    kind: 'text',
    readBy: 'chat',
    meaning: 'The chat table; given to every function whose routes touch the table.',
  },
  JWT_SECRET_ARN: {
    kind: 'text',
    readBy: 'chat',
    meaning:
      'The Secrets Manager secret holding the token signing key (the CDK stack, and the local stack with its emulated Secrets Manager): never the key itself.',
  },
  JWT_SECRET: {
    kind: 'text',
    readBy: 'chat',
    meaning:
      'The token signing key itself, at least 32 characters (tests of single handlers, without a secret); wins over the ARN.',
  },
  SIGNING_KEY_CACHE_SECONDS: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'How long a function uses the key read from the secret before reading it again: a rotated key is in use everywhere within this time. The stack never sets it.',
    default: 5 * 60,
    min: 0,
    max: 60 * 60,
  },
  WEBSOCKET_CALLBACK_URL: {
    kind: 'text',
    readBy: 'chat',
    meaning: "The WebSocket stage's management API, for functions that post to connections.",
  },
  BCRYPT_COST: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'bcrypt cost of new password hashes. The stack never sets it; tests lower it.',
    default: 11,
    min: 4,
    max: 15,
  },
  TOKEN_TTL_SECONDS: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'How long an access token is valid; a client refreshes it with its refresh token.',
    default: 15 * 60,
    min: 60,
    max: 15 * 60,
  },
  SESSION_TTL_SECONDS: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'How long a session (its chain of refresh tokens) lives after its login.',
    default: 30 * 24 * 60 * 60,
    min: 60,
    max: 30 * 24 * 60 * 60,
  },
  WS_TICKET_TTL_SECONDS: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'How long a WebSocket ticket is accepted. The stack never sets it; tests shorten it.',
    default: 30,
    min: 1,
    max: 30,
  },
  LOGIN_USERNAME_FAILURES: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'Failed logins for one username (existing or not) within the window after which its logins are locked out (429).',
    default: 10,
    min: 1,
    max: 1000,
  },
  LOGIN_ADDRESS_FAILURES: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'Failed logins from one source address (an IPv6 client: its /64), across usernames, within the window after which its logins are locked out (429).',
    default: 50,
    min: 1,
    max: 100_000,
  },
  LOGIN_FAILURE_WINDOW_SECONDS: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'The window in which failed logins are counted, and the first lockout; each further failure doubles the lockout, up to 8 windows.',
    default: 15 * 60,
    min: 1,
    max: 24 * 60 * 60,
  },
  ...rateVariables(
    'RATE_MESSAGES',
    'Messages (rooms and conversations, both APIs)',
    rateLimitDefaults.message,
  ),
  ...rateVariables('RATE_JOINS', 'Room joins', rateLimitDefaults.join),
  ...rateVariables('RATE_ROOM_CREATIONS', 'Room creations', rateLimitDefaults.roomCreation),
  ...rateVariables('RATE_CONVERSATION_OPENS', 'Conversation opens', rateLimitDefaults.conversationOpen),
  ...rateVariables('RATE_REACTIONS', 'Reactions added or removed', rateLimitDefaults.reaction),
  MAX_CONNECTIONS_PER_USER: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'Open WebSocket connections one user may have; the next handshake is refused with HTTP 429.',
    default: quotaDefaults.connectionsPerUser,
    min: 1,
    max: 1000,
  },
  PRESENCE_LIST_MAX: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'Present users up to which `joined` lists a room in full and `user_joined`/`user_left` go out; above it the list is cut and no notices go out. The stack never sets it; tests lower it.',
    default: limits.presenceListMax,
    min: 1,
    max: 1000,
  },
  FANOUT_FUNCTION_NAME: {
    kind: 'text',
    readBy: 'chat',
    meaning:
      'The fan-out worker function (lambdas/handlers/fanout.ts) that room messages above FANOUT_SHARD_THRESHOLD are handed to, in shards; given to the functions that send room messages. Without it every delivery is posted by the sending function.',
  },
  FANOUT_SHARD_THRESHOLD: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      'Recipients (connections in the room but the sender) above which a room message is delivered by fan-out workers in shards instead of by the sending function.',
    default: 500,
    min: 1,
    max: 1_000_000,
  },
  FANOUT_SHARD_SIZE: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'Connections per shard: one asynchronous invocation of the fan-out worker posts to this many.',
    default: 200,
    min: 1,
    max: 5_000,
  },
  FANOUT_POSTS_PER_SECOND: {
    kind: 'integer',
    readBy: 'chat',
    meaning:
      "The share of the account's API Gateway request budget (10,000 a second, burst 5,000, per region) that the shards of one message may spend, split evenly between them.",
    default: 8_000,
    min: 1,
    max: 10_000,
  },
  MAX_ROOMS_PER_CONNECTION: {
    kind: 'integer',
    readBy: 'chat',
    meaning: 'Rooms one WebSocket connection may have joined at once; the next join is QUOTA_EXCEEDED.',
    default: quotaDefaults.roomsPerConnection,
    min: 1,
    max: 1000,
  },
  PUSH_PROVIDER: {
    kind: 'text',
    readBy: 'chat',
    meaning:
      "Where the notifier sends pushes: `sns` (Amazon SNS mobile push, on AWS) or `local` (the local stack's sink, at PUSH_LOCAL_SINK_URL).",
    default: 'sns',
  },
  PUSH_APNS_PLATFORM_ARN: {
    kind: 'text',
    readBy: 'chat',
    meaning: 'The SNS platform application for APNs devices; without it, APNs devices get no push.',
  },
  PUSH_FCM_PLATFORM_ARN: {
    kind: 'text',
    readBy: 'chat',
    meaning: 'The SNS platform application for FCM devices; without it, FCM devices get no push.',
  },
  PUSH_LOCAL_SINK_URL: {
    kind: 'text',
    readBy: 'chat',
    meaning: 'The local stack only: where the `local` push provider posts each push (`/_local/pushes`).',
  },
  POWERTOOLS_SERVICE_NAME: {
    kind: 'text',
    // Powertools reads it too; we also pass it to the logger and metrics explicitly, with the same default.
    readBy: 'chat',
    meaning: 'The `service` dimension of every custom metric and a key of every log line.',
    default: 'chat',
  },
  POWERTOOLS_METRICS_NAMESPACE: {
    kind: 'text',
    readBy: 'chat',
    meaning: 'The CloudWatch namespace of the custom metrics (embedded metric format).',
    default: 'ServerlessChat',
  },
  POWERTOOLS_LOG_LEVEL: {
    kind: 'text',
    readBy: 'powertools',
    meaning: 'The lowest level logged; the stack sets it so that it can be changed in the console.',
    default: 'INFO',
  },
  POWERTOOLS_METRICS_DISABLED: {
    kind: 'text',
    readBy: 'powertools',
    meaning: '"true" stops metric log lines: set by the local stack and tests, where they are only noise.',
  },
  NODE_OPTIONS: {
    kind: 'text',
    readBy: 'node',
    meaning: 'Node.js flags; the stack maps stack traces to the TypeScript sources through the source maps.',
    default: '--enable-source-maps',
  },
  AWS_ENDPOINT_URL_DYNAMODB: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning: 'Where the DynamoDB client connects; set only by the local stack and tests, to DynamoDB Local.',
  },
  AWS_ENDPOINT_URL_SECRETS_MANAGER: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning:
      'Where the Secrets Manager client connects; set only by the local stack, to its emulated Secrets Manager.',
  },
  AWS_ENDPOINT_URL_LAMBDA: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning:
      'Where the Lambda client invokes the fan-out worker; set only by the local stack, to its emulated Lambda Invoke API.',
  },
  AWS_REGION: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning: 'Set by Lambda on AWS; the local stack sets it (and the two below) when the machine has none.',
  },
  AWS_ACCESS_KEY_ID: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning: 'Static credentials for DynamoDB Local and the emulated Secrets Manager.',
  },
  AWS_SECRET_ACCESS_KEY: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning: 'Static credentials for DynamoDB Local and the emulated Secrets Manager.',
  },
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: {
    kind: 'text',
    readBy: 'aws-sdk',
    meaning: '"true" silences the SDK\'s Node.js 20 end-of-life warning where tests run on Node.js 20.',
  },
} as const satisfies Record<string, EnvironmentVariable>;

export type EnvironmentVariableName = keyof typeof environmentVariables;

/** The names of the integer variables, for the reader that checks their range. */
export type IntegerVariableName = {
  [Name in EnvironmentVariableName]: (typeof environmentVariables)[Name] extends IntegerVariable
    ? Name
    : never;
}[EnvironmentVariableName];

/** Variables to give a process. Only declared names compile. */
export type EnvironmentSettings = { readonly [Name in EnvironmentVariableName]?: string };

/**
 * What every chat function is given whatever it does (lib/constructs/chat-function.ts; the benchmark gives
 * its processes the same): logging and metrics settings, and source-mapped stack traces.
 */
export const FUNCTION_BASE_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: environmentVariables.POWERTOOLS_SERVICE_NAME.default,
  POWERTOOLS_LOG_LEVEL: environmentVariables.POWERTOOLS_LOG_LEVEL.default,
  // Metrics are written as embedded-metric-format log lines: no API call, no IAM permission.
  POWERTOOLS_METRICS_NAMESPACE: environmentVariables.POWERTOOLS_METRICS_NAMESPACE.default,
  NODE_OPTIONS: environmentVariables.NODE_OPTIONS.default,
} as const satisfies EnvironmentSettings;

/** The login lockout's settings, by what they mean; an absent one keeps its declared default. */
export interface LoginLockoutSettings {
  readonly usernameFailures?: number;
  readonly addressFailures?: number;
  readonly windowSeconds?: number;
}

/**
 * The variables of the login lockout, every one set (the given value or its default), so that the function's
 * configuration shows them and they can be changed there. The CDK functions and the local stack both use it.
 */
export function loginLockoutEnvironment(settings: LoginLockoutSettings = {}): EnvironmentSettings {
  const { LOGIN_USERNAME_FAILURES, LOGIN_ADDRESS_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS } =
    environmentVariables;
  return {
    LOGIN_USERNAME_FAILURES: String(settings.usernameFailures ?? LOGIN_USERNAME_FAILURES.default),
    LOGIN_ADDRESS_FAILURES: String(settings.addressFailures ?? LOGIN_ADDRESS_FAILURES.default),
    LOGIN_FAILURE_WINDOW_SECONDS: String(settings.windowSeconds ?? LOGIN_FAILURE_WINDOW_SECONDS.default),
  };
}

/** The per-user rates and quotas, by what they mean; an absent one keeps the contract's default. */
export interface LimitSettings {
  readonly rates?: {
    readonly [Kind in RateLimitKind]?: { readonly perMinute: number; readonly burst: number };
  };
  readonly connectionsPerUser?: number;
  readonly roomsPerConnection?: number;
}

/**
 * The variables of the per-user rates and quotas, every one set, so that a function's configuration shows them
 * and they can be changed there. The CDK functions that enforce a limit and the local stack both use it.
 */
export function limitsEnvironment(settings: LimitSettings = {}): EnvironmentSettings {
  const environment: Record<string, string> = {
    MAX_CONNECTIONS_PER_USER: String(settings.connectionsPerUser ?? quotaDefaults.connectionsPerUser),
    MAX_ROOMS_PER_CONNECTION: String(settings.roomsPerConnection ?? quotaDefaults.roomsPerConnection),
  };
  for (const [kind, prefix] of Object.entries(rateLimitVariablePrefixes) as [RateLimitKind, string][]) {
    const rate = settings.rates?.[kind] ?? rateLimitDefaults[kind];
    environment[`${prefix}_PER_MINUTE`] = String(rate.perMinute);
    environment[`${prefix}_BURST`] = String(rate.burst);
  }
  return environment as EnvironmentSettings;
}

/** Sharded fan-out's settings (lambdas/domain/sharded-fanout.ts), by what they mean; an absent one keeps its default. */
export interface FanOutSettings {
  readonly shardThreshold?: number;
  readonly shardSize?: number;
  readonly postsPerSecond?: number;
}

/**
 * The variables of sharded fan-out, every one set, for the functions that hand shards to the worker named
 * `functionName`. The CDK stack and the local stack both use it.
 */
export function fanOutEnvironment(functionName: string, settings: FanOutSettings = {}): EnvironmentSettings {
  const { FANOUT_SHARD_THRESHOLD, FANOUT_SHARD_SIZE, FANOUT_POSTS_PER_SECOND } = environmentVariables;
  return {
    FANOUT_FUNCTION_NAME: functionName,
    FANOUT_SHARD_THRESHOLD: String(settings.shardThreshold ?? FANOUT_SHARD_THRESHOLD.default),
    FANOUT_SHARD_SIZE: String(settings.shardSize ?? FANOUT_SHARD_SIZE.default),
    FANOUT_POSTS_PER_SECOND: String(settings.postsPerSecond ?? FANOUT_POSTS_PER_SECOND.default),
  };
}
