/** The typed client's group conversations and their events, against the local stack. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { sessionPool, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { connect, closeAll } = sessionPool(stack);
afterEach(closeAll);

describe('groups in the typed client', () => {
  it('creates, adds, renames and leaves, with participant_added and participant_left events', async () => {
    const [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((prefix) => signUp(stack.httpUrl, prefix)),
    );
    const [bobSession, daveSession] = await Promise.all([connect(bob.token), connect(dave.token)]);
    const told = bobSession.waitFor('participant_added', (frame) => frame.username === bob.username, 5_000);

    const group = await alice.api.createGroup([bob.username, carol.username], 'Trip');

    expect(group).toMatchObject({ kind: 'group', title: 'Trip' });
    expect(group.participants).toHaveLength(3);
    const { conversationId } = group;
    expect(await told).toEqual({
      type: 'participant_added',
      conversationId,
      username: bob.username,
      by: alice.username,
    });
    const daveAdded = daveSession.waitFor(
      'participant_added',
      (frame) => frame.username === dave.username,
      5_000,
    );
    expect((await bob.api.addParticipant(conversationId, dave.username)).participants).toHaveLength(4);
    expect((await daveAdded).by).toBe(bob.username);
    expect((await dave.api.renameConversation(conversationId, 'Alps')).title).toBe('Alps');
    const left = bobSession.waitFor('participant_left', (frame) => frame.username === carol.username, 5_000);
    await carol.api.leaveConversation(conversationId);
    expect(await left).toEqual({ type: 'participant_left', conversationId, username: carol.username });

    const [listed] = (await dave.api.listConversations()).items;
    expect(listed).toMatchObject({ conversationId, kind: 'group', title: 'Alps' });
    const refused = await carol.api.conversationMessages(conversationId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('CONVERSATION_NOT_FOUND');
  });
});
