import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lambdas/shared/errors.ts';
import { parse } from '../../lambdas/shared/validation.ts';
import {
  clientMessageId,
  email,
  httpRoutes,
  messageText,
  password,
  username,
} from '../../lib/contract/index.ts';

const registerInput = httpRoutes['POST /auth/register'].body;
const createRoomInput = httpRoutes['POST /rooms'].body;
const historyQuery = httpRoutes['GET /rooms/{name}/messages'].query;

const accepts = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('field rules', () => {
  it('accepts usernames of 3 to 32 letters, digits, "_", "." and "-"', () => {
    expect(accepts(username, 'a.b')).toBe(true);
    expect(accepts(username, 'A_b-c.9'.padEnd(32, 'x'))).toBe(true);
    expect(accepts(username, 'ab')).toBe(false);
    expect(accepts(username, 'x'.repeat(33))).toBe(false);
    expect(accepts(username, 'ROOM#x')).toBe(false);
    expect(accepts(username, 'héllo')).toBe(false);
  });

  it('accepts emails with one "@" and a dot in the domain, up to 254 characters', () => {
    expect(accepts(email, 'a@b.co')).toBe(true);
    expect(accepts(email, `${'a'.repeat(243)}@example.io`)).toBe(true);
    expect(accepts(email, `${'a'.repeat(244)}@example.io`)).toBe(false);
    expect(accepts(email, 'a@@b.co')).toBe(false);
    expect(accepts(email, 'a@b')).toBe(false);
    expect(accepts(email, 'a b@c.de')).toBe(false);
  });

  it('measures passwords in UTF-8 bytes, 8 to 72', () => {
    expect(accepts(password, '12345678')).toBe(true);
    expect(accepts(password, '1234567')).toBe(false);
    expect(accepts(password, '€'.repeat(24))).toBe(true); // 72 bytes
    expect(accepts(password, '€'.repeat(25))).toBe(false); // 75 bytes, only 25 characters
    expect(accepts(password, '€€€')).toBe(true); // 9 bytes from 3 characters
  });

  it('lower-cases room names before checking them', () => {
    expect(parse(createRoomInput, { name: 'Lobby-1' })).toEqual({ name: 'lobby-1' });
    expect(accepts(createRoomInput, { name: '_lobby' })).toBe(false);
  });

  it('refuses message text that is empty, only white space or over 4000 characters', () => {
    expect(accepts(messageText, 'hi')).toBe(true);
    expect(accepts(messageText, ' \n\t ')).toBe(false);
    expect(accepts(messageText, '😀'.repeat(4000))).toBe(true);
    expect(accepts(messageText, 'x'.repeat(4001))).toBe(false);
  });

  it('accepts clientMessageIds of 1 to 64 letters, digits, "_" and "-"', () => {
    expect(accepts(clientMessageId, 'a')).toBe(true);
    expect(accepts(clientMessageId, 'x'.repeat(65))).toBe(false);
    expect(accepts(clientMessageId, 'has.dot')).toBe(false);
  });

  it('defaults limit to 50 and refuses anything outside 1..100', () => {
    expect(parse(historyQuery, {})).toEqual({ limit: 50 });
    expect(parse(historyQuery, { limit: '100' }).limit).toBe(100);
    for (const bad of ['0', '101', '1.5', '-1', '1e2', ' 5']) {
      expect(accepts(historyQuery, { limit: bad })).toBe(false);
    }
  });
});

describe('parse', () => {
  it('reports every problem with its field', () => {
    let error: unknown;
    try {
      parse(registerInput, { username: 'x', password: 'short' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details?.map((detail) => detail.field).sort()).toEqual([
      'email',
      'password',
      'username',
    ]);
    expect((error as ValidationError).details).toContainEqual({ field: 'email', problem: 'is required' });
  });
});
