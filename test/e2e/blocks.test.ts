/**
 * Blocking over the local stack: a blocked user cannot open a direct conversation with the blocker nor send in
 * an existing one, over HTTP or the socket (403 / error frame BLOCKED, nothing stored or delivered), until the
 * block is lifted; the blocker is not held back, rooms are not affected, and a block made while the
 * conversation is being opened is never missed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectContractError, ISO_TIME } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startRealtimeTestStack, type User } from '../support/realtime.ts';
import { scanAll, tableReader } from '../support/table.ts';

const { stack, harness, api } = await startRealtimeTestStack();
const reader = tableReader(stack.dynamoEndpoint);
afterAll(() => reader.destroy());

const block = (blocker: User, username: string) =>
  api.call('PUT', `/me/blocks/${username}`, { token: blocker.token });
const unblock = (blocker: User, username: string) =>
  api.call('DELETE', `/me/blocks/${username}`, { token: blocker.token });
const send = (sender: User, conversationId: string, text: string) =>
  api.call('POST', `/conversations/${conversationId}/messages`, { token: sender.token, body: { text } });

function expectBlocked(response: { status: number; body: Json }) {
  expect(response.status, JSON.stringify(response.body)).toBe(403);
  expectContractError(response);
  expect(response.body.code).toBe('BLOCKED');
}

describe('blocking', () => {
  it('stops the blocked user reaching the blocker, over HTTP and the socket, until it is lifted', async () => {
    const [alice, mallory] = await api.signUpEach('blocker', 'blocked');
    const conversation = await api.openConversation(alice, mallory.username);
    expect((await send(mallory, conversation.conversationId, 'before')).status).toBe(201);
    const [aliceSocket, mallorySocket] = await harness.connectEach(alice, mallory);

    expect((await block(alice, mallory.username.toUpperCase())).status).toBe(204);

    expectBlocked(await send(mallory, conversation.conversationId, 'over http'));
    expectBlocked(await api.requestConversation(mallory, alice.username));
    const refused = await harness.ask(
      mallorySocket,
      { action: 'message', conversationId: conversation.conversationId, text: 'over the socket' },
      'ack',
    );
    expect(refused).toMatchObject({ type: 'error', code: 'BLOCKED' });
    // The blocker is not held back, and what was refused was neither stored nor delivered.
    expect((await send(alice, conversation.conversationId, 'from alice')).status).toBe(201);
    await harness.messageBarrier(aliceSocket, conversation, [mallorySocket]);
    const texts = (await api.conversationHistory(conversation.conversationId, alice)).map(
      (m: Json) => m.text,
    );
    expect(texts).toEqual(['before', 'from alice', 'barrier']);
    expect(
      aliceSocket
        .ofType('message')
        .some((frame) => frame.text === 'over http' || frame.text === 'over the socket'),
    ).toBe(false);

    expect((await unblock(alice, mallory.username)).status).toBe(204);
    expect((await send(mallory, conversation.conversationId, 'after')).status).toBe(201);
    expect((await api.requestConversation(mallory, alice.username)).status).toBe(200);
  });

  it('refuses a new conversation with the blocker, and leaves rooms alone', async () => {
    const [alice, mallory] = await api.signUpEach('blocker', 'blocked');
    expect((await block(alice, mallory.username)).status).toBe(204);

    expectBlocked(await api.requestConversation(mallory, alice.username));
    const room = await api.newRoom(alice, 'blocks');
    const posted = await api.call('POST', `/rooms/${room}/messages`, {
      token: mallory.token,
      body: { text: 'hi' },
    });
    expect(posted.status).toBe(201);
    // The blocker may still open one: a block holds back the blocked user only.
    expect((await api.requestConversation(alice, mallory.username)).status).toBe(201);
    expectBlocked(await send(mallory, conversationIdOf(await api.listConversations(mallory)), 'no'));
  });

  it('lists the blocked users by username, page by page, each once, with when', async () => {
    const [alice, ...others] = await api.signUpEach('lister', 'zed', 'amy', 'kim');
    for (const other of others) expect((await block(alice, other.username)).status).toBe(204);
    const first = await api.call('GET', '/me/blocks?limit=2', { token: alice.token });
    // Blocking again keeps the first time.
    expect((await block(alice, others[0]?.username as string)).status).toBe(204);

    const pages: Json[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await api.call('GET', `/me/blocks${query}`, { token: alice.token });
      expect(page.status).toBe(200);
      pages.push(...page.body.blocks);
      cursor = page.body.nextCursor;
    } while (cursor !== null);

    expect(pages.map((entry) => entry.username)).toEqual(
      others.map((other) => other.username).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );
    for (const entry of pages) expect(entry.blockedAt).toMatch(ISO_TIME);
    expect(pages.slice(0, 2)).toEqual(first.body.blocks);
  });

  it('refuses the caller themself and unknown or malformed usernames, and unblocks anyone idempotently', async () => {
    const user = await api.signUp('selfblock');

    const self = await block(user, user.username);
    expect(self.status).toBe(400);
    expect(self.body.code).toBe('VALIDATION_FAILED');
    const unknown = await block(user, 'nobody_at_all_here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    const malformed = await block(user, 'no%20spaces');
    expect(malformed.status).toBe(400);
    expectContractError(malformed);
    expect((await unblock(user, 'nobody_at_all_here')).status).toBe(204);
    expect((await api.call('GET', '/me/blocks', { token: user.token })).body).toEqual({
      blocks: [],
      nextCursor: null,
    });
  });

  it('are lifted, every one, when the blocker deletes their account', async () => {
    const [alice, mallory, trudy] = await api.signUpEach('leaving', 'blocked', 'blocked');
    const conversation = await api.openConversation(alice, mallory.username);
    for (const user of [mallory, trudy]) expect((await block(alice, user.username)).status).toBe(204);

    const deleted = await api.call('DELETE', '/auth/me', {
      token: alice.token,
      body: { password: alice.password },
    });
    expect(deleted.status).toBe(204);

    const items = await scanAll(reader, stack.tableName);
    const partition = `USER#${alice.username.toLowerCase()}`;
    expect(items.filter((item) => item.PK === partition && item.SK.startsWith('BLOCK#'))).toEqual([]);
    const mark = items.find(
      (item) =>
        item.PK === `USER#${mallory.username.toLowerCase()}` &&
        item.SK === `CONV#${conversation.conversationId}`,
    );
    expect(mark).toBeDefined();
    expect(mark).not.toHaveProperty('blockedByPeer');
  });

  it('is never missed by a conversation opened at the same moment', async () => {
    const pairs = await Promise.all(Array.from({ length: 8 }, () => api.signUpEach('racer', 'raced')));

    await Promise.all(
      pairs.map(([alice, mallory]) =>
        Promise.all([
          block(alice as User, (mallory as User).username),
          api.requestConversation(mallory as User, (alice as User).username),
        ]),
      ),
    );

    for (const [alice, mallory] of pairs as [User, User][]) {
      const opened = await api.requestConversation(alice, mallory.username);
      expectBlocked(await send(mallory, opened.body.conversation.conversationId, 'raced'));
    }
  });
});

function conversationIdOf(page: Json): string {
  return page.conversations[0].conversationId;
}
