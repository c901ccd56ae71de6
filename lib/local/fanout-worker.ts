/**
 * The fan-out worker in the local stack: the same handler module as the Lambda function, behind the emulated
 * Lambda Invoke API (lib/local/lambda-service.ts) with the settings of `fanOutWorkerSpec` (lib/routes.ts), so
 * that the senders' real Lambda client hands it shards as on AWS.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fanOutWorkerSpec } from '../routes.ts';
import type { ExecutionEnvironments } from './concurrency.ts';
import type { LambdaHandler } from './lambda-context.ts';
import { type LambdaServiceEmulator, startLambdaService } from './lambda-service.ts';

export interface LocalFanOutWorker extends LambdaServiceEmulator {
  /** The worker's function name, as the senders are given it (`FANOUT_FUNCTION_NAME`). */
  readonly functionName: string;
  /** Loads the handler module; call it once the functions' environment is set. */
  load(): Promise<void>;
}

/** Starts the emulated Invoke API for the worker; events that arrive before `load` fail (and are retried). */
export async function startLocalFanOutWorker(options: {
  readonly host: string;
  readonly repositoryRoot: string;
  readonly environments: ExecutionEnvironments;
  readonly retryDelaysMs?: readonly number[];
  readonly log: (line: string) => void;
}): Promise<LocalFanOutWorker> {
  const functionName = `chat-${fanOutWorkerSpec.name}`;
  let handler: LambdaHandler<unknown> | undefined;
  const service = await startLambdaService({
    host: options.host,
    port: 0,
    retryDelaysMs: options.retryDelaysMs,
    log: options.log,
    functions: new Map([
      [
        functionName,
        {
          functionName,
          environments: options.environments,
          timeoutMs: fanOutWorkerSpec.timeoutSeconds * 1000,
          retryAttempts: fanOutWorkerSpec.retryAttempts,
          maxEventAgeSeconds: fanOutWorkerSpec.maxEventAgeSeconds,
          handler: (event, context, callback) => {
            if (handler === undefined) throw new Error(`Function ${functionName} is not loaded yet`);
            return handler(event, context, callback);
          },
        },
      ],
    ]),
  });
  return Object.assign(service, {
    functionName,
    async load() {
      const url = pathToFileURL(resolve(options.repositoryRoot, fanOutWorkerSpec.entry)).href;
      handler = ((await import(url)) as { handler: LambdaHandler<unknown> }).handler;
    },
  });
}
