/**
 * The web client's build: what it writes (and that it leaves config.json to whoever serves it), and the guard
 * that fails a build whose graph reaches a Node built-in or `ws`, by either spelling and from any depth.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { browserOnly, isNodeOnly } from '../../web/browser-only.ts';
import { buildWebClient } from '../../web/build.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const directories: string[] = [];

afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

/** Bundles `source` for the browser with the guard; resolves with the errors esbuild reported. */
async function guardedBuild(source: string): Promise<string[]> {
  try {
    await build({
      stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [browserOnly],
    });
    return [];
  } catch (error) {
    return (error as { errors: { text: string }[] }).errors.map((failure) => failure.text);
  }
}

describe('the web client build', () => {
  it('writes a minified bundle, the page and its stylesheet, and no config.json', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'chat-web-build-'));
    directories.push(outdir);

    await buildWebClient(outdir);

    expect((await readdir(outdir)).sort()).toEqual(['app.js', 'index.html', 'styles.css']);
    const bundle = await readFile(join(outdir, 'app.js'), 'utf8');
    expect(bundle.split('\n').length).toBeLessThan(5);
    expect(bundle).not.toMatch(/from\s*["'](node:|ws["'])/);
    expect(await readFile(join(outdir, 'index.html'), 'utf8')).toContain('src="app.js"');
  });

  it('fails a build that imports a Node built-in or ws, naming it', async () => {
    const errors = await guardedBuild(
      [
        "import 'node:crypto';",
        "import 'fs';",
        "import 'ws';",
        "export * from './lib/client/index.ts';",
      ].join('\n'),
    );

    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(/node:crypto is Node-only/);
    expect(errors.join('\n')).toMatch(/fs is Node-only/);
    expect(errors.join('\n')).toMatch(/ws is Node-only/);
  });

  it('fails when the Node-only import is deep in the graph (the CLI)', async () => {
    const errors = await guardedBuild("export * from './lib/client/cli/program.ts';");

    expect(errors.length).toBeGreaterThan(0);
  });

  it('tells Node-only specifiers from the rest', () => {
    expect(['node:fs', 'fs/promises', 'path', 'ws'].map(isNodeOnly)).toEqual([true, true, true, true]);
    expect(['preact', 'preact/hooks', './ws.ts', 'wsx'].map(isNodeOnly)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
