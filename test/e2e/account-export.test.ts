/**
 * `GET /auth/me/export` over the local stack: everything stored about the caller (profile, sessions, the rooms
 * they are a member of, their conversations and blocks, every message they sent over either API), page by page, each item once,
 * nothing of anyone else's, nothing secret; forged cursors refused.
 */
import { describe, expect, it } from 'vitest';
import { accountExport } from '../../lib/contract/index.ts';
import { expectContractError, ISO_TIME } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startRealtimeTestStack, type User } from '../support/realtime.ts';

const { harness, api } = await startRealtimeTestStack();

const exportPage = (user: Pick<User, 'token'>, query = '') =>
  api.call('GET', `/auth/me/export${query}`, { token: user.token });

/** Every page of `user`'s export with `limit` items a page, each checked against the contract. */
async function exportAll(user: Pick<User, 'token'>, limit: number) {
  const pages: Json[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const response = await exportPage(user, query);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(() => accountExport.parse(response.body)).not.toThrow();
    pages.push(response.body);
    cursor = response.body.nextCursor;
    expect(pages.length, 'the export never ends').toBeLessThan(100);
  } while (cursor !== null);
  const all = (key: string) => pages.flatMap((page) => page[key]);
  return {
    pages,
    sessions: all('sessions'),
    rooms: all('rooms'),
    conversations: all('conversations'),
    blocks: all('blocks'),
    messages: all('messages'),
  };
}

const post = (user: User, path: string, text: string) =>
  api.call('POST', path, { token: user.token, body: { text } }).then((response) => {
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.message;
  });

describe('account export', () => {
  it('lists every session, created room, conversation and sent message once, in order, across pages', async () => {
    const [alice, bob, carol] = await api.signUpEach('exporter', 'exbob', 'excarol');
    const second = await api.callRoute('POST /auth/login', {
      body: { username: alice.username, password: alice.password },
    });
    expect(second.status).toBe(200);
    const ownRooms = [await api.newRoom(alice, 'exa'), await api.newRoom(alice, 'exb')];
    const othersRoom = await api.newRoom(bob, 'exc');
    const withBob = await api.openConversation(alice, bob.username);
    const withCarol = await api.openConversation(carol, alice.username);
    const sent = [
      await post(alice, `/rooms/${ownRooms[0]}/messages`, 'one'),
      await post(alice, `/rooms/${othersRoom}/messages`, 'two'),
      await post(alice, `/conversations/${withBob.conversationId}/messages`, 'three'),
    ];
    await post(bob, `/rooms/${othersRoom}/messages`, 'not alice');
    await post(carol, `/conversations/${withCarol.conversationId}/messages`, 'not alice either');
    const [socket] = await harness.connectEach(alice);
    const ack = await harness.ask(
      socket,
      { action: 'message', conversationId: withCarol.conversationId, text: 'four' },
      'ack',
    );
    expect(ack.type, JSON.stringify(ack)).toBe('ack');
    sent.push({ messageId: ack.messageId });
    expect((await api.call('PUT', `/me/blocks/${carol.username}`, { token: alice.token })).status).toBe(204);

    const exported = await exportAll(alice, 2);

    for (const page of exported.pages) {
      expect(page.user).toEqual({
        userId: alice.userId,
        username: alice.username,
        email: alice.email,
        createdAt: expect.stringMatching(ISO_TIME),
      });
      const items = ['sessions', 'rooms', 'conversations', 'blocks', 'messages'].map(
        (key) => page[key].length,
      );
      expect(items.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(2);
    }
    expect(exported.sessions.map((session: Json) => session.sessionId).sort()).toEqual(
      [alice.refreshToken, second.body.refreshToken].map((token) => token.split('.')[0]).sort(),
    );
    for (const session of exported.sessions) {
      expect(session).toEqual({
        sessionId: expect.any(String),
        createdAt: expect.stringMatching(ISO_TIME),
        expiresAt: expect.stringMatching(ISO_TIME),
      });
    }
    // Her own rooms as their owner, and bob's, which posting to made her a member of.
    expect(exported.rooms).toEqual(
      [...ownRooms.map((room) => [room, 'owner']), [othersRoom, 'member']]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([room, role]) => ({ room, role, joinedAt: expect.stringMatching(ISO_TIME) })),
    );
    expect(exported.conversations.map((conversation: Json) => conversation.conversationId).sort()).toEqual(
      [withBob.conversationId, withCarol.conversationId].sort(),
    );
    expect(exported.blocks).toEqual([
      { username: carol.username, blockedAt: expect.stringMatching(ISO_TIME) },
    ]);
    expect(exported.messages.map((message: Json) => message.messageId)).toEqual(
      sent.map((message) => message.messageId),
    );
    expect(exported.messages.map((message: Json) => message.text)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('holds nothing secret: no password hash, refresh token or token hash', async () => {
    const user = await api.signUp('exsecret');

    const text = JSON.stringify((await exportAll(user, 100)).pages);

    expect(text).not.toMatch(/passwordHash|refreshHash|usedHashes|\$2[aby]\$/);
    expect(text).not.toContain(user.refreshToken);
    expect(text).not.toContain(user.refreshToken.split('.')[1]);
    expect(text).not.toContain(user.password);
  });

  it("never shows another user's items, whatever the cursor names", async () => {
    const [victim, prober] = await api.signUpEach('exvictim', 'exprober');
    const room = await api.newRoom(victim, 'exvictim');
    const message = await post(victim, `/rooms/${room}/messages`, 'private to the export');
    const cursors = [`messages:`, `rooms:`, `messages:${message.messageId.replace(/.$/, '0')}`].map((value) =>
      Buffer.from(value).toString('base64url'),
    );

    for (const cursor of cursors) {
      const response = await exportPage(prober, `?cursor=${cursor}`);
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(victim.username);
      expect(response.body.user.username).toBe(prober.username);
    }
  });

  it('refuses a malformed or forged cursor with 400 and a bad limit with 400', async () => {
    const user = await api.signUp('excursor');
    const forged = ['secrets:', 'messages:USER#someone', 'rooms:#x', 'sessions:short', 'no colon', '~'].map(
      (value) => Buffer.from(value).toString('base64url'),
    );

    for (const query of [
      ...forged.map((cursor) => `?cursor=${cursor}`),
      '?cursor=***',
      '?limit=0',
      '?limit=101',
    ]) {
      const response = await exportPage(user, query);
      expect(response.status, query).toBe(400);
      expectContractError(response, query);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('lists a group the user is in with its participants and title', async () => {
    const [alice, bob, carol] = await api.signUpEach('exgroup', 'exbob', 'excarol');
    const created = await api.call('POST', '/conversations', {
      token: bob.token,
      body: { participants: [alice.username, carol.username], title: 'Export' },
    });
    expect(created.status).toBe(201);

    const { conversations } = await exportAll(alice, 1);

    expect(conversations).toEqual([created.body.conversation]);
  });

  it('is refused without a live session', async () => {
    const user = await api.signUp('exlogout');
    expect((await api.callRoute('POST /auth/logout', { token: user.token })).status).toBe(204);

    const response = await exportPage(user);

    expect(response.status).toBe(401);
    expectContractError(response);
  });
});
