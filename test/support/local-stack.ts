import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../lib/local/stack.ts';
import { TEST_JWT_SECRET } from './table.ts';

/**
 * Starts the local stack (the code path of `npm start`) on free ports, against the run's shared DynamoDB Local
 * and a fresh table. One per test file: handlers read their environment once per process.
 */
export async function startTestStack(
  options: Pick<
    LocalStackOptions,
    'idleTimeoutMs' | 'maxConnectionMs' | 'loginLockout' | 'environment' | 'log'
  > = {},
): Promise<LocalStack> {
  return startLocalStack({
    host: '127.0.0.1',
    port: 0,
    wsPort: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `e2e-${randomUUID()}`,
    jwtSecret: TEST_JWT_SECRET,
    ...options,
  });
}
