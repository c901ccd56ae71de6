/**
 * Room and conversation history over real HTTP, through the local stack: posting, validation, and paging back
 * with `limit` and `before` (newest page first, each page oldest to newest).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueRoomName } from '../support/accounts.ts';
import { aMessage, expectError, expectValidationError, ISO_TIME } from '../support/contract.ts';
import { apiClient, type Json } from '../support/http-client.ts';
import { startTestStack, VOLUME_LIMITS } from '../support/local-stack.ts';

// One user posts hundreds of messages to page through.
const stack = await startTestStack({ limits: VOLUME_LIMITS });
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);

const alice = await api.signUp('alice');

/** The id of the conversation between `user` and `peer`. */
async function openConversation(user: { token: string }, peer: string): Promise<string> {
  return (await api.openConversation(user, peer)).conversationId;
}

/** Posts `texts` one after another (send order is request order) to a room or conversation path. */
async function postAll(path: string, token: string, texts: string[]): Promise<Json[]> {
  const messages: Json[] = [];
  for (const text of texts) {
    const response = await api.call('POST', path, { token, body: { text } });
    expect(response.status).toBe(201);
    messages.push(response.body.message);
  }
  return messages;
}

/** Reads a history from the newest page back to the oldest, following `nextCursor` as `before`. */
async function readBack(path: string, token: string, limit: number): Promise<Json[]> {
  const pages: Json[] = [];
  let before: string | null = null;
  do {
    const query: string =
      before === null ? `?limit=${limit}` : `?limit=${limit}&before=${encodeURIComponent(before)}`;
    const response = await api.call('GET', `${path}${query}`, { token });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['messages', 'nextCursor']);
    pages.push(response.body);
    before = response.body.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (before !== null);
  return pages;
}

function numbered(count: number, label: string): string[] {
  return Array.from({ length: count }, (_, index) => `${label} ${index + 1}`);
}

/**
 * Asserts the paging contract for `sent` messages read back as `pages` with `limit`: the first page holds the
 * most recent messages, every page is in send order, only the last page has a null cursor, and together the
 * pages hold every message once, in send order, with strictly increasing ids.
 */
function expectPagedHistory(pages: Json[], sent: Json[], limit: number): void {
  const expectedSizes: number[] = [];
  for (let remaining = sent.length; remaining > 0; remaining -= limit) {
    expectedSizes.push(Math.min(limit, remaining));
  }
  expect(pages.map((page) => page.messages.length)).toEqual(expectedSizes);
  expect(pages.slice(0, -1).every((page) => typeof page.nextCursor === 'string')).toBe(true);
  expect(pages.at(-1)?.nextCursor).toBeNull();

  const sentIds = sent.map((message) => message.messageId);
  expect(pages[0].messages.map((message: Json) => message.messageId)).toEqual(sentIds.slice(-limit));
  for (const page of pages) {
    const ids: string[] = page.messages.map((message: Json) => message.messageId);
    expect(ids).toEqual([...ids].sort());
  }

  const readInOrder: Json[] = [...pages].reverse().flatMap((page) => page.messages);
  const readIds: string[] = readInOrder.map((message) => message.messageId);
  expect(new Set(readIds).size).toBe(readIds.length);
  expect(readInOrder).toEqual(sent);
  for (let index = 1; index < readIds.length; index++) {
    expect(readIds[index] > (readIds[index - 1] as string)).toBe(true);
  }
}

describe('POST /rooms/{name}/messages', () => {
  it('returns 201 with the stored message: id, room, sender, text and an ISO timestamp', async () => {
    const room = await api.newRoom(alice, 'post');

    const response = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'hello, room' },
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      message: aMessage({ room, from: alice.username, text: 'hello, room' }),
    });
    expect(new Date(response.body.message.sentAt).toISOString()).toBe(response.body.message.sentAt);
  });

  it('echoes a valid clientMessageId in the message', async () => {
    const room = await api.newRoom(alice, 'cmid');

    const response = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'with an id', clientMessageId: 'Client_id-1' },
    });

    expect(response.status).toBe(201);
    expect(response.body.message.clientMessageId).toBe('Client_id-1');
  });

  it('accepts a text of exactly 4000 characters', async () => {
    const room = await api.newRoom(alice, 'long');
    const text = 'x'.repeat(4000);

    const response = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text },
    });

    expect(response.status).toBe(201);
    expect(response.body.message.text).toBe(text);
  });

  it.each([
    ['an empty text', { text: '' }],
    ['a text of only white space', { text: ' \t\n ' }],
    ['a text of 4001 characters', { text: 'x'.repeat(4001) }],
    ['a missing text', {}],
  ])('returns 400 VALIDATION_FAILED for %s', async (_, body) => {
    const room = await api.newRoom(alice, 'invalid');

    const response = await api.call('POST', `/rooms/${room}/messages`, { token: alice.token, body });

    expectValidationError(response, ['text']);
  });

  it.each([
    ['an empty clientMessageId', ''],
    ['a clientMessageId with a space', 'has space'],
    ['a clientMessageId with "#"', 'a#b'],
    ['a clientMessageId of 65 characters', 'c'.repeat(65)],
  ])('returns 400 VALIDATION_FAILED for %s', async (_, clientMessageId) => {
    const room = await api.newRoom(alice, 'badcmid');

    const response = await api.call('POST', `/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'hello', clientMessageId },
    });

    expectValidationError(response, ['clientMessageId']);
  });

  it('returns 404 ROOM_NOT_FOUND for a room that does not exist', async () => {
    const response = await api.call('POST', `/rooms/${uniqueRoomName('missing')}/messages`, {
      token: alice.token,
      body: { text: 'anyone here?' },
    });

    expectError(response, 404, 'ROOM_NOT_FOUND');
  });

  it('returns 401 UNAUTHORIZED without a token', async () => {
    const room = await api.newRoom(alice, 'anon');

    const response = await api.call('POST', `/rooms/${room}/messages`, { body: { text: 'hi' } });

    expectError(response, 401, 'UNAUTHORIZED');
  });
});

describe('GET /rooms/{name}/messages', () => {
  it('returns 404 ROOM_NOT_FOUND for a room that does not exist', async () => {
    const response = await api.call('GET', `/rooms/${uniqueRoomName('missing')}/messages`, {
      token: alice.token,
    });

    expectError(response, 404, 'ROOM_NOT_FOUND');
  });

  it('returns an empty page with a null cursor for a room without messages', async () => {
    const room = await api.newRoom(alice, 'empty');

    const response = await api.call('GET', `/rooms/${room}/messages`, { token: alice.token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messages: [], nextCursor: null });
  });

  it('pages 120 messages back with limit=50 as 50, 50 and 20, newest page first, each in send order', async () => {
    const room = await api.newRoom(alice, 'paged');
    const sent = await postAll(`/rooms/${room}/messages`, alice.token, numbered(120, 'message'));

    const pages = await readBack(`/rooms/${room}/messages`, alice.token, 50);

    expect(pages.map((page) => page.messages.length)).toEqual([50, 50, 20]);
    expectPagedHistory(pages, sent, 50);
    expect(pages[0].messages.at(-1).text).toBe('message 120');
    expect(pages[2].messages[0].text).toBe('message 1');
  });

  it('lets any signed-in user read a room history', async () => {
    const room = await api.newRoom(alice, 'public');
    const sent = await postAll(`/rooms/${room}/messages`, alice.token, ['one', 'two']);
    const reader = await api.signUp('reader');

    const response = await api.call('GET', `/rooms/${room}/messages`, { token: reader.token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messages: sent, nextCursor: null });
  });

  it('finds a room whatever the case of its name in the path', async () => {
    const room = await api.newRoom(alice, 'cased');
    const sent = await postAll(`/rooms/${room.toUpperCase()}/messages`, alice.token, ['upper']);

    const response = await api.call('GET', `/rooms/${room.toUpperCase()}/messages`, { token: alice.token });

    expect(response.status).toBe(200);
    expect(response.body.messages).toEqual(sent);
    expect(sent[0].room).toBe(room);
  });

  it.each([
    ['characters outside base64url', '!!!'],
    ['a value that is no message id', Buffer.from('not-a-message-id').toString('base64url')],
    ['a key of another kind', Buffer.from('MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV').toString('base64url')],
    ['a value far too long', 'A'.repeat(500)],
  ])('returns 400 VALIDATION_FAILED for a before cursor with %s', async (_, before) => {
    const room = await api.newRoom(alice, 'badbefore');

    const response = await api.call('GET', `/rooms/${room}/messages?before=${encodeURIComponent(before)}`, {
      token: alice.token,
    });

    expectValidationError(response, ['before']);
  });

  it.each(['0', '101', '-5', '1.5', 'all'])('returns 400 VALIDATION_FAILED for limit=%s', async (limit) => {
    const room = await api.newRoom(alice, 'badlimit');

    const response = await api.call('GET', `/rooms/${room}/messages?limit=${limit}`, { token: alice.token });

    expectValidationError(response, ['limit']);
  });

  it('accepts the limits 1 and 100', async () => {
    const room = await api.newRoom(alice, 'limits');
    const sent = await postAll(`/rooms/${room}/messages`, alice.token, ['a', 'b']);

    const one = await api.call('GET', `/rooms/${room}/messages?limit=1`, { token: alice.token });
    const hundred = await api.call('GET', `/rooms/${room}/messages?limit=100`, { token: alice.token });

    expect(one.status).toBe(200);
    expect(one.body.messages).toEqual(sent.slice(-1));
    expect(one.body.nextCursor).toEqual(expect.any(String));
    expect(hundred.status).toBe(200);
    expect(hundred.body).toEqual({ messages: sent, nextCursor: null });
  });

  it("returns only this room's messages for a cursor taken from another room's history", async () => {
    const room = await api.newRoom(alice, 'victim');
    const other = await api.newRoom(alice, 'other');
    const roomMessages = await postAll(`/rooms/${room}/messages`, alice.token, ['r1', 'r2', 'r3']);
    await postAll(`/rooms/${other}/messages`, alice.token, ['o1', 'o2', 'o3']);
    const otherPage = await api.call('GET', `/rooms/${other}/messages?limit=1`, { token: alice.token });
    const foreignCursor: string = otherPage.body.nextCursor;

    const response = await api.call(
      'GET',
      `/rooms/${room}/messages?before=${encodeURIComponent(foreignCursor)}`,
      { token: alice.token },
    );

    expect(response.status).toBe(200);
    expect(response.body.messages).toEqual(roomMessages);
    expect(response.body.messages.every((message: Json) => message.room === room)).toBe(true);
  });

  it("returns only this room's messages for a before cursor forged from another room's message id", async () => {
    const room = await api.newRoom(alice, 'forged');
    const other = await api.newRoom(alice, 'source');
    const roomMessages = await postAll(`/rooms/${room}/messages`, alice.token, ['mine 1', 'mine 2']);
    const [otherMessage] = await postAll(`/rooms/${other}/messages`, alice.token, ['theirs']);
    const forged = Buffer.from(otherMessage.messageId).toString('base64url');

    const response = await api.call('GET', `/rooms/${room}/messages?before=${forged}`, {
      token: alice.token,
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messages: roomMessages, nextCursor: null });
  });
});

describe('conversation history', () => {
  it('pages 12 messages back with limit=5 as 5, 5 and 2, newest page first, each in send order', async () => {
    const bob = await api.signUp('bob');
    const conversationId = await openConversation(alice, bob.username);
    const texts = numbered(12, 'dm');
    const sent: Json[] = [];
    for (const [index, text] of texts.entries()) {
      // Both participants write, alternating.
      const sender = index % 2 === 0 ? alice : bob;
      sent.push(...(await postAll(`/conversations/${conversationId}/messages`, sender.token, [text])));
    }

    const pages = await readBack(`/conversations/${conversationId}/messages`, bob.token, 5);

    expect(pages.map((page) => page.messages.length)).toEqual([5, 5, 2]);
    expectPagedHistory(pages, sent, 5);
    expect(sent[0]).toEqual(aMessage({ conversationId, from: alice.username, text: 'dm 1' }));
    expect(sent[1].from).toBe(bob.username);
  });

  it('returns 400 VALIDATION_FAILED for a malformed before cursor and for a limit outside 1..100', async () => {
    const bob = await api.signUp('bob');
    const conversationId = await openConversation(alice, bob.username);
    const path = `/conversations/${conversationId}/messages`;

    const malformed = await api.call('GET', `${path}?before=%25%25%25`, { token: alice.token });
    const tooSmall = await api.call('GET', `${path}?limit=0`, { token: alice.token });
    const tooLarge = await api.call('GET', `${path}?limit=101`, { token: alice.token });

    expectValidationError(malformed, ['before']);
    expectValidationError(tooSmall, ['limit']);
    expectValidationError(tooLarge, ['limit']);
  });

  it('returns 400 VALIDATION_FAILED for an invalid message text', async () => {
    const bob = await api.signUp('bob');
    const conversationId = await openConversation(alice, bob.username);

    const response = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { text: '   ' },
    });

    expectValidationError(response, ['text']);
  });

  it('returns 404 CONVERSATION_NOT_FOUND to a user who is not a participant, reading or posting', async () => {
    const [bob, eve] = await api.signUpEach('bob', 'eve');
    const conversationId = await openConversation(alice, bob.username);
    const path = `/conversations/${conversationId}/messages`;

    const read = await api.call('GET', path, { token: eve.token });
    const post = await api.call('POST', path, { token: eve.token, body: { text: 'let me in' } });

    expectError(read, 404, 'CONVERSATION_NOT_FOUND');
    expectError(post, 404, 'CONVERSATION_NOT_FOUND');
  });
});

describe('GET /conversations', () => {
  it('lists conversations most recent activity first, with peer and lastMessage, paginated by cursor', async () => {
    const me = await api.signUp('lister');
    const [bob, carol, dave] = [await api.signUp('bob'), await api.signUp('carol'), await api.signUp('dave')];
    const withBob = await openConversation(me, bob.username);
    const withCarol = await openConversation(carol, me.username);
    const withDave = await openConversation(me, dave.username);
    await distinctMillisecond();
    const [toCarol] = await postAll(`/conversations/${withCarol}/messages`, me.token, ['hi carol']);
    await distinctMillisecond();
    const [fromBob] = await postAll(`/conversations/${withBob}/messages`, bob.token, ['hi from bob']);

    const first = await api.call('GET', '/conversations?limit=2', { token: me.token });
    const second = await api.call(
      'GET',
      `/conversations?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      { token: me.token },
    );

    expect(first.status).toBe(200);
    expect(first.body.conversations).toEqual([
      {
        conversationId: withBob,
        kind: 'direct',
        participants: sortedPair(me.username, bob.username),
        createdAt: expect.stringMatching(ISO_TIME),
        lastMessage: fromBob,
        peer: bob.username,
        // bob's message is unread; the message to carol is the caller's own.
        unreadCount: 1,
        lastReadMessageId: null,
      },
      {
        conversationId: withCarol,
        kind: 'direct',
        participants: sortedPair(me.username, carol.username),
        createdAt: expect.stringMatching(ISO_TIME),
        lastMessage: toCarol,
        peer: carol.username,
        unreadCount: 0,
        lastReadMessageId: null,
      },
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      conversations: [
        {
          conversationId: withDave,
          kind: 'direct',
          participants: sortedPair(me.username, dave.username),
          createdAt: expect.stringMatching(ISO_TIME),
          lastMessage: null,
          peer: dave.username,
          unreadCount: 0,
          lastReadMessageId: null,
        },
      ],
      nextCursor: null,
    });
  });

  it('returns 400 VALIDATION_FAILED for a malformed cursor and for a limit outside 1..100', async () => {
    const malformed = await api.call('GET', '/conversations?cursor=!!!', { token: alice.token });
    const tooLarge = await api.call('GET', '/conversations?limit=101', { token: alice.token });

    expectValidationError(malformed, ['cursor']);
    expectValidationError(tooLarge, ['limit']);
  });
});

function sortedPair(a: string, b: string): [string, string] {
  return a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
}

/**
 * Activity is ordered by millisecond timestamps; waiting for the clock to move on makes "more recent"
 * unambiguous between two consecutive requests. Not a timing assertion.
 */
async function distinctMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 2));
}
