/**
 * The emulated event source mapping when the stream has moved past one of its shard iterators. DynamoDB Local
 * answers TrimmedDataAccessException for such an iterator (seen when the suite ran with three workers on two
 * cores), but cannot be made to on demand: here the real Streams client gets a middleware that answers it for
 * the first iterator the mapping reads with, every time, as a trimmed position stays trimmed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, expect, it } from 'vitest';
import { tableSchema } from '../../lambdas/data/schema.ts';
import { localAwsSettings, tableStreamArn } from '../../lib/local/dynamodb-local.ts';
import { type StreamMapping, startStreamMapping } from '../../lib/local/stream-mapping.ts';
import { useFreshTable } from '../support/table.ts';

const { tableName, endpoint } = await useFreshTable();
const { partitionKey, sortKey } = tableSchema;
const mappings: StreamMapping[] = [];
afterAll(() => Promise.all(mappings.map((mapping) => mapping.stop())));

it('reads on from the oldest record kept when GetRecords says the iterator was trimmed, as Lambda does', async () => {
  const client = new DynamoDBStreamsClient({ endpoint, ...localAwsSettings });
  let poisoned: string | undefined;
  let refusals = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const iterator = (args.input as { ShardIterator?: string }).ShardIterator;
      if (context.commandName === 'GetRecordsCommand' && iterator !== undefined) {
        poisoned ??= iterator;
        if (iterator === poisoned) {
          refusals++;
          throw Object.assign(new Error('The operation attempted to read past the oldest stream record'), {
            name: 'TrimmedDataAccessException',
          });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'trimmedIterator' },
  );
  const received: DynamoDBRecord[] = [];
  const mapping = await startStreamMapping({
    endpoint,
    streamArn: await tableStreamArn(endpoint, tableName),
    target: { functionName: 'recorder', handler: async (event) => void received.push(...event.Records) },
    filter: {},
    batchSize: 100,
    retryAttempts: 0,
    bisectBatchOnError: false,
    pollIntervalMs: 50,
    onDeadLetter: () => {},
    client,
  });
  mappings.push(mapping);

  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings }));
  await doc.send(new PutCommand({ TableName: tableName, Item: { [partitionKey]: 'P#1', [sortKey]: 'S#1' } }));
  const deadline = Date.now() + 10_000;
  while (received.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));

  expect(refusals).toBe(1);
  expect(mapping.stats.iteratorsRenewed).toBe(1);
  expect(received.map((record) => record.dynamodb?.Keys?.[partitionKey]?.S)).toEqual(['P#1']);
});
