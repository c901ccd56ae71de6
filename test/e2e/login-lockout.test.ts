/**
 * The login lockout over real HTTP (PROTOCOL.md "Failed logins"): per username, existing or not, and per source
 * address. Each test sends from its own loopback address (the gateway reports the socket's real address), so
 * that the address counters of the tests stay apart. Thresholds are lowered through the local stack's settings;
 * the window is long, so that no lock can run out while a test looks at it.
 */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../support/accounts.ts';
import { expectContractError } from '../support/contract.ts';
import { apiClient, type RawResponse } from '../support/http-client.ts';
import { startLockoutTestStack } from '../support/logins.ts';
import { scanAll, tableReader, unexpectedKeys } from '../support/table.ts';

const USERNAME_FAILURES = 3;
const ADDRESS_FAILURES = 6;
const WINDOW_SECONDS = 600;

const { stack, loginFrom, nextAddress, failLogins, registered, expectLockedOut } =
  await startLockoutTestStack({
    usernameFailures: USERNAME_FAILURES,
    addressFailures: ADDRESS_FAILURES,
    windowSeconds: WINDOW_SECONDS,
  });

describe('the username lockout', () => {
  it('locks an existing and an unknown username alike, with answers that differ in nothing but the wait', async () => {
    const account = await registered('alice');
    const unknown = uniqueName('ghost');
    const [first, second] = [nextAddress(), nextAddress()];
    await failLogins(first, account.username, USERNAME_FAILURES);
    await failLogins(second, unknown, USERNAME_FAILURES);

    const existing = await loginFrom(first, { username: account.username, password: 'wrong again' });
    const missing = await loginFrom(second, { username: unknown, password: 'wrong again' });

    expectLockedOut(existing);
    expectLockedOut(missing);
    expect(existing.body.retryAfterMs).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
    const sameWait = (text: string) => text.replace(/"retryAfterMs":\d+/, '"retryAfterMs":0');
    expect(sameWait(missing.text)).toBe(sameWait(existing.text));
    const headerNames = (response: RawResponse) => Object.keys(response.headers).sort();
    expect(headerNames(missing)).toEqual(headerNames(existing));
    expect(missing.headers['content-type']).toBe(existing.headers['content-type']);
    expect(missing.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  });

  it('refuses the right password while locked, from any address', async () => {
    const account = await registered('bob');
    const [attacker, owner] = [nextAddress(), nextAddress()];
    await failLogins(attacker, account.username, USERNAME_FAILURES);

    const credentials = { username: account.username, password: account.password };
    expectLockedOut(await loginFrom(attacker, credentials));
    expectLockedOut(await loginFrom(owner, credentials));
  });

  it('counts every casing of a username as one', async () => {
    const account = await registered('Frank');
    const address = nextAddress();
    const casings = [account.username.toUpperCase(), account.username.toLowerCase(), account.username];
    for (const username of casings) await failLogins(address, username, 1);

    const credentials = { username: account.username.toLowerCase(), password: account.password };
    expectLockedOut(await loginFrom(nextAddress(), credentials));
  });

  it('does not touch another user, even from the locked user’s address', async () => {
    const [locked, other] = [await registered('dave'), await registered('erin')];
    const address = nextAddress();
    await failLogins(address, locked.username, USERNAME_FAILURES);

    const elsewhere = await loginFrom(nextAddress(), { username: other.username, password: other.password });
    const sameAddress = await loginFrom(address, { username: other.username, password: other.password });

    expect(elsewhere.status, elsewhere.text).toBe(200);
    expect(sameAddress.status, sameAddress.text).toBe(200);
  });
});

describe('the address lockout', () => {
  it('locks an address that fails across many usernames, and only that address', async () => {
    const account = await registered('carol');
    const address = nextAddress();
    for (let index = 0; index < ADDRESS_FAILURES; index++) {
      await failLogins(address, uniqueName(`spray${index}`), 1);
    }
    const credentials = { username: account.username, password: account.password };

    expectLockedOut(await loginFrom(address, credentials));
    expectLockedOut(await loginFrom(address, { username: uniqueName('fresh'), password: 'whatever1' }));
    const elsewhere = await loginFrom(nextAddress(), credentials);
    expect(elsewhere.status, elsewhere.text).toBe(200);
  });

  it('does not count a successful login, nor a request refused for its shape', async () => {
    const account = await registered('gina');
    const address = nextAddress();
    const credentials = { username: account.username, password: account.password };
    for (let index = 0; index < ADDRESS_FAILURES; index++) {
      expect((await loginFrom(address, credentials)).status).toBe(200);
      expect((await loginFrom(address, { username: 'x'.repeat(255), password: 'p' })).status).toBe(400);
      expect((await loginFrom(address, '{"username":')).status).toBe(400);
    }

    const response = await loginFrom(address, credentials);

    expect(response.status, response.text).toBe(200);
    // A login let through starts a session as any other: its refresh token is good for a new access token.
    const { refreshToken } = JSON.parse(response.text) as { refreshToken: string };
    const refreshed = await apiClient(stack.httpUrl).call('POST', '/auth/refresh', {
      body: { refreshToken },
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  });
});

describe('hostile input', () => {
  it('counts and locks the longest, oddest usernames, keeping only their hashes', async () => {
    const odd = `ROOM#x ${'é'.repeat(100)}#USER#admin\u0000${'z'.repeat(140)}`.slice(0, 254);
    const address = nextAddress();
    for (let index = 0; index < USERNAME_FAILURES; index++) {
      const response = await loginFrom(address, { username: odd, password: `guess ${index}` });
      expect(response.status, response.text).toBe(401);
      expectContractError(response, 'odd username');
    }

    expectLockedOut(await loginFrom(nextAddress(), { username: odd, password: 'guess' }));
    const items = await scanAll(tableReader(stack.dynamoEndpoint), stack.tableName);
    expect(unexpectedKeys(items)).toEqual([]);
    expect(JSON.stringify(items)).not.toContain('admin');
  });
});
