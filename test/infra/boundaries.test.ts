/**
 * The import boundaries of the layout: the contract is a leaf (zod only), runtime code reaches lib/ only for the
 * contract, and the shared runtime modules never import the domain. Read from the source text, so a new import
 * that crosses a boundary fails here before it ships.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Every module a file imports (static imports and re-exports), as a path from the root or a package name. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map(([, target]) =>
    target.startsWith('.') ? relative(root, resolve(dirname(join(root, file)), target)) : target,
  );
}

describe('import boundaries', () => {
  it('finds the sources it checks', () => {
    expect(sourcesUnder('lambdas').length).toBeGreaterThan(20);
    expect(sourcesUnder('lib/contract').length).toBeGreaterThan(3);
  });

  it('keeps the contract a leaf: it imports zod and itself only', () => {
    for (const file of sourcesUnder('lib/contract')) {
      for (const target of importsOf(file)) {
        expect(target === 'zod/mini' || target.startsWith('lib/contract/'), `${file} imports ${target}`).toBe(
          true,
        );
      }
    }
  });

  it('lets runtime code reach lib/ only for the contract', () => {
    for (const file of sourcesUnder('lambdas')) {
      for (const target of importsOf(file).filter((path) => path.startsWith('lib/'))) {
        expect(target.startsWith('lib/contract/'), `${file} imports ${target}`).toBe(true);
      }
    }
  });

  it('keeps lambdas/shared and lambdas/data free of the domain', () => {
    for (const file of [...sourcesUnder('lambdas/shared'), ...sourcesUnder('lambdas/data')]) {
      for (const target of importsOf(file)) {
        expect(target.startsWith('lambdas/domain/'), `${file} imports ${target}`).toBe(false);
      }
    }
  });

  it('keeps the client library free of server code', () => {
    for (const file of sourcesUnder('lib/client')) {
      for (const target of importsOf(file)) {
        expect(target.startsWith('lambdas/'), `${file} imports ${target}`).toBe(false);
      }
    }
  });
});
