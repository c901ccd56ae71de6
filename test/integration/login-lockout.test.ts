/**
 * The login handler's lockout against DynamoDB Local, called as API Gateway would call it, for what a real
 * socket cannot send: any `sourceIp` (IPv6, mapped, odd or missing), and failures racing each other.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loginFailuresKey } from '../../lambdas/data/keys.ts';
import type { EnvironmentSettings } from '../../lambdas/shared/environment.ts';
import { uniqueName } from '../support/accounts.ts';
import { expectContractError } from '../support/contract.ts';
import { httpEvent, readResponse } from '../support/events.ts';
import { tableReader, useFreshTable } from '../support/table.ts';

const ADDRESS_FAILURES = 2;
const { tableName, endpoint } = await useFreshTable();
// Set before the handler loads, as the stack sets them on the function; no username lock within these tests.
Object.assign(process.env, {
  LOGIN_USERNAME_FAILURES: '1000',
  LOGIN_ADDRESS_FAILURES: String(ADDRESS_FAILURES),
  LOGIN_FAILURE_WINDOW_SECONDS: '600',
} satisfies EnvironmentSettings);
const { handler } = await import('../../lambdas/handlers/login.ts');

/** A login with a wrong password from `sourceIp` (`undefined`: an event without `requestContext.http`). */
async function failFrom(sourceIp: string | undefined, username = uniqueName('nobody')) {
  const event = httpEvent({ routeKey: 'POST /auth/login', body: { username, password: 'wrong password' } });
  const context = event.requestContext as { http?: APIGatewayProxyEventV2['requestContext']['http'] };
  if (sourceIp === undefined) delete context.http;
  else event.requestContext.http.sourceIp = sourceIp;
  const result = await handler(event);
  const response = readResponse(result);
  expectContractError(response, `login from ${JSON.stringify(sourceIp)?.slice(0, 40)}`);
  return { ...response, headers: result.headers ?? {} };
}

/** Fails logins from `sourceIp` until its address counter is at the threshold. */
async function exhaust(sourceIp: string | undefined): Promise<void> {
  for (let index = 0; index < ADDRESS_FAILURES; index++) expect((await failFrom(sourceIp)).status).toBe(401);
}

describe('source addresses', () => {
  it.each([
    ['text that is no address', 'not-an-address'],
    ['a huge one', `1.2.3.4${' '.repeat(100_000)}x`],
    ['a forwarded-for list', '198.51.100.1, 203.0.113.9'],
    ['a link-local IPv6 address with a zone', 'fe80::1%eth0'],
  ])('answer the contract from %s, and lock it as any other', async (_, sourceIp) => {
    await exhaust(sourceIp);

    const locked = await failFrom(sourceIp);

    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(locked.headers['retry-after']).toBe(String(Math.ceil(locked.body.retryAfterMs / 1000)));
  });

  it('count an event without an address as one with an empty address', async () => {
    await exhaust(undefined);

    const locked = await failFrom('');

    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('lock a whole IPv6 /64 together, and no other', async () => {
    await exhaust('2001:db8:aa:1::1');

    expect((await failFrom('2001:db8:aa:1:ffff:ffff:ffff:fffe')).status).toBe(429);
    expect((await failFrom('2001:db8:aa:2::1')).status).toBe(401);
  });

  it('count an IPv4 address and its IPv4-mapped IPv6 form as one', async () => {
    await exhaust('::ffff:198.51.100.77');

    expect((await failFrom('198.51.100.77')).status).toBe(429);
    expect((await failFrom('198.51.100.78')).status).toBe(401);
  });
});

describe('failures at once', () => {
  it('are all counted: concurrent failures of one username lose no count', async () => {
    const username = uniqueName('Raced');
    const concurrent = 20;

    const responses = await Promise.all(
      Array.from({ length: concurrent }, (_, index) => failFrom(`203.0.113.${index + 1}`, username)),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(concurrent).fill(401));
    const counter = (
      await tableReader(endpoint).send(
        new GetCommand({ TableName: tableName, Key: loginFailuresKey({ username }), ConsistentRead: true }),
      )
    ).Item;
    expect(counter).toMatchObject({ failures: concurrent, type: 'LoginFailures' });
    // Neither the username nor anything typed reaches the table; the item expires by itself.
    expect(JSON.stringify(counter).toLowerCase()).not.toContain(username.toLowerCase());
    expect(counter?.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });
});
