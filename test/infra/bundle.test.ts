/**
 * The one full synthesis, as `cdk synth` runs it: every function bundled by the local esbuild (no Docker) and the
 * template checked by aws-cdk-lib's built-in CloudFormation validator. Then each bundle is loaded from the cloud
 * assembly, outside the repository, to prove it is self-contained (the AWS SDK inside, nothing external) and that
 * the CommonJS output still exports `handler`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatStack } from '../../lib/chat-stack.ts';
import { functionNames } from '../../lib/routes.ts';
import { synthChatStack } from './synth.ts';

const require = createRequire(import.meta.url);
const outdir = mkdtempSync(join(tmpdir(), 'chat-synth-'));
let stack: ChatStack;
let template: Template;

beforeAll(() => {
  // Bundles run their module scope when loaded, as on a cold start; give them harmless configuration.
  process.env.TABLE_NAME ??= 'infra-test';
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.JWT_SECRET ??= 'x'.repeat(32);
  process.env.JWT_SECRET_ARN ??= 'arn:aws:secretsmanager:us-east-1:000000000000:secret:infra-test';
  process.env.WEBSOCKET_CALLBACK_URL ??= 'http://127.0.0.1:1';

  // Act: throws if esbuild fails on any entry or the validator rejects the template.
  ({ stack, template } = synthChatStack({ bundle: true, outdir }));
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

function bundleDirOf(name: (typeof functionNames)[number]): string {
  const logicalId = stack.getLogicalId(stack.functions.byName[name].node.defaultChild as CfnElement);
  const s3Key: string = template.toJSON().Resources[logicalId].Properties.Code.S3Key;
  return join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

describe.each(functionNames)('the %s bundle', (name) => {
  it('is a minified CommonJS file with a source map that leaves the sources out', () => {
    const dir = bundleDirOf(name);

    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    const sourceMap = JSON.parse(readFileSync(join(dir, 'index.js.map'), 'utf8'));
    expect(sourceMap.sources.length).toBeGreaterThan(0);
    expect(sourceMap.sourcesContent ?? []).toEqual([]);
  });

  it('loads on its own and exports handler', () => {
    const bundle = require(join(bundleDirOf(name), 'index.js'));

    expect(typeof bundle.handler).toBe('function');
  });
});
