/**
 * `npm run build:client [-- <outdir>]`: builds the client library (lib/client) as its own package, by default
 * into dist/client: `index.js`, one ES module bundled by esbuild for any platform (the only contract module it
 * loads at run time, lib/contract/limits.ts, is bundled in); `types/`, the declarations written by tsc
 * (lib/client/tsconfig.build.json); and its package.json and README.md. Publish with `npm publish <outdir>`.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const clientDirectory = join(root, 'lib', 'client');

/** Builds the package into `outdir`, emptied first. */
export async function buildClientPackage(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(clientDirectory, 'index.ts')],
    absWorkingDir: root,
    outfile: join(outdir, 'index.js'),
    bundle: true,
    // Neutral: no Node built-in and no browser shim is assumed. `ws` is never bundled: the socket module loads
    // it on Node 20 only, by an import() whose specifier is a variable.
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  // The TypeScript of node_modules, as `npx tsc` runs it: no other copy is assumed.
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(clientDirectory, 'tsconfig.build.json'),
      '--outDir',
      join(outdir, 'types'),
    ],
    { cwd: root },
  );
  for (const file of ['package.json', 'README.md'])
    copyFileSync(join(clientDirectory, file), join(outdir, file));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(root, 'dist', 'client'));
  await buildClientPackage(outdir);
  console.log(`Built the client package in ${outdir}`);
}
