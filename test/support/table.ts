import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { EnvironmentSettings } from '../../lambdas/shared/environment.ts';
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
  const settings: EnvironmentSettings = {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    JWT_SECRET: TEST_JWT_SECRET,
    // Handler-level tests have no gateway: posts to connections fail fast and are logged, never thrown.
    WEBSOCKET_CALLBACK_URL: process.env.WEBSOCKET_CALLBACK_URL ?? 'http://127.0.0.1:9',
  };
  Object.assign(process.env, settings);
  return { tableName, endpoint };
}
