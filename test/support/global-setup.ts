import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { bundleCli } from './cli-bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** The CLI as one bundled module (test/support/cli-bundle.ts). */
    cliBundle: string;
  }
}

/**
 * One DynamoDB Local for the whole test run; each test file creates its own table in it. And the CLI bundled
 * once, for the CLI tests' child processes.
 */
export default async function setup(project: TestProject) {
  const cliBundle = await bundleCli();
  project.provide('cliBundle', cliBundle);
  const dynamo = await startDynamoDbLocal({
    // The suite's bottleneck on 2 cores is DynamoDB Local's CPU, much of it the JIT's optimising compiler (C2)
    // compiling for a peak the run never reaches. The quick compiler alone and the serial collector halved the
    // Java process's CPU time over the same four test files (57 s to 28 s; docs/testing.md).
    jvmOptions: ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
    rmSync(cliBundle, { force: true });
  };
}
