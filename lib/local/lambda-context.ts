/**
 * What every emulated Lambda invocation needs, shared by the HTTP and WebSocket gateway emulators: the
 * `Context` object, the id and time formats API Gateway uses, and the call itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Callback, Context } from 'aws-lambda';
import type { ExecutionEnvironments } from './concurrency.ts';

/** The account id of every local ARN and request context (the same placeholder LocalStack uses). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** API Gateway's own integration limit: a Lambda behind it never gets more than 29 s to answer. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 29_000;

const DEFAULT_MEMORY_MB = 1024;

/**
 * A Lambda handler as the Node.js runtime calls it. The callback parameter is typed `never` only so that any
 * handler fits, `aws-lambda`'s `Handler` included; the emulators support promise-returning handlers, as the
 * Node.js 24 runtime does.
 */
export type LambdaHandler<TEvent> = (event: TEvent, context: Context, callback: never) => unknown;

/** A handler mounted on a route, with the function settings the context reports. */
export interface FunctionTarget<TEvent> {
  /** The Lambda function's name, as the stack names it; it appears in the context and the logs. */
  functionName: string;
  handler: LambdaHandler<TEvent>;
  /** The function's timeout, for `getRemainingTimeInMillis()`. Default 29 s. */
  timeoutMs?: number;
  /** The function's memory size, as the context reports it. Default 1024. */
  memoryLimitInMB?: number;
  /**
   * The function's emulated execution environments (lib/local/concurrency.ts): invocations beyond them wait
   * their turn. Without them every invocation runs at once.
   */
  environments?: ExecutionEnvironments;
}

export interface LambdaContextOptions {
  functionName: string;
  /** Default 29 s (API Gateway's integration limit). */
  timeoutMs?: number;
  memoryLimitInMB?: number;
}

/** One log stream per function, like one warm container that serves every invocation. */
const logStreams = new Map<string, string>();

function logStreamOf(functionName: string): string {
  let stream = logStreams.get(functionName);
  if (stream === undefined) {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    stream = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    logStreams.set(functionName, stream);
  }
  return stream;
}

function unsupported(name: string): () => never {
  return () => {
    throw new Error(
      `context.${name}() is not supported: return a promise from the handler (Node.js 24 runtime)`,
    );
  };
}

/**
 * Builds the Lambda `Context` for one invocation. The clock of `getRemainingTimeInMillis()` starts now.
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const { functionName } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? DEFAULT_MEMORY_MB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: logStreamOf(functionName),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

const unsupportedCallback: Callback<unknown> = () => {
  throw new Error('callback-style handlers are not supported: return a promise (Node.js 24 runtime)');
};

/**
 * Calls a mounted handler with a fresh context, in one of its execution environments once one is free, and
 * resolves with what it returns; a throw or a rejection rejects, and so does a throttled invocation.
 */
export async function invokeFunction<TEvent>(
  target: FunctionTarget<TEvent>,
  event: TEvent,
): Promise<unknown> {
  // The context (and its remaining time) starts with the invocation, not with the wait for an environment.
  const invoke = async () => {
    const context = createLambdaContext({
      functionName: target.functionName,
      timeoutMs: target.timeoutMs,
      memoryLimitInMB: target.memoryLimitInMB,
    });
    return await target.handler(event, context, unsupportedCallback as never);
  };
  return target.environments === undefined ? invoke() : target.environments.run(target.functionName, invoke);
}

/**
 * A request id in API Gateway's style (`JKJaXmPLvHcESHA=`): ten random bytes in base64. HTTP APIs use it
 * for `requestId` and the `apigw-requestid` header; WebSocket APIs for `requestId` and `extendedRequestId`.
 */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `21/Nov/2026:10:00:00 +0000`: the common-log-format time of `requestContext.time` and `requestTime`. */
export function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = pad(date.getUTCDate());
  const month = MONTHS[date.getUTCMonth()];
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day}/${month}/${date.getUTCFullYear()}:${time} +0000`;
}

/** The client's address without the IPv4-mapped IPv6 prefix Node reports (`::ffff:127.0.0.1`). */
export function sourceIpOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '127.0.0.1';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice('::ffff:'.length) : remoteAddress;
}

/** An X-Ray trace header like the one API Gateway adds: `Root=1-<epoch seconds hex>-<24 hex digits>`. */
export function newTraceId(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000).toString(16);
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}

/** A host for a URL: IPv6 literals need brackets. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts `server` listening and resolves with the port it got (port 0 picks a free one). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Answers a request to an emulated AWS service speaking REST-JSON (the management API, Lambda's Invoke): the
 * status, the request id, and for an error its type, which the SDK's protocol reads from `x-amzn-ErrorType` to
 * throw e.g. a `GoneException`.
 */
export function sendServiceJson(
  response: ServerResponse,
  status: number,
  requestId: string,
  body?: unknown,
  errorType?: string,
): void {
  response.statusCode = status;
  response.setHeader('x-amzn-RequestId', requestId);
  if (errorType !== undefined) response.setHeader('x-amzn-ErrorType', errorType);
  if (body === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}
