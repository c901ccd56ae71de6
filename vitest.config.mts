import { defineConfig } from 'vitest/config';
import type { EnvironmentSettings } from './lambdas/shared/environment.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file makes its own table.
    globalSetup: ['test/support/global-setup.ts'],
    env: {
      // bcrypt's cost is lowered for tests through configuration only; the stack never sets it.
      BCRYPT_COST: '4',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    } satisfies EnvironmentSettings,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
