/**
 * The wiring between the route table and the handler modules: the stack bundles `entry` and calls its `handler`
 * export, so both must exist, and a handler that declares the route keys it serves must serve exactly the keys
 * the table sends it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames, functions, routeKeysOf } from '../../lib/routes.ts';
import { repoRoot } from './synth.ts';

beforeAll(() => {
  // Handler modules read their configuration at load time (as on a cold start); give them harmless values.
  // Nothing is called, so nothing is reached.
  process.env.TABLE_NAME ??= 'infra-test';
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.JWT_SECRET ??= 'x'.repeat(32);
  process.env.WEBSOCKET_CALLBACK_URL ??= 'http://127.0.0.1:1';
});

describe.each(functionNames)('the %s function', (name) => {
  const entryPath = fileURLToPath(new URL(functions[name].entry, repoRoot));

  it('has its entry file', () => {
    expect(existsSync(entryPath), entryPath).toBe(true);
  });

  it('exports a handler function that serves exactly its routes in the table', async () => {
    const module = await import(entryPath);

    expect(typeof module.handler).toBe('function');
    // The http/ws wrappers attach the route keys they dispatch on: a handler built without them is a failure.
    const routeKeys: unknown = module.handler.routeKeys;
    expect(Array.isArray(routeKeys), `${name}'s handler does not list the route keys it serves`).toBe(true);
    expect([...(routeKeys as string[])].sort()).toEqual(routeKeysOf(name).sort());
  });
});
