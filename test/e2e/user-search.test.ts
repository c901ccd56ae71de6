/**
 * `GET /users?prefix=` over the local stack: users found by the start of their username, in any case, sorted,
 * page by page, each once; only usernames answered; deleted accounts never found; short prefixes and cursors
 * of another search refused.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectContractError } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startRealtimeTestStack } from '../support/realtime.ts';

const { api } = await startRealtimeTestStack();

const search = (token: string, query: string) => api.call('GET', `/users?${query}`, { token });

/** Registers users named `<stem><suffix>` for each suffix (the stem makes them this test's own). */
async function register(stem: string, suffixes: string[]) {
  for (const suffix of suffixes) {
    const username = `${stem}${suffix}`;
    const response = await api.callRoute('POST /auth/register', {
      body: { username, email: `${username.toLowerCase()}@example.com`, password: 'correct horse battery' },
    });
    expect(response.status).toBe(201);
  }
}

describe('user search', () => {
  it('finds users by prefix in any case, sorted, page by page, each once, with usernames only', async () => {
    const searcher = await api.signUp('searcher');
    const stem = `Zq${randomBytes(3).toString('hex')}`;
    await register(stem, ['Anna', 'bob', 'Carl', 'dave', 'Eve']);

    const found: Json[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `prefix=${stem.toLowerCase()}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await search(searcher.token, query);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      found.push(...page.body.users);
      cursor = page.body.nextCursor;
    } while (cursor !== null);

    expect(found).toEqual(
      ['Anna', 'bob', 'Carl', 'dave', 'Eve'].map((suffix) => ({ username: `${stem}${suffix}` })),
    );
    const narrower = await search(searcher.token, `prefix=${stem.toUpperCase()}C`);
    expect(narrower.body).toEqual({ users: [{ username: `${stem}Carl` }], nextCursor: null });
  });

  it('never finds a deleted account', async () => {
    const searcher = await api.signUp('searcher');
    const leaving = await api.signUp('Yx');
    const before = await search(searcher.token, `prefix=${leaving.username}`);
    expect(before.body.users).toEqual([{ username: leaving.username }]);

    const deleted = await api.call('DELETE', '/auth/me', {
      token: leaving.token,
      body: { password: leaving.password },
    });
    expect(deleted.status).toBe(204);

    expect((await search(searcher.token, `prefix=${leaving.username}`)).body.users).toEqual([]);
  });

  it('refuses a prefix under 2 characters or of other characters, and a cursor of another search', async () => {
    const searcher = await api.signUp('searcher');
    const otherCursor = Buffer.from('zzzz_someone').toString('base64url');

    for (const query of [
      'prefix=a',
      '',
      'prefix=a%20b',
      `prefix=${'a'.repeat(33)}`,
      `prefix=ab&cursor=${otherCursor}`,
    ]) {
      const response = await search(searcher.token, query);
      expect(response.status, query).toBe(400);
      expectContractError(response, query);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await api.call('GET', '/users?prefix=ab')).status).toBe(401);
  });
});
