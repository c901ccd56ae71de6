import { limits, type RateLimitKind } from '../../lib/contract/index.ts';
import {
  type EnvironmentVariableName,
  environmentVariables,
  type IntegerVariableName,
  rateLimitVariablePrefixes,
} from './environment.ts';

/**
 * Configuration: the one module that reads `process.env`, for the variables declared in ./environment.ts.
 * Modules call these functions once per container, at cold start; a missing or malformed variable fails there
 * with its name, not later on a request. The local stack sets the same variables as the CDK stack; nothing here
 * knows whether it runs on AWS.
 */

/** The variable's value, with an empty one counted as unset. */
function optionalEnv(name: EnvironmentVariableName): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function requireEnv(name: EnvironmentVariableName): string {
  const value = optionalEnv(name);
  if (value === undefined) throw new Error(`Missing required environment variable ${name}`);
  return value;
}

function integerEnv(name: IntegerVariableName): number {
  const { default: fallback, min, max } = environmentVariables[name];
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** bcrypt cost of new password hashes when `BCRYPT_COST` is unset (always, in the stack). */
export const DEFAULT_BCRYPT_COST = environmentVariables.BCRYPT_COST.default;

/** API Gateway closes a WebSocket connection after at most 2 hours (the contract publishes the figure). */
export const MAX_CONNECTION_SECONDS = limits.webSocketMaxConnectionSeconds;

/** Connection items outlive the longest possible connection a little, so TTL only removes the dead. */
export const CONNECTION_TTL_SECONDS = MAX_CONNECTION_SECONDS + 10 * 60;

export function tableName(): string {
  return requireEnv('TABLE_NAME');
}

export function bcryptCost(): number {
  return integerEnv('BCRYPT_COST');
}

/** The lifetimes of access tokens, of sessions and of WebSocket tickets: at most 15 minutes, 30 days, 30 s. */
export const tokenTtlSeconds = (): number => integerEnv('TOKEN_TTL_SECONDS');
export const sessionTtlSeconds = (): number => integerEnv('SESSION_TTL_SECONDS');
export const webSocketTicketTtlSeconds = (): number => integerEnv('WS_TICKET_TTL_SECONDS');

/** Failed-login thresholds and window (lambdas/domain/login-lockout.ts), from the `LOGIN_*` variables. */
export function loginLockoutPolicy(): {
  readonly usernameFailures: number;
  readonly addressFailures: number;
  readonly windowMs: number;
} {
  return {
    usernameFailures: integerEnv('LOGIN_USERNAME_FAILURES'),
    addressFailures: integerEnv('LOGIN_ADDRESS_FAILURES'),
    windowMs: integerEnv('LOGIN_FAILURE_WINDOW_SECONDS') * 1000,
  };
}

/** One per-user rate: a token every `intervalMs`, at most `burst` at once (lambdas/domain/limits.ts). */
export interface RatePolicy {
  readonly intervalMs: number;
  readonly burst: number;
}

/** Every per-user rate, from its `RATE_*_PER_MINUTE` and `RATE_*_BURST` variables. */
export function ratePolicies(): Readonly<Record<RateLimitKind, RatePolicy>> {
  const policies: Partial<Record<RateLimitKind, RatePolicy>> = {};
  for (const [kind, prefix] of Object.entries(rateLimitVariablePrefixes) as [
    RateLimitKind,
    (typeof rateLimitVariablePrefixes)[RateLimitKind],
  ][]) {
    policies[kind] = {
      intervalMs: 60_000 / integerEnv(`${prefix}_PER_MINUTE`),
      burst: integerEnv(`${prefix}_BURST`),
    };
  }
  return policies as Record<RateLimitKind, RatePolicy>;
}

/** The quotas: connections per user, rooms joined per connection. */
export function quotas(): { readonly connectionsPerUser: number; readonly roomsPerConnection: number } {
  return {
    connectionsPerUser: integerEnv('MAX_CONNECTIONS_PER_USER'),
    roomsPerConnection: integerEnv('MAX_ROOMS_PER_CONNECTION'),
  };
}

/** Present users up to which a room's presence is told in full (lambdas/domain/presence.ts). */
export const presenceListMax = (): number => integerEnv('PRESENCE_LIST_MAX');

/**
 * How room messages to large rooms are sharded (lambdas/domain/sharded-fanout.ts): off (undefined) unless the
 * fan-out worker's name is given.
 */
export function fanOutSharding():
  | {
      readonly functionName: string;
      readonly threshold: number;
      readonly shardSize: number;
      readonly postsPerSecond: number;
    }
  | undefined {
  const functionName = optionalEnv('FANOUT_FUNCTION_NAME');
  if (functionName === undefined) return undefined;
  return {
    functionName,
    threshold: integerEnv('FANOUT_SHARD_THRESHOLD'),
    shardSize: integerEnv('FANOUT_SHARD_SIZE'),
    postsPerSecond: integerEnv('FANOUT_POSTS_PER_SECOND'),
  };
}

export function webSocketCallbackUrl(): string {
  return requireEnv('WEBSOCKET_CALLBACK_URL');
}

/** Where the token signing key comes from: the key itself (local stack, tests) or the secret holding it. */
export type SigningKeySource =
  | { readonly key: string; readonly variable: 'JWT_SECRET' }
  | { readonly secretArn: string };

/** `JWT_SECRET` when set, otherwise `JWT_SECRET_ARN`; one of them is required. */
export function signingKeySource(): SigningKeySource {
  const key = optionalEnv('JWT_SECRET');
  if (key !== undefined) return { key, variable: 'JWT_SECRET' };
  const secretArn = optionalEnv('JWT_SECRET_ARN');
  if (secretArn === undefined) {
    throw new Error('Missing required environment variable JWT_SECRET_ARN (or JWT_SECRET)');
  }
  return { secretArn };
}

/** How long a signing key read from its secret is used before it is read again (lambdas/shared/tokens.ts). */
export const signingKeyCacheSeconds = (): number => integerEnv('SIGNING_KEY_CACHE_SECONDS');

/** The `service` of log lines and metrics. */
export function serviceName(): string {
  return optionalEnv('POWERTOOLS_SERVICE_NAME') ?? environmentVariables.POWERTOOLS_SERVICE_NAME.default;
}

/** The CloudWatch namespace of the custom metrics. */
export function metricsNamespace(): string {
  return (
    optionalEnv('POWERTOOLS_METRICS_NAMESPACE') ?? environmentVariables.POWERTOOLS_METRICS_NAMESPACE.default
  );
}

/** Where the notifier sends pushes (lambdas/domain/push-providers.ts): chosen by configuration only. */
export type PushProviderConfig =
  | { readonly kind: 'local'; readonly sinkUrl: string }
  | { readonly kind: 'sns'; readonly platformArns: { readonly apns?: string; readonly fcm?: string } };

export function pushProviderConfig(): PushProviderConfig {
  const kind = optionalEnv('PUSH_PROVIDER') ?? environmentVariables.PUSH_PROVIDER.default;
  if (kind === 'local') return { kind, sinkUrl: requireEnv('PUSH_LOCAL_SINK_URL') };
  if (kind !== 'sns') throw new Error(`PUSH_PROVIDER must be "sns" or "local", not "${kind}"`);
  const apns = optionalEnv('PUSH_APNS_PLATFORM_ARN');
  const fcm = optionalEnv('PUSH_FCM_PLATFORM_ARN');
  return { kind, platformArns: { ...(apns ? { apns } : {}), ...(fcm ? { fcm } : {}) } };
}
