/**
 * Builds the web chat client (web/src, Preact) into a directory that any static host can serve: `app.js` (one
 * minified bundle for browsers), `index.html` and `styles.css`. The host adds `config.json` (the API URLs):
 * `npm start` serves one of its own (lib/local/web-server.ts), the CDK stack writes one at deploy.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserOnly } from './browser-only.ts';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** Builds the web client into `outdir` (created when missing); rejects when the bundle would need Node. */
export async function buildWebClient(outdir: string): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [join(webRoot, 'src/main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'browser',
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [browserOnly],
  });
  await copyFile(join(webRoot, 'index.html'), join(outdir, 'index.html'));
  await copyFile(join(webRoot, 'styles.css'), join(outdir, 'styles.css'));
}
