/**
 * The CLI (bin/chat.ts) bundled once per test run into one ES module, which the CLI tests start with plain
 * `node`. Started through tsx instead, each of the suite's hundred-odd CLI processes spent about a second of CPU
 * on tsx's own process and loading the TypeScript sources; the bundle starts in about a fifth of that. The code
 * is the same: esbuild only joins the modules, as for the Lambda functions. test/cli/entry.test.ts still runs
 * the `chat` entry itself (bin/chat.js through tsx), as `npm link` installs it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles the CLI into node_modules/.cache (inside the repository, so that packages it leaves to Node, such as
 * the `ws` its client loads by a dynamic import on Node 20, resolve from the project's node_modules).
 * @returns the bundle's path.
 */
export async function bundleCli(): Promise<string> {
  const directory = join(repositoryRoot, 'node_modules', '.cache', 'serverless-chat-tests');
  mkdirSync(directory, { recursive: true });
  const outfile = join(directory, `chat-${process.pid}.mjs`);
  await build({
    entryPoints: [join(repositoryRoot, 'bin', 'chat.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    // CommonJS packages in an ES module bundle still call `require` for Node's built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
}
