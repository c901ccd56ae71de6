/**
 * The function bundles, built with the stack's own esbuild options (lib/bundling.ts) from the route table's entries,
 * and weighed: the bytes of each `index.js` and what is in it (esbuild's metafile).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { esbuildOptionsFor } from '../../lib/bundling.ts';
import { notifier } from '../../lib/notifier.ts';
import { type FunctionName, functionNames, functions } from '../../lib/routes.ts';

/** The functions the benchmark bundles: those of lib/routes.ts, and the notifier (lib/notifier.ts). */
export const benchFunctionNames = [...functionNames, 'notifier'] as const;
export type BenchFunctionName = FunctionName | 'notifier';

/** What is bundled: a function, or the SDK floor (test/bench/sdk-floor.ts). */
export type BundleName = BenchFunctionName | 'sdkFloor';

export const SDK_FLOOR_ENTRY = 'test/bench/sdk-floor.ts';

export interface Bundle {
  readonly name: BundleName;
  /** The bundle, `<dir>/index.js`. */
  readonly file: string;
  readonly bytes: number;
  /** Bytes in the bundle per package (or per source folder of ours), largest first. */
  readonly composition: readonly { readonly part: string; readonly bytes: number }[];
}

/** Builds every function (the notifier included), and the SDK floor, each into its own folder under `root`. */
export async function buildBundles(root: string): Promise<Bundle[]> {
  const entries: [BundleName, string][] = [
    ...functionNames.map((name): [BundleName, string] => [name, functions[name].entry]),
    ['notifier', notifier.entry],
    ['sdkFloor', SDK_FLOOR_ENTRY],
  ];
  return Promise.all(
    entries.map(async ([name, entry]) => {
      const outdir = join(root, name);
      const options = esbuildOptionsFor(entry, outdir);
      const result = await esbuild.build(options);
      const file = options.outfile as string;
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
      if (output === undefined) throw new Error(`esbuild wrote no entry output for ${name}`);
      const parts = new Map<string, number>();
      for (const [path, input] of Object.entries(output.inputs)) {
        const part = partOf(path);
        parts.set(part, (parts.get(part) ?? 0) + input.bytesInOutput);
      }
      return {
        name,
        file,
        bytes: statSync(file).size,
        composition: [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes),
      };
    }),
  );
}

/** `@smithy/core` (with its submodule), `zod`, or a folder of ours such as `lambdas/shared`. */
function partOf(path: string): string {
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules === -1) return path.split('/').slice(0, 2).join('/');
  const segments = path.slice(inModules + 'node_modules/'.length).split('/');
  const name = segments[0]?.startsWith('@') ? segments.slice(0, 2).join('/') : (segments[0] as string);
  const submodule = /\/dist-es\/submodules\/([^/]+)\//.exec(path)?.[1];
  return submodule === undefined ? name : `${name}/${submodule}`;
}
