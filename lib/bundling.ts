/**
 * How every function is bundled, written once: the stack hands {@link functionBundling} to each `NodejsFunction`
 * (lib/constructs/chat-function.ts), and the benchmark (test/bench) builds the same entries with
 * {@link esbuildOptionsFor}, which turns those options into esbuild's, the way aws-cdk-lib turns them into
 * esbuild's command line. So the bundles the benchmark weighs and cold-starts are the bundles that deploy.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: esbuild runs here, and alias paths are relative to it. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Modules that the bundled SDK reaches only through `await import()` on paths a Lambda function never takes, left
 * out of the bundles (about 110 KB of each).
 *
 * - The credential providers after the first: the SDK's default chain tries the environment first, and Lambda
 *   always puts the function role's credentials there (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 *   `AWS_SESSION_TOKEN`). SSO, shared ini files, credential processes, web identity, the container and instance
 *   metadata endpoints, and the STS/SSO/sign-in clients behind them, are never loaded there.
 * - `@smithy/core/event-streams`: loaded by the protocol only for event-stream operations, which none of the
 *   functions' operations (DynamoDB, `@connections`, Secrets Manager, Lambda's `Invoke`) are. The Lambda client
 *   requires it as it loads, but is itself loaded through `await import()`, on a large room's first message.
 *
 * Should one of them ever be imported, the import still resolves on Lambda: the Node.js runtime ships the AWS SDK
 * v3 on its `NODE_PATH`.
 */
export const modulesNeverLoadedOnLambda: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
  '@smithy/core/event-streams',
];

/**
 * Packages replaced in the bundles by a small module of ours (esbuild `alias`; paths relative to the repository
 * root, where esbuild runs).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  // jsonwebtoken asks semver three questions about the Node.js version at load; semver is 29 KB minified and
  // compiles some 80 regular expressions at every cold start to answer them.
  semver: './lib/bundle-aliases/semver.ts',
};

/** The `bundling` options of every chat function. */
export const functionBundling: BundlingOptions = {
  minify: true,
  sourceMap: true,
  // The maps only need names and positions; leaving the sources out keeps each bundle small.
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  // Prefer the packages' ES module builds: esbuild can tree-shake those (not their CommonJS builds), which takes
  // about a fifth off each bundle. The output is still CommonJS.
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK v3 clients instead of using the runtime's copy: the versions we test against are the
  // versions that run, and tree-shaken clients load faster than the runtime's full packages. Only what Lambda
  // never loads is left out.
  externalModules: [...modulesNeverLoadedOnLambda],
  esbuildArgs: {
    '--alias': Object.entries(bundleAliases).map(([name, path]) => `${name}=${path}`),
  },
};

/** The `BundlingOptions` keys {@link esbuildOptionsFor} translates; any other key would be silently ignored. */
const translatedKeys = new Set([
  'minify',
  'sourceMap',
  'sourcesContent',
  'target',
  'format',
  'mainFields',
  'externalModules',
  'esbuildArgs',
]);

/**
 * esbuild's options for bundling one function entry with {@link functionBundling}, as `NodejsFunction` bundles it
 * (`esbuild --bundle <entry> --platform=node ...` run in the repository root), plus a metafile for the benchmark.
 *
 * @param entry the entry file, relative to the repository root (as in lib/routes.ts)
 * @param outdir where `index.js` and its map are written
 */
export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions & { metafile: true } {
  const options = functionBundling;
  for (const key of Object.keys(options)) {
    if (!translatedKeys.has(key)) throw new Error(`esbuildOptionsFor does not translate bundling.${key} yet`);
  }
  const alias: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.esbuildArgs ?? {})) {
    if (key !== '--alias' || !Array.isArray(value)) {
      throw new Error(`esbuildOptionsFor does not translate esbuildArgs ${key} yet`);
    }
    for (const pair of value) {
      const [name, path] = pair.split('=') as [string, string];
      alias[name] = path;
    }
  }
  return {
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: options.target,
    format: options.format === OutputFormat.ESM ? 'esm' : 'cjs',
    outfile: join(outdir, options.format === OutputFormat.ESM ? 'index.mjs' : 'index.js'),
    minify: options.minify === true,
    sourcemap: options.sourceMap === true,
    sourcesContent: options.sourcesContent !== false,
    external: [...(options.externalModules ?? [])],
    mainFields: options.mainFields === undefined ? undefined : [...options.mainFields],
    alias,
    metafile: true,
    logLevel: 'warning',
  };
}
