import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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

/** A Query of one GSI1 partition whose sort key is the item's id, after `after`. */
export function indexAfter(partition: string, after: string | undefined) {
  return {
    IndexName: GSI1,
    KeyConditionExpression: after === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK > :after',
    ExpressionAttributeValues:
      after === undefined ? { ':pk': partition } : { ':pk': partition, ':after': after },
  };
}

/** A Query of the items of one prefix in a table partition, after the item whose sort key is prefix + `after`. */
export function partitionAfter(
  query: { readonly PK: string; readonly SKPrefix: string },
  after: string | undefined,
) {
  return {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': query.PK, ':prefix': query.SKPrefix },
    // The cursor holds only the sort value; the partition is the caller's own.
    ...(after === undefined ? {} : { ExclusiveStartKey: { PK: query.PK, SK: `${query.SKPrefix}${after}` } }),
  };
}

/** One page of a Query: up to `limit` items, and whether more follow (one more is read to know it). */
export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
): Promise<{ readonly items: Record<string, unknown>[]; readonly hasMore: boolean }> {
  const output = await doc.send(new QueryCommand({ ...input, Limit: limit + 1 }));
  const items = output.Items ?? [];
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}
