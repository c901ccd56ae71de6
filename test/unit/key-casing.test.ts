import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalUsername,
  clientMessageIdKey,
  conversationIdOf,
  emailKey,
  messagePartition,
  presenceKey,
  roomKey,
  roomMemberKey,
  roomsIndexSortKey,
  userConnectionsIndexKey,
  userConversationKey,
  userConversationsIndexKey,
  userKey,
  userSessionsIndexKey,
} from '../../lambdas/data/keys.ts';

// The value domains the edge lets through (lambdas/shared/validation.ts), written out here so that a builder
// that started refusing or mangling one of them fails this test.
const username = fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/);
/** Login accepts any 1..254 characters: a key built from one must find nothing rather than fail. */
const loginName = fc.string({ minLength: 1, maxLength: 254, unit: 'grapheme' });
const email = fc.emailAddress();
const roomName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const conversationId = fc.stringMatching(/^c_[A-Za-z0-9_-]{22}$/);
const connectionId = fc.stringMatching(/^[A-Za-z0-9=_-]{1,32}$/);
const clientMessageId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

/** The same text with each letter's case chosen at random. */
const recased = (value: string) =>
  fc
    .array(fc.boolean(), { minLength: value.length, maxLength: value.length })
    .map((upper) =>
      [...value].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(''),
    );

/** Every key that names a user, for one username as a caller holds it. */
const userKeysOf = (name: string, conversation: string) => [
  userKey(name),
  presenceKey('lobby', name),
  userConnectionsIndexKey(name),
  userConversationKey(name, conversation),
  userConversationsIndexKey(name),
  userSessionsIndexKey(name),
  clientMessageIdKey({ room: 'lobby' }, name, 'cmid-1'),
  clientMessageIdKey({ conversationId: conversation }, name, 'cmid-1'),
];

describe('keys own casing', () => {
  it('maps Alice and alice to the same user in every key that names a user', () => {
    const conversation = conversationIdOf('Alice', 'bob');

    expect(userKeysOf('Alice', conversation)).toEqual(userKeysOf('alice', conversation));
    expect(userKey('Alice')).toEqual({ PK: 'USER#alice', SK: 'PROFILE' });
    expect(conversationIdOf('Alice', 'bob')).toBe(conversationIdOf('BOB', 'alice'));
    expect(canonicalUsername('Alice')).toBe(canonicalUsername('aLICE'));
    expect(canonicalUsername('Alice')).not.toBe(canonicalUsername('Alicia'));
  });

  it('maps every casing of a username, email or room name to one key', () => {
    fc.assert(
      fc.property(
        username.chain((name) => fc.tuple(fc.constant(name), recased(name))),
        conversationId,
        ([name, otherCase], conversation) => {
          expect(userKeysOf(otherCase, conversation)).toEqual(userKeysOf(name, conversation));
          expect(conversationIdOf(otherCase, 'peer')).toBe(conversationIdOf('peer', name));
        },
      ),
    );
    fc.assert(
      fc.property(
        email.chain((address) => fc.tuple(fc.constant(address), recased(address))),
        ([address, otherCase]) => {
          expect(emailKey(otherCase)).toEqual(emailKey(address));
        },
      ),
    );
    fc.assert(
      fc.property(
        roomName.chain((room) => fc.tuple(fc.constant(room), recased(room))),
        ([room, otherCase]) => {
          expect(roomKey(otherCase)).toEqual(roomKey(room));
          expect(roomMemberKey(otherCase, 'abc=')).toEqual(roomMemberKey(room, 'abc='));
          expect(messagePartition({ room: otherCase })).toBe(messagePartition({ room }));
          expect(roomsIndexSortKey(otherCase)).toBe(roomsIndexSortKey(room));
        },
      ),
    );
  });
});

describe('key builders', () => {
  it('build a key for every value the edge accepts, keeping the value whole in it', () => {
    fc.assert(
      fc.property(
        username,
        loginName,
        email,
        roomName,
        conversationId,
        connectionId,
        clientMessageId,
        (name, login, address, room, conversation, connection, cmid) => {
          expect(userKey(name).PK).toBe(`USER#${name.toLowerCase()}`);
          expect(userKey(login).PK).toBe(`USER#${login.toLowerCase()}`);
          expect(emailKey(address).PK).toBe(`EMAIL#${address.toLowerCase()}`);
          expect(roomKey(room).PK).toBe(`ROOM#${room.toLowerCase()}`);
          expect(roomMemberKey(room, connection).SK).toBe(`CONN#${connection}`);
          expect(presenceKey(room, name).SK).toBe(`PRESENCE#${name.toLowerCase()}`);
          expect(messagePartition({ conversationId: conversation })).toBe(`CONV#${conversation}`);
          expect(clientMessageIdKey({ room }, name, cmid).SK).toBe(`CMID#${name.toLowerCase()}#${cmid}`);
          expect(userConversationKey(name, conversation).SK).toBe(`CONV#${conversation}`);
        },
      ),
    );
  });

  it('never give two different users, rooms or retries the same key', () => {
    fc.assert(
      fc.property(
        fc.tuple(username, clientMessageId),
        fc.tuple(username, clientMessageId),
        ([nameA, cmidA], [nameB, cmidB]) => {
          fc.pre(nameA.toLowerCase() !== nameB.toLowerCase() || cmidA !== cmidB);
          const target = { room: 'lobby' };
          expect(clientMessageIdKey(target, nameA, cmidA)).not.toEqual(
            clientMessageIdKey(target, nameB, cmidB),
          );
          if (nameA.toLowerCase() !== nameB.toLowerCase()) {
            expect(userKey(nameA)).not.toEqual(userKey(nameB));
            expect(conversationIdOf(nameA, 'peer')).not.toBe(conversationIdOf(nameB, 'peer'));
          }
        },
      ),
    );
    // A room may be named like a conversation id; its messages still live elsewhere.
    expect(messagePartition({ room: 'c_abc' })).not.toBe(messagePartition({ conversationId: 'c_abc' }));
  });
});
