import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '../../lib/local/dynamodb-local.ts';

export const TEST_JWT_SECRET = 'test-signing-key-that-is-long-enough-for-hs256';

/**
 * Creates a fresh table in the run's DynamoDB Local and points this test file's environment at it, the way the
 * stack's environment points a function at its table. Call it before importing any handler module.
 */
export async function useFreshTable(): Promise<{ tableName: string; endpoint: string }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  process.env.TABLE_NAME = tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.JWT_SECRET = TEST_JWT_SECRET;
  // Handler-level tests have no gateway: posts to connections fail fast and are logged, never thrown.
  process.env.WEBSOCKET_CALLBACK_URL ??= 'http://127.0.0.1:9';
  return { tableName, endpoint };
}
