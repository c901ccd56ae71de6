/**
 * The floor under every function that reads the table: the document client exactly as the functions build it
 * (lambdas/data/client.ts) and one GetItem, nothing else. The benchmark bundles and cold-starts it like the
 * functions, as the baseline of what the AWS SDK alone weighs and costs at a cold start.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/data/client.ts';

const doc = createDocumentClient();
const tableName = process.env.TABLE_NAME;

export const handler = async () => {
  await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'USER#nobody', SK: 'PROFILE' } }));
  return { statusCode: 200 };
};
