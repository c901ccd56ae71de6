import { afterAll, afterEach, expect, it } from 'vitest';
import { startTestStack } from '../support/local-stack.ts';
import { ChatProcess, closedPort, killAll, newConfigDir, removeConfigDirs } from './harness.ts';

const stack = await startTestStack();
afterAll(async () => {
  removeConfigDirs();
  await stack.stop();
});
afterEach(() => killAll());

it('npm run smoke passes against the local stack, one ✓ line per step', async () => {
  const smoke = ChatProcess.start(
    ['--api-url', stack.httpUrl, '--ws-url', stack.wsUrl],
    {
      apiUrl: '',
      wsUrl: '',
      configDir: newConfigDir(),
    },
    { script: 'bin/smoke.ts' },
  );
  const result = await smoke.result(30_000);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  const steps = result.stdout.split('\n').filter((line) => /^[✓✗] /.test(line));
  expect(steps.length).toBeGreaterThanOrEqual(8);
  expect(steps.every((line) => line.startsWith('✓ '))).toBe(true);
  expect(result.stdout).toContain('Smoke test passed.');
});

it('smoke fails with exit status 1 and names the failing step when the API cannot be reached', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const smoke = ChatProcess.start(
    ['--api-url', url, '--ws-url', stack.wsUrl],
    {
      apiUrl: '',
      wsUrl: '',
      configDir: newConfigDir(),
    },
    { script: 'bin/smoke.ts' },
  );
  const result = await smoke.result(30_000);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(
    /^✗ register and log in two throw-away users: cannot reach .* \(UNREACHABLE\)$/m,
  );
  expect(result.stdout).toContain('Smoke test failed at: register and log in two throw-away users');
});
