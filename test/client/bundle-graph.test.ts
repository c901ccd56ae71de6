/**
 * The client library runs in browsers and React Native: bundled for the browser from its entry, its import
 * graph holds no Node built-in and no `ws` (which Node 20 alone loads, by a dynamic import bundlers do not
 * follow), and none of the CLI.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What may not be in the graph: `node:*`, every Node built-in by its bare name, and `ws`. */
function forbidden(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '').split('/')[0] ?? '';
  return specifier.startsWith('node:') || builtinModules.includes(name) || specifier === 'ws';
}

/**
 * Bundles `entry` (a file, or source text resolved from the root) for the browser; returns the files of its
 * graph and every forbidden import, each as "importer -> specifier". A forbidden import is kept external (so
 * that the build finishes and says where it came from) rather than left to fail as unresolvable.
 */
async function browserGraph(entry: { file: string } | { source: string }) {
  const found: string[] = [];
  const recordForbidden: Plugin = {
    name: 'record-forbidden',
    setup(plugin) {
      plugin.onResolve({ filter: /.*/ }, (args) => {
        if (!forbidden(args.path)) return undefined;
        found.push(`${args.importer.replace(root, '')} -> ${args.path}`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' } }),
    absWorkingDir: root,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [recordForbidden],
  });
  return { inputs: Object.keys(result.metafile.inputs), forbidden: found };
}

describe('the client library bundled for the browser', () => {
  it('imports no Node built-in, no ws and nothing of the CLI', async () => {
    const graph = await browserGraph({ file: 'lib/client/index.ts' });

    expect(graph.forbidden).toEqual([]);
    expect(graph.inputs).toContain('lib/client/socket.ts');
    expect(
      graph.inputs.filter((file) => !file.startsWith('lib/client/') && !file.startsWith('lib/contract/')),
    ).toEqual([]);
    expect(graph.inputs.filter((file) => file.startsWith('lib/client/cli/'))).toEqual([]);
  });

  it('catches a Node built-in or ws anywhere in the graph, by either spelling', async () => {
    const graph = await browserGraph({
      source: [
        "export * from './lib/client/index.ts';",
        "export { randomBytes } from 'node:crypto';",
        "export { readFileSync } from 'fs';",
        "export { default as WebSocket } from 'ws';",
      ].join('\n'),
    });

    expect(graph.forbidden).toEqual(['entry.ts -> node:crypto', 'entry.ts -> fs', 'entry.ts -> ws']);
  });

  it('catches one deep in the graph: the CLI, which may use Node, fails the check', async () => {
    const graph = await browserGraph({ file: 'lib/client/cli/program.ts' });

    expect(graph.forbidden.length).toBeGreaterThan(0);
    expect(graph.forbidden.some((edge) => edge.startsWith('lib/client/cli/'))).toBe(true);
  });
});
