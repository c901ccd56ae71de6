/**
 * The table's physical schema. The CDK table construct, the local stack and the test harness all build the
 * table from these constants, so the deployed table and the one the tests use cannot drift.
 */
export const tableSchema = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** DynamoDB TTL attribute, epoch seconds. */
  ttlAttribute: 'expiresAt',
  /** The table's stream holds each item as written (new images): the notifier reads new messages from it. */
  streamViewType: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    {
      indexName: 'GSI1',
      partitionKey: 'GSI1PK',
      sortKey: 'GSI1SK',
    },
  ],
} as const;

export const GSI1 = tableSchema.globalSecondaryIndexes[0].indexName;

/** The input of a CreateTable call for this schema (on-demand), for DynamoDB Local. */
export function createTableInput(tableName: string) {
  const { partitionKey, sortKey, globalSecondaryIndexes } = tableSchema;
  const keyNames = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableSchema.streamViewType },
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: gsi.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
