/**
 * A local emulation of Lambda's `Invoke` API for asynchronous invocations, the way the chat uses it: the
 * senders of room messages hand shards to the fan-out worker with `InvocationType: 'Event'`. It speaks the REST
 * protocol of `@aws-sdk/client-lambda` (`POST /2015-03-31/functions/{name}/invocations`, the type in
 * `X-Amz-Invocation-Type`, the event as the body; errors carry `x-amzn-ErrorType`), so the handlers' real SDK
 * client reaches it through `AWS_ENDPOINT_URL_LAMBDA`. As on AWS, an accepted event is answered 202 at once and
 * queued; it runs the function's handler module in this process with the event as sent, in one of the
 * function's emulated execution environments; a failed run is retried (`retryAttempts` times, after delays
 * that stand for AWS's minute and two), and an event given up on (retries spent, or older than its maximum
 * age) goes to the emulated on-failure destination, `failedEvents`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  type FunctionTarget,
  hostForUrl,
  invokeFunction,
  listen,
  newRequestId,
  sendServiceJson,
} from './lambda-context.ts';

/** A function that may be invoked asynchronously, with its asynchronous invocation settings. */
export interface AsyncFunctionTarget extends FunctionTarget<unknown> {
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
}

export interface LambdaServiceOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The functions by name, as `FunctionName` (or the last part of an ARN) gives it. */
  readonly functions: ReadonlyMap<string, AsyncFunctionTarget>;
  /**
   * The wait before each retry. Lambda waits about a minute before the first and two before the second; the
   * local stack waits 1 and 2 seconds by default, so that a retry shows while one looks.
   */
  readonly retryDelaysMs?: readonly number[];
  readonly log?: (line: string) => void;
}

/** An event given up on, as the on-failure destination receives it. */
export interface FailedEvent {
  readonly functionName: string;
  readonly event: unknown;
  /** Runs made, the first included. */
  readonly attempts: number;
  readonly reason: string;
  readonly at: string;
}

export interface LambdaServiceEmulator {
  /** `http://host:port`: what `AWS_ENDPOINT_URL_LAMBDA` is set to. */
  readonly endpoint: string;
  /** The emulated on-failure destination, oldest first. */
  readonly failedEvents: readonly FailedEvent[];
  /** Events accepted, runs made (retries included), and retries, so far. */
  readonly stats: { accepted: number; runs: number; retries: number };
  /** Resolves once no event is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  /** Stops accepting events, drops the retries not yet due, and waits for the runs under way. */
  close(): Promise<void>;
}

/** An asynchronous payload may be up to 1 MB (Lambda's Invoke API reference); a larger one is refused. */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000];

const answer = (response: ServerResponse, status: number, body?: unknown, errorType?: string) =>
  sendServiceJson(response, status, newRequestId(), body, errorType);

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaService(options: LambdaServiceOptions): Promise<LambdaServiceEmulator> {
  const log = options.log ?? (() => {});
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const failedEvents: FailedEvent[] = [];
  const stats = { accepted: 0, runs: 0, retries: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  let closing = false;
  const settle = () => {
    pending--;
    if (pending > 0) return;
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  const run = async (
    name: string,
    target: AsyncFunctionTarget,
    event: unknown,
    queuedAt: number,
    attempt = 1,
  ) => {
    stats.runs++;
    try {
      await invokeFunction(target, event);
      settle();
    } catch (error) {
      const reason = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
      const delayMs = retryDelaysMs[attempt - 1] ?? retryDelaysMs.at(-1) ?? 0;
      const expired = Date.now() + delayMs - queuedAt > target.maxEventAgeSeconds * 1000;
      if (attempt > target.retryAttempts || expired || closing) {
        failedEvents.push({
          functionName: name,
          event,
          attempts: attempt,
          reason,
          at: new Date().toISOString(),
        });
        log(`LAMBDA ${name} gave up after ${attempt} runs (on-failure destination): ${reason}`);
        settle();
        return;
      }
      log(`LAMBDA ${name} run ${attempt} failed, retried in ${delayMs}ms: ${reason}`);
      stats.retries++;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void run(name, target, event, queuedAt, attempt + 1);
      }, delayMs);
      timers.add(timer);
    }
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      answer(response, 500, { message: String(error) }, 'ServiceException');
    });
  });
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const match = INVOKE_PATH.exec((request.url ?? '/').split('?')[0] as string);
    const body = await readBody(request);
    if (request.method !== 'POST' || match === null) {
      return answer(response, 404, { message: 'Not Found' }, 'UnknownOperationException');
    }
    // `my-function`, `123456789012:function:my-function` or its full ARN.
    const name = decodeURIComponent(match[1] as string)
      .split(':')
      .at(-1) as string;
    const target = options.functions.get(name);
    if (target === undefined) {
      return answer(
        response,
        404,
        { Type: 'User', message: `Function not found: ${name}` },
        'ResourceNotFoundException',
      );
    }
    if (request.headers['x-amz-invocation-type'] !== 'Event') {
      return answer(
        response,
        400,
        { Type: 'User', message: 'The local Lambda emulation runs asynchronous (Event) invocations only' },
        'InvalidParameterValueException',
      );
    }
    if (body.length > MAX_ASYNC_PAYLOAD_BYTES) {
      return answer(
        response,
        413,
        { Type: 'User', message: 'Request must be smaller than 1048576 bytes' },
        'RequestTooLargeException',
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return answer(
        response,
        400,
        { Type: 'User', message: 'Could not parse request body into json' },
        'InvalidRequestContentException',
      );
    }
    if (closing) return answer(response, 503, { message: 'Shutting down' }, 'ServiceException');
    stats.accepted++;
    pending++;
    // Queued: the run starts after the answer, as Lambda's internal queue hands it on.
    setImmediate(() => void run(name, target, event, Date.now()));
    log(`LAMBDA ${name} event accepted (${body.length} bytes)`);
    return answer(response, 202);
  };

  const port = await listen(server, options.port, options.host);
  let stopped: Promise<void> | undefined;
  const idle = () =>
    pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
  return {
    endpoint: `http://${hostForUrl(options.host)}:${port}`,
    failedEvents,
    stats,
    idle,
    close() {
      stopped ??= (async () => {
        closing = true;
        for (const timer of timers) {
          clearTimeout(timer);
          settle();
        }
        timers.clear();
        await idle();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopped;
    },
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
