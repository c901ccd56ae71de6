import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountConcurrency, ExecutionEnvironments } from '../../lib/local/concurrency.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { type AsyncFunctionTarget, startLambdaService } from '../../lib/local/lambda-service.ts';

/** Every event each function was run with, in order. */
const runs: { name: string; event: unknown }[] = [];
const failuresLeft = new Map<string, number>([['flaky', 1]]);

const fn = (name: string, retryAttempts = 2): [string, AsyncFunctionTarget] => [
  name,
  {
    functionName: name,
    environments: new ExecutionEnvironments(2, new AccountConcurrency()),
    retryAttempts,
    maxEventAgeSeconds: 60,
    handler: async (event) => {
      runs.push({ name, event });
      if (name === 'broken') throw new Error('always fails');
      const left = failuresLeft.get(name) ?? 0;
      if (left > 0) {
        failuresLeft.set(name, left - 1);
        throw new Error('fails once');
      }
    },
  },
];

const service = await startLambdaService({
  host: '127.0.0.1',
  port: 0,
  retryDelaysMs: [20, 40],
  functions: new Map([fn('steady'), fn('flaky'), fn('broken')]),
});
afterAll(() => service.close());
// The handlers' own client, pointed at the emulation as AWS_ENDPOINT_URL_LAMBDA points it.
const lambda = new LambdaClient({ endpoint: service.endpoint, ...localAwsSettings });
const invoke = (name: string, payload: unknown, type: 'Event' | 'RequestResponse' = 'Event') =>
  lambda.send(
    new InvokeCommand({
      FunctionName: name,
      InvocationType: type,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );

describe('the emulated Lambda Invoke API', () => {
  it('answers an asynchronous invocation 202 before it runs, then runs the handler with the event as sent', async () => {
    const answer = await invoke('steady', { shard: 1 });
    expect(answer.StatusCode).toBe(202);
    await service.idle();
    expect(runs).toContainEqual({ name: 'steady', event: { shard: 1 } });
  });

  it('takes a function ARN as its name', async () => {
    const answer = await invoke('arn:aws:lambda:us-east-1:000000000000:function:steady', { by: 'arn' });
    expect(answer.StatusCode).toBe(202);
    await service.idle();
    expect(runs).toContainEqual({ name: 'steady', event: { by: 'arn' } });
  });

  it('retries a failed run after its delay', async () => {
    await invoke('flaky', { n: 1 });
    await service.idle();
    expect(runs.filter((run) => run.name === 'flaky')).toHaveLength(2);
    expect(service.failedEvents).toEqual([]);
  });

  it('gives up after the retries and sends the event to the on-failure destination', async () => {
    await invoke('broken', { n: 2 });
    await service.idle();
    expect(runs.filter((run) => run.name === 'broken')).toHaveLength(3);
    expect(service.failedEvents).toEqual([
      expect.objectContaining({ functionName: 'broken', event: { n: 2 }, attempts: 3 }),
    ]);
  });

  it('refuses an unknown function, a synchronous invocation and a payload over 1 MB, as Lambda does', async () => {
    await expect(invoke('nobody', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(invoke('steady', {}, 'RequestResponse')).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(invoke('steady', { data: 'x'.repeat(1024 * 1024) })).rejects.toMatchObject({
      name: 'RequestTooLargeException',
    });
  });
});
