import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { compare } from 'bcryptjs';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { userKey } from '../../lambdas/data/keys.ts';
import { newAccount, signUpThroughHandlers } from '../support/accounts.ts';
import { type HttpCall, httpEvent, readResponse } from '../support/events.ts';
import { TEST_JWT_SECRET, tableReader, useFreshTable } from '../support/table.ts';

const { tableName, endpoint } = await useFreshTable();
const registerHandler = (await import('../../lambdas/handlers/register.ts')).handler;
const loginHandler = (await import('../../lambdas/handlers/login.ts')).handler;
const meHandler = (await import('../../lambdas/handlers/me.ts')).handler;

const call = async (handler: typeof registerHandler, request: HttpCall) =>
  readResponse(await handler(httpEvent(request)));
const register = (body: unknown) => call(registerHandler, { routeKey: 'POST /auth/register', body });
const login = (body: unknown) => call(loginHandler, { routeKey: 'POST /auth/login', body });
const me = (token?: string, headers?: Record<string, string>) =>
  call(meHandler, { routeKey: 'GET /auth/me', token, headers });

const doc = tableReader(endpoint);
const readItem = async (Key: { PK: string; SK: string }) =>
  (await doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;

describe('POST /auth/register', () => {
  it('creates a user and returns it with its email, without the password', async () => {
    const account = newAccount('Alice');

    const response = await register(account);

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user: { userId: expect.any(String), username: account.username, email: account.email },
    });
  });

  it('stores only a bcrypt hash of the password', async () => {
    const account = newAccount();
    await register(account);

    const item = await readItem(userKey(account.username));

    expect(JSON.stringify(item)).not.toContain(account.password);
    expect(item?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(await compare(account.password, item?.passwordHash)).toBe(true);
  });

  it('keys the user by the lower-cased username and keeps the case given for display', async () => {
    const account = newAccount('MixedCase');

    await register(account);

    expect(account.username).not.toBe(account.username.toLowerCase());
    const lowerCased = { PK: `USER#${account.username.toLowerCase()}`, SK: 'PROFILE' };
    const asTyped = { PK: `USER#${account.username}`, SK: 'PROFILE' };
    expect((await readItem(lowerCased))?.username).toBe(account.username);
    expect(await readItem(asTyped)).toBeUndefined();
  });

  it('returns 409 ACCOUNT_EXISTS when the username is taken in another case, with the same body as for an email', async () => {
    const account = newAccount('Bob');
    await register(account);

    const sameName = await register({ ...newAccount(), username: account.username.toUpperCase() });
    const sameEmail = await register({ ...newAccount(), email: account.email.toUpperCase() });

    expect(sameName.status).toBe(409);
    expect(sameName.body.code).toBe('ACCOUNT_EXISTS');
    expect(sameEmail).toEqual(sameName);
  });

  it('lets exactly one of 20 concurrent registrations of one username win', async () => {
    const base = newAccount('race');

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => register({ ...base, email: `racer${i}_${base.email}` })),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
  });

  it('lets exactly one of concurrent registrations of one email win', async () => {
    const base = newAccount('mailrace');

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        register({ ...base, username: `${base.username.slice(0, 20)}_${i}` }),
      ),
    );

    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(9);
  });

  it.each([
    ['username too short', { username: 'ab' }, 'username'],
    ['username too long', { username: 'a'.repeat(33) }, 'username'],
    ['username with a space', { username: 'has space' }, 'username'],
    ['username not a string', { username: 42 }, 'username'],
    ['email without @', { email: 'no-at.example.com' }, 'email'],
    ['email with two @', { email: 'a@b@example.com' }, 'email'],
    ['email without a dot in the domain', { email: 'a@localhost' }, 'email'],
    ['email over 254 characters', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    ['password of 7 bytes', { password: 'short77' }, 'password'],
    ['password over 72 bytes of UTF-8', { password: 'é'.repeat(37) }, 'password'],
    ['password missing', { password: undefined }, 'password'],
  ])('returns 400 VALIDATION_FAILED for a %s', async (_, override, field) => {
    const response = await register({ ...newAccount(), ...override });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.details).toContainEqual({ field, problem: expect.any(String) });
  });

  it('accepts a password of exactly 72 bytes', async () => {
    expect((await register({ ...newAccount(), password: 'é'.repeat(36) })).status).toBe(201);
  });

  it.each([
    ['malformed JSON', '{"username":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['an empty body', ''],
  ])('returns 400 INVALID_JSON for %s', async (_, rawBody) => {
    const response = await call(registerHandler, { routeKey: 'POST /auth/register', rawBody });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 'INVALID_JSON', message: expect.any(String) });
  });

  it('returns 413 PAYLOAD_TOO_LARGE for a body over 16 KiB and creates nothing', async () => {
    const account = newAccount();
    const rawBody = JSON.stringify({ ...account, padding: 'x'.repeat(16 * 1024) });

    const response = await call(registerHandler, { routeKey: 'POST /auth/register', rawBody });

    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await login({ username: account.username, password: account.password })).status).toBe(401);
  });
});

describe('POST /auth/login', () => {
  it('returns a bearer token for the right password, whatever the username case', async () => {
    const account = newAccount('Carol');
    const registered = await register(account);

    const response = await login({ username: account.username.toUpperCase(), password: account.password });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/),
      refreshExpiresIn: 30 * 24 * 60 * 60,
      user: { userId: registered.body.user.userId, username: account.username },
    });
    const claims = jwt.verify(response.body.token, TEST_JWT_SECRET, {
      algorithms: ['HS256'],
    }) as jwt.JwtPayload;
    expect(claims.sub).toBe(registered.body.user.userId);
    expect(claims.exp).toBe((claims.iat ?? 0) + 900);
    // The session id of the token is the one that starts its refresh token.
    expect(response.body.refreshToken.startsWith(`${claims.sid}.`)).toBe(true);
  });

  it('answers an unknown user and a wrong password with the same 401 body', async () => {
    const account = newAccount();
    await register(account);

    const wrongPassword = await login({ username: account.username, password: 'not the password' });
    const unknownUser = await login({ username: 'nobody_by_that_name', password: 'whatever1' });
    const impossibleName = await login({ username: 'ROOM#x', password: 'whatever1' });

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknownUser).toEqual(wrongPassword);
    expect(impossibleName).toEqual(wrongPassword);
  });

  it('returns 400 VALIDATION_FAILED when a field is missing', async () => {
    const response = await login({ username: 'someone' });

    expect(response.status).toBe(400);
    expect(response.body.details).toContainEqual({ field: 'password', problem: 'is required' });
  });
});

describe('GET /auth/me', () => {
  it('returns the caller with their email', async () => {
    const user = await signUpThroughHandlers();

    const response = await me(user.token);

    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ userId: user.userId, username: user.username, email: user.email });
  });

  it('returns 401 without a token or with a malformed Authorization header', async () => {
    expect((await me()).status).toBe(401);
    expect((await me(undefined, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    expect((await me(undefined, { authorization: 'Bearer' })).body.code).toBe('UNAUTHORIZED');
  });

  it('returns 401 for a tampered, an expired, an alg:none and a foreign-key token', async () => {
    const { token } = await signUpThroughHandlers();
    const claims = jwt.decode(token) as jwt.JwtPayload;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, username: 'someone_else' })).toString(
      'base64url',
    );
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const past = Math.floor(Date.now() / 1000) - 3600;

    const tokens = {
      tampered: `${header}.${forgedPayload}.${signature}`,
      expired: jwt.sign({ ...claims, iat: past - 60, exp: past }, TEST_JWT_SECRET, { algorithm: 'HS256' }),
      algNone: `${noneHeader}.${payload}.`,
      foreignKey: jwt.sign({ username: claims.username }, 'another-key-that-is-long-enough-for-hs256', {
        subject: claims.sub,
        expiresIn: 60,
      }),
    };

    for (const [kind, bad] of Object.entries(tokens)) {
      const response = await me(bad);
      expect({ kind, status: response.status, code: response.body.code }).toEqual({
        kind,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
  });
});
