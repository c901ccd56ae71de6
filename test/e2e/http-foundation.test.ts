/**
 * The foundation routes (accounts and rooms) over real HTTP, through the local stack: the API Gateway HTTP API
 * emulation, the handler modules and DynamoDB Local, as `npm start` runs them.
 */
import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { newAccount, PASSWORD, uniqueName, uniqueRoomName } from '../support/accounts.ts';
import { expectError, expectValidationError, ISO_TIME } from '../support/contract.ts';
import { apiClient, JSON_BODY, type Json, rawRequest } from '../support/http-client.ts';
import { startTestStack, VOLUME_LIMITS } from '../support/local-stack.ts';

// Room listing pages need more rooms of one user than room creation's rate allows at once.
const stack = await startTestStack({ limits: VOLUME_LIMITS });
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);

function expectIsoTimestamp(value: unknown): void {
  expect(value).toMatch(ISO_TIME);
  expect(new Date(value as string).toISOString()).toBe(value);
}

/** A request as sent, for the assertions the JSON client hides (content type, raw text). */
const sendRaw = (method: string, path: string, init: { token?: string; body?: string } = {}) =>
  rawRequest(stack.httpUrl, { method, path, token: init.token, headers: JSON_BODY, body: init.body });

const owner = await api.signUp('Owner');

describe('POST /auth/register', () => {
  it('returns 201 with the user, email included, keeping the username case given', async () => {
    const account = newAccount('MixedCase');

    const response = await api.call('POST', '/auth/register', { body: account });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user: { userId: expect.any(String), username: account.username, email: account.email },
    });
    expect(response.body.user.userId).not.toBe('');
  });

  it('returns 409 ACCOUNT_EXISTS with the same body for a username taken in another case and for an email taken in another case', async () => {
    const account = newAccount('Taken');
    expect((await api.call('POST', '/auth/register', { body: account })).status).toBe(201);

    const sameUsername = await api.call('POST', '/auth/register', {
      body: { ...account, username: account.username.toUpperCase(), email: `other-${account.email}` },
    });
    const sameEmail = await api.call('POST', '/auth/register', {
      body: { ...account, username: uniqueName('other'), email: account.email.toUpperCase() },
    });

    expectError(sameUsername, 409, 'ACCOUNT_EXISTS');
    expectError(sameEmail, 409, 'ACCOUNT_EXISTS');
    expect(sameEmail.body).toEqual(sameUsername.body);
  });

  it('returns 400 VALIDATION_FAILED with a detail per invalid field', async () => {
    const response = await api.call('POST', '/auth/register', {
      body: { username: 'ab', email: 'not-an-email', password: 'short' },
    });

    expectValidationError(response, ['username', 'email', 'password']);
  });

  it('returns 400 VALIDATION_FAILED naming every missing field', async () => {
    const response = await api.call('POST', '/auth/register', { body: {} });

    expectValidationError(response, ['username', 'email', 'password']);
  });

  it('rejects a password over 72 bytes of UTF-8 instead of truncating it', async () => {
    const response = await api.call('POST', '/auth/register', {
      body: { ...newAccount('LongPassword'), password: 'é'.repeat(37) },
    });

    expectValidationError(response, ['password']);
  });

  it.each([
    ['a truncated object', '{"username":'],
    ['plain text', 'hello'],
    ['an empty body', ''],
  ])('returns 400 INVALID_JSON for %s', async (_, raw) => {
    const response = await sendRaw('POST', '/auth/register', { body: raw });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ code: 'INVALID_JSON', message: expect.any(String) });
  });

  it('returns 413 PAYLOAD_TOO_LARGE for a body over 16 KiB', async () => {
    const body = JSON.stringify({ ...newAccount('Large'), padding: 'x'.repeat(16 * 1024) });

    const response = await api.call('POST', '/auth/register', { raw: body });

    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body of exactly 16 KiB', async () => {
    const account = newAccount('Exact');
    const overhead = Buffer.byteLength(JSON.stringify({ ...account, padding: '' }));
    const body = JSON.stringify({ ...account, padding: 'x'.repeat(16 * 1024 - overhead) });
    expect(Buffer.byteLength(body)).toBe(16 * 1024);

    const response = await api.call('POST', '/auth/register', { raw: body });

    expect(response.status).toBe(201);
  });
});

describe('POST /auth/login', () => {
  it('returns 200 with a bearer token, its lifetime and the user, whatever the case of the username', async () => {
    const account = newAccount('CaseLogin');
    const registered = await api.call('POST', '/auth/register', { body: account });

    const response = await api.call('POST', '/auth/login', {
      body: { username: account.username.toUpperCase(), password: account.password },
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      refreshExpiresIn: expect.any(Number),
      user: { userId: registered.body.user.userId, username: account.username },
    });
    expect(Number.isInteger(response.body.expiresIn)).toBe(true);
    const claims = jwt.decode(response.body.token) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(response.body.expiresIn);
  });

  it('returns 401 INVALID_CREDENTIALS with one and the same body for an unknown user and a wrong password', async () => {
    const unknownUser = await api.call('POST', '/auth/login', {
      body: { username: uniqueName('nobody'), password: PASSWORD },
    });
    const wrongPassword = await api.call('POST', '/auth/login', {
      body: { username: owner.username, password: `${PASSWORD}!` },
    });

    expectError(unknownUser, 401, 'INVALID_CREDENTIALS');
    expectError(wrongPassword, 401, 'INVALID_CREDENTIALS');
    expect(wrongPassword.body).toEqual(unknownUser.body);
  });

  it('returns 400 VALIDATION_FAILED when the password is missing', async () => {
    const response = await api.call('POST', '/auth/login', { body: { username: owner.username } });

    expectValidationError(response, ['password']);
  });
});

describe('GET /auth/me', () => {
  it('returns 200 with the signed-in user, email included', async () => {
    const response = await api.call('GET', '/auth/me', { token: owner.token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      user: { userId: owner.userId, username: owner.username, email: owner.email },
    });
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    expectError(await api.call('GET', '/auth/me'), 401, 'UNAUTHORIZED');
  });

  it.each([
    ['a malformed token', () => 'not-a-jwt'],
    ['a token with a tampered payload', () => tamperedPayload(owner.token)],
    ['a token with a tampered signature', () => tamperedSignature(owner.token)],
    ['an unsigned (alg: none) token', () => unsigned(owner.token)],
  ])('returns 401 UNAUTHORIZED for %s', async (_, token) => {
    expectError(await api.call('GET', '/auth/me', { token: token() }), 401, 'UNAUTHORIZED');
  });
});

function tamperedSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return `${header}.${payload}.${flipped}`;
}

function tamperedPayload(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...claims, username: 'someone_else' })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

function unsigned(token: string): string {
  const payload = token.split('.')[1] as string;
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}

describe('POST /rooms', () => {
  it('returns 201 with the room, its name lower-cased, its creator, an ISO timestamp, public, one member', async () => {
    const name = uniqueName('Room');

    const response = await api.call('POST', '/rooms', { token: owner.token, body: { name } });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      room: {
        name: name.toLowerCase(),
        createdBy: owner.username,
        createdAt: expect.any(String),
        visibility: 'public',
        memberCount: 1,
      },
    });
    expectIsoTimestamp(response.body.room.createdAt);
  });

  it('returns 409 ROOM_EXISTS for a name taken in another case', async () => {
    const name = uniqueRoomName('dup');
    expect((await api.call('POST', '/rooms', { token: owner.token, body: { name } })).status).toBe(201);

    const response = await api.call('POST', '/rooms', {
      token: owner.token,
      body: { name: name.toUpperCase() },
    });

    expectError(response, 409, 'ROOM_EXISTS');
  });

  it.each([
    ['an empty name', ''],
    ['a name starting with "-"', '-leading-dash'],
    ['a name with a space', 'two words'],
    ['a name over 64 characters', 'a'.repeat(65)],
  ])('returns 400 VALIDATION_FAILED for %s', async (_, name) => {
    const response = await api.call('POST', '/rooms', { token: owner.token, body: { name } });

    expectValidationError(response, ['name']);
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    expectError(
      await api.call('POST', '/rooms', { body: { name: uniqueName('anon') } }),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('GET /rooms', () => {
  /** Follows `nextCursor` to the end; returns every page. */
  async function allPages(limit: number): Promise<Json[]> {
    const pages: Json[] = [];
    let cursor: string | null = null;
    do {
      const query: string =
        cursor === null ? `?limit=${limit}` : `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
      const response = await api.call('GET', `/rooms${query}`, { token: owner.token });
      expect(response.status).toBe(200);
      pages.push(response.body);
      cursor = response.body.nextCursor;
      expect(pages.length).toBeLessThan(100);
    } while (cursor !== null);
    return pages;
  }

  it('pages through every room sorted by name with limit and cursor, nextCursor null on the last page', async () => {
    const prefix = uniqueRoomName('sort');
    const created = ['m', 'c', 'x', 'a', 'q', 'f', 'k'].map((letter) => `${prefix}-${letter}`);
    for (const name of created) {
      expect((await api.call('POST', '/rooms', { token: owner.token, body: { name } })).status).toBe(201);
    }

    const pages = await allPages(2);

    for (const page of pages) {
      expect(Object.keys(page).sort()).toEqual(['nextCursor', 'rooms']);
      expect(page.rooms.length).toBeLessThanOrEqual(2);
    }
    for (const page of pages.slice(0, -1)) {
      expect(page.rooms).toHaveLength(2);
      expect(page.nextCursor).toEqual(expect.any(String));
    }
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const names: string[] = pages.flatMap((page) => page.rooms.map((room: Json) => room.name));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
    expect(names.filter((name) => name.startsWith(prefix))).toEqual([...created].sort());
  });

  it('lists rooms with their creator and creation time', async () => {
    const name = uniqueRoomName('listed');
    const created = await api.call('POST', '/rooms', { token: owner.token, body: { name } });

    const pages = await allPages(100);

    const listed = pages.flatMap((page) => page.rooms).find((room: Json) => room.name === name);
    expect(listed).toEqual(created.body.room);
  });

  it('answers one page with a null nextCursor when every room fits', async () => {
    await api.newRoom(owner, 'fits');
    const everyRoom = (await allPages(2)).flatMap((page) => page.rooms);

    const response = await api.call('GET', '/rooms?limit=100', { token: owner.token });

    expect(everyRoom.length).toBeGreaterThan(2);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ rooms: everyRoom, nextCursor: null });
  });

  it.each(['0', '101', '-1', '2.5', 'ten', ''])(
    'returns 400 VALIDATION_FAILED for limit=%s',
    async (limit) => {
      const response = await api.call('GET', `/rooms?limit=${limit}`, { token: owner.token });

      expectValidationError(response, ['limit']);
    },
  );

  it.each([
    ['characters outside base64url', '!!!'],
    ['a value that decodes to no room name', Buffer.from('ROOM#Not A Name').toString('base64url')],
    ['a value far too long', 'a'.repeat(500)],
  ])('returns 400 VALIDATION_FAILED for a cursor with %s', async (_, cursor) => {
    const response = await api.call('GET', `/rooms?cursor=${encodeURIComponent(cursor)}`, {
      token: owner.token,
    });

    expectValidationError(response, ['cursor']);
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    expectError(await api.call('GET', '/rooms'), 401, 'UNAUTHORIZED');
  });
});

describe('responses', () => {
  it('are application/json for successes and for errors', async () => {
    const success = await sendRaw('GET', '/rooms', { token: owner.token });
    const failure = await sendRaw('GET', '/rooms');
    const invalid = await sendRaw('POST', '/auth/login', { body: '{' });

    for (const response of [success, failure, invalid]) {
      expect(response.contentType).toMatch(/^application\/json\b/);
      expect(() => JSON.parse(response.text)).not.toThrow();
    }
    expect(success.status).toBe(200);
    expect(failure.status).toBe(401);
    expect(invalid.status).toBe(400);
  });

  it.each([
    ['GET', '/no-such-route'],
    ['DELETE', '/rooms'],
    ['GET', '/auth'],
    ['PUT', '/auth/me'],
  ])(
    "answer the contract's 404 NOT_FOUND for an unknown route (%s %s), with or without a token",
    async (method, path) => {
      const signedIn = await sendRaw(method, path, { token: owner.token });
      const anonymous = await sendRaw(method, path, {});

      for (const response of [signedIn, anonymous]) {
        expect(response.status).toBe(404);
        expect(response.contentType).toMatch(/^application\/json\b/);
        expect(JSON.parse(response.text)).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
      }
    },
  );
});
