import { describe, expect, it } from 'vitest';
import { roomKey, roomMemberKey, userKey } from '../../lambdas/data/keys.ts';
import { decodeCursor, encodeCursor } from '../../lambdas/shared/cursor.ts';

describe('cursors', () => {
  it('round-trips a value that matches the expected pattern', () => {
    expect(decodeCursor(encodeCursor('lobby'), /^[a-z]+$/)).toBe('lobby');
    expect(decodeCursor(undefined, /^[a-z]+$/)).toBeUndefined();
  });

  it('refuses a cursor that is not base64url or decodes to something else', () => {
    const invalid = expect.objectContaining({ status: 400, code: 'VALIDATION_FAILED' });
    expect(() => decodeCursor('%%%', /^[a-z]+$/)).toThrow(invalid);
    expect(() => decodeCursor(encodeCursor('ROOM#general'), /^[a-z]+$/)).toThrow(invalid);
    expect(() => decodeCursor('', /^[a-z]+$/)).toThrow(invalid);
  });
});

describe('keys', () => {
  it('puts a room, its members and its messages in the room partition', () => {
    expect(roomKey('lobby')).toEqual({ PK: 'ROOM#lobby', SK: 'META' });
    expect(roomMemberKey('lobby', 'abc=')).toEqual({ PK: 'ROOM#lobby', SK: 'CONN#abc=' });
  });

  it('keys users by lower-cased username', () => {
    expect(userKey('alice')).toEqual({ PK: 'USER#alice', SK: 'PROFILE' });
  });
});
