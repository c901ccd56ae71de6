/**
 * The lockout over time, over real HTTP, with a window of a few seconds: the lock grows with each failure made
 * after it ends, the right password gets in once it has ended, and a window that passes without reaching the
 * threshold starts the count afresh. Each test sends from its own loopback address.
 */
import { describe, expect, it } from 'vitest';
import { startLockoutTestStack } from '../support/logins.ts';
import { sleep } from '../support/ws-client.ts';

// Long enough that a stalled machine does not end a lock before the test looks at it, short enough to wait out.
const WINDOW_SECONDS = 3;
const WINDOW_MS = WINDOW_SECONDS * 1000;
const USERNAME_FAILURES = 2;

const { loginFrom, nextAddress, failLogins, registered, expectLockedOut } = await startLockoutTestStack({
  usernameFailures: USERNAME_FAILURES,
  windowSeconds: WINDOW_SECONDS,
});

describe('the lock over time', () => {
  it('doubles with a failure made after it ends, and lets the right password in once over', async () => {
    const account = await registered('hank');
    const address = nextAddress();
    const credentials = { username: account.username, password: account.password };
    await failLogins(address, account.username, USERNAME_FAILURES);

    const first = expectLockedOut(await loginFrom(address, credentials));
    expect(first).toBeLessThanOrEqual(WINDOW_MS);
    await sleep(first + 50);
    await failLogins(address, account.username, 1);
    const second = expectLockedOut(await loginFrom(address, credentials));

    expect(second).toBeGreaterThan(WINDOW_MS);
    expect(second).toBeLessThanOrEqual(2 * WINDOW_MS);
    await sleep(second + 50);
    const afterwards = await loginFrom(address, credentials);
    expect(afterwards.status, afterwards.text).toBe(200);
  }, 30_000);

  it('forgets failures that did not reach the threshold within the window', async () => {
    const account = await registered('ivy');
    const address = nextAddress();
    await failLogins(address, account.username, USERNAME_FAILURES - 1);
    await sleep(WINDOW_MS + 50);
    await failLogins(address, account.username, USERNAME_FAILURES - 1);

    const response = await loginFrom(address, { username: account.username, password: account.password });

    expect(response.status, response.text).toBe(200);
  });
});
