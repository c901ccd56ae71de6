/**
 * The benchmark weighs and cold-starts bundles it builds itself (test/bench/bundles.ts); they must be the bundles
 * the stack deploys. One function is bundled both ways here (by NodejsFunction, as `cdk synth` does, and by
 * esbuild with `esbuildOptionsFor`) and the two `index.js` files compared byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { satisfies } from '../../lib/bundle-aliases/semver.ts';
import {
  bundleAliases,
  esbuildOptionsFor,
  functionBundling,
  modulesNeverLoadedOnLambda,
} from '../../lib/bundling.ts';
import { ChatFunction } from '../../lib/constructs/chat-function.ts';
import { functions } from '../../lib/routes.ts';

const workDir = mkdtempSync(join(tmpdir(), 'chat-bundling-'));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('the function bundles', () => {
  it('are built by the benchmark exactly as the stack builds them', async () => {
    // Prepare: the stack's way, for one function.
    const app = new App({ outdir: join(workDir, 'cdk.out'), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'BundlingCheck');
    const fn = new ChatFunction(stack, 'Ping', { entry: functions.ping.entry });
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const s3Key: string = Template.fromStack(stack).toJSON().Resources[logicalId].Properties.Code.S3Key;
    const byStack = readFileSync(
      join(workDir, 'cdk.out', `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js'),
    );

    // Act: the benchmark's way.
    const options = esbuildOptionsFor(functions.ping.entry, join(workDir, 'bench'));
    await esbuild.build(options);
    const byBench = readFileSync(options.outfile as string);

    // Assess
    expect(byBench.length).toBe(byStack.length);
    expect(byBench.equals(byStack)).toBe(true);
  }, 60_000);

  it('leave out only modules loaded through import(), and bundle the AWS SDK', async () => {
    const result = await esbuild.build({
      ...esbuildOptionsFor(functions.rooms.entry, join(workDir, 'rooms')),
      write: false,
    });

    const externalImports = Object.entries(result.metafile.inputs).flatMap(([from, input]) =>
      input.imports
        .filter((imported) => imported.external && !isBuiltin(imported.path))
        .map((imported) => ({ ...imported, from })),
    );
    // The Lambda client (sharded fan-out) is itself loaded through import(), on a large room's first message;
    // its own require of the event-stream serde then resolves from the runtime's SDK (lib/bundling.ts).
    const staticallyImported = externalImports.filter(
      (imported) => imported.kind !== 'dynamic-import' && !imported.from.includes('@aws-sdk/client-lambda/'),
    );
    expect(staticallyImported.map((imported) => imported.path)).toEqual([]);
    expect(new Set(externalImports.map((imported) => imported.path))).toEqual(
      new Set(modulesNeverLoadedOnLambda),
    );
    expect(functionBundling.externalModules).not.toContain('@aws-sdk/*');
  });
});

describe('the semver stand-in of the bundles', () => {
  // jsonwebtoken's own copy of semver, the one the alias replaces.
  const semver = createRequire(createRequire(import.meta.url).resolve('jsonwebtoken'))('semver') as {
    satisfies(version: string, range: string): boolean;
  };
  const ranges = ['^6.12.0 || >=8.0.0', '>=15.7.0', '>=16.9.0'];
  const versions = [
    'v6.11.9',
    'v6.12.0',
    'v7.10.1',
    'v8.0.0',
    'v15.6.0',
    'v15.7.0',
    'v16.9.0',
    'v20.20.2',
    'v24.11.1',
  ];

  it.each(ranges)('answers %s as semver does', (range) => {
    for (const version of versions) {
      expect(satisfies(version, range), version).toBe(semver.satisfies(version, range));
    }
  });

  it('refuses any other question rather than guess', () => {
    expect(() => satisfies(process.version, '>=18.0.0')).toThrow(/cannot answer/);
    expect(bundleAliases.semver).toBe('./lib/bundle-aliases/semver.ts');
  });
});

function isBuiltin(path: string): boolean {
  return path.startsWith('node:') || builtinModules.includes(path);
}
