/** The typed client's read markers, read receipts and typing notices, against the local stack. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { sessionPool, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { connect, closeAll } = sessionPool(stack);
afterEach(closeAll);

describe('read state in the typed client', () => {
  it('marks read over HTTP and the socket, with read and typing events, and unread counts in the list', async () => {
    const [alice, bob] = await Promise.all([signUp(stack.httpUrl, 'alice'), signUp(stack.httpUrl, 'bob')]);
    const { value: conversation } = await alice.api.openConversation(bob.username);
    const target = { conversationId: conversation.conversationId };
    const [aliceSession, bobSession] = await Promise.all([connect(alice.token), connect(bob.token)]);
    const first = await bob.api.postConversationMessage(conversation.conversationId, 'one');
    const second = await bob.api.postConversationMessage(conversation.conversationId, 'two');

    const [listed] = (await alice.api.listConversations()).items;
    expect(listed).toMatchObject({ unreadCount: 2, lastReadMessageId: null });

    const receipt = bobSession.waitFor('read', (frame) => frame.messageId === first.value.messageId, 5_000);
    expect(await alice.api.markRead(target, first.value.messageId)).toBe(first.value.messageId);
    expect(await receipt).toEqual({
      type: 'read',
      conversationId: conversation.conversationId,
      username: alice.username,
      messageId: first.value.messageId,
    });

    const overSocket = bobSession.waitFor(
      'read',
      (frame) => frame.messageId === second.value.messageId,
      5_000,
    );
    expect(aliceSession.markRead(target, second.value.messageId)).toBe(true);
    await overSocket;
    expect((await alice.api.listConversations()).items[0]).toMatchObject({
      unreadCount: 0,
      lastReadMessageId: second.value.messageId,
    });

    const typing = bobSession.waitFor('typing', () => true, 5_000);
    expect(aliceSession.typing(target)).toBe(true);
    expect(await typing).toEqual({
      type: 'typing',
      conversationId: conversation.conversationId,
      username: alice.username,
    });

    const refused = await alice.api.markRead(target, 'not-a-message-id').catch((error) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.code).toBe('VALIDATION_FAILED');
    const failed = aliceSession.waitFor('error', (frame) => frame.action === 'read', 5_000);
    aliceSession.markRead({ conversationId: 'c_nope' }, second.value.messageId);
    expect((await failed).code).toBe('CONVERSATION_NOT_FOUND');
  });

  it('reports a notice as not sent once the session is closed', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const session = await connect(alice.token);
    await session.close();
    expect(session.typing({ room: 'general' })).toBe(false);
    expect(session.markRead({ room: 'general' }, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
  });
});
