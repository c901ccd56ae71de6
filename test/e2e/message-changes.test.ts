/**
 * Replies, edits, deletes and reactions over real HTTP and WebSocket: what history shows afterwards, the live
 * frames each change sends, who may do what, and races that the database decides.
 */
import { describe, expect, it } from 'vitest';
import { VOLUME_LIMITS } from '../support/local-stack.ts';
import { type MessageTarget, startRealtimeTestStack } from '../support/realtime.ts';
import type { Frame } from '../support/ws-client.ts';

const { harness, api } = await startRealtimeTestStack({ limits: VOLUME_LIMITS });

const pathOf = (target: MessageTarget) =>
  'room' in target ? `/rooms/${target.room}/messages` : `/conversations/${target.conversationId}/messages`;
const enc = encodeURIComponent;

async function post(token: string, target: MessageTarget, body: Record<string, unknown>) {
  const response = await api.call('POST', pathOf(target), { token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.message;
}
const edit = (token: string, target: MessageTarget, id: string, text: unknown) =>
  api.call('PATCH', `${pathOf(target)}/${id}`, { token, body: { text } });
const remove = (token: string, target: MessageTarget, id: string) =>
  api.call('DELETE', `${pathOf(target)}/${id}`, { token });
const reactTo = (token: string, target: MessageTarget, id: string, emoji: string, added = true) =>
  api.call(added ? 'PUT' : 'DELETE', `${pathOf(target)}/${id}/reactions/${enc(emoji)}`, { token });
async function history(token: string, target: MessageTarget) {
  const response = await api.call('GET', pathOf(target), { token });
  expect(response.status).toBe(200);
  return response.body.messages as Frame[];
}
const frameOf = (type: string, messageId: string) => (frame: Frame) =>
  frame.type === type && frame.messageId === messageId;

/** A room of alice (owner), with bob a member, each with a socket in it. */
async function roomOfTwo() {
  const [alice, bob] = await api.signUpEach('alice', 'bob');
  const room = await api.newRoom(alice, 'changes');
  const [aliceSocket, bobSocket] = await harness.connectEach(alice, bob);
  await harness.join(aliceSocket, room);
  await harness.join(bobSocket, room);
  return { alice, bob, target: { room } as MessageTarget, aliceSocket, bobSocket };
}

/** A conversation of alice and bob, each with a socket. */
async function conversationOfTwo() {
  const [alice, bob] = await api.signUpEach('alice', 'bob');
  const { conversationId } = await api.openConversation(alice, bob.username);
  const [aliceSocket, bobSocket] = await harness.connectEach(alice, bob);
  return { alice, bob, target: { conversationId } as MessageTarget, aliceSocket, bobSocket };
}

describe.each([
  ['a room', roomOfTwo],
  ['a conversation', conversationOfTwo],
])('in %s', (_, setUp) => {
  it('an edit is the author’s, shows in history with editedAt and goes out as message_updated', async () => {
    const { alice, bob, target, bobSocket } = await setUp();
    const sent = await post(alice.token, target, { text: 'helo' });

    const edited = await edit(alice.token, target, sent.messageId, 'hello');
    const update = await bobSocket.next(frameOf('message_updated', sent.messageId));

    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ messageId: sent.messageId, text: 'hello', ...target });
    expect(edited.body.message.editedAt).toEqual(expect.any(String));
    expect(update).toMatchObject({ text: 'hello', editedAt: edited.body.message.editedAt, ...target });
    expect((await history(bob.token, target)).at(-1)).toMatchObject({
      text: 'hello',
      editedAt: expect.any(String),
    });
    expect((await edit(bob.token, target, sent.messageId, 'mine now')).body.code).toBe('FORBIDDEN');
    expect((await edit(alice.token, target, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'x')).body.code).toBe(
      'MESSAGE_NOT_FOUND',
    );
    expect((await edit(alice.token, target, sent.messageId, '   ')).body.code).toBe('VALIDATION_FAILED');
    expect((await edit(alice.token, target, 'not-an-id', 'x')).body.code).toBe('VALIDATION_FAILED');
  });

  it('a delete leaves a tombstone in history, goes out as message_deleted and is idempotent', async () => {
    const { alice, bob, target, bobSocket } = await setUp();
    const original = await post(bob.token, target, { text: 'first' });
    const sent = await post(alice.token, target, {
      text: 'secret',
      replyTo: original.messageId,
      clientMessageId: 'd1',
    });
    expect(sent.replyTo).toBe(original.messageId);
    expect((await reactTo(bob.token, target, sent.messageId, '👍')).status).toBe(204);

    expect((await remove(bob.token, target, sent.messageId)).body.code).toBe('FORBIDDEN');
    expect((await remove(alice.token, target, sent.messageId)).status).toBe(204);
    const deleted = await bobSocket.next(frameOf('message_deleted', sent.messageId));
    expect((await remove(alice.token, target, sent.messageId)).status).toBe(204);

    expect(deleted).toEqual({ type: 'message_deleted', messageId: sent.messageId, ...target });
    const tombstone = {
      messageId: sent.messageId,
      ...target,
      from: alice.username,
      sentAt: sent.sentAt,
      text: '',
      deleted: true,
    };
    expect((await history(bob.token, target)).at(-1)).toEqual(tombstone);
    // A retried send of the same clientMessageId answers the tombstone: the old text is kept nowhere.
    const retried = await api.call('POST', pathOf(target), {
      token: alice.token,
      body: { text: 'secret', clientMessageId: 'd1' },
    });
    expect(retried.body.message).toEqual(tombstone);
    // The sender's index (the account export) shows the tombstone too.
    const exported: Frame[] = [];
    for (let cursor = ''; ; ) {
      const page = await api.call('GET', `/auth/me/export?limit=100${cursor}`, { token: alice.token });
      exported.push(...page.body.messages);
      if (page.body.nextCursor === null) break;
      cursor = `&cursor=${page.body.nextCursor}`;
    }
    expect(exported.find((message) => message.messageId === sent.messageId)).toEqual(tombstone);
    if ('conversationId' in target) {
      const listed = await api.listConversations(bob);
      expect(listed.conversations[0].lastMessage).toEqual(tombstone);
    }
    expect((await edit(alice.token, target, sent.messageId, 'back')).body.code).toBe('MESSAGE_NOT_FOUND');
    expect((await reactTo(bob.token, target, sent.messageId, '🎉')).body.code).toBe('MESSAGE_NOT_FOUND');
    const reply = await api.call('POST', pathOf(target), {
      token: bob.token,
      body: { text: 're', replyTo: sent.messageId },
    });
    expect(reply.body.code).toBe('MESSAGE_NOT_FOUND');
    expect((await remove(alice.token, target, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).body.code).toBe(
      'MESSAGE_NOT_FOUND',
    );
  });

  it('reactions count per user and emoji, are idempotent, carry me, and go out only when something changed', async () => {
    const { alice, bob, target, aliceSocket, bobSocket } = await setUp();
    const sent = await post(alice.token, target, { text: 'react to me' });

    for (const token of [bob.token, bob.token, alice.token]) {
      expect((await reactTo(token, target, sent.messageId, '👍')).status).toBe(204);
    }
    expect((await reactTo(bob.token, target, sent.messageId, '🇫🇷')).status).toBe(204);
    expect((await reactTo(bob.token, target, sent.messageId, '🇫🇷', false)).status).toBe(204);
    expect((await reactTo(bob.token, target, sent.messageId, '🇫🇷', false)).status).toBe(204);
    await harness.messageBarrier(bobSocket, target, [aliceSocket]);

    const reactions = aliceSocket.frames.filter((frame) => frame.type === 'reaction');
    expect(reactions).toEqual([
      {
        type: 'reaction',
        messageId: sent.messageId,
        ...target,
        emoji: '👍',
        username: bob.username,
        added: true,
      },
      {
        type: 'reaction',
        messageId: sent.messageId,
        ...target,
        emoji: '👍',
        username: alice.username,
        added: true,
      },
      {
        type: 'reaction',
        messageId: sent.messageId,
        ...target,
        emoji: '🇫🇷',
        username: bob.username,
        added: true,
      },
      {
        type: 'reaction',
        messageId: sent.messageId,
        ...target,
        emoji: '🇫🇷',
        username: bob.username,
        added: false,
      },
    ]);
    const seenBy = async (token: string) =>
      (await history(token, target)).find((message) => message.messageId === sent.messageId)?.reactions;
    expect(await seenBy(bob.token)).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect((await reactTo(alice.token, target, sent.messageId, '👍', false)).status).toBe(204);
    expect(await seenBy(alice.token)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    for (const bad of ['a', '👍👍', '1', '🏻', '🇫', '👍\u202e']) {
      expect((await reactTo(bob.token, target, sent.messageId, bad)).body.code, bad).toBe(
        'VALIDATION_FAILED',
      );
    }
    for (const good of ['👨‍👩‍👧‍👦', '👋🏽', '#️⃣', '❤️']) {
      expect((await reactTo(bob.token, target, sent.messageId, good)).status, good).toBe(204);
    }
  });

  it('allows at most 20 distinct emoji on a message, and more of one already there', async () => {
    const { alice, bob, target } = await setUp();
    const sent = await post(alice.token, target, { text: 'popular' });
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
    expect(emoji).toHaveLength(20);
    for (const one of emoji)
      expect((await reactTo(alice.token, target, sent.messageId, one)).status).toBe(204);

    expect((await reactTo(alice.token, target, sent.messageId, '🤩')).body.code).toBe('TOO_MANY_REACTIONS');
    expect((await reactTo(bob.token, target, sent.messageId, '😀')).status).toBe(204);
    expect((await reactTo(alice.token, target, sent.messageId, '😁', false)).status).toBe(204);
    expect((await reactTo(bob.token, target, sent.messageId, '🤩')).status).toBe(204);
  });

  it('replies name a message of the same place', async () => {
    const { alice, bob, target, bobSocket } = await setUp();
    const first = await post(alice.token, target, { text: 'question' });
    const elsewhere = await post(alice.token, { room: await api.newRoom(alice) }, { text: 'other' });

    const reply = await post(bob.token, target, { text: 'answer', replyTo: first.messageId });
    const ack = await harness.ask(
      bobSocket,
      { action: 'message', ...target, text: 'again', replyTo: first.messageId },
      'ack',
    );
    const refused = await harness.ask(
      bobSocket,
      { action: 'message', ...target, text: 'x', replyTo: elsewhere.messageId },
      'ack',
    );

    expect(reply.replyTo).toBe(first.messageId);
    expect(ack.type).toBe('ack');
    expect(refused).toMatchObject({ type: 'error', code: 'MESSAGE_NOT_FOUND' });
    const shown = await history(alice.token, target);
    expect(shown.filter((message) => message.replyTo === first.messageId).map((m) => m.text)).toEqual([
      'answer',
      'again',
    ]);
    const refusedHttp = await api.call('POST', pathOf(target), {
      token: bob.token,
      body: { text: 'x', replyTo: elsewhere.messageId },
    });
    expect(refusedHttp.body.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('races: an edit against a delete never leaves an edited tombstone; same-emoji reactions all count', async () => {
    const { alice, bob, target } = await setUp();
    const others = await api.signUpEach('r1', 'r2', 'r3', 'r4');
    if ('room' in target) {
      await Promise.all(
        others.map((user) => api.call('POST', `/rooms/${target.room}/members`, { token: user.token })),
      );
    }
    for (let round = 0; round < 5; round++) {
      const sent = await post(alice.token, target, { text: `race ${round}` });
      const [edited, deleted] = await Promise.all([
        edit(alice.token, target, sent.messageId, `edited ${round}`),
        remove(alice.token, target, sent.messageId),
      ]);
      expect(deleted.status).toBe(204);
      expect([200, 404]).toContain(edited.status);
      const shown = (await history(alice.token, target)).find(
        (message) => message.messageId === sent.messageId,
      );
      expect(shown).toMatchObject({ deleted: true, text: '' });
      expect(shown?.editedAt).toBeUndefined();
    }
    const sent = await post(alice.token, target, { text: 'pile on' });
    const reactors = 'room' in target ? [alice, bob, ...others] : [alice, bob];
    await Promise.all(reactors.map((user) => reactTo(user.token, target, sent.messageId, '🔥')));
    // One user adding and taking back at once ends either way, but consistent with its reaction item.
    await Promise.all(
      [1, 2, 3].flatMap(() => [
        reactTo(bob.token, target, sent.messageId, '🎯'),
        reactTo(bob.token, target, sent.messageId, '🎯', false),
      ]),
    );
    const shown = (await history(bob.token, target)).find((message) => message.messageId === sent.messageId);
    expect(shown?.reactions?.find((r: Frame) => r.emoji === '🔥')).toEqual({
      emoji: '🔥',
      count: reactors.length,
      me: true,
    });
    const target2 = shown?.reactions?.find((r: Frame) => r.emoji === '🎯');
    expect(target2 === undefined || (target2.count === 1 && target2.me === true)).toBe(true);
    const after = await reactTo(bob.token, target, sent.messageId, '🎯', false);
    expect(after.status).toBe(204);
    const final = (await history(bob.token, target)).find((message) => message.messageId === sent.messageId);
    expect(final?.reactions?.find((r: Frame) => r.emoji === '🎯')).toBeUndefined();
  });
});

describe('in a room, roles', () => {
  it('let the owner and moderators delete any message, and members act only when members', async () => {
    const { alice, bob, target, aliceSocket } = await roomOfTwo();
    const room = (target as { room: string }).room;
    const carol = await api.signUp('carol');
    const bobs = await post(bob.token, target, { text: 'by bob' });
    const alices = await post(alice.token, target, { text: 'by alice' });

    expect((await edit(carol.token, target, bobs.messageId, 'x')).body.code).toBe('NOT_A_MEMBER');
    expect((await reactTo(carol.token, target, bobs.messageId, '👍')).body.code).toBe('NOT_A_MEMBER');
    expect((await remove(carol.token, target, bobs.messageId)).body.code).toBe('FORBIDDEN');
    expect((await remove(bob.token, target, alices.messageId)).body.code).toBe('FORBIDDEN');
    expect((await remove(alice.token, target, bobs.messageId)).status).toBe(204);
    await aliceSocket.next(frameOf('message_deleted', bobs.messageId));
    await api.call('POST', `/rooms/${room}/mutes`, { token: alice.token, body: { username: bob.username } });
    expect((await reactTo(bob.token, target, alices.messageId, '👍')).body.code).toBe('MUTED');
    await api.call('PATCH', `/rooms/${room}/members/${bob.username}`, {
      token: alice.token,
      body: { role: 'moderator' },
    });
    const more = await post(alice.token, target, { text: 'by alice again' });
    expect((await remove(bob.token, target, more.messageId)).status).toBe(204);
    const secret = `hidden-${bobs.messageId.slice(-8).toLowerCase()}`;
    await api.call('POST', '/rooms', { token: alice.token, body: { name: secret, visibility: 'private' } });
    const hidden = await post(alice.token, { room: secret }, { text: 'members only' });
    expect((await remove(carol.token, { room: secret }, hidden.messageId)).body.code).toBe('ROOM_NOT_FOUND');
    expect((await reactTo(carol.token, { room: secret }, hidden.messageId, '👀')).body.code).toBe(
      'ROOM_NOT_FOUND',
    );
  });
});
