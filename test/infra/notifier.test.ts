/**
 * The notifier in the template: the table's stream, the event source mapping (filter, batching, retries,
 * dead-letter queue), the SNS grants scoped to the platform applications given, the alarms, and the warning a
 * stack without platform applications carries.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { notifier } from '../../lib/notifier.ts';
import { synthChatStack } from './synth.ts';

const APNS = 'arn:aws:sns:eu-west-1:123456789012:app/APNS/chat';
const FCM = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/chat';
const withPush = synthChatStack({ props: { pushPlatformArns: { apns: APNS, fcm: FCM } } });
const withoutPush = synthChatStack();

type Statement = { Action: string | string[]; Resource: unknown };
function notifierStatements(template: typeof withPush.template): Statement[] {
  const roleId = withPush.stack.getLogicalId(
    withPush.stack.notifier.function.role?.node.defaultChild as never,
  );
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('the notifier', () => {
  it('reads the new images of the table stream', () => {
    withPush.template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('gets only the inserts of messages, in small batches, retried, bisected, then dead-lettered', () => {
    const mappings = withPush.template.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(1);
    const properties = Object.values(mappings)[0]?.Properties;
    expect(properties).toMatchObject({
      StartingPosition: 'LATEST',
      BatchSize: notifier.batchSize,
      MaximumRetryAttempts: notifier.retryAttempts,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: notifier.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
    expect(JSON.parse(properties.FilterCriteria.Filters[0].Pattern)).toEqual(notifier.filter);
    expect(JSON.stringify(properties.DestinationConfig)).toContain(
      withPush.stack.getLogicalId(withPush.stack.notifier.deadLetterQueue.node.defaultChild as never),
    );
  });

  it('may make endpoints of the given platform applications, and use only their endpoints', () => {
    const statements = notifierStatements(withPush.template);
    const sns = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('sns:')),
    );
    expect(sns.flatMap(actionsOf)).toHaveLength(4);
    expect(sns).toEqual([
      expect.objectContaining({ Action: 'sns:CreatePlatformEndpoint', Resource: [APNS, FCM] }),
      expect.objectContaining({
        Action: expect.arrayContaining(['sns:SetEndpointAttributes', 'sns:DeleteEndpoint', 'sns:Publish']),
        Resource: [
          'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/chat/*',
          'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/chat/*',
        ],
      }),
    ]);
    const streamRead = statements.find((statement) => actionsOf(statement).includes('dynamodb:GetRecords'));
    expect(streamRead).toBeDefined();
  });

  it('is told the platform applications and to use SNS', () => {
    withPush.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PUSH_PROVIDER: 'sns',
          PUSH_APNS_PLATFORM_ARN: APNS,
          PUSH_FCM_PLATFORM_ARN: FCM,
        }),
      },
    });
  });

  it('without platform applications, has no SNS access, and the stack warns that no push is sent', () => {
    const sns = notifierStatements(withoutPush.template).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('sns:')),
    );
    expect(sns).toEqual([]);
    Annotations.fromStack(withoutPush.stack).hasWarning(
      '/ServerlessChat/Notifier',
      Match.stringLikeRegexp('no push notification will be sent'),
    );
    Annotations.fromStack(withPush.stack).hasNoWarning('*', Match.anyValue());
  });

  it('has alarms on its errors, its failed records and its dead-letter queue', () => {
    const alarms = withPush.template.findResources('AWS::CloudWatch::Alarm');
    const names = Object.values(alarms).map((alarm) => alarm.Properties.AlarmName as string);
    for (const id of ['notifier-errors', 'notifier-failures', 'notifier-dead-letters']) {
      expect(names).toContain(`ServerlessChat-${id}`);
    }
    withPush.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ServerlessChat-notifier-dead-letters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });
});
