/**
 * Logins for the lockout's tests: sent from a chosen loopback address (the gateway reports the socket's real
 * address as `sourceIp`), failed on purpose, and the lockout's answer checked against the contract.
 */
import { afterAll, expect } from 'vitest';
import type { LocalStack, LocalStackOptions } from '../../lib/local/stack.ts';
import { type NewAccount, newAccount } from './accounts.ts';
import { expectContractError } from './contract.ts';
import { apiClient, JSON_BODY, type RawResponse, rawRequest } from './http-client.ts';
import { startTestStack } from './local-stack.ts';

/**
 * Starts a test file's local stack with these lockout settings (stopped after the file), and the login helpers
 * for it.
 */
export async function startLockoutTestStack(
  loginLockout: NonNullable<LocalStackOptions['loginLockout']> & { readonly windowSeconds: number },
) {
  const stack = await startTestStack({ loginLockout });
  afterAll(() => stack.stop());
  return { stack, ...loginClient(stack, loginLockout.windowSeconds) };
}

/** The login helpers of one stack whose failed-login window is `windowSeconds` long. */
export function loginClient(stack: LocalStack, windowSeconds: number) {
  const api = apiClient(stack.httpUrl);
  // 127.0.0.1 is left to signing up, which never fails a login; every caller of nextAddress gets its own.
  let lastHost = 10;

  /** `POST /auth/login` from `address`, with a JSON body (or a raw string, sent as is). */
  function loginFrom(address: string, body: unknown): Promise<RawResponse> {
    return rawRequest(stack.httpUrl, {
      method: 'POST',
      path: '/auth/login',
      headers: JSON_BODY,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      localAddress: address,
    });
  }

  return {
    loginFrom,

    /** A loopback address no other caller got: its own address counter. */
    nextAddress: (): string => `127.0.0.${++lastHost}`,

    /** Fails `count` logins of `username` from `address`, each with the contract's 401. */
    async failLogins(address: string, username: string, count: number): Promise<void> {
      for (let index = 0; index < count; index++) {
        const response = await loginFrom(address, { username, password: `wrong password ${index}` });
        expect(response.status, response.text).toBe(401);
        expectContractError(response, 'failed login');
      }
    },

    /** A registered account, not logged in. */
    async registered(prefix: string): Promise<NewAccount> {
      const account = newAccount(prefix);
      expect((await api.call('POST', '/auth/register', { body: account })).status).toBe(201);
      return account;
    },

    /** Asserts the lockout's answer (429 TOO_MANY_ATTEMPTS, one wait in body and header); returns the wait. */
    expectLockedOut(response: RawResponse): number {
      expect(response.status, response.text).toBe(429);
      expectContractError(response, 'locked login');
      expect(response.body.code).toBe('TOO_MANY_ATTEMPTS');
      const { retryAfterMs } = response.body;
      expect(retryAfterMs).toBeGreaterThan(0);
      // The longest lock is 8 windows.
      expect(retryAfterMs).toBeLessThanOrEqual(8 * windowSeconds * 1000);
      expect(response.headers['retry-after']).toBe(String(Math.ceil(retryAfterMs / 1000)));
      return retryAfterMs;
    },
  };
}
