/**
 * The fan-out worker in the template: its asynchronous invocation settings (retries, event age, on-failure
 * queue), who may invoke it (the senders of room messages, on the function itself only), what it may do
 * (post to connections, the table), the senders' settings from context, and its alarms.
 */
import { describe, expect, it } from 'vitest';
import { fanOutEnvironment } from '../../lambdas/shared/environment.ts';
import { fanOutWorkerSpec, functionNames, invokesFanOut } from '../../lib/routes.ts';
import { synthChatStack } from './synth.ts';

const synthed = synthChatStack();
const tuned = synthChatStack({
  props: { fanOut: { shardThreshold: 1000, shardSize: 250, postsPerSecond: 5000 } },
});
const { stack, template } = synthed;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const workerId = idOf(stack.fanOutWorker.function);

type Statement = { Action: string | string[]; Resource: unknown };
function statementsOf(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
const roleIdOf = (fn: { role?: { node: { defaultChild?: unknown } } }) =>
  stack.getLogicalId(fn.role?.node.defaultChild as never);
const invokes = (statements: Statement[]) =>
  statements.filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));

describe('the fan-out worker', () => {
  it('is retried twice, drops events older than its maximum age, and sends the failed to its queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toMatchObject({
      FunctionName: { Ref: workerId },
      MaximumRetryAttempts: fanOutWorkerSpec.retryAttempts,
      MaximumEventAgeInSeconds: fanOutWorkerSpec.maxEventAgeSeconds,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.fanOutWorker.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('runs for at most its lease, with a whole vCPU, the table and the callback URL', () => {
    const worker = template.findResources('AWS::Lambda::Function')[workerId];
    expect(worker?.Properties.Timeout).toBe(fanOutWorkerSpec.timeoutSeconds);
    expect(worker?.Properties.MemorySize).toBe(fanOutWorkerSpec.memoryMb);
    expect(Object.keys(worker?.Properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'WEBSOCKET_CALLBACK_URL']),
    );
  });

  it('may post to connections (POST only), and invoke nothing', () => {
    const statements = statementsOf(roleIdOf(stack.fanOutWorker.function));
    const manage = statements.filter((statement) =>
      [statement.Action].flat().includes('execute-api:ManageConnections'),
    );
    expect(manage).toHaveLength(1);
    expect(JSON.stringify(manage[0]?.Resource)).toContain('/POST/@connections/*');
    expect(invokes(statements)).toEqual([]);
  });

  it('may be invoked by the senders of room messages only, on the function itself', () => {
    for (const name of functionNames) {
      const statements = invokes(statementsOf(roleIdOf(stack.functions.byName[name])));
      if (!invokesFanOut(name)) {
        expect(statements, name).toEqual([]);
        continue;
      }
      expect(statements, name).toEqual([
        expect.objectContaining({ Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }),
      ]);
    }
  });

  it('gives the senders its name and the default settings, or those given', () => {
    const environmentOf = (synth: typeof synthed, name: 'message' | 'rooms') =>
      synth.template.findResources('AWS::Lambda::Function')[
        synth.stack.getLogicalId(synth.stack.functions.byName[name].node.defaultChild as never)
      ]?.Properties.Environment.Variables;
    const defaults = fanOutEnvironment('x');
    expect(environmentOf(synthed, 'message')).toMatchObject({
      FANOUT_FUNCTION_NAME: { Ref: workerId },
      FANOUT_SHARD_THRESHOLD: defaults.FANOUT_SHARD_THRESHOLD,
      FANOUT_SHARD_SIZE: defaults.FANOUT_SHARD_SIZE,
      FANOUT_POSTS_PER_SECOND: defaults.FANOUT_POSTS_PER_SECOND,
    });
    expect(environmentOf(tuned, 'rooms')).toMatchObject({
      FANOUT_SHARD_THRESHOLD: '1000',
      FANOUT_SHARD_SIZE: '250',
      FANOUT_POSTS_PER_SECOND: '5000',
    });
  });

  it('has alarms on its errors, its throttles and its queue', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );
    for (const id of ['fanout-errors', 'fanout-throttles', 'fanout-dead-letters']) {
      expect(names).toContain(`ServerlessChat-${id}`);
    }
  });
});
