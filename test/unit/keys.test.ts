import { describe, expect, it } from 'vitest';
import {
  connectionKey,
  messageSortKey,
  presenceKey,
  roomKey,
  roomMemberKey,
  userConversationKey,
  userKey,
} from '../../lambdas/data/keys.ts';

describe('keys', () => {
  it('puts a room, its members, its presence and its messages in the room partition', () => {
    expect(roomKey('lobby')).toEqual({ PK: 'ROOM#lobby', SK: 'META' });
    expect(roomMemberKey('lobby', 'abc=')).toEqual({ PK: 'ROOM#lobby', SK: 'CONN#abc=' });
    expect(presenceKey('lobby', 'alice')).toEqual({ PK: 'ROOM#lobby', SK: 'PRESENCE#alice' });
    expect(messageSortKey('01JGZ8Q0000000000000000000')).toBe('MSG#01JGZ8Q0000000000000000000');
  });

  it("puts a user's profile and conversations in the user partition, and a connection in its own", () => {
    expect(userKey('alice')).toEqual({ PK: 'USER#alice', SK: 'PROFILE' });
    expect(userConversationKey('alice', 'c_1')).toEqual({ PK: 'USER#alice', SK: 'CONV#c_1' });
    expect(connectionKey('abc=')).toEqual({ PK: 'CONN#abc=', SK: 'META' });
  });
});
