/**
 * The typed client's side of replies, edits, deletions and reactions: `ChatApi`'s methods on one message, the
 * `replyTo` of a socket send, and the session's typed `message_updated`, `message_deleted` and `reaction` events.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, sessionPool, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

describe('changes to a message through the typed client', () => {
  it('edit, react, reply and delete, each seen live as a typed event and in history', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const room = await newRoom(alice.api);
    await bob.api.joinRoom(room);
    const watcher = await sessions.connect(bob.api);
    const sender = await sessions.connect(alice.api);
    await watcher.join(room);
    await sender.join(room);
    const place = { room };
    const { value: first } = await alice.api.postRoomMessage(room, 'helo');

    const updated = watcher.waitFor('message_updated', (frame) => frame.messageId === first.messageId);
    const edited = await alice.api.editMessage(place, first.messageId, 'hello');
    const reacted = watcher.waitFor('reaction', (frame) => frame.messageId === first.messageId);
    await bob.api.react(place, first.messageId, '🎉');
    const ack = await sender.sendToRoom(room, 'a reply', { replyTo: first.messageId });
    const deleted = watcher.waitFor('message_deleted', (frame) => frame.messageId === ack.messageId);
    await alice.api.deleteMessage(place, ack.messageId);

    expect(edited).toMatchObject({ text: 'hello', editedAt: expect.any(String) });
    expect(await updated).toMatchObject({ type: 'message_updated', text: 'hello', room });
    expect(await reacted).toEqual({
      type: 'reaction',
      messageId: first.messageId,
      room,
      emoji: '🎉',
      username: bob.username,
      added: true,
    });
    expect(await deleted).toEqual({ type: 'message_deleted', messageId: ack.messageId, room });
    const { items } = await bob.api.roomMessages(room);
    expect(items.find((message) => message.messageId === first.messageId)?.reactions).toEqual([
      { emoji: '🎉', count: 1, me: true },
    ]);
    expect(items.find((message) => message.messageId === ack.messageId)).toMatchObject({
      deleted: true,
      text: '',
    });
    await bob.api.react(place, first.messageId, '🎉', false);
    const refused = await bob.api.editMessage(place, first.messageId, 'mine').catch((error) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});
