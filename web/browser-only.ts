/**
 * An esbuild plugin that fails a browser build importing a Node built-in (`node:fs`, `fs`) or `ws`, naming the
 * importer: the web client talks to the backend only through the client library, which runs on the platform's
 * own `fetch` and `WebSocket`. (esbuild alone would resolve `ws` from node_modules and bundle it silently.)
 */
import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

/** Whether a bare or `node:` specifier names a Node built-in, or is `ws`. */
export function isNodeOnly(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '').split('/')[0] ?? '';
  return specifier.startsWith('node:') || builtinModules.includes(name) || name === 'ws';
}

export const browserOnly: Plugin = {
  name: 'browser-only',
  setup(plugin) {
    plugin.onResolve({ filter: /.*/ }, (args) =>
      isNodeOnly(args.path)
        ? {
            errors: [
              { text: `${args.path} is Node-only and cannot be part of the web client (${args.importer})` },
            ],
          }
        : undefined,
    );
  },
};
