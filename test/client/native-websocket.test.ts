/**
 * The library on a platform WebSocket: a Node with a global WebSocket (Node 22 has one; Node 20 with
 * `--experimental-websocket`) uses it, and never loads the `ws` package. Run in a child, so that the flag
 * applies there only.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, PASSWORD, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

const root = fileURLToPath(new URL('../../', import.meta.url));

async function runChild(flags: string[], ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...flags, '--import', 'tsx', 'test/client/fixtures/native-websocket-session.ts', ...args],
    { cwd: root, timeout: 30_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

describe('the library in Node', () => {
  it('uses the global WebSocket where there is one, and never loads ws', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'native');
    const args = [stack.httpUrl, stack.wsUrl, alice.username, PASSWORD, room];
    const native = process.versions.node.split('.')[0] === '20' ? ['--experimental-websocket'] : [];

    await expect(runChild(native, ...args)).resolves.toEqual({
      globalWebSocket: 'function',
      acked: true,
      wsLoaded: false,
    });
    // The same run without a global WebSocket (Node 20 as it comes) falls back to ws: the check can tell.
    if (native.length > 0) {
      await expect(runChild([], ...args)).resolves.toMatchObject({
        globalWebSocket: 'undefined',
        wsLoaded: true,
      });
    }
  });
});
