import { afterEach, describe, expect, it } from 'vitest';
import {
  cachedSigningKey,
  issueToken,
  keyIdOf,
  signingKeyFromEnvironment,
  verifyToken,
} from '../../lambdas/shared/tokens.ts';

/*
 * The secret is a fake read function here: it counts reads, can be rotated, and can fail (Secrets Manager
 * unavailable, which the local stack's emulation never is), which is the behaviour under test. The clock is a
 * number the test advances. test/e2e/key-rotation.test.ts rotates the real emulated secret end to end.
 */
const oldKey = 'old-signing-key-long-enough-for-hs256-0001';
const newKey = 'new-signing-key-long-enough-for-hs256-0002';
const identity = { userId: 'u-1', username: 'Alice', sessionId: 'session-1' };

function fakeSecret(initial: string) {
  const secret = {
    value: initial,
    reads: 0,
    failing: false,
    time: 1_000_000,
    fetchKey: async () => {
      secret.reads += 1;
      if (secret.failing) throw new Error('ServiceUnavailable');
      return secret.value;
    },
    now: () => secret.time,
  };
  return secret;
}

const savedEnvironment = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnvironment };
});

describe('the signing key read from its secret', () => {
  it('is read once within its lifetime and again after it (SIGNING_KEY_CACHE_SECONDS)', async () => {
    process.env.JWT_SECRET = '';
    process.env.JWT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:unit';
    process.env.SIGNING_KEY_CACHE_SECONDS = '60';
    const secret = fakeSecret(oldKey);
    const signingKey = signingKeyFromEnvironment({ fetchKey: secret.fetchKey, now: secret.now });

    await expect(signingKey()).resolves.toBe(oldKey);
    secret.time += 59_999;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(1);

    secret.value = newKey;
    secret.time += 1;
    await expect(signingKey()).resolves.toBe(newKey);
    await expect(signingKey()).resolves.toBe(newKey);
    expect(secret.reads).toBe(2);
  });

  it('keeps JWT_SECRET for the process without reading any secret', async () => {
    process.env.JWT_SECRET = oldKey;
    process.env.SIGNING_KEY_CACHE_SECONDS = '0';
    const secret = fakeSecret(newKey);
    const signingKey = signingKeyFromEnvironment({ fetchKey: secret.fetchKey, now: secret.now });

    secret.time += 3_600_000;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(0);
  });

  it('gives a rotated key a new kid, and tokens of the old key are then refused', async () => {
    const secret = fakeSecret(oldKey);
    const signingKey = cachedSigningKey({ fetchKey: secret.fetchKey, lifetimeSeconds: 300, now: secret.now });
    const before = issueToken(await signingKey(), identity, 600).token;

    secret.value = newKey;
    secret.time += 300_000;
    const rotated = await signingKey();

    expect(rotated).toBe(newKey);
    expect(keyIdOf(rotated)).not.toBe(keyIdOf(oldKey));
    expect(() => verifyToken(rotated, before)).toThrow(expect.objectContaining({ status: 401 }));
    expect(verifyToken(rotated, issueToken(rotated, identity, 600).token)).toEqual(identity);
  });

  it('keeps the old key when a re-read fails, and reads again 30 seconds later, not on every request', async () => {
    const secret = fakeSecret(oldKey);
    const failures: unknown[] = [];
    const signingKey = cachedSigningKey({
      fetchKey: secret.fetchKey,
      lifetimeSeconds: 300,
      now: secret.now,
      onStaleKey: (error) => failures.push(error),
    });
    await signingKey();

    secret.failing = true;
    secret.time += 300_000;
    await expect(signingKey()).resolves.toBe(oldKey);
    secret.time += 29_999;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(2);
    expect(failures).toHaveLength(1);

    secret.time += 1;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(3);
    expect(failures).toHaveLength(2);

    secret.failing = false;
    secret.value = newKey;
    secret.time += 30_000;
    await expect(signingKey()).resolves.toBe(newKey);
    expect(secret.reads).toBe(4);
  });

  it('retries a failed re-read after its lifetime when that is shorter than 30 seconds', async () => {
    const secret = fakeSecret(oldKey);
    const signingKey = cachedSigningKey({ fetchKey: secret.fetchKey, lifetimeSeconds: 1, now: secret.now });
    await signingKey();

    secret.failing = true;
    secret.time += 1_000;
    await expect(signingKey()).resolves.toBe(oldKey);
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(2);
    secret.time += 1_000;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(3);
  });

  it('keeps the old key when the re-read value is too short to be a key', async () => {
    const secret = fakeSecret(oldKey);
    const signingKey = cachedSigningKey({ fetchKey: secret.fetchKey, lifetimeSeconds: 1, now: secret.now });
    await signingKey();

    secret.value = 'short';
    secret.time += 1_000;
    await expect(signingKey()).resolves.toBe(oldKey);
  });

  it('does not cache a failed first read: that request fails and the next one reads again', async () => {
    const secret = fakeSecret(oldKey);
    secret.failing = true;
    const signingKey = cachedSigningKey({ fetchKey: secret.fetchKey, lifetimeSeconds: 300, now: secret.now });

    await expect(signingKey()).rejects.toThrow('ServiceUnavailable');
    secret.failing = false;
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(secret.reads).toBe(2);
  });

  it('reads once for concurrent first requests, and serves the cached key while a re-read is in flight', async () => {
    let release: (value: string) => void = () => {};
    let reads = 0;
    let time = 0;
    const signingKey = cachedSigningKey({
      fetchKey: () => {
        reads += 1;
        return new Promise<string>((resolve) => {
          release = resolve;
        });
      },
      lifetimeSeconds: 300,
      now: () => time,
    });

    const first = [signingKey(), signingKey()];
    release(oldKey);
    await expect(Promise.all(first)).resolves.toEqual([oldKey, oldKey]);
    expect(reads).toBe(1);

    time += 300_000;
    const refreshing = signingKey();
    await expect(signingKey()).resolves.toBe(oldKey);
    expect(reads).toBe(2);
    release(newKey);
    await expect(refreshing).resolves.toBe(newKey);
  });

  it('reads on every request with a lifetime of 0', async () => {
    const secret = fakeSecret(oldKey);
    const signingKey = cachedSigningKey({ fetchKey: secret.fetchKey, lifetimeSeconds: 0, now: secret.now });
    await signingKey();
    await signingKey();
    expect(secret.reads).toBe(2);
  });
});
