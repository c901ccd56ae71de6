import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableSchema } from '../../lambdas/data/schema.ts';

/** Options of the chat's single DynamoDB table. */
export interface ChatTableProps {
  /**
   * Keep the table (and its data) when it leaves the stack or the stack is deleted. Turn it off only for
   * throw-away stacks, where `cdk destroy` should leave nothing behind.
   *
   * @default true
   */
  readonly retain?: boolean;
}

/**
 * The one table of the single-table design, built from `tableSchema` (the module the data layer and the local
 * stack read) so that the deployed keys, index and TTL attribute cannot drift from what the code expects.
 */
export class ChatTable extends dynamodb.Table {
  constructor(scope: Construct, id: string, props: ChatTableProps = {}) {
    const { partitionKey, sortKey, ttlAttribute, globalSecondaryIndexes } = tableSchema;
    super(scope, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: ttlAttribute,
      // New images only: the notifier reads new messages from the stream (lib/constructs/notifier.ts).
      stream: dynamodb.StreamViewType[tableSchema.streamViewType],
      // Chat traffic is spiky and mostly idle: on-demand costs nothing at rest and needs no capacity planning.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted with the AWS-managed key (aws/dynamodb): auditable in CloudTrail, nothing to rotate or pay for.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: (props.retain ?? true) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const index of globalSecondaryIndexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
