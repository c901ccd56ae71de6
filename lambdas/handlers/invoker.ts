import type { FanOutShard, ShardInvoker, Sharding } from '../domain/sharded-fanout.ts';
import { fanOutSharding } from '../shared/config.ts';

/**
 * Hands shards to the fan-out worker with Lambda's asynchronous `Invoke` (`InvocationType: 'Event'`): Lambda
 * queues the event and answers 202 at once; it runs the worker, retries a failed run twice, and sends an event
 * it gives up on to the worker's on-failure destination. An asynchronous payload may be up to 1 MB (the Invoke
 * API reference); a shard's is a message frame (at most 128 KB, the WebSocket limit) and its connection ids
 * (about 18 bytes each: 9 KB for 500). The Lambda client is loaded on the first large room's message only, so
 * that it costs the other invocations' cold starts nothing.
 */
export function lambdaShardInvoker(functionName: string): ShardInvoker {
  let client: Promise<{ invoke(payload: string): Promise<number | undefined> }> | undefined;
  const connect = async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const lambda = new LambdaClient({});
    return {
      invoke: async (payload: string) =>
        (
          await lambda.send(
            new InvokeCommand({
              FunctionName: functionName,
              InvocationType: 'Event',
              Payload: new TextEncoder().encode(payload),
            }),
          )
        ).StatusCode,
    };
  };
  return {
    async invoke(shard: FanOutShard) {
      client ??= connect();
      const status = await (await client).invoke(JSON.stringify(shard));
      if (status !== 202) throw new Error(`Invoke of ${functionName} answered ${status}, not 202`);
    },
  };
}

/**
 * Sharded fan-out as configured (FANOUT_*), for the functions that send room messages (`message`, `rooms`): only
 * they import this module, so only their bundles carry the Lambda client. Undefined without the worker's name.
 */
export function shardingFromConfig(): Sharding | undefined {
  const settings = fanOutSharding();
  if (settings === undefined) return undefined;
  const { functionName, ...rest } = settings;
  return { ...rest, invoker: lambdaShardInvoker(functionName) };
}
