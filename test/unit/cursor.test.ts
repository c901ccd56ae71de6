import { describe, expect, it } from 'vitest';
import { CONVERSATION_CURSOR_PATTERN } from '../../lambdas/data/conversations.ts';
import { decodeCursor, encodeCursor } from '../../lambdas/shared/cursor.ts';
import { MESSAGE_ID_PATTERN, ROOM_NAME_PATTERN } from '../../lib/contract/index.ts';

const invalidCursor = expect.objectContaining({ status: 400, code: 'VALIDATION_FAILED' });

describe('cursors', () => {
  it('round-trip a room name, a message id and a conversation position through their own patterns', () => {
    const position = '2026-01-01T12:00:00.000Z#c_AAAAAAAAAAAAAAAAAAAAAA';

    expect(decodeCursor(encodeCursor('lobby-2'), ROOM_NAME_PATTERN)).toBe('lobby-2');
    expect(decodeCursor(encodeCursor('01JGZ8Q0000000000000000000'), MESSAGE_ID_PATTERN)).toBe(
      '01JGZ8Q0000000000000000000',
    );
    expect(decodeCursor(encodeCursor(position), CONVERSATION_CURSOR_PATTERN)).toBe(position);
    expect(decodeCursor(undefined, ROOM_NAME_PATTERN)).toBeUndefined();
  });

  it('refuses a room cursor that decodes to a name in upper case: stored room names are lower-cased', () => {
    expect(() => decodeCursor(encodeCursor('Lobby'), ROOM_NAME_PATTERN)).toThrow(invalidCursor);
  });

  it('are case-sensitive: a cursor whose letters changed case decodes to something else and is refused', () => {
    const cursor = encodeCursor('lobby');

    expect(cursor.toUpperCase()).not.toBe(cursor);
    expect(() => decodeCursor(cursor.toUpperCase(), ROOM_NAME_PATTERN)).toThrow(invalidCursor);
    expect(() => decodeCursor(cursor.toLowerCase(), ROOM_NAME_PATTERN)).toThrow(invalidCursor);
  });

  it('refuses a cursor that is empty, not base64url, or decodes to a whole key of another partition', () => {
    expect(() => decodeCursor('', ROOM_NAME_PATTERN)).toThrow(invalidCursor);
    expect(() => decodeCursor('%%%', ROOM_NAME_PATTERN)).toThrow(invalidCursor);
    expect(() => decodeCursor(encodeCursor('ROOM#general'), ROOM_NAME_PATTERN)).toThrow(invalidCursor);
    expect(() => decodeCursor(encodeCursor('USER#alice'), MESSAGE_ID_PATTERN)).toThrow(invalidCursor);
  });

  it('names the query field in the error', () => {
    expect(() => decodeCursor('%%%', ROOM_NAME_PATTERN, 'before')).toThrow(
      expect.objectContaining({ details: [{ field: 'before', problem: expect.any(String) }] }),
    );
  });
});
