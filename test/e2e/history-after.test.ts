/**
 * Catching up with `after` on both history routes, over real HTTP through the local stack: strictly newer
 * messages, oldest first, `nextCursor` continuing forward until up to date, messages arriving between pages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { expectError, expectValidationError } from '../support/contract.ts';
import { apiClient, type Json } from '../support/http-client.ts';
import { startTestStack, VOLUME_LIMITS } from '../support/local-stack.ts';

const stack = await startTestStack({ limits: VOLUME_LIMITS });
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);

const [alice, bob] = await api.signUpEach('alice', 'bob');
const room = await api.newRoom(alice);
const conversationId = (await api.openConversation(alice, bob.username)).conversationId as string;
const paths = {
  room: `/rooms/${room}/messages`,
  conversation: `/conversations/${conversationId}/messages`,
};

async function post(path: string, text: string): Promise<Json> {
  const response = await api.call('POST', path, { token: alice.token, body: { text } });
  expect(response.status).toBe(201);
  return response.body.message;
}

async function page(path: string, query: string): Promise<Json> {
  const response = await api.call('GET', `${path}?${query}`, { token: bob.token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

describe.each(Object.entries(paths))('%s history with after', (_kind, path) => {
  it('returns every message once, in order, across page boundaries, with messages arriving between pages', async () => {
    const first = await post(path, 'before the mark');
    const sent: Json[] = [];
    for (let index = 0; index < 7; index++) sent.push(await post(path, `m${index}`));
    const seen: Json[] = [];
    let after: string | null = first.messageId;
    let pages = 0;
    while (after !== null) {
      const body = await page(path, `limit=3&after=${after}`);
      seen.push(...body.messages);
      after = body.nextCursor;
      pages++;
      // Two more arrive after the first page: they must be read too, once each.
      if (pages === 1) for (const text of ['late 1', 'late 2']) sent.push(await post(path, text));
      expect(pages).toBeLessThan(10);
    }
    expect(seen.map((message) => message.messageId)).toEqual(sent.map((message) => message.messageId));
    expect(seen.map((message) => message.text)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
      'late 1',
      'late 2',
    ]);
    // 9 messages by 3: the third page already knows it holds the newest (its cursor is null).
    expect(pages).toBe(3);
  });

  it('answers an empty page with a null cursor when up to date, and the newest messages after an older id', async () => {
    const last = await post(path, 'newest');
    expect(await page(path, `after=${last.messageId}`)).toEqual({ messages: [], nextCursor: null });
    const newer = await post(path, 'newer still');
    const body = await page(path, `after=${last.messageId}&limit=100`);
    expect(body).toEqual({ messages: [newer], nextCursor: null });
  });

  it('reads from an id that is not a stored message, as a position in time', async () => {
    const body = await page(path, 'after=00000000000000000000000000&limit=1');
    expect(body.messages).toHaveLength(1);
    expect(body.nextCursor).toBe(body.messages[0].messageId);
  });

  it('refuses before and after together, and an after that is not a message id, with 400 VALIDATION_FAILED', async () => {
    const id = (await post(path, 'x')).messageId;
    const before = Buffer.from(id).toString('base64url');
    for (const query of [
      `before=${before}&after=${id}`,
      'after=not-an-id',
      `after=${id.toLowerCase()}`,
      'after=',
    ]) {
      const response = await api.call('GET', `${path}?${query}`, { token: bob.token });
      expectValidationError(response, ['after']);
    }
  });
});

describe('after on histories the caller may not read', () => {
  it('answers 404 as without after', async () => {
    const stranger = await api.signUp('stranger');
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expectError(
      await api.call('GET', `${paths.conversation}?after=${id}`, { token: stranger.token }),
      404,
      'CONVERSATION_NOT_FOUND',
    );
    expectError(
      await api.call('GET', `/rooms/no-such-room-here/messages?after=${id}`, { token: stranger.token }),
      404,
      'ROOM_NOT_FOUND',
    );
  });
});

describe('the typed client', () => {
  it('reads forward until up to date with messagesAfter, and pages with the after option', async () => {
    const client = new ChatApi({ baseUrl: stack.httpUrl, token: bob.token });
    const mark = await post(paths.room, 'mark');
    const sent: Json[] = [];
    for (let index = 0; index < 120; index++) sent.push(await post(paths.room, `bulk ${index}`));
    const caughtUp = await client.messagesAfter({ room }, mark.messageId);
    expect(caughtUp.map((message) => message.messageId)).toEqual(sent.map((message) => message.messageId));
    const firstPage = await client.conversationMessages(conversationId, { after: mark.messageId, limit: 1 });
    expect(firstPage.items).toEqual([]);
    expect(firstPage.nextCursor).toBeNull();
  });
});
