import { describe, expect, it } from 'vitest';
import { limitsEnvironment } from '../../lambdas/shared/environment.ts';
import { signUpThroughHandlers } from '../support/accounts.ts';
import { httpEvent, readResponse } from '../support/events.ts';
import { VOLUME_LIMITS } from '../support/local-stack.ts';
import { useFreshTable } from '../support/table.ts';

await useFreshTable();
// One user creates many rooms here, concurrently too: room creation's own rate is test/e2e/limits.test.ts's.
Object.assign(process.env, limitsEnvironment(VOLUME_LIMITS));
const roomsHandler = (await import('../../lambdas/handlers/rooms.ts')).handler;
const alice = await signUpThroughHandlers('alice');

/** `token: null` sends no Authorization header. */
const createRoom = async (body: unknown, token: string | null = alice.token) =>
  readResponse(await roomsHandler(httpEvent({ routeKey: 'POST /rooms', body, token: token ?? undefined })));
const listRooms = async (query: Record<string, string> = {}, token: string | null = alice.token) =>
  readResponse(await roomsHandler(httpEvent({ routeKey: 'GET /rooms', query, token: token ?? undefined })));

describe('POST /rooms', () => {
  it('creates a room with a lower-cased name, its creator and an ISO timestamp', async () => {
    const response = await createRoom({ name: 'General' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      room: {
        name: 'general',
        createdBy: alice.username,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        visibility: 'public',
        memberCount: 1,
      },
    });
  });

  it('returns 409 ROOM_EXISTS for a taken name in any case', async () => {
    await createRoom({ name: 'taken' });

    const response = await createRoom({ name: 'TAKEN' });

    expect(response.status).toBe(409);
    expect(response.body).toEqual({ code: 'ROOM_EXISTS', message: expect.any(String) });
  });

  it('lets exactly one of concurrent creations of one name win', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => createRoom({ name: 'contested' })));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(9);
  });

  it.each([
    ['an empty name', ''],
    ['a name over 64 characters', 'a'.repeat(65)],
    ['a name starting with "-"', '-dash'],
    ['a name with "#"', 'room#1'],
    ['a name with a space', 'two words'],
    ['a number', 42],
  ])('returns 400 VALIDATION_FAILED for %s', async (_, name) => {
    const response = await createRoom({ name });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.details[0].field).toBe('name');
  });

  it('accepts a name of 64 characters of every allowed kind', async () => {
    const name = `a0_-${'z'.repeat(60)}`;

    expect((await createRoom({ name })).body.room.name).toBe(name);
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    const response = await createRoom({ name: 'anonymous' }, null);

    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });
});

describe('GET /rooms', () => {
  it('pages through every room sorted by name, with a null cursor on the last page', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page-${String.fromCharCode(103 - i)}`);
    for (const name of names) await createRoom({ name });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await listRooms(cursor === undefined ? { limit: '3' } : { limit: '3', cursor });
      expect(response.status).toBe(200);
      seen.push(...response.body.rooms.map((room: { name: string }) => room.name));
      cursor = response.body.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined && pages < 50);

    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((name) => name.startsWith('page-'))).toEqual([...names].sort());
  });

  it('returns rooms with their fields and nextCursor null when everything fits', async () => {
    const response = await listRooms({ limit: '100' });

    expect(response.body.nextCursor).toBeNull();
    expect(response.body.rooms).toContainEqual({
      name: 'general',
      createdBy: alice.username,
      createdAt: expect.any(String),
      visibility: 'public',
      memberCount: 1,
    });
  });

  it.each([
    ['limit 0', { limit: '0' }],
    ['limit 101', { limit: '101' }],
    ['a non-numeric limit', { limit: 'ten' }],
    ['a malformed cursor', { cursor: '!!!' }],
    [
      'a cursor that decodes to a key of another kind',
      { cursor: Buffer.from('USER#alice').toString('base64url') },
    ],
  ])('returns 400 VALIDATION_FAILED for %s', async (_, query) => {
    const response = await listRooms(query);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    expect((await listRooms({}, null)).status).toBe(401);
  });
});
