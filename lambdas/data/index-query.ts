import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GSI1 } from './schema.ts';

/**
 * Every item of one GSI1 partition (a user's connections, a user's sessions), every page: Queries of that
 * partition only, projected to `attributes`. GSI reads are eventually consistent.
 * @param pageSize items per page; unset in production (1 MB pages), set by tests to prove that every page is read.
 */
export async function queryIndexPartition(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  attributes: readonly string[],
  pageSize?: number,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ProjectionExpression: attributes.join(', '),
        ExclusiveStartKey: startKey,
        Limit: pageSize,
      }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
