import { Annotations, Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PushPlatform } from '../contract/index.ts';
import { notifier } from '../notifier.ts';
import { ChatFunction } from './chat-function.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

/** The SNS platform applications pushes go through, one per platform; a platform without one gets none. */
export type PushPlatformArns = Partial<Record<PushPlatform, string>>;

export interface ChatNotifierProps {
  /** The chat table, with its stream. */
  readonly table: dynamodb.ITable;
  readonly platformArns: PushPlatformArns;
}

/** `arn:…:app/APNS/chat` → `arn:…:endpoint/APNS/chat/*`: every endpoint of that platform application. */
export const endpointsOf = (platformArn: string): string => `${platformArn.replace(':app/', ':endpoint/')}/*`;

/**
 * The notifier (lib/notifier.ts): a function fed by an event source mapping on the table's stream, filtered to
 * the inserts of message items, with partial batch failures, bisection, bounded retries and record age, and an
 * SQS dead-letter queue for the records given up on. It may make, update, delete and publish to SNS endpoints
 * of the given platform applications only.
 */
export class ChatNotifier extends Construct {
  readonly function: ChatFunction;
  readonly deadLetterQueue: sqs.Queue;
  /** The platform applications given, without the absent ones. */
  readonly platformArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ChatNotifierProps) {
    super(scope, id);
    this.platformArns = Object.fromEntries(
      Object.entries(props.platformArns).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const { apns, fcm } = props.platformArns;
    // Lambda sends a record's stream position, not the record: it must be read before the stream drops it
    // (24 hours); the queue keeps the notices for 14 days.
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    this.function = new ChatFunction(this, 'Function', {
      entry: notifier.entry,
      description: 'chat: notifier (table stream: pushes for new messages)',
      environment: {
        TABLE_NAME: props.table.tableName,
        PUSH_PROVIDER: 'sns',
        PUSH_APNS_PLATFORM_ARN: apns,
        PUSH_FCM_PLATFORM_ARN: fcm,
      },
    });
    // Reads devices, connections, presence and conversations; writes push markers and device endpoints.
    props.table.grantReadWriteData(this.function);
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: notifier.batchSize,
        retryAttempts: notifier.retryAttempts,
        bisectBatchOnError: notifier.bisectBatchOnError,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.seconds(notifier.maxRecordAgeSeconds),
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [lambda.FilterCriteria.filter(notifier.filter as unknown as Record<string, unknown>)],
      }),
    );

    const applications = [apns, fcm].filter((arn): arn is string => arn !== undefined);
    if (applications.length === 0) {
      Annotations.of(this).addWarning(
        'No push platform application ARN is given (context pushApnsPlatformArn, pushFcmPlatformArn): devices can register, but no push notification will be sent.',
      );
      return;
    }
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: applications }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sns:SetEndpointAttributes', 'sns:DeleteEndpoint', 'sns:Publish'],
        resources: applications.map(endpointsOf),
      }),
    );
  }
}
