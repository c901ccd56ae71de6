/**
 * The context values of the CDK app (`-c name=value` or cdk.json), checked and turned into the stack's props.
 * A value that breaks its rule stops the synth with a message naming it. docs/deployment.md lists them all.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LimitSettings, rateLimitVariablePrefixes } from '../lambdas/shared/environment.ts';
import type { ChatStackProps } from './chat-stack.ts';
import { type RateLimitKind, rateLimitDefaults } from './contract/limits.ts';
import type { RouteThrottle } from './routes.ts';

/** Reads one context value as a string; absent and empty both mean "not given". */
export type ContextReader = (name: string) => string | undefined;

function refuse(name: string, rule: string, value: string): never {
  throw new Error(`Context "${name}" must be ${rule} (got "${value}").`);
}

function integer(read: ContextReader, name: string, min: number, max: number): number | undefined {
  const raw = read(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    refuse(name, `an integer from ${min} to ${max}`, raw);
  return value;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function email(read: ContextReader, name: string): string | undefined {
  const value = read(name);
  if (value !== undefined && !EMAIL.test(value)) refuse(name, 'an e-mail address', value);
  return value;
}

/**
 * `<api>RateLimit` and `<api>BurstLimit`: API Gateway takes a steady rate up to the account's 10,000 requests a
 * second and a burst up to 5,000. Either alone keeps the other's default.
 */
function throttle(read: ContextReader, api: string, fallback: RouteThrottle): RouteThrottle | undefined {
  const rateLimit = integer(read, `${api}RateLimit`, 1, 10_000);
  const burstLimit = integer(read, `${api}BurstLimit`, 1, 5_000);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return { rateLimit: rateLimit ?? fallback.rateLimit, burstLimit: burstLimit ?? fallback.burstLimit };
}

/** `RATE_MESSAGES_PER_MINUTE` is the context value `rateMessagesPerMinute`. */
export const contextNameOf = (variable: string): string =>
  variable.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The per-user rates and quotas given as context values (named after their environment variables). */
function limitsOf(read: ContextReader): LimitSettings {
  const rates: Partial<Record<RateLimitKind, { perMinute: number; burst: number }>> = {};
  for (const [kind, prefix] of Object.entries(rateLimitVariablePrefixes) as [RateLimitKind, string][]) {
    const perMinute = integer(read, contextNameOf(`${prefix}_PER_MINUTE`), 1, 600_000);
    const burst = integer(read, contextNameOf(`${prefix}_BURST`), 1, 100_000);
    if (perMinute === undefined && burst === undefined) continue;
    const defaults = rateLimitDefaults[kind];
    rates[kind] = { perMinute: perMinute ?? defaults.perMinute, burst: burst ?? defaults.burst };
  }
  return {
    rates,
    connectionsPerUser: integer(read, 'maxConnectionsPerUser', 1, 1000),
    roomsPerConnection: integer(read, 'maxRoomsPerConnection', 1, 1000),
  };
}

/** An SNS platform application ARN of the given platforms (APNs, FCM), or undefined when not given. */
function pushPlatformArn(read: ContextReader, name: string, platforms: string): string | undefined {
  const arn = read(name);
  const pattern = new RegExp(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:app/(${platforms})/[A-Za-z0-9_.-]+$`);
  if (arn !== undefined && !pattern.test(arn))
    refuse(name, `an SNS platform application ARN (${platforms})`, arn);
  return arn;
}

/**
 * A browser origin as browsers send it: `https://host[:port]`, or `http://localhost[:port]` for a page served on
 * the developer's machine. Lower case, no path, no trailing slash (API Gateway compares origins as strings).
 */
const ORIGIN =
  /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|http:\/\/localhost)(:[1-9]\d{0,4})?$/;

/** `allowedOrigins`: comma-separated origins whose pages may call the HTTP API (CORS); none when not given. */
function allowedOrigins(read: ContextReader): readonly string[] {
  const raw = read('allowedOrigins');
  if (raw === undefined) return [];
  const origins = raw.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    const port = Number(origin.match(/:(\d+)$/)?.[1] ?? 443);
    if (!ORIGIN.test(origin) || port > 65_535) {
      refuse(
        'allowedOrigins',
        'comma-separated origins, each https://host[:port] or http://localhost[:port]',
        raw,
      );
    }
  }
  return [...new Set(origins)];
}

/** The props of `ChatStack` that context values set, with the defaults given by the defaults. */
export function stackPropsFromContext(
  read: ContextReader,
  defaults: { readonly http: RouteThrottle; readonly webSocket: RouteThrottle; readonly auth: RouteThrottle },
): Omit<ChatStackProps, 'nagAcknowledgements'> {
  const stageName = read('stage') ?? 'prod';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) refuse('stage', 'letters, digits, "-" or "_"', stageName);
  const ephemeral = read('ephemeral') ?? 'false';
  if (ephemeral !== 'true' && ephemeral !== 'false') refuse('ephemeral', '"true" or "false"', ephemeral);
  const alarmEmail = email(read, 'alarmEmail');

  const budgetUsd = read('budgetMonthlyUsd');
  let budget: ChatStackProps['budget'];
  if (budgetUsd !== undefined) {
    const monthlyUsd = Number(budgetUsd);
    if (!Number.isFinite(monthlyUsd) || monthlyUsd <= 0)
      refuse('budgetMonthlyUsd', 'a positive amount', budgetUsd);
    const topicArn = read('budgetTopicArn');
    if (topicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(topicArn)) {
      refuse('budgetTopicArn', 'the ARN of an SNS topic', topicArn);
    }
    const budgetEmail = email(read, 'budgetEmail') ?? alarmEmail;
    if (budgetEmail === undefined && topicArn === undefined) {
      refuse(
        'budgetMonthlyUsd',
        'given with budgetEmail, alarmEmail or budgetTopicArn (someone to tell)',
        budgetUsd,
      );
    }
    budget = { monthlyUsd, email: budgetEmail, topicArn };
  }

  return {
    stageName,
    retainData: ephemeral === 'false',
    alarmEmail,
    pushPlatformArns: {
      apns: pushPlatformArn(read, 'pushApnsPlatformArn', 'APNS|APNS_SANDBOX'),
      fcm: pushPlatformArn(read, 'pushFcmPlatformArn', 'GCM'),
    },
    limits: limitsOf(read),
    fanOut: {
      shardThreshold: integer(read, 'fanOutShardThreshold', 1, 1_000_000),
      shardSize: integer(read, 'fanOutShardSize', 1, 5_000),
      postsPerSecond: integer(read, 'fanOutPostsPerSecond', 1, 10_000),
    },
    throttles: {
      http: throttle(read, 'http', defaults.http),
      webSocket: throttle(read, 'webSocket', defaults.webSocket),
      auth: throttle(read, 'auth', defaults.auth),
    },
    budget,
    allowedOrigins: allowedOrigins(read),
  };
}

/** Builds the web client into a directory (`buildWebClient` of web/build.ts). */
export type WebClientBuilder = (outdir: string) => Promise<void>;

/**
 * `webClient`: "true" builds the web client with `build` into a new temporary directory and gives it as the
 * stack's `webClient` prop (the synth copies it into the cloud assembly); "false" or absent, no web client.
 */
export async function webClientFromContext(
  read: ContextReader,
  build: WebClientBuilder,
): Promise<ChatStackProps['webClient']> {
  const wanted = read('webClient') ?? 'false';
  if (wanted !== 'true' && wanted !== 'false') refuse('webClient', '"true" or "false"', wanted);
  if (wanted === 'false') return undefined;
  const assetsDirectory = mkdtempSync(join(tmpdir(), 'chat-web-client-'));
  await build(assetsDirectory);
  return { assetsDirectory };
}
