import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FanOutSettings, fanOutEnvironment } from '../../lambdas/shared/environment.ts';
import { fanOutWorkerSpec } from '../routes.ts';
import { ChatFunction } from './chat-function.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface ChatFanOutWorkerProps {
  readonly table: dynamodb.ITable;
  /** The functions that send room messages: each may invoke the worker, and is told its name and settings. */
  readonly senders: readonly ChatFunction[];
  /**
   * When and how room messages are sharded.
   *
   * @default the declared defaults: above 500 recipients, shards of 200, 8,000 posts a second per message
   */
  readonly settings?: FanOutSettings;
}

/**
 * The fan-out worker (`fanOutWorkerSpec` in lib/routes.ts): a function invoked asynchronously by the senders
 * of room messages, one shard each, with Lambda's retries (2) and maximum event age, and an SQS queue as its
 * on-failure destination for the shards given up on. The senders may invoke this function and nothing else;
 * the WebSocket API adds the right to post to connections.
 */
export class ChatFanOutWorker extends Construct {
  readonly function: ChatFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChatFanOutWorkerProps) {
    super(scope, id);
    // Lambda sends the event itself (the shard's frame and connection ids), with why it gave up.
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    this.function = new ChatFunction(this, 'Function', {
      entry: fanOutWorkerSpec.entry,
      description: 'chat: fanout (asynchronous: posts one shard of a message to a large room)',
      environment: { TABLE_NAME: props.table.tableName },
      timeout: Duration.seconds(fanOutWorkerSpec.timeoutSeconds),
      memorySize: fanOutWorkerSpec.memoryMb,
    });
    // Claims and marks its shard items; prunes gone connections (their memberships and presence).
    props.table.grantReadWriteData(this.function);
    this.function.configureAsyncInvoke({
      retryAttempts: fanOutWorkerSpec.retryAttempts,
      maxEventAge: Duration.seconds(fanOutWorkerSpec.maxEventAgeSeconds),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    // `grantInvoke` would also allow every version and alias (`:*`): the senders invoke the function itself.
    const invoke = new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [this.function.functionArn],
    });
    const environment = fanOutEnvironment(this.function.functionName, props.settings);
    for (const sender of props.senders) {
      sender.addToRolePolicy(invoke);
      for (const [name, value] of Object.entries(environment)) {
        if (value !== undefined) sender.setEnvironment(name as keyof typeof environment, value);
      }
    }
  }
}
