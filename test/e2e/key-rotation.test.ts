/**
 * The signing-key rotation of docs/deployment.md, run against the local stack: the functions read the key from
 * the emulated Secrets Manager with the real SDK client, and the key is rotated with the real SDK's
 * `PutSecretValue`, exactly the documented command. The key is cached for 1 second here (300 on AWS).
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lambdas/shared/logger.ts';
import { keyIdOf } from '../../lambdas/shared/tokens.ts';
import { countingFetch, signUp } from '../client/helpers.ts';
import { apiClient } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { putSecretValue } from '../support/secrets.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';
import { sleep, TestSocket } from '../support/ws-client.ts';

const CACHE_SECONDS = 1;
const stack = await startTestStack({ environment: { SIGNING_KEY_CACHE_SECONDS: String(CACHE_SECONDS) } });
// The functions' one logger was made (at the suite's level, CRITICAL) when this file imported tokens.ts; warnings
// are logged here so that the stale-key warning can be seen.
logger.setLogLevel('WARN');
const sockets: TestSocket[] = [];
afterAll(async () => {
  for (const socket of sockets) await socket.close();
  await stack.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});
const api = apiClient(stack.httpUrl);

/** Every function's cached key is older than its lifetime once this has passed since the put. */
const waitForCacheLifetime = () => sleep(CACHE_SECONDS * 1000 + 200);

const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;
const newKey = () => randomBytes(32).toString('hex');
const me = (token: string) => api.call('GET', '/auth/me', { token });

async function openSocket(token: string): Promise<TestSocket> {
  const socket = await TestSocket.open(stack.wsUrl, { token });
  sockets.push(socket);
  return socket;
}

/** The status a handshake with `token` is refused with, or `open`. */
async function handshake(token: string): Promise<number | 'open'> {
  try {
    await openSocket(token);
    return 'open';
  } catch (error) {
    return (error as { status: number }).status;
  }
}

/** The log lines (of every level, on either stream) written while `action` runs. */
async function logLinesDuring(action: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof stream.write);
  }
  await action();
  vi.restoreAllMocks();
  return lines;
}

describe('rotating the signing key with PutSecretValue', () => {
  it('refuses old access tokens after the cache lifetime, while sessions and open sockets carry on', async () => {
    const user = await api.signUp('rotate');
    const socket = await openSocket(user.token);
    const counter = countingFetch();
    const client = await signUp(stack.httpUrl, 'typed', { fetch: counter.fetch });
    expect(kidOf(user.token)).toBe(keyIdOf(TEST_JWT_SECRET));
    expect((await me(user.token)).status).toBe(200);

    const rotated = newKey();
    const put = await putSecretValue(stack.secretsManagerEndpoint, stack.signingKeySecretArn, rotated);
    expect(put).toMatchObject({ ARN: stack.signingKeySecretArn, VersionStages: ['AWSCURRENT'] });
    await waitForCacheLifetime();

    const oldTokenOverHttp = await me(user.token);
    const oldTokenHandshake = await handshake(user.token);
    const pong = await socket.request({ action: 'ping' }, 'pong');
    const refreshed = await api.callRoute('POST /auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    const typedMe = await client.api.me();

    expect(oldTokenOverHttp.status).toBe(401);
    expect(oldTokenHandshake).toBe(401);
    // A socket is authenticated once, at its handshake, as on API Gateway: rotation does not close it.
    expect(pong).toEqual({ type: 'pong' });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(kidOf(refreshed.body.token)).toBe(keyIdOf(rotated));
    expect(kidOf(refreshed.body.token)).not.toBe(kidOf(user.token));
    expect((await me(refreshed.body.token)).status).toBe(200);
    expect(await handshake(refreshed.body.token)).toBe('open');
    // The typed client met the 401, refreshed by itself once, and answered.
    expect(typedMe.userId).toBe(client.userId);
    expect(counter.calls('/auth/refresh')).toBe(1);
    expect(counter.calls('/auth/me')).toBe(2);
  });

  it('keeps the key in use when the new value is too short, and logs a warning without either key', async () => {
    const current = newKey();
    await putSecretValue(stack.secretsManagerEndpoint, stack.signingKeySecretArn, current);
    await waitForCacheLifetime();
    const user = await api.signUp('shortkey');
    // Each function holds its own key, as each container does: the one of GET /auth/me reads `current` here.
    const beforeBadPut = await me(user.token);
    const tooShort = 'short-key';

    await putSecretValue(stack.secretsManagerEndpoint, stack.signingKeySecretArn, tooShort);
    await waitForCacheLifetime();
    let answer = { status: 0 };
    const lines = await logLinesDuring(async () => {
      answer = await me(user.token);
    });
    const login = await api.callRoute('POST /auth/login', {
      body: { username: user.username, password: user.password },
    });

    expect(beforeBadPut.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(login.status).toBe(200);
    expect(kidOf(user.token)).toBe(keyIdOf(current));
    expect(kidOf(login.body.token)).toBe(keyIdOf(current));
    const warnings = lines.filter((line) => line.includes('The signing key could not be re-read'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] as string)).toMatchObject({ level: 'WARN', error: 'Error' });
    expect(warnings[0]).not.toContain(tooShort);
    expect(warnings[0]).not.toContain(current);
  });
});
