import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { LimitSettings } from '../../lambdas/shared/environment.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../lib/local/stack.ts';
import { TEST_JWT_SECRET } from './table.ts';

/**
 * Per-user rates no test reaches, for files that send many requests as one user to prove something else
 * (paging through hundreds of messages, an export of them): the limits themselves are test/e2e/limits.test.ts's.
 */
export const VOLUME_LIMITS: LimitSettings = {
  rates: {
    message: { perMinute: 600_000, burst: 100_000 },
    join: { perMinute: 600_000, burst: 100_000 },
    roomCreation: { perMinute: 600_000, burst: 100_000 },
    conversationOpen: { perMinute: 600_000, burst: 100_000 },
    reaction: { perMinute: 600_000, burst: 100_000 },
  },
};

/**
 * Starts the local stack (the code path of `npm start`) on free ports, against the run's shared DynamoDB Local
 * and a fresh table. One per test file: handlers read their environment once per process.
 */
export async function startTestStack(
  options: Pick<
    LocalStackOptions,
    'idleTimeoutMs' | 'maxConnectionMs' | 'loginLockout' | 'limits' | 'environment' | 'log' | 'allowedOrigins'
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
